package analysis

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/ts"
)

// Independent numpy computation of the plug-in Skaggs information of the
// behavior_place fixture: nearest-sample position per spike (ties to the
// earlier sample), bins [k·w, (k+1)·w) with the track end in the last bin,
// occupancy = samples × 0.02 s, occupancy-weighted λ̄.
const placeRefPy = `
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r"); w = float(sys.argv[2]); L = 2.0; nb = int(round(L / w))
x = f["processing/behavior/Position/position/data"][()]; t = f["processing/behavior/Position/position/timestamps"][()]
st = f["units/spike_times"][()]; idx = f["units/spike_times_index"][()]
edges = np.linspace(0, L, nb + 1)
b = np.searchsorted(edges, x, side="right") - 1; b[x == L] = nb - 1
occ = np.bincount(b, minlength=nb) * 0.02
out = []; lo = 0
for hi in idx:
    s = st[lo:hi]; lo = hi
    j = np.searchsorted(t, s); j = np.clip(j, 1, len(t) - 1)
    prev = j - 1; take_prev = (s - t[prev]) <= (t[j] - s)
    k = np.where(take_prev, prev, j)
    c = np.bincount(b[k], minlength=nb); lam = c / occ; p = occ / occ.sum(); m = (p * lam).sum()
    with np.errstate(all="ignore"):
        I = np.sum(np.where(lam > 0, p * lam * np.log2(lam / m), 0.0))
    out.append({"bits_per_second": I, "bits_per_spike": I / m, "rate": lam.tolist()})
json.dump(out, sys.stdout)
`

func TestFixturePlacePluginMatchesNumpy(t *testing.T) {
	file := filepath.Join(fixtureDir, "default", "behavior_place.nwb")
	if _, err := os.Stat(file); err != nil {
		t.Skipf("fixture absent: %v", err)
	}
	var ref []struct {
		BitsPerSecond float64   `json:"bits_per_second"`
		BitsPerSpike  float64   `json:"bits_per_spike"`
		Rate          []float64 `json:"rate"`
	}
	runPy(t, placeRefPy, &ref, file, "0.04")
	const pos = "processing/behavior/Position/position/"
	d := h5dump(t, file, "ragged:units/spike_times", pos+"data", pos+"timestamps")
	x, tt := d.floats(t, pos+"data"), d.floats(t, pos+"timestamps")
	feat, _ := ts.NewSeries(tt, x, 1, ts.Span(tt[0], tt[len(tt)-1]+0.02))
	res, err := PlaceFields(d.ragged(t, "units/spike_times"), feat, []Axis{{Bins: 50, Min: 0, Max: 2}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for u, r := range ref {
		near(t, "bits/spike", res.Units[u].BitsPerSpike, r.BitsPerSpike, 1e-9)
		near(t, "bits/s", res.Units[u].BitsPerSecond, r.BitsPerSecond, 1e-9)
		for b := range r.Rate {
			near(t, "rate", res.Tuning.RateHz[u][b], r.Rate[b], 1e-9)
		}
	}
}

// Acceptance 3: the real human MTL recording (pynapple example file, 35
// units). Tuning: rate in [start, start + 1 s) of each encoding-table clip,
// by stimCategory; PSTH: 50 ms bins from −0.5 to 1.5 s around each
// recognition-table start. Reference: numpy searchsorted counts (half-open
// windows), mean and SEM (ddof = 1) per category / bin.
const humanRefPy = `
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
st = f["units/spike_times"][()]; idx = f["units/spike_times_index"][()]
enc = f["intervals/encoding_table"]; s0 = enc["start_time"][()]; cat = enc["stimCategory"][()]
ev = f["intervals/recognition_table/start_time"][()]
cats = np.unique(cat); out = {"cats": cats.tolist(), "n": [int((cat == c).sum()) for c in cats], "units": []}
frm, w, nb = -0.5, 0.05, 40
rel = frm + np.arange(nb + 1) * w; rel[-1] = 1.5
lo = 0
for hi in idx:
    s = st[lo:hi]; lo = hi
    r = (np.searchsorted(s, s0 + 1.0) - np.searchsorted(s, s0 + 0.0)) / 1.0
    mean = [r[cat == c].mean() for c in cats]; sem = [r[cat == c].std(ddof=1) / np.sqrt((cat == c).sum()) for c in cats]
    E = ev[:, None] + rel[None, :]
    cnt = np.searchsorted(s, E[:, 1:]) - np.searchsorted(s, E[:, :-1])
    psth = (cnt / np.diff(rel)[None, :]).mean(0)
    out["units"].append({"mean": mean, "sem": sem, "psth": psth.tolist(), "total": int(len(s))})
json.dump(out, sys.stdout)
`

func TestHumanRecordingTuningPSTH(t *testing.T) {
	file := "../../shared/corpus/nwb/pynapple/sub-4_ses-4_ecephys+image.nwb"
	if _, err := os.Stat(file); err != nil {
		t.Skipf("corpus file absent: %v", err)
	}
	var ref struct {
		Cats  []float64 `json:"cats"`
		N     []int     `json:"n"`
		Units []struct {
			Mean, SEM, PSTH []float64
			Total           int
		} `json:"units"`
	}
	runPy(t, humanRefPy, &ref, file)
	d := h5dump(t, file, "ragged:units/spike_times", "intervals/encoding_table/start_time",
		"intervals/encoding_table/stimCategory", "intervals/recognition_table/start_time")
	trains := d.ragged(t, "units/spike_times")
	if len(trains) != 35 || len(ref.Units) != 35 {
		t.Fatalf("%d units (numpy: %d), want 35", len(trains), len(ref.Units))
	}
	starts := d.floats(t, "intervals/encoding_table/start_time")
	stops := make([]float64, len(starts))
	for i := range stops {
		stops[i] = starts[i] + 5 // unused with an explicit window
	}
	cond, _ := NumericConditions(d.floats(t, "intervals/encoding_table/stimCategory"))
	res, err := ConditionTuning(trains, starts, stops, cond, &ConditionSettings{Window: [2]float64{0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	for c := range ref.Cats {
		if res.Values[c][0] != ref.Cats[c] || res.NTrials[c] != ref.N[c] {
			t.Fatalf("condition %d: %v × %d vs numpy %v × %d", c, res.Values[c], res.NTrials[c], ref.Cats[c], ref.N[c])
		}
	}
	ps, err := PSTH(trains, d.floats(t, "intervals/recognition_table/start_time"), -0.5, 1.5, 0.05, nil)
	if err != nil {
		t.Fatal(err)
	}
	var active int
	for u, r := range ref.Units {
		for c := range r.Mean {
			near(t, "mean rate", res.Units[u].RateHz[c], r.Mean[c], 1e-9)
			near(t, "SEM", res.Units[u].SEMHz[c], r.SEM[c], 1e-9)
		}
		for b := range r.PSTH {
			near(t, "psth", ps.RateHz[u][b], r.PSTH[b], 1e-9)
		}
		if r.Total > 0 && !math.IsNaN(r.Mean[0]) {
			active++
		}
	}
	if active < 30 {
		t.Fatalf("only %d active units", active)
	}
}
