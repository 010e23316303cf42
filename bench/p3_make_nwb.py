#!/usr/bin/python3
"""P3 benchmark session: a medium NWB units table written by h5py.

Usage: /usr/bin/python3 bench/p3_make_nwb.py OUT.nwb [--units 480] [--seconds 3600] [--seed 3]

Writes what pynwb writes for a sorted-units session (NWB 2.6 layout, contiguous
storage as pynwb's default): /units with id (int64), spike_times (float64,
ragged, uint32 spike_times_index), electrodes (DynamicTableRegion, ragged,
uint16 index) into /general/extracellular_ephys/electrodes (384 channels),
waveform_mean (float32 units x 82), quality/location (vlen utf-8),
firing_rate (float64), peak_channel_id (int64), plus the neurodata_type /
namespace / colnames attributes and the cached /specifications copied from the
project's fixture when it is present. Rates are log-normal (median 5 Hz), so
480 units over an hour give about 10 M spikes (mean rate 5·e^0.125 ≈ 5.7 Hz;
the file used for the P3 numbers holds 10,020,247), above the ≥ 5 M of the reference measurement in
../shared/bench/README.md.
"""
import sys
import numpy as np
import h5py

out = sys.argv[1]
def arg(flag, default):
    return type(default)(sys.argv[sys.argv.index(flag) + 1]) if flag in sys.argv else default
n_units = arg("--units", 480)
dur = arg("--seconds", 3600.0)
rng = np.random.default_rng(arg("--seed", 3))

rates = np.exp(rng.normal(np.log(5.0), 0.5, n_units))
counts = rng.poisson(rates * dur)
spikes = [np.sort(rng.uniform(0, dur, c)) for c in counts]
ends = np.cumsum(counts).astype(np.uint32)
vstr = h5py.string_dtype("utf-8")

def typed(obj, ntype, ns="hdmf-common", desc=None):
    obj.attrs["neurodata_type"] = ntype
    obj.attrs["namespace"] = ns
    obj.attrs["object_id"] = "00000000-0000-0000-0000-%012d" % (abs(hash(obj.name)) % 10**12)
    if desc is not None:
        obj.attrs["description"] = desc

with h5py.File(out, "w") as f:
    f.attrs["nwb_version"] = "2.6.0"
    typed(f, "NWBFile", "core")
    f["identifier"] = "neurodata-bench-p3"
    f["session_description"] = "P3 benchmark: medium units table"
    f["session_start_time"] = "2024-01-01T00:00:00+00:00"
    f["timestamps_reference_time"] = "2024-01-01T00:00:00+00:00"
    for g in ["acquisition", "analysis", "processing", "stimulus", "general/devices", "intervals"]:
        f.require_group(g)
    try:  # cached specifications, as pynwb writes them
        with h5py.File("../shared/fixtures/default/ecephys_gratings.nwb", "r") as src:
            src.copy(src["specifications"], f, "specifications")
    except OSError:
        pass
    el = f.create_group("general/extracellular_ephys/electrodes")
    typed(el, "DynamicTable", desc="metadata about extracellular electrodes")
    el.attrs["colnames"] = np.array(["location", "x", "y", "z"], dtype=object)
    eid = el.create_dataset("id", data=np.arange(384, dtype=np.int64)); typed(eid, "ElementIdentifiers")
    for name, data in [("location", np.array(["CA1"] * 384, dtype=object)),
                       ("x", rng.normal(size=384)), ("y", np.arange(384) * 20.0), ("z", rng.normal(size=384))]:
        d = el.create_dataset(name, data=data, dtype=vstr if name == "location" else None)
        typed(d, "VectorData", desc=name)

    u = f.create_group("units")
    typed(u, "Units", "core", "sorted units")
    u.attrs["colnames"] = np.array(["spike_times", "electrodes", "waveform_mean", "quality",
                                    "location", "firing_rate", "peak_channel_id"], dtype=object)
    d = u.create_dataset("id", data=np.arange(n_units, dtype=np.int64) + 950000000); typed(d, "ElementIdentifiers")
    st = u.create_dataset("spike_times", data=np.concatenate(spikes)); typed(st, "VectorData", desc="spike times (s)")
    si = u.create_dataset("spike_times_index", data=ends); typed(si, "VectorIndex", desc="Index for VectorData 'spike_times'")
    si.attrs["target"] = st.ref
    peak = rng.integers(0, 380, n_units)
    reg = np.concatenate([np.arange(p, p + 4) for p in peak]).astype(np.int64)
    ed = u.create_dataset("electrodes", data=reg); typed(ed, "DynamicTableRegion", desc="electrodes")
    ed.attrs["table"] = el.ref
    ei = u.create_dataset("electrodes_index", data=(np.arange(1, n_units + 1) * 4).astype(np.uint16))
    typed(ei, "VectorIndex", desc="Index for VectorData 'electrodes'"); ei.attrs["target"] = ed.ref
    wf = u.create_dataset("waveform_mean", data=rng.normal(size=(n_units, 82)).astype(np.float32) * 1e-5)
    typed(wf, "VectorData", desc="mean waveform"); wf.attrs["unit"] = "volts"; wf.attrs["sampling_rate"] = 30000.0
    q = u.create_dataset("quality", data=np.array(rng.choice(["good", "noise"], n_units, p=[0.9, 0.1]), dtype=object), dtype=vstr)
    typed(q, "VectorData", desc="curation label")
    lo = u.create_dataset("location", data=np.array(rng.choice(["CA1", "VISp", "LGd"], n_units), dtype=object), dtype=vstr)
    typed(lo, "VectorData", desc="area")
    fr = u.create_dataset("firing_rate", data=counts / dur); typed(fr, "VectorData", desc="Hz")
    pc = u.create_dataset("peak_channel_id", data=peak.astype(np.int64)); typed(pc, "VectorData", desc="peak channel id")

print("wrote %s: %d units, %d spikes" % (out, n_units, int(counts.sum())), file=sys.stderr)
