#!/bin/sh
# P6 side by side: 8-class decoding, 2000 trials x 300 units, 5 folds given by
# the CSV's `fold` column. Runs Debian scikit-learn (../shared/bench/p6_decode.py)
# and the Go benchmark (decoding.BenchmarkP6) interleaved, ROUNDS times, and
# prints median times and the ratio neurodata/sklearn (< 1 = neurodata faster).
#
# usage: bench/p6.sh [ROUNDS]     (needs /usr/bin/python3 with numpy, pandas, sklearn)
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SHARED=${SHARED:-../shared}
DATA=$SHARED/bench/data/decode_2000x300.csv.gz
PY=/usr/bin/python3
[ -f "$DATA" ] || { echo "p6: $DATA not found" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/decoding.test" ./decoding
for r in $(seq "$ROUNDS"); do
  for mode in lda logreg_z; do
    (cd "$SHARED/bench" && $PY p6_decode.py "$mode" data/decode_2000x300.csv.gz --repeat 3) >> "$tmp/py.jsonl"
  done
  (cd decoding && "$tmp/decoding.test" -test.run '^$' -test.bench 'BenchmarkP6/(lda|logreg_z)$' -test.benchtime 3x) >> "$tmp/go.txt"
done
$PY - "$tmp/py.jsonl" "$tmp/go.txt" <<'PYEOF'
import json, re, statistics, sys
py = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    py.setdefault(d["id"].split(".")[1], []).extend(d["runs_s"])
    acc_py = d["accuracy"]
go, acc = {}, {}
for line in open(sys.argv[2]):
    m = re.match(r"BenchmarkP6/(\S+?)-\d+\s+\d+\s+(\d+) ns/op\s+([\d.]+) accuracy", line)
    if m:
        go.setdefault(m[1], []).append(int(m[2]) / 1e9)
        acc[m[1]] = float(m[3])
print(f"{'mode':10} {'sklearn s':>10} {'neurodata s':>12} {'ratio nd/sk':>12}")
for mode in ["lda", "logreg_z"]:
    a, b = statistics.median(py[mode]), statistics.median(go[mode])
    print(f"{mode:10} {a:10.3f} {b:12.3f} {b / a:12.2f}   (neurodata accuracy {acc[mode]:.4f})")
PYEOF
