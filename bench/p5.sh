#!/bin/sh
# P5 benchmark (issue 5): direction tuning of 1000 units x 6000 presentations
# (8 directions, ~120k spikes per unit): counts per presentation, rate per
# condition, preferred direction, OSI/DSI.
#   peer: ../shared/bench/p5_tuning.py (numpy, pynapple-style searchsorted
#         counting; "loop" = per unit, "flat" = one call over all units),
#         single-threaded; its own median of 3 timed runs per round
#   neurodata: BenchmarkP5Tuning in analysis (ConditionTuning + Direction,
#         Workers = GOMAXPROCS; also computes SEM, blank rates and the
#         vector-sum/peak index families), 3 single timed runs per round
# Runs ROUNDS interleaved rounds (machines are shared, absolute times drift),
# notes the 1-minute load average before each side, and prints per-round
# ratios numpy loop / neurodata, their median, and the best-of ratio
# (fastest numpy run / fastest neurodata run over all rounds). Process CPU
# time (all threads) is reported too: steadier when other jobs compete for
# the cores, and it removes the advantage of neurodata's second thread.
#
# usage: bench/p5.sh [ROUNDS]     (P5_UNITS / P5_PRES shrink the problem)
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
UNITS=${P5_UNITS:-1000}
PRES=${P5_PRES:-6000}
PEER=../shared/bench/p5_tuning.py
[ -f "$PEER" ] || { echo "p5.sh: $PEER not found" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/analysis.test" ./analysis
load() { cut -d' ' -f1 /proc/loadavg; }
for r in $(seq "$ROUNDS"); do
  echo "round $r/$ROUNDS: numpy (load $(load))" >&2
  echo "round $r numpy_load $(load)" >> "$tmp/load.txt"
  /usr/bin/python3 "$PEER" --repeat 3 --units "$UNITS" --pres "$PRES" | sed "s/^{/{\"round\": $r, /" >> "$tmp/py.jsonl"
  # the same script timed with process CPU time instead of wall time
  /usr/bin/python3 -c 'import os, runpy, sys, time; time.perf_counter = time.process_time; sys.argv = sys.argv[1:]; sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0]))); runpy.run_path(sys.argv[0], run_name="__main__")' \
     "$PEER" --repeat 3 --units "$UNITS" --pres "$PRES" | sed 's/"id": "P5\./"id": "CPU.P5./' | sed "s/^{/{\"round\": $r, /" >> "$tmp/py.jsonl"
  echo "round $r/$ROUNDS: go (load $(load))" >&2
  echo "round $r go_load $(load)" >> "$tmp/load.txt"
  (cd analysis && P5_UNITS=$UNITS P5_PRES=$PRES "$tmp/analysis.test" -test.run '^$' \
     -test.bench 'BenchmarkP5Tuning$' -test.benchtime 1x -test.count 3) | sed "s/^Benchmark/round $r Benchmark/" >> "$tmp/go.txt"
done
/usr/bin/python3 - "$tmp/py.jsonl" "$tmp/go.txt" "$tmp/load.txt" <<'PY'
import json, re, statistics, sys
med = statistics.median
py = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
txt = open(sys.argv[2]).read().splitlines()
loads = {}
for l in open(sys.argv[3]):
    _, r, k, v = l.split()
    loads[(int(r), k)] = float(v)
rounds = sorted({p["round"] for p in py})
go = {r: [] for r in rounds}; gocpu = {r: [] for r in rounds}; spikes = None; gomed = (float("nan"),) * 2
for l in txt:
    m = re.match(r"round (\d+) BenchmarkP5Tuning\S*\s+\d+\s+([\d.]+) ns/op(.*)", l)
    if not m:
        continue
    r = int(m.group(1)); go[r].append(float(m.group(2)) / 1e9)
    c = re.search(r"([\d.]+) cpu-ns/op", m.group(3)); s = re.search(r"([\d.]+) spikes", m.group(3))
    if c: gocpu[r].append(float(c.group(1)) / 1e9)
    if s: spikes = int(float(s.group(1)))
    mo = re.search(r"([\d.]+) median-OSI", m.group(3)); md = re.search(r"([\d.]+) median-DSI", m.group(3))
    if mo and md: gomed = (float(mo.group(1)), float(md.group(1)))
def pick(id_, r): return next(p for p in py if p["id"] == id_ and p["round"] == r)
print(f"units {py[0]['units']} presentations {py[0]['presentations']} spikes: numpy {py[0]['spikes']}, neurodata {spikes}")
print(f"median OSI/DSI (sanity: alike simulations): numpy {py[0]['median_OSI']:.3f}/{py[0]['median_DSI']:.3f}, neurodata {gomed[0]:.3f}/{gomed[1]:.3f}")
print("round  load(np/go)  numpy loop   numpy flat   neurodata   ratio loop  | CPU: numpy loop  neurodata  ratio")
ratios, cratios = [], []
for r in rounds:
    lp, fl = pick("P5.loop", r), pick("P5.flat", r)
    cl = pick("CPU.P5.loop", r)
    g, gc = med(go[r]), med(gocpu[r])
    ratios.append(lp["median_s"] / g); cratios.append(cl["median_s"] / gc)
    print(f"{r:5d}  {loads[(r,'numpy_load')]:5.2f}/{loads[(r,'go_load')]:5.2f}  {lp['median_s']*1e3:8.1f} ms  {fl['median_s']*1e3:8.1f} ms  "
          f"{g*1e3:7.1f} ms  {ratios[-1]:8.1f}x   | {cl['median_s']*1e3:9.1f} ms  {gc*1e3:7.1f} ms  {cratios[-1]:5.1f}x")
loopmin = min(p["min_s"] for p in py if p["id"] == "P5.loop")
gomin = min(x for r in rounds for x in go[r])
print(f"median of per-round ratios (wall, numpy loop / neurodata): {med(ratios):.1f}x   (min {min(ratios):.1f}x, max {max(ratios):.1f}x; goal >= 10x)")
print(f"median of per-round ratios (process CPU time):             {med(cratios):.1f}x")
print(f"best-of: fastest numpy loop run {loopmin*1e3:.1f} ms / fastest neurodata run {gomin*1e3:.1f} ms = {loopmin/gomin:.1f}x")
PY
