#!/usr/bin/python3
"""Generate the tiny .npy/.npz fixtures for analysis/rsa/activations and the
O11 oracle inputs for analysis/rsa.

Run with Debian's python3-numpy from the repository root:
    /usr/bin/python3 testdata/gen/make_npy.py
Writes testdata/npy/*.npy, *.npz and expected.json (every array's values as
float64 in C order, computed by numpy's own astype). Deterministic.
"""
import json, os
import numpy as np

out = os.path.join(os.path.dirname(__file__), "..", "npy")
os.makedirs(out, exist_ok=True)
expected = {"numpy_version": np.__version__, "arrays": {}}


def base(shape):
    """Values 0..n-1 with alternating sign, so signed types see negatives."""
    n = int(np.prod(shape))
    v = np.arange(n, dtype=np.float64)
    return (v * np.where(v % 2 == 0, 1, -1)).reshape(shape)


def vals(arr):
    """float64 values in C order; non-finite values as strings (JSON has none)."""
    v = np.ascontiguousarray(arr).astype(np.float64).ravel(order="C")
    return [float(t) if np.isfinite(t) else str(t) for t in v]


def save(name, arr, **kw):
    path = os.path.join(out, name + ".npy")
    with open(path, "wb") as f:
        np.lib.format.write_array(f, arr, **kw)
    expected["arrays"][name] = {
        "descr": np.lib.format.dtype_to_descr(arr.dtype),
        "fortran_order": bool(arr.flags.f_contiguous and not arr.flags.c_contiguous),
        "shape": list(arr.shape),
        "values_c_order": vals(arr),
    }


shape = (3, 4)
for code in ["i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "f2", "f4", "f8"]:
    for order in "<>":
        dt = np.dtype(order + code)
        v = base(shape)
        if code[0] == "u":
            v = np.abs(v)
        if code[0] == "f":
            v = v * 0.25 + 0.125
        save(f"{code}_{'le' if order == '<' else 'be'}", v.astype(dt))
save("bool", np.array([[True, False, True], [False, False, True]]))
# Fortran order, 2-D and 3-D, both byte orders.
save("f8_fortran", np.asfortranarray(base((3, 5)) * 0.5))
save("f4_be_fortran", np.asfortranarray((base((4, 3)) * 1.5).astype(">f4")))
save("i2_be_fortran_3d", np.asfortranarray(base((2, 3, 4)).astype(">i2")))
save("f8_c_3d", base((2, 3, 4)) / 3.0)
# Extremes: float16 subnormal, inf, -0; uint64 beyond 2^53; int64 min.
save("f2_special", np.array([[6e-8, np.inf], [-0.0, 65504.0]], dtype="<f2"))
save("u8_big", np.array([2**63 + 2**12, 1], dtype="<u8"))
save("i8_min", np.array([-2**63, 2**62], dtype=">i8"))
# Format version 2.0 header.
save("f8_v2", base((2, 2)), version=(2, 0))
save("scalar", np.array(2.5))
save("empty_rows", np.zeros((0, 3)))

# .npz: stored (savez) and deflated (savez_compressed).
a, b = base((4, 3)).astype("<f4"), np.asfortranarray(base((4, 2)).astype(">i4"))
np.savez(os.path.join(out, "layers_stored.npz"), conv1=a, fc=b)
np.savez_compressed(os.path.join(out, "layers_deflated.npz"), conv1=a, fc=b)
for nm, arr in [("conv1", a), ("fc", b)]:
    expected["arrays"]["npz/" + nm] = {"shape": list(arr.shape),
                                       "values_c_order": vals(arr)}

# O11 oracle inputs: exactly the draws of oracles.py (analysis-methods.md C2),
# numpy default_rng(3), in that order.
rng = np.random.default_rng(3)
x = rng.standard_normal(50); y = 0.5 * x + rng.standard_normal(50)
X = rng.standard_normal((40, 10)); Q, _ = np.linalg.qr(rng.standard_normal((10, 10)))
Y = X[:, :5] @ rng.standard_normal((5, 8)) + 0.5 * rng.standard_normal((40, 8))
np.savez(os.path.join(out, "oracle_o11.npz"), x=x, y=y, X=X, Q=Q, Y=Y)

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f, indent=0, allow_nan=False)
    f.write("\n")
