#!/usr/bin/python3
"""P1 CPU time of h5py reads (companion of ../shared/bench/p1_read.py).

usage: p1_cpu.py full|slab FILE [--repeat N]
Prints one JSON line with the median process CPU seconds (user + system,
time.process_time) per read: on a shared, loaded machine CPU time is a
steadier peer measure than wall time. Same selections as p1_read.py.
"""
import json, statistics, sys, time
import h5py

mode, path = sys.argv[1], sys.argv[2]
rep = int(sys.argv[sys.argv.index('--repeat') + 1]) if '--repeat' in sys.argv else 5
ds = h5py.File(path, 'r')['data']
tag = 'chunked' if ds.chunks else 'contig'
read = (lambda: ds[...]) if mode == 'full' else (lambda: ds[32256:33280, :])
read()
cpu = []
for _ in range(rep):
    t0 = time.process_time()
    read()
    cpu.append(time.process_time() - t0)
print(json.dumps({'id': 'P1.%s.%s.cpu' % (mode, tag), 'cpu_median_s': statistics.median(cpu), 'n': rep}), flush=True)
