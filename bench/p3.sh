#!/usr/bin/env bash
# P3: export the units table of a medium session (480 units, ~10 M spikes,
# written by h5py: bench/p3_make_nwb.py) vs raw h5py reads of the same
# datasets (bench/p3_h5py.py). Goal: neurodata ≤ 1.2 × h5py.
# Forms: UnitsArrow = in-memory Arrow record batch; UnitsTo*File = file
# export overwriting one path each iteration (on ext4, replacing a file by
# rename forces writeback of the new file: auto_da_alloc);
# UnitsToFileFresh/{arrow,parquet} = file export to a new path;
# UnitsEncode* = encoding into io.Discard (no disk); RowGroupValues/N =
# the Parquet encoder alone (table in memory) with N leaf values per row
# group; Encoder/{direct,pqarrow} = the encoder alone through the direct
# column writer and through pqarrow.FileWriter (nwbarrow/parquet). Wall and CPU time (all threads) are reported: the export reads the
# next batch and writes the file in the background, so on an idle machine
# its wall time is below its CPU time; on a loaded one compare CPU times.
# Usage: bench/p3.sh [DATA_DIR]   (default /tmp/neurodata-bench)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-/tmp/neurodata-bench}
mkdir -p "$dir"
file="$dir/p3_units.nwb"
[ -f "$file" ] || /usr/bin/python3 bench/p3_make_nwb.py "$file"
export ND_P3_FILE="$file"
go test -c -o "$dir/nwbarrow.test" ./nwbarrow
go test -c -o "$dir/nwbarrow-parquet.test" ./nwbarrow/parquet
# interleave peer and Go runs (shared machine: absolute times drift)
for round in 1 2 3 4 5; do
  /usr/bin/python3 bench/p3_h5py.py "$file" --repeat 9
  "$dir/nwbarrow.test" -test.run '^$' -test.bench 'BenchmarkP3' -test.benchtime 10x -test.count 1 | grep '^BenchmarkP3'
  # export to a new path each iteration (no ext4 replace-by-rename flush)
  "$dir/nwbarrow-parquet.test" -test.run '^$' -test.bench 'BenchmarkP3' -test.benchtime 10x -test.count 1 | grep '^BenchmarkP3'
done | tee "$dir/p3.txt"
python3 - "$dir/p3.txt" <<'PY'
import json, re, statistics, sys
h5, h5cpu, go, gocpu = [], [], {}, {}
for line in open(sys.argv[1]):
    if line.startswith("{"):
        d = json.loads(line)
        h5.append(d["median_s"]); h5cpu.append(d.get("cpu_median_s", float("nan")))
    m = re.match(r"(BenchmarkP3[\w/]+?)(?:-\d+)?\s+\d+\s+([\d.]+) ns/op(?:\s+([\d.]+) cpu-ms/op)?", line)
    if m:
        go.setdefault(m.group(1), []).append(float(m.group(2)) / 1e9)
        if m.group(3):
            gocpu.setdefault(m.group(1), []).append(float(m.group(3)) / 1e3)
ref, refc = statistics.median(h5), statistics.median(h5cpu)
print(f"h5py raw reads of the units datasets: {ref*1e3:.1f} ms wall, {refc*1e3:.1f} ms CPU (median of {len(h5)} rounds)")
for k, v in go.items():
    t = statistics.median(v)
    line = f"{k}: {t*1e3:.1f} ms  ratio {t/ref:.2f} x h5py"
    if k in gocpu:
        c = statistics.median(gocpu[k])
        line += f"   CPU {c*1e3:.1f} ms  ratio {c/refc:.2f} x h5py CPU"
    print(line)
PY
