#!/bin/sh
# Issue 6 benchmark: every analysis/info estimator with 1000 label
# permutations (default binning) on 300 units x 136 presentations, with
# Workers=1 and Workers=2. Prints wall time per estimator and the parallel
# speed-up (time with 1 worker / time with 2), plus the process CPU seconds
# of each run (user+sys): on a shared machine the wall-time speed-up depends
# on other load, while equal CPU seconds for 1 and 2 workers show that the
# parallel split adds no work. No peer: no installed library offers these
# estimators with permutation nulls.
#
# usage: bench/info.sh [ROUNDS]
set -eu
cd "$(dirname "$0")/.."
ROUNDS=${1:-1}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/info.test" ./analysis/info
for r in $(seq "$ROUNDS"); do
  (cd analysis/info && "$tmp/info.test" -test.run '^$' -test.bench 'BenchmarkUnits' -test.benchtime 1x) | tee -a "$tmp/go.txt" >&2
done
awk '
/^BenchmarkUnits\// {
  split($1, parts, "/"); est = substr(parts[2], 5); w = parts[3]; sub(/-[0-9]+$/, "", w); sub(/workers=/, "", w)
  t[est "," w] = t[est "," w] " " $3 / 1e9
  c[est "," w] = c[est "," w] " " $5
  if (!(est in seen)) { seen[est] = 1; order[++n] = est }
}
function med(s,   v, k, i, j, x) {
  k = split(s, v, " ")
  for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { x = v[i]; v[i] = v[j]; v[j] = x }
  return v[int((k + 1) / 2)]
}
END {
  printf "%-8s %12s %12s %9s %12s %12s\n", "est", "1 worker s", "2 workers s", "speed-up", "cpu s (1)", "cpu s (2)"
  for (i = 1; i <= n; i++) {
    e = order[i]; t1 = med(t[e ",1"]); t2 = med(t[e ",2"]); s1 += t1; s2 += t2
    u1 = med(c[e ",1"]); u2 = med(c[e ",2"]); v1 += u1; v2 += u2
    printf "%-8s %12.2f %12.2f %9.2f %12.2f %12.2f\n", e, t1, t2, t1 / t2, u1, u2
  }
  printf "%-8s %12.2f %12.2f %9.2f %12.2f %12.2f\n", "all", s1, s2, s1 / s2, v1, v2
  printf "load average at the end: "; system("cut -d\" \" -f1-3 /proc/loadavg")
}' "$tmp/go.txt"
