#!/usr/bin/python3
"""Writes nwb/testdata/small.nwb and small.truth.json: a tiny NWB 2 file
(h5py, Debian python3-h5py) exercising what the fixtures do not:
doubly ragged columns (VectorIndex of a VectorIndex), uint8/uint16 index
widths, 1-element-array text attributes (as matnwb writes them), a
TimeSeries with conversion, offset and channel_conversion and explicit
timestamps, a Units subtype defined only in a cached extension spec, an
enum-bool column, NaN, object references and a region column.
The truth file holds the values numpy computes for each accessor.
Run: cd nwb/testdata && /usr/bin/python3 gen_small.py
"""
import json
import numpy as np
import h5py

rng = np.random.default_rng(7)
vstr = h5py.string_dtype("utf-8")
truth = {}

def typed(o, t, ns="hdmf-common", desc=None, arr=False):
    # arr=True: write text attributes as 1-element arrays (matnwb style)
    def put(k, v):
        o.attrs.create(k, np.array([v], dtype=object) if arr else v, dtype=vstr)
    put("neurodata_type", t)
    put("namespace", ns)
    if desc is not None:
        put("description", desc)

with h5py.File("small.nwb", "w") as f:
    f.attrs["nwb_version"] = "2.6.0"
    typed(f, "NWBFile", "core")
    f["identifier"] = "small-test"
    f["session_description"] = "tiny test file"
    f["session_start_time"] = "2020-02-03T04:05:06.5+01:00"
    f.create_dataset("general/keywords", data=np.array(["a", "b"], dtype=object), dtype=vstr)
    # cached specs: core + an extension defining MyUnits (inc Units)
    spec = f.create_group("specifications")
    ext = spec.create_group("ndx-test/0.1.0")
    ext["namespace"] = json.dumps({"namespaces": [{"name": "ndx-test", "version": "0.1.0",
        "schema": [{"namespace": "core"}, {"source": "ndx-test.extensions"}]}]})
    ext["ndx-test.extensions"] = json.dumps({"groups": [{"neurodata_type_def": "MyUnits",
        "neurodata_type_inc": "Units", "doc": "units with extras"}]})

    el = f.create_group("general/extracellular_ephys/electrodes")
    typed(el, "DynamicTable", desc="electrodes", arr=True)
    el.attrs.create("colnames", np.array(["location"], dtype=object), dtype=vstr)
    el.create_dataset("id", data=np.array([10, 20, 30, 40], dtype=np.int32))
    el.create_dataset("location", data=np.array(["CA1", "CA3", "DG", "CA1"], dtype=object), dtype=vstr)

    u = f.create_group("processing/ecephys/sorted")
    typed(u, "MyUnits", "ndx-test", desc="extension units", arr=True)
    u.attrs.create("colnames", np.array(["spike_times", "waveforms", "good", "snr", "electrodes", "group"], dtype=object), dtype=vstr)
    n = 3
    u.create_dataset("id", data=np.array([5, 7, 9], dtype=np.int64))
    counts = [4, 0, 3]
    st = [np.sort(rng.uniform(0, 10, c)) for c in counts]
    u.create_dataset("spike_times", data=np.concatenate(st))
    u.create_dataset("spike_times_index", data=np.cumsum(counts).astype(np.uint8))
    # doubly ragged: per unit a list of waveforms (one per spike), each a
    # variable number of samples
    wf_rows = []          # per unit: list of waveforms
    for c in counts:
        wf_rows.append([list(rng.normal(size=int(rng.integers(1, 4)))) for _ in range(c)])
    flat = [x for row in wf_rows for w in row for x in w]
    inner = np.cumsum([len(w) for row in wf_rows for w in row]).astype(np.uint16)
    outer = np.cumsum([len(row) for row in wf_rows]).astype(np.uint8)
    u.create_dataset("waveforms", data=np.array(flat))
    u.create_dataset("waveforms_index", data=inner)
    u.create_dataset("waveforms_index_index", data=outer)
    boolt = h5py.enum_dtype({"FALSE": 0, "TRUE": 1}, basetype="i1")
    u.create_dataset("good", data=np.array([1, 0, 1], dtype=np.int8), dtype=boolt)
    u.create_dataset("snr", data=np.array([1.5, np.nan, 3.25]))
    reg = u.create_dataset("electrodes", data=np.array([0, 1, 3, 2], dtype=np.int64))
    typed(reg, "DynamicTableRegion", desc="region")
    reg.attrs["table"] = el.ref
    u.create_dataset("electrodes_index", data=np.array([2, 3, 4], dtype=np.uint8))
    grp = f.create_group("general/extracellular_ephys/shank0")
    typed(grp, "ElectrodeGroup", "core")
    u.create_dataset("group", data=[grp.ref, grp.ref, grp.ref], dtype=h5py.ref_dtype)
    truth["units"] = {"ids": [5, 7, 9], "spike_times": [list(s) for s in st],
                      "waveforms": wf_rows, "good": [True, False, True],
                      "snr": [1.5, "NaN", 3.25], "electrodes": [[0, 1], [3], [2]],
                      "electrode_ids": [[10, 20], [40], [30]],
                      "group": "/general/extracellular_ephys/shank0"}

    ts = f.create_group("acquisition/ecog")
    typed(ts, "ElectricalSeries", "core", desc="scaled series", arr=True)
    raw = rng.integers(-1000, 1000, size=(50, 3)).astype(np.int16)
    d = ts.create_dataset("data", data=raw)
    d.attrs["conversion"] = 2.5e-6
    d.attrs["offset"] = 0.001
    d.attrs.create("unit", np.array(["volts"], dtype=object), dtype=vstr)
    cc = np.array([1.0, 0.5, 2.0], dtype=np.float32)
    ts.create_dataset("channel_conversion", data=cc)
    tstamps = np.cumsum(rng.uniform(0.01, 0.03, 50))
    ts.create_dataset("timestamps", data=tstamps)
    phys = raw.astype(np.float64) * cc.astype(np.float64)[None, :] * 2.5e-6 + 0.001
    lo, hi = np.searchsorted(tstamps, 0.3, "left"), np.searchsorted(tstamps, 0.6, "right")
    truth["ecog"] = {"timestamps": list(tstamps), "physical": phys.ravel().tolist(),
                     "window": [0.3, 0.6], "window_rows": [int(lo), int(hi)]}

with open("small.truth.json", "w") as fh:
    json.dump(truth, fh, indent=1)
