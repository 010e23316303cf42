#!/usr/bin/env bash
# bench/fetch.sh: `neurodata fetch` against `curl` on the same bytes from a
# loopback `neurodata mirror serve`, then a units-table export streamed
# through the mirror with injected latency.
#
#   bench/fetch.sh                 # 1 GiB file, 3 interleaved runs each
#   SIZE_MB=256 RUNS=5 bench/fetch.sh
#   BASELINE=/path/to/old/neurodata STREAM=0 bench/fetch.sh
#
# BASELINE adds a second neurodata binary (e.g. built from an earlier
# commit) to every round, same server and file, for before/after ratios
# under the same machine load; ND_BIN replaces the binary built from the
# tree (e.g. an experimental build); STREAM=0 skips part 2.
#
# Part 1 reports best-of-RUNS wall times, the throughput ratio
# curl_time / neurodata_time (1.0 = as fast as curl) and the CPU time
# (user+sys, /usr/bin/time) of each command. neurodata's time
# includes the API round trips and verifying the dandi-etag (MD5 of 64 MiB
# parts) and sha256 of the file; "curl | sha256sum" is shown as the
# verified peer.
# Part 2 streams `export --table units` of a ../shared/fixtures file from a
# mirror adding LATENCY (default 30ms) per file request and reports wall
# time and the requests/bytes the mirror served, next to the local export.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${SIZE_MB:-1024}
RUNS=${RUNS:-3}
PORT=${PORT:-18181}
LATENCY=${LATENCY:-30ms}
work=$(mktemp -d /tmp/ndbench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2-$1:.3f}')"; }

go build -o "$work/neurodata" ./cmd/neurodata
nd=${ND_BIN:-$work/neurodata}

mkdir -p "$work/srv/000777/sub-bench"
head -c "${SIZE_MB}M" /dev/urandom >"$work/srv/000777/sub-bench/sub-bench_ses-1.nwb"
sync # its write-back would otherwise run under the first round
"$nd" mirror serve "$work/srv" --addr "127.0.0.1:$PORT" 2>"$work/serve.log" &
pids+=($!)
for _ in $(seq 200); do grep -q serving "$work/serve.log" 2>/dev/null && break; sleep 0.1; done
api="http://127.0.0.1:$PORT/api"
s3=$(curl -s "$api/dandisets/000777/versions/draft/assets/?metadata=true" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["metadata"]["contentUrl"][1])')

BASELINE=${BASELINE:-}
# timed CMD...: run CMD (stdout discarded, stderr to $work/cmd.log) and
# print "wall user+sys" in seconds, the CPU time of CMD and its children
# from /usr/bin/time ("-" when that is not installed).
timed() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -o "$work/time.txt" -f "%e %U %S" "$@" >/dev/null 2>"$work/cmd.log"
		read -r w u s <"$work/time.txt"
		echo "$w $(python3 -c "print(f'{$u+$s:.2f}')")"
	else
		local t0 t1
		t0=$(now); "$@" >/dev/null 2>"$work/cmd.log"; t1=$(now)
		echo "$(elapsed "$t0" "$t1") -"
	fi
}
# fetch_with BIN: time one verified fetch of the dandiset into a clean
# output directory and check the bytes against curl's.
fetch_with() {
	rm -rf "$work/out"
	sync
	timed "$1" fetch --api-url "$api" -o "$work/out" 000777
	if ! cmp "$work/curl.bin" "$work/out/000777/sub-bench/sub-bench_ses-1.nwb" >&2; then
		echo "fetch with $1 failed:" >&2
		cat "$work/cmd.log" >&2
	fi
}
rows="" # one line per run: curl curl_cpu curlsha curlsha_cpu nd nd_cpu [base base_cpu]
for i in $(seq "$RUNS"); do
	rm -rf "$work/out" "$work/curl.bin"
	sync
	r=$(timed curl -s -o "$work/curl.bin" "$s3") # $(…) waits: no overlap
	read -r tc cc <<<"$r"
	rm -f "$work/curl.bin"
	sync
	r=$(timed bash -c 'curl -s "$1" | tee "$2" | sha256sum >/dev/null' _ "$s3" "$work/curl.bin")
	read -r ts cs <<<"$r"
	extra=""
	if [ -n "$BASELINE" ] && [ $((i % 2)) = 0 ]; then # alternate the order
		r=$(fetch_with "$BASELINE") && read -r tb cb <<<"$r"
		r=$(fetch_with "$nd") && read -r tn cn <<<"$r"
	elif [ -n "$BASELINE" ]; then
		r=$(fetch_with "$nd") && read -r tn cn <<<"$r"
		r=$(fetch_with "$BASELINE") && read -r tb cb <<<"$r"
	else
		r=$(fetch_with "$nd") && read -r tn cn <<<"$r"
	fi
	row="$tc $cc $ts $cs $tn $cn"
	if [ -n "$BASELINE" ]; then
		row="$row $tb $cb"
		extra="  baseline fetch ${tb}s (cpu ${cb}s)"
	fi
	rows="$rows$row;"
	echo "run $i: curl ${tc}s (cpu ${cc}s)  curl|sha256sum ${ts}s (cpu ${cs}s)  neurodata fetch ${tn}s (cpu ${cn}s)$extra  (load $(cut -d' ' -f1 /proc/loadavg))"
done
python3 - "$SIZE_MB" "$rows" <<'PY'
import statistics, sys
mb = int(sys.argv[1])
runs = [r.split() for r in sys.argv[2].split(";") if r.strip()]
def col(i):
    return [float(r[i]) for r in runs]
def cpu(i):
    v = [float(r[i]) for r in runs if r[i] != "-"]
    return f"{statistics.median(v):.2f}s" if v else "n/a"
c, cs, n = min(col(0)), min(col(2)), min(col(4))
mc, mn = statistics.median(col(0)), statistics.median(col(4))
print(f"fetch {mb} MiB, best of runs: curl {c:.3f}s ({mb/c:.0f} MiB/s), curl|sha256sum {cs:.3f}s, "
      f"neurodata {n:.3f}s ({mb/n:.0f} MiB/s)")
print(f"throughput ratio neurodata/curl = {c/n:.2f}x (best of runs), {mc/mn:.2f}x (medians)   "
      f"neurodata/(curl|sha256sum) = {cs/n:.2f}x")
print(f"median CPU (user+sys): curl {cpu(1)}, curl|sha256sum {cpu(3)}, neurodata {cpu(5)}"
      + (f", baseline {cpu(7)}" if len(runs[0]) > 6 else ""))
if len(runs[0]) > 6:
    b, mb_ = min(col(6)), statistics.median(col(6))
    print(f"baseline {b:.3f}s: baseline/curl = {c/b:.2f}x (best of runs), {mc/mb_:.2f}x (medians)")
PY
if [ "${STREAM:-1}" = 0 ]; then
	exit 0
fi

# Part 2: streaming export of a units table with injected latency: the
# default fixture scaled to 480 units / 6.6 M spikes (~54 MB) by
# dandi/mirror/testdata/scale_units.py when python3-h5py is present, else
# the fixture itself.
fx=../shared/fixtures/default/ecephys_gratings.nwb
if [ ! -f "$fx" ]; then
	echo "streaming: skipped ($fx absent)"
	exit 0
fi
mkdir -p "$work/srv2/000778/sub-1"
src="$work/srv2/000778/sub-1/session.nwb"
if ! /usr/bin/python3 dandi/mirror/testdata/scale_units.py "$fx" "$src" 2>/dev/null; then
	cp "$fx" "$src"
fi
PORT2=$((PORT + 1))
"$nd" mirror serve "$work/srv2" --addr "127.0.0.1:$PORT2" --latency "$LATENCY" 2>"$work/serve2.log" &
p2=$!
for _ in $(seq 100); do grep -q serving "$work/serve2.log" 2>/dev/null && break; sleep 0.1; done
aid=$(curl -s "http://127.0.0.1:$PORT2/api/dandisets/000778/versions/draft/assets/" | python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["asset_id"])')
url="http://127.0.0.1:$PORT2/api/assets/$aid/download/"
tl=999
for i in 1 2; do
	t0=$(now); "$nd" export "$src" --table units --format arrow -o "$work/local.arrow" >/dev/null; t1=$(now)
	tl=$(python3 -c "print(min($tl, $(elapsed "$t0" "$t1")))")
done
t0=$(now); "$nd" export "$url" --table units --format arrow -o "$work/remote.arrow" >/dev/null; t1=$(now)
tr=$(elapsed "$t0" "$t1")
kill -INT "$p2"; wait "$p2" 2>/dev/null || true
cmp -s "$work/local.arrow" "$work/remote.arrow" && same=identical || same=DIFFERENT
echo "streaming export --table units of a $(stat -c %s "$src")-byte session at $LATENCY latency:"
echo "  local ${tl}s, via mirror ${tr}s, output $same; mirror: $(grep served "$work/serve2.log")"
