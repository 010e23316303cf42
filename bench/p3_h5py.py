#!/usr/bin/python3
"""P3 peer: raw h5py reads of every dataset of the units table (what an
exporter must read), Debian h5py. Usage: p3_h5py.py FILE [--repeat 9]
Prints one JSON line (median/min wall seconds, median CPU seconds of the
process: on a loaded machine the fairer figure)."""
import json, statistics, sys, time
import h5py

path = sys.argv[1]
repeat = int(sys.argv[sys.argv.index("--repeat") + 1]) if "--repeat" in sys.argv else 9
NAMES = ["id", "spike_times", "spike_times_index", "electrodes", "electrodes_index",
         "waveform_mean", "quality", "location", "firing_rate", "peak_channel_id"]

def run():
    with h5py.File(path, "r") as f:
        u = f["units"]
        cols = {n: u[n][()] for n in NAMES}
        _ = u.attrs["colnames"]
    return cols

run()
ts, cs = [], []
for _ in range(repeat):
    t0, c0 = time.perf_counter(), time.process_time()
    run()
    ts.append(time.perf_counter() - t0); cs.append(time.process_time() - c0)
print(json.dumps({"id": "p3_h5py_units_raw", "median_s": statistics.median(ts), "min_s": min(ts),
                  "cpu_median_s": statistics.median(cs), "n": repeat}))
