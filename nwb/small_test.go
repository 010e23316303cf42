package nwb_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/neurodata/neurodata/nwb"
)

// small.nwb and small.truth.json come from nwb/testdata/gen_small.py
// (h5py + numpy): the truth values are numpy's.
type smallTruth struct {
	Units struct {
		IDs          []int64       `json:"ids"`
		SpikeTimes   [][]float64   `json:"spike_times"`
		Waveforms    [][][]float64 `json:"waveforms"`
		Good         []bool        `json:"good"`
		SNR          []any         `json:"snr"`
		Electrodes   [][]int64     `json:"electrodes"`
		ElectrodeIDs [][]int64     `json:"electrode_ids"`
		Group        string        `json:"group"`
	} `json:"units"`
	Ecog struct {
		Timestamps []float64 `json:"timestamps"`
		Physical   []float64 `json:"physical"`
		Window     []float64 `json:"window"`
		WindowRows []int     `json:"window_rows"`
	} `json:"ecog"`
}

func openSmall(t *testing.T) (*nwb.File, *smallTruth) {
	t.Helper()
	f, err := nwb.Open("testdata/small.nwb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	b, err := os.ReadFile("testdata/small.truth.json")
	if err != nil {
		t.Fatal(err)
	}
	var tr smallTruth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	return f, &tr
}

func TestSmallUnitsExtensionAndRagged(t *testing.T) {
	f, tr := openSmall(t)
	// MyUnits is defined only in the file's cached ndx-test spec (inc Units).
	o, err := f.Find("Units")
	if err != nil || o.Path != "/processing/ecephys/sorted" || o.Type.Name != "MyUnits" {
		t.Fatalf("Find(Units) = %+v, %v", o, err)
	}
	u, err := f.Units()
	if err != nil {
		t.Fatal(err)
	}
	if u.Description != "extension units" { // 1-element array attribute
		t.Errorf("description %q", u.Description)
	}
	ids, _ := u.IDs()
	for i, want := range tr.Units.SpikeTimes {
		got, err := u.SpikeTimes(i)
		if err != nil || ids[i] != tr.Units.IDs[i] || !equalF(got, want) {
			t.Errorf("unit %d: id %d spikes %v (%v), want %d %v", i, ids[i], got, err, tr.Units.IDs[i], want)
		}
	}
	times, off, err := u.SpikeTimesRows(1, 3) // units 7 (no spikes) and 9
	if err != nil || len(off) != 3 || off[1] != 0 || !equalF(times[off[1]:off[2]], tr.Units.SpikeTimes[2]) {
		t.Errorf("SpikeTimesRows(1, 3) = %v %v %v", times, off, err)
	}
	c, err := u.Column("waveforms")
	if err != nil || c.Depth != 2 {
		t.Fatalf("waveforms depth %v %v", c, err)
	}
	for _, rng := range [][2]int{{0, 3}, {1, 3}, {2, 3}, {1, 1}} {
		cv, err := c.ReadRows(rng[0], rng[1])
		if err != nil {
			t.Fatal(err)
		}
		for r := rng[0]; r < rng[1]; r++ {
			o0, o1 := cv.Offsets[0], cv.Offsets[1]
			k := r - rng[0]
			var got [][]float64
			for j := o0[k]; j < o0[k+1]; j++ {
				got = append(got, cv.Values.F64[o1[j]:o1[j+1]])
			}
			want := tr.Units.Waveforms[r]
			if len(got) != len(want) {
				t.Fatalf("rows %v: unit %d has %d waveforms, want %d", rng, r, len(got), len(want))
			}
			for j := range want {
				if !equalF(got[j], want[j]) {
					t.Errorf("rows %v: unit %d waveform %d = %v, want %v", rng, r, j, got[j], want[j])
				}
			}
		}
	}
	good, err := u.Bools("good")
	if err != nil || len(good) != 3 || good[0] != tr.Units.Good[0] || good[1] != tr.Units.Good[1] || good[2] != tr.Units.Good[2] {
		t.Errorf("good %v %v", good, err)
	}
	snr, _ := u.Float64s("snr")
	if snr[0] != 1.5 || !math.IsNaN(snr[1]) || snr[2] != 3.25 {
		t.Errorf("snr %v", snr)
	}
	regions, target, err := u.Electrodes()
	if err != nil || target != "/general/extracellular_ephys/electrodes" {
		t.Fatalf("electrodes target %q %v", target, err)
	}
	el, _ := f.Table(target)
	elIDs, _ := el.IDs()
	for i, rows := range regions {
		for j, r := range rows {
			if r != tr.Units.Electrodes[i][j] || elIDs[r] != tr.Units.ElectrodeIDs[i][j] {
				t.Errorf("unit %d electrode %d: row %d id %d, want row %d id %d", i, j, r, elIDs[r], tr.Units.Electrodes[i][j], tr.Units.ElectrodeIDs[i][j])
			}
		}
	}
	grp, err := u.Strings("group")
	if err != nil || grp[2] != tr.Units.Group {
		t.Errorf("group refs %v %v", grp, err)
	}
	st, err := u.SpikeTrains([]int{2, 0})
	if err != nil || st.IDs[0] != 9 || len(st.Trains[1]) != 4 || st.Strings["group"][0] != tr.Units.Group {
		t.Errorf("SpikeTrains: %+v %v", st, err)
	}
}

func TestSmallSeriesConversion(t *testing.T) {
	f, tr := openSmall(t)
	s, err := f.TimeSeries("/acquisition/ecog")
	if err != nil {
		t.Fatal(err)
	}
	if s.Unit != "volts" || s.Conversion != 2.5e-6 || s.Offset != 0.001 || !s.HasTimestamps || s.Channels() != 3 {
		t.Fatalf("series %+v", s)
	}
	all, err := s.Read()
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range tr.Ecog.Physical {
		if math.Abs(all.Data[i]-want) > 1e-15*math.Max(1, math.Abs(want)) {
			t.Fatalf("value %d = %.17g, numpy %.17g", i, all.Data[i], want)
		}
	}
	if !equalF(all.Times, tr.Ecog.Timestamps) {
		t.Error("timestamps differ")
	}
	w, err := s.Window(tr.Ecog.Window[0], tr.Ecog.Window[1])
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := tr.Ecog.WindowRows[0], tr.Ecog.WindowRows[1]
	if len(w.Times) != hi-lo || w.Times[0] != tr.Ecog.Timestamps[lo] || len(w.Data) != 3*(hi-lo) || w.Data[0] != all.Data[3*lo] {
		t.Errorf("window: %d samples from %g, want rows [%d, %d)", len(w.Times), w.Times[0], lo, hi)
	}
	m, _ := f.Metadata()
	if m.SessionStartTime.IsZero() || m.SessionStartTime.Nanosecond() != 5e8 || len(m.Keywords) != 2 {
		t.Errorf("metadata %+v", m)
	}
}

func equalF(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
