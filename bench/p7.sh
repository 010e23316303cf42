#!/bin/sh
# P7 side by side: correlation RDM (500 conditions x 10,000 features) + Spearman
# with a model RDM + 1000 condition-label permutations. Runs the numpy peer
# (../shared/bench/p7_rsa.py numpy) and the Go benchmark (rsa.BenchmarkP7) on the
# same data, interleaved ROUNDS times; prints median times, the ratio, the observed
# rho of both, and the peak RSS of each process (GNU time; includes the untimed
# data generation/loading on both sides).
#
# usage: bench/p7.sh [ROUNDS]      (needs /usr/bin/python3 with numpy and scipy)
#        THREADS=1 bench/p7.sh     single-threaded on both sides (OPENBLAS/OMP threads = 1,
#                                  GOMAXPROCS = 1), a fairer view on an overloaded machine
set -eu
if [ -n "${THREADS:-}" ]; then
  export OPENBLAS_NUM_THREADS=$THREADS OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS GOMAXPROCS=$THREADS
fi
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
SHARED=${SHARED:-../shared}
PY=/usr/bin/python3
[ -f "$SHARED/bench/p7_rsa.py" ] || { echo "p7: $SHARED/bench/p7_rsa.py not found" >&2; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
$PY bench/p7_make_data.py "$tmp"
go test -c -o "$tmp/rsa.test" ./analysis/rsa
# CPU seconds per run, insensitive to how much of the machine we get: the
# difference in user+sys time between a 7-run and a 2-run process, over 5.
(cd "$SHARED/bench" && /usr/bin/time -f '%U %S' -o "$tmp/py2.cpu" $PY p7_rsa.py numpy --repeat 2 > /dev/null)
(cd "$SHARED/bench" && /usr/bin/time -f '%U %S' -o "$tmp/py7.cpu" $PY p7_rsa.py numpy --repeat 7 > /dev/null)
P7_DATA=$tmp /usr/bin/time -f '%U %S' -o "$tmp/go2.cpu" "$tmp/rsa.test" -test.run '^$' -test.bench '^BenchmarkP7$' -test.benchtime 2x > /dev/null
P7_DATA=$tmp /usr/bin/time -f '%U %S' -o "$tmp/go7.cpu" "$tmp/rsa.test" -test.run '^$' -test.bench '^BenchmarkP7$' -test.benchtime 7x > /dev/null
for r in $(seq "$ROUNDS"); do
  (cd "$SHARED/bench" && /usr/bin/time -f 'maxrss_kb %M' -a -o "$tmp/py.rss" $PY p7_rsa.py numpy --repeat 3) >> "$tmp/py.jsonl"
  P7_DATA=$tmp /usr/bin/time -f 'maxrss_kb %M' -a -o "$tmp/go.rss" \
    "$tmp/rsa.test" -test.run '^$' -test.bench '^BenchmarkP7$' -test.benchtime 3x >> "$tmp/go.txt"
done
$PY - "$tmp" <<'PYEOF'
import json, re, statistics, sys, os
d = sys.argv[1]
py, rho_py = [], None
for line in open(os.path.join(d, "py.jsonl")):
    j = json.loads(line); py.extend(j["runs_s"]); rho_py = j["rho"]
go, rho_go = [], None
for line in open(os.path.join(d, "go.txt")):
    m = re.match(r"BenchmarkP7(?:-\d+)?\s+\d+\s+(\d+) ns/op", line)
    if m:
        go.append(int(m[1]) / 1e9)
    r = re.search(r"([-\d.]+) rho", line)
    if r: rho_go = float(r[1])
rss = lambda f: max(int(l.split()[1]) for l in open(os.path.join(d, f)) if l.startswith("maxrss_kb"))
a, b = statistics.median(py), statistics.median(go)
print(f"numpy    median {a:.3f} s  peak RSS {rss('py.rss')/1024:.0f} MiB  rho {rho_py:.6f}")
print(f"neurodata median {b:.3f} s  peak RSS {rss('go.rss')/1024:.0f} MiB  rho {rho_go}")
print(f"ratio numpy/neurodata = {a / b:.2f}x faster   (load average {open('/proc/loadavg').read().split()[0]})")
cpu = lambda f: sum(float(x) for x in open(os.path.join(d, f)).read().split()[-2:])
pc, gc = (cpu("py7.cpu") - cpu("py2.cpu")) / 5, (cpu("go7.cpu") - cpu("go2.cpu")) / 5
print(f"CPU seconds per run: numpy {pc:.3f}, neurodata {gc:.3f}, ratio {pc / gc:.2f}x")
PYEOF
