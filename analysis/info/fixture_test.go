package info

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// gratingsData is what the h5py helper extracts from an ecephys_gratings.nwb.
type gratingsData struct {
	Units []struct {
		ID         int64     `json:"id"`
		SpikeTimes []float64 `json:"spike_times"`
	} `json:"units"`
	Start       []float64  `json:"start_time"`
	Stop        []float64  `json:"stop_time"`
	Orientation []*float64 `json:"orientation"` // null for blank sweeps
}

type gratingsTruth struct {
	SpikeModel struct {
		CountWindow string `json:"count_window"`
	} `json:"spike_model"`
	Stimulus struct {
		Table         string    `json:"table"`
		Directions    []float64 `json:"directions_deg"`
		DurationS     float64   `json:"presentation_duration_s"`
		NPresentation int       `json:"n_presentations"`
	} `json:"stimulus"`
	Units []struct {
		ID int64   `json:"id"`
		MI float64 `json:"mutual_information_bits"`
	} `json:"units"`
}

// extractPy reads units and the drifting-gratings presentations with h5py.
// Used until the pure-Go NWB reader lands.
const extractPy = `
import h5py, json, sys, numpy as np
f = h5py.File(sys.argv[1], 'r')
u = f['units']
st = u['spike_times'][:]; idx = u['spike_times_index'][:]; ids = u['id'][:]
units = []; prev = 0
for i, e in enumerate(idx):
    units.append({'id': int(ids[i]), 'spike_times': st[prev:int(e)].tolist()}); prev = int(e)
t = f['intervals/' + sys.argv[2]]
out = {'units': units, 'start_time': t['start_time'][:].tolist(), 'stop_time': t['stop_time'][:].tolist(),
       'orientation': [None if np.isnan(x) else float(x) for x in t['orientation'][:]]}
json.dump(out, open(sys.argv[3], 'w'))
`

const python = "/usr/bin/python3"

func loadGratings(t testing.TB, variant string) (*gratingsData, *gratingsTruth) {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", variant)
	nwbPath := filepath.Join(dir, "ecephys_gratings.nwb")
	if _, err := os.Stat(nwbPath); err != nil {
		t.Skipf("shared fixtures absent (%v)", err)
	}
	if _, err := os.Stat(python); err != nil {
		t.Skip("/usr/bin/python3 absent")
	}
	if err := exec.Command(python, "-c", "import h5py, numpy").Run(); err != nil {
		t.Skip("python3-h5py/numpy absent")
	}
	var tr gratingsTruth
	b, err := os.ReadFile(filepath.Join(dir, "ecephys_gratings.truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	script := filepath.Join(tmp, "extract.py")
	out := filepath.Join(tmp, "data.json")
	if err := os.WriteFile(script, []byte(extractPy), 0o600); err != nil {
		t.Fatal(err)
	}
	table := filepath.Base(tr.Stimulus.Table) // "intervals/drifting_gratings_presentations"
	if msg, err := exec.Command(python, script, nwbPath, table, out).CombinedOutput(); err != nil {
		t.Fatalf("h5py extraction: %v\n%s", err, msg)
	}
	b, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var d gratingsData
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return &d, &tr
}

// gratingsCounts returns the direction code and spike count of every
// non-blank presentation per unit. The truth file's MI is defined for the
// count in the presentation window start_time <= t < stop_time
// (spike_model.count_window) with D uniform over the 8 directions, blanks
// excluded (README, "mutual_information_bits").
func gratingsCounts(t testing.TB, d *gratingsData) (stim []int, counts [][]int) {
	var starts, stops, dirs []float64
	for i, o := range d.Orientation {
		if o == nil {
			continue
		}
		starts = append(starts, d.Start[i])
		stops = append(stops, d.Stop[i])
		dirs = append(dirs, *o)
	}
	stim, _ = Labels(dirs)
	for _, u := range d.Units {
		c, err := SpikeCounts(u.SpikeTimes, starts, stops)
		if err != nil {
			t.Fatal(err)
		}
		counts = append(counts, c)
	}
	return stim, counts
}

func TestGratingsExplore(t *testing.T) {
	d, tr := loadGratings(t, "default")
	stim, counts := gratingsCounts(t, d)
	for _, nb := range []int{0, 3, 4, 5, 6, 8} {
		for _, est := range Estimators {
			var mae, bias float64
			var errs []float64
			for u, c := range counts {
				var r []int
				if nb == 0 {
					r, _, _ = Codes(c)
				} else {
					r, _, _ = EquipopulatedInts(c, nb)
				}
				v, err := MI(stim, r, est, nil)
				if err != nil {
					t.Fatal(err)
				}
				bias += v - tr.Units[u].MI
				e := math.Abs(v - tr.Units[u].MI)
				mae += e
				errs = append(errs, e)
			}
			t.Logf("bins %d %-8v MAE %.4f median %.4f bias %.4f", nb, est, mae/float64(len(counts)), median(errs), bias/float64(len(counts)))
		}
	}
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sortFloats(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
