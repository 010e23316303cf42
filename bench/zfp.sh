#!/bin/sh
# ZFP filter (H5Z-ZFP 32013) read speed against h5py + hdf5plugin on the
# same file: three 128^3 datasets in 64^3 chunks (fixed rate 16 bits per
# value float64, fixed precision 16 float32, reversible float64) written by
# hdf5/internal/filter/testdata/gen_zfp.py --big, which also times h5py
# (best of 5 full reads). Go: BenchmarkZfpRead with one worker (the same
# single thread as h5py) and the default worker count, ROUNDS runs each;
# the ratio is Go's best time over h5py's best (below 1 = faster).
#
# usage: bench/zfp.sh [ROUNDS]   (needs Debian python3-h5py, python3-hdf5plugin)
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-5}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 hdf5/internal/filter/testdata/gen_zfp.py --big "$tmp/zfp_big.h5" | tee "$tmp/py.txt" >&2
go test -c -o "$tmp/filter.test" ./hdf5/internal/filter
(cd hdf5/internal/filter && ZFP_BENCH_FILE="$tmp/zfp_big.h5" "$tmp/filter.test" -test.run '^$' -test.bench 'BenchmarkZfpRead' -test.count "$ROUNDS") | tee "$tmp/go.txt" >&2
awk '
FNR == NR && /^h5py / { name = $2; sub(/:$/, "", name); py[name] = $3; next }
/^BenchmarkZfpRead\// {
  split($1, p, "/"); w = p[3]; sub(/-[0-9]+$/, "", w); k = p[2] "," w
  ms = $3 / 1e6; if (!(k in best) || ms < best[k]) best[k] = ms
  if (!(p[2] in seen)) { seen[p[2]] = 1; order[++n] = p[2] }
}
END {
  printf "%-8s %10s %14s %8s %16s %8s\n", "dataset", "h5py ms", "Go 1 worker ms", "ratio", "Go default ms", "ratio"
  for (i = 1; i <= n; i++) {
    d = order[i]; a = best[d ",workers=1"]; b = best[d ",workers=default"]
    printf "%-8s %10.1f %14.1f %8.2f %16.1f %8.2f\n", d, py[d], a, a / py[d], b, b / py[d]
  }
  printf "load average at the end: "; system("cut -d\" \" -f1-3 /proc/loadavg")
}' "$tmp/py.txt" "$tmp/go.txt"
