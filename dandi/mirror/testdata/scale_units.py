#!/usr/bin/env python3
"""Write a copy of an NWB file whose /units table is scaled up, for the
streaming benchmark of `export --table units` through the mirror.

usage: scale_units.py SRC.nwb DST.nwb [N_UNITS] [N_SPIKES]

Everything outside /units is copied unchanged (h5py copy). /units gets
N_UNITS rows (default 480) and N_SPIKES spike times in total (default
6,600,000, the scale of the 480-unit / 6.6 M-spike session quoted in
../shared/bench/README.md), keeping every column, dtype and attribute of
the source table; reference attributes (VectorIndex.target,
DynamicTableRegion.table) are re-pointed at the new objects. Values are
drawn with numpy's default_rng(seed 20261127).
"""
import sys

import h5py
import numpy as np


def main():
    src, dst = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 480
    total = int(sys.argv[4]) if len(sys.argv) > 4 else 6_600_000
    rng = np.random.default_rng(20261127)
    with h5py.File(src, "r") as fi, h5py.File(dst, "w", libver="earliest") as fo:
        for k, v in fi.attrs.items():
            fo.attrs[k] = v
        for name in fi:
            if name != "units":
                fi.copy(fi[name], fo, name=name)
        u = fi["units"]
        g = fo.create_group("units")
        counts = rng.multinomial(total, np.full(n, 1.0 / n))
        spikes = np.concatenate([np.sort(rng.uniform(0, 3600, c)) for c in counts])
        n_el = 3
        data = {
            "id": np.arange(n, dtype=u["id"].dtype),
            "spike_times": spikes.astype(u["spike_times"].dtype),
            "spike_times_index": np.cumsum(counts).astype(np.uint32),
            "electrodes": rng.integers(0, 10, n * n_el).astype(u["electrodes"].dtype),
            "electrodes_index": (np.arange(1, n + 1) * n_el).astype(np.uint16),
            "firing_rate": (counts / 3600.0).astype(u["firing_rate"].dtype),
            "peak_channel_id": rng.integers(0, 384, n).astype(u["peak_channel_id"].dtype),
            "waveform_mean": rng.standard_normal((n, u["waveform_mean"].shape[1])).astype(u["waveform_mean"].dtype),
            "quality": np.array(["good" if i % 3 else "mua" for i in range(n)], dtype=object),
            "location": np.array(["VISp"] * n, dtype=object),
        }
        for k in u:
            src_ds = u[k]
            kw = {}
            if h5py.check_string_dtype(src_ds.dtype):
                kw["dtype"] = h5py.string_dtype("utf-8")
            g.create_dataset(k, data=data[k], **kw)
        for k, v in u.attrs.items():
            g.attrs[k] = v
        for k in u:
            for a, v in u[k].attrs.items():
                if isinstance(v, h5py.Reference):
                    v = fo[fi[v].name].ref
                g[k].attrs[a] = v


if __name__ == "__main__":
    main()
