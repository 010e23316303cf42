#!/usr/bin/python3
"""Writes the ZFP (H5Z-ZFP, filter 32013) fixtures of the filter tests.

Run with Debian's python3-h5py and python3-hdf5plugin (4.0.1: H5Z-ZFP
1.1.0, zfp 1.0.0):

    cd hdf5/internal/filter/testdata && /usr/bin/python3 gen_zfp.py

Outputs, all committed:
  zfp.h5          datasets compressed with hdf5plugin.Zfp in every mode
                  (rate, precision, accuracy, reversible, expert) for
                  float32/float64, int32/int64 in the reversible and
                  precision (and rate) modes, 1-D to 4-D, shapes and chunk
                  shapes that are not multiples of 4, several chunks per
                  dataset (padded edge chunks), one chunk with a unity
                  dimension.
  zfp_ref.json    the independent reference: for each dataset its dtype,
                  shape and the sha256 of the values h5py (libhdf5 + the
                  H5Z-ZFP plugin) decodes, as C-order little-endian bytes.
  zfp_chunks.json the raw first chunk of some datasets with the filter's
                  client data, for the fuzz target's seeds and the direct
                  Decode test (sha256 of h5py's decoded first chunk).

With --big FILE it instead writes the benchmark file (not committed) of
BenchmarkZfpRead and prints h5py's best time to read each dataset:

    /usr/bin/python3 gen_zfp.py --big /tmp/zfp_big.h5
"""
import base64
import hashlib
import json
import sys
import time

import h5py
import hdf5plugin
import numpy as np

rng = np.random.default_rng(20261127)


def smooth(shape, scale):
    """A smooth field plus a little noise: typical simulation data."""
    grids = np.meshgrid(*[np.linspace(0, 3, n) for n in shape], indexing="ij")
    v = np.zeros(shape)
    for i, g in enumerate(grids):
        v += np.sin(g * (i + 1.3)) * (i + 1)
    v += rng.normal(0, 0.01, shape)
    return v * scale


def data(dtype, shape, kind):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        if kind == "wild":
            # mixed magnitudes, signed zeros, subnormals, inf and nan: the
            # reversible mode must fall back to reinterpreting the bits
            v = smooth(shape, 1.0).ravel()
            tiny = np.finfo(dt).tiny
            specials = [0.0, -0.0, 1e30, -1e-30, tiny / 8, -tiny / 3, np.inf, -np.inf, np.nan, np.finfo(dt).max]
            for i, s in enumerate(specials):
                v[(i * 7) % v.size] = s
            return v.reshape(shape).astype(dt)
        return smooth(shape, 100.0).astype(dt)
    info = np.iinfo(dt)
    if kind == "wild":
        return rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
    scale = 1e5 if dt.itemsize == 4 else 1e12
    return np.round(smooth(shape, scale)).astype(dt)


def big(path):
    """128^3 values per dataset in 64^3 chunks; h5py's read time, best of 5."""
    shape, chunk = (128, 128, 128), (64, 64, 64)
    sets = {
        "rate_f8": ("f8", dict(rate=16)),
        "prec_f4": ("f4", dict(precision=16)),
        "rev_f8": ("f8", dict(reversible=True)),
    }
    with h5py.File(path, "w", libver="latest") as f:
        for name, (dt, mode) in sets.items():
            f.create_dataset(name, data=smooth(shape, 100.0).astype(dt), chunks=chunk, **hdf5plugin.Zfp(**mode))
    with h5py.File(path, "r") as f:
        for name in sets:
            d = f[name]
            best = float("inf")
            for _ in range(5):
                t0 = time.perf_counter()
                d[...]
                best = min(best, time.perf_counter() - t0)
            print("h5py %s: %.1f ms (%.0f MB/s of decoded values)" % (name, best * 1e3, d.nbytes / best / 1e6))


if len(sys.argv) == 3 and sys.argv[1] == "--big":
    big(sys.argv[2])
    sys.exit(0)

MODES = {
    "rate": dict(rate=10.5),
    "prec": dict(precision=14),
    "acc": dict(accuracy=1e-3),
    "rev": dict(reversible=True),
    "expert": dict(minbits=32, maxbits=600, maxprec=20, minexp=-12),
}
SHAPES = {
    1: ((37,), (23,)),
    2: ((11, 13), (6, 7)),
    3: ((6, 5, 7), (5, 5, 6)),
    4: ((5, 3, 2, 6), (5, 3, 2, 6)),
}

cases = []  # (name, dtype, dims, mode, kind)
for mode in MODES:
    for dt in ("f4", "f8"):
        for dims in (1, 2, 3):
            cases.append((f"{mode}_{dt}_{dims}d", dt, dims, mode, "smooth"))
for mode in ("rev", "prec", "rate"):
    for dt in ("i4", "i8"):
        for dims in (1, 2, 3):
            cases.append((f"{mode}_{dt}_{dims}d", dt, dims, mode, "smooth"))
cases += [
    ("rev_f4_2d_wild", "f4", 2, "rev", "wild"),
    ("rev_f8_3d_wild", "f8", 3, "rev", "wild"),
    ("rev_i4_2d_wild", "i4", 2, "rev", "wild"),
    ("rev_i8_1d_wild", "i8", 1, "rev", "wild"),
    ("prec_i4_2d_wild", "i4", 2, "prec", "wild"),
    ("rev_f4_4d", "f4", 4, "rev", "smooth"),
    ("prec_f8_4d", "f8", 4, "prec", "smooth"),
    ("rate_f8_4d", "f8", 4, "rate", "smooth"),
    ("rev_i8_4d", "i8", 4, "rev", "smooth"),
    ("acc_f4_4d", "f4", 4, "acc", "smooth"),
]

ref = {}
chunks = []
with h5py.File("zfp.h5", "w", libver="latest") as f:
    for name, dt, dims, mode, kind in cases:
        shape, chunk = SHAPES[dims]
        v = data(dt, shape, kind)
        d = f.create_dataset(name, data=v, chunks=chunk, **hdf5plugin.Zfp(**MODES[mode]))
    # a chunk with a unity dimension: H5Z-ZFP codes it as a 2-D field
    v = data("f8", (3, 10, 9), "smooth")
    f.create_dataset("prec_f8_unity", data=v, chunks=(1, 10, 9), **hdf5plugin.Zfp(precision=20))

with h5py.File("zfp.h5", "r") as f:
    for name in sorted(f):
        d = f[name]
        got = np.ascontiguousarray(d[...]).astype(d.dtype.newbyteorder("<"))
        ref[name] = {
            "dtype": d.dtype.str,
            "shape": list(d.shape),
            "chunks": list(d.chunks),
            "sha256": hashlib.sha256(got.tobytes()).hexdigest(),
        }
        plist = d.id.get_create_plist()
        fid, flags, params, fname = plist.get_filter(0)
        assert fid == 32013, name
        ref[name]["params"] = list(params)
        if name.endswith(("_2d", "_4d", "wild", "unity")):
            _, raw = d.id.read_direct_chunk((0,) * d.ndim)
            first = tuple(slice(0, c) for c in d.chunks)
            want = np.ascontiguousarray(d[first]).astype(d.dtype.newbyteorder("<")).tobytes()
            chunks.append({
                "name": name,
                "params": list(params),
                "elem_size": d.dtype.itemsize,
                "chunk_bytes": len(want),
                "raw": base64.b64encode(raw).decode(),
                "want_sha256": hashlib.sha256(want).hexdigest(),
            })

with open("zfp_ref.json", "w") as out:
    json.dump({"generator": "gen_zfp.py (h5py %s, hdf5plugin %s)" % (h5py.__version__, hdf5plugin.version),
               "datasets": ref}, out, indent=1, sort_keys=True)
    out.write("\n")
with open("zfp_chunks.json", "w") as out:
    json.dump(chunks, out, indent=1)
    out.write("\n")
