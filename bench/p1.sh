#!/usr/bin/env bash
# P1: pure-Go HDF5 reads vs Debian h5py on the same 256 MiB float32 dataset
# (../shared/bench/p1_make_h5.py: 65536 x 1024, chunks 256 x 256, shuffle +
# deflate 4; and the same data contiguous). Goals (issue 2): chunked full
# read <= 0.6 x h5py, contiguous <= 1.0 x, 1024-row hyperslab <= 0.5 x.
# Usage: bench/p1.sh [DATA_DIR]   (default /tmp/neurodata-bench; the two
# 256 MB files are made there once and never committed)
# Environment: P1_ROUNDS (default 3) interleaved rounds; P1_ONLY=slab runs
# only the hyperslab comparison (seconds instead of minutes); P1_SLAB_N
# (default 41) timed Go slab reads per round (h5py: 21, p1_read.py).
# Go and h5py are both compared by median wall time after a warm-up read,
# and by median CPU time (user+system) per read.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=../shared/bench
dir=${1:-/tmp/neurodata-bench}
rounds=${P1_ROUNDS:-3}
only=${P1_ONLY:-}
slabn=${P1_SLAB_N:-41}
mkdir -p "$dir"
ch="$dir/p1_chunked.h5" ct="$dir/p1_contig.h5"
if [ ! -f "$ch" ] || [ ! -f "$ct" ]; then
  /usr/bin/python3 "$shared/p1_make_h5.py" "$ch" "$ct"
fi
export ND_P1_DIR="$dir"
go test -c -o "$dir/bench.test" ./bench
out="$dir/p1.txt"
: > "$out"
# interleave peer and Go runs (shared machine: absolute times drift)
for round in $(seq "$rounds"); do
  echo "# round $round: $(uptime)" | tee -a "$out"
  if [ "$only" != slab ]; then
    (cd "$shared" && /usr/bin/python3 p1_read.py full "$ch" --repeat 3 && /usr/bin/python3 p1_read.py full "$ct" --repeat 3) | tee -a "$out"
    [ "$round" = 1 ] && (cd "$shared" && /usr/bin/python3 p1_read.py inflate "$ch" --repeat 3) | tee -a "$out"
    /usr/bin/python3 bench/p1_cpu.py full "$ch" --repeat 3 | tee -a "$out"
    /usr/bin/python3 bench/p1_cpu.py full "$ct" --repeat 3 | tee -a "$out"
    "$dir/bench.test" -test.run '^$' -test.bench 'BenchmarkP1(Chunked|Chunked1Worker|Contiguous)$' -test.benchtime 3x -test.count 1 | grep '^BenchmarkP1' | tee -a "$out"
  fi
  (cd "$shared" && /usr/bin/python3 p1_read.py slab "$ch" --repeat 21) | tee -a "$out"
  /usr/bin/python3 bench/p1_cpu.py slab "$ch" --repeat 21 | tee -a "$out"
  "$dir/bench.test" -test.run '^$' -test.bench 'BenchmarkP1Hyperslab$' -test.benchtime "${slabn}x" -test.count 1 | grep '^BenchmarkP1' | tee -a "$out"
done
python3 - "$out" <<'PY'
import json, re, statistics, sys
py, go, gocpu = {}, {}, {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        d = json.loads(line)
        py.setdefault(d["id"], []).append(d.get("median_s", d.get("cpu_median_s")))
    m = re.match(r"(BenchmarkP1\w+?)(-\d+)?\s+\d+\s+([\d.]+) ns/op", line)
    if m:
        # median wall and CPU time per read when reported (mean otherwise)
        w = re.search(r"([\d.e-]+) med-s/op", line)
        go.setdefault(m.group(1), []).append(float(w.group(1)) if w else float(m.group(3)) / 1e9)
        c = re.search(r"([\d.e-]+) cpu-med-s/op", line) or re.search(r"([\d.e-]+) cpu-s/op", line)
        if c:
            gocpu.setdefault(m.group(1), []).append(float(c.group(1)))
med = lambda v: statistics.median(v)
pairs = [("BenchmarkP1Chunked", "P1.full.chunked", 0.6), ("BenchmarkP1Chunked1Worker", "P1.full.chunked", None),
         ("BenchmarkP1Contiguous", "P1.full.contig", 1.0), ("BenchmarkP1Hyperslab", "P1.slab.chunked", 0.5)]
for g, p, goal in pairs:
    if g in go and p in py:
        r = med(go[g]) / med(py[p])
        tag = "" if goal is None else ("  goal <= %.1f: %s" % (goal, "met" if r <= goal else "NOT met"))
        print(f"{g:28s} {med(go[g])*1e3:9.1f} ms   h5py {p:16s} {med(py[p])*1e3:9.1f} ms   ratio {r:.2f}{tag}")
print("CPU time (user+system) per read, same files:")
for g, p in [("BenchmarkP1Chunked", "P1.full.chunked.cpu"), ("BenchmarkP1Chunked1Worker", "P1.full.chunked.cpu"),
             ("BenchmarkP1Contiguous", "P1.full.contig.cpu"), ("BenchmarkP1Hyperslab", "P1.slab.chunked.cpu")]:
    if g in gocpu and p in py:
        print(f"  {g:28s} {med(gocpu[g])*1e3:9.1f} ms CPU   h5py {med(py[p])*1e3:9.1f} ms CPU   ratio {med(gocpu[g])/med(py[p]):.2f}")
g, p = "BenchmarkP1Hyperslab", "P1.slab.chunked"
if g in go and p in py and len(go[g]) == len(py[p]) > 1:
    rs = sorted(a / b for a, b in zip(go[g], py[p]))
    print(f"slab wall ratio per round: {' '.join('%.2f' % r for r in rs)} (rounds interleaved; load in {sys.argv[1]})")
for k in ("P1.inflate.zlib_1core", "P1.inflate+unshuffle_1core"):
    if k in py:
        print(f"h5py-side {k}: {med(py[k])*1e3:.1f} ms (single-core physical-limit indicator)")
PY
