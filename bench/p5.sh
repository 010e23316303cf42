#!/bin/sh
# P5 benchmark (issue 5): direction tuning of 1000 units x 6000 presentations
# (8 directions, ~120k spikes per unit): counts per presentation, rate per
# condition, preferred direction, OSI/DSI.
#   peer: ../shared/bench/p5_tuning.py (numpy, pynapple-style searchsorted
#         counting; "loop" = per unit, "flat" = one call over all units)
#   neurodata: BenchmarkP5Tuning in analysis (ConditionTuning + Direction,
#         Workers = GOMAXPROCS; also computes SEM per condition)
# Runs ROUNDS interleaved rounds (machines are shared, absolute times drift)
# and prints the medians and the ratio numpy / Go, for wall time and for
# process CPU time (steadier when other jobs compete for the cores).
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
for r in $(seq "$ROUNDS"); do
  echo "round $r/$ROUNDS: numpy" >&2
  /usr/bin/python3 "$PEER" --repeat 3 --units "$UNITS" --pres "$PRES" >> "$tmp/py.jsonl"
  # the same script timed with process CPU time instead of wall time
  /usr/bin/python3 -c 'import os, runpy, sys, time; time.perf_counter = time.process_time; sys.argv = sys.argv[1:]; sys.path.insert(0, os.path.dirname(os.path.abspath(sys.argv[0]))); runpy.run_path(sys.argv[0], run_name="__main__")' \
     "$PEER" --repeat 3 --units "$UNITS" --pres "$PRES" | sed 's/"id": "P5\./"id": "CPU.P5./' >> "$tmp/py.jsonl"
  echo "round $r/$ROUNDS: go" >&2
  (cd analysis && P5_UNITS=$UNITS P5_PRES=$PRES "$tmp/analysis.test" -test.run '^$' \
     -test.bench 'BenchmarkP5Tuning$' -test.benchtime 3x -test.count 1) >> "$tmp/go.txt"
done
/usr/bin/python3 - "$tmp/py.jsonl" "$tmp/go.txt" <<'PY'
import json, re, statistics, sys
py = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
loop = [p["median_s"] for p in py if p["id"] == "P5.loop"]
flat = [p["median_s"] for p in py if p["id"] == "P5.flat"]
loopmin = min(p["min_s"] for p in py if p["id"] == "P5.loop")
txt = open(sys.argv[2]).read()
go = [float(m.group(1)) / 1e9 for m in re.finditer(r"BenchmarkP5Tuning\S*\s+\d+\s+([\d.]+) ns/op", txt)]
gocpu = [float(m.group(1)) / 1e9 for m in re.finditer(r"([\d.]+) cpu-ns/op", txt)]
cpuloop = [p["median_s"] for p in py if p["id"] == "CPU.P5.loop"]
gm, lm, fm = statistics.median(go), statistics.median(loop), statistics.median(flat)
print(f"units {py[0]['units']} presentations {py[0]['presentations']} spikes(numpy) {py[0]['spikes']}")
print(f"numpy loop  median {lm*1e3:9.1f} ms  (rounds: {', '.join(f'{x*1e3:.0f}' for x in loop)})")
print(f"numpy flat  median {fm*1e3:9.1f} ms  (rounds: {', '.join(f'{x*1e3:.0f}' for x in flat)})")
print(f"neurodata   median {gm*1e3:9.1f} ms  (rounds: {', '.join(f'{x*1e3:.0f}' for x in go)})")
print(f"speed-up vs numpy loop: {lm/gm:.1f}x   vs numpy flat: {fm/gm:.1f}x   (goal >= 10x; medians)")
if gocpu and cpuloop:
    gc, pc = statistics.median(gocpu), statistics.median(cpuloop)
    print(f"CPU time (process, all threads): numpy loop {pc*1e3:.1f} ms, neurodata {gc*1e3:.1f} ms = {pc/gc:.1f}x less CPU;"
          f" with both cores free the wall-clock speed-up would be about {2*pc/gc:.1f}x")
print(f"best-of-runs: numpy loop {loopmin*1e3:.1f} ms / neurodata {min(go)*1e3:.1f} ms = {loopmin/min(go):.1f}x (less sensitive to other load)")
PY
