package nwb_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/ts"
)

const fixturesDir = "../../shared/fixtures"

var variants = []string{"default", "compressed", "latest"}

func openFixture(t *testing.T, variant, name string) (*nwb.File, map[string]any) {
	t.Helper()
	p := filepath.Join(fixturesDir, variant, name+".nwb")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("fixtures not available (%v); they live in ../shared/fixtures", err)
	}
	f, err := nwb.Open(p)
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	t.Cleanup(func() { f.Close() })
	b, err := os.ReadFile(filepath.Join(fixturesDir, variant, name+".truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth map[string]any
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	return f, truth
}

func num(v any) float64 { return v.(float64) }

// TestFixtureEcephys checks the ecephys_gratings session against its truth
// file (../shared/fixtures/*/ecephys_gratings.truth.json) in all three
// storage variants.
func TestFixtureEcephys(t *testing.T) {
	for _, v := range variants {
		t.Run(v, func(t *testing.T) {
			f, truth := openFixture(t, v, "ecephys_gratings")
			m, err := f.Metadata()
			if err != nil {
				t.Fatal(err)
			}
			gen := truth["generator"].(map[string]any)
			if m.Identifier != gen["identifier"] || m.NWBVersion != "2.6.0" {
				t.Errorf("metadata identifier %q version %q, want %q 2.6.0", m.Identifier, m.NWBVersion, gen["identifier"])
			}
			if len(m.Devices) != 2 || len(m.ElectrodeGroups) != 2 || m.Subject == nil || len(m.Keywords) != 4 {
				t.Errorf("devices %d groups %d subject %v keywords %v", len(m.Devices), len(m.ElectrodeGroups), m.Subject, m.Keywords)
			}
			u, err := f.Units()
			if err != nil {
				t.Fatal(err)
			}
			tu := truth["units"].([]any)
			if u.Len() != len(tu) {
				t.Fatalf("%d units, truth has %d", u.Len(), len(tu))
			}
			ids, _ := u.IDs()
			quality, _ := u.Strings("quality")
			location, _ := u.Strings("location")
			peak, _ := u.Int64s("peak_channel_id")
			regions, target, err := u.Electrodes()
			if err != nil {
				t.Fatal(err)
			}
			el, err := f.Electrodes()
			if err != nil {
				t.Fatal(err)
			}
			if target != el.Path {
				t.Errorf("units/electrodes targets %q, want %q", target, el.Path)
			}
			elIDs, _ := el.IDs()
			elLoc, _ := el.Strings("location")
			peakRows, _ := el.JoinByID(peak)
			for i, x := range tu {
				tr := x.(map[string]any)
				if ids[i] != int64(num(tr["id"])) || quality[i] != tr["quality"] || location[i] != tr["location"] || peak[i] != int64(num(tr["peak_channel_id"])) {
					t.Errorf("unit %d: id %d %s %s peak %d; truth %v %v %v %v", i, ids[i], quality[i], location[i], peak[i], tr["id"], tr["quality"], tr["location"], tr["peak_channel_id"])
				}
				n, _ := u.SpikeCount(i)
				st, err := u.SpikeTimes(i)
				if err != nil {
					t.Fatal(err)
				}
				if want := int(num(tr["n_spikes_realized"])); n != want || len(st) != want {
					t.Errorf("unit %d: %d/%d spikes, truth %d", i, n, len(st), want)
				}
				for k := 1; k < len(st); k++ {
					if st[k]-st[k-1] < 0.002-1e-9 { // 2 ms hard refractory period (fixtures README)
						t.Errorf("unit %d: ISI %g s below the 2 ms refractory period", i, st[k]-st[k-1])
						break
					}
				}
				// join by id: the peak channel is one of the unit's electrodes
				// and the electrodes table agrees on the area.
				if peakRows[i] < 0 || elIDs[peakRows[i]] != peak[i] || elLoc[peakRows[i]] != location[i] {
					t.Errorf("unit %d: peak channel %d not joined (row %d)", i, peak[i], peakRows[i])
				}
				found := false
				for _, r := range regions[i] {
					found = found || r == int64(peakRows[i])
				}
				if !found || len(regions[i]) < 1 || len(regions[i]) > 4 {
					t.Errorf("unit %d: electrodes region %v lacks peak row %d", i, regions[i], peakRows[i])
				}
			}
			wf, shape, err := u.WaveformMean(3)
			if err != nil || len(wf) != 82 || len(shape) != 1 || shape[0] != 82 {
				t.Errorf("waveform_mean: %d samples shape %v err %v", len(wf), shape, err)
			}
			// trials and the presentations table (README: 136 rows, 8 blanks, 2 s each)
			stim := truth["stimulus"].(map[string]any)
			pres, err := f.Intervals(filepath.Base(stim["table"].(string)))
			if err != nil {
				t.Fatal(err)
			}
			start, stop, err := pres.StartStop()
			if err != nil {
				t.Fatal(err)
			}
			if len(start) != int(num(stim["n_presentations"])) {
				t.Errorf("%d presentations, truth %v", len(start), stim["n_presentations"])
			}
			for i := range start {
				if math.Abs(stop[i]-start[i]-num(stim["presentation_duration_s"])) > 1e-9 {
					t.Errorf("presentation %d lasts %g s", i, stop[i]-start[i])
				}
			}
			ori, _ := pres.Float64s("orientation")
			nan := 0
			for _, o := range ori {
				if math.IsNaN(o) {
					nan++
				}
			}
			trials, err := f.Trials()
			if err != nil {
				t.Fatal(err)
			}
			blank, err := trials.Bools("is_blank")
			if err != nil {
				t.Fatal(err)
			}
			nb := 0
			for _, b := range blank {
				if b {
					nb++
				}
			}
			if want := int(num(stim["n_blank_presentations"])); nan != want || nb != want || trials.Len() != len(start) {
				t.Errorf("blanks: %d NaN orientations, %d is_blank, %d trials; truth %d blanks", nan, nb, trials.Len(), want)
			}
			all, err := f.StimulusTables()
			if err != nil || len(all) != 2 {
				t.Errorf("stimulus tables %d (%v), want drifting_gratings and spontaneous", len(all), err)
			}
			// epochs: compound TimeSeriesReferenceVectorData pointing at running speed
			ep, err := f.Intervals("epochs")
			if err != nil {
				t.Fatal(err)
			}
			c, err := ep.Column("timeseries")
			if err != nil {
				t.Fatal(err)
			}
			cv, err := c.Read()
			if err != nil {
				t.Fatal(err)
			}
			if c.Kind != nwb.ColumnCompound || len(cv.Values.Fields) != 3 || cv.Values.Fields[2].Values.Str[0] != "/processing/running/running_speed" {
				t.Errorf("epochs/timeseries: kind %v fields %+v", c.Kind, cv.Values.Fields)
			}
		})
	}
}

// TestFixtureRunningWindow checks time-window slicing against a full read
// (60 Hz from t = 0, fixtures README).
func TestFixtureRunningWindow(t *testing.T) {
	f, _ := openFixture(t, "compressed", "ecephys_gratings")
	rs, err := f.RunningSpeed()
	if err != nil {
		t.Fatal(err)
	}
	if rs.Rate != 60 || rs.StartingTime != 0 || rs.Unit != "cm/s" || rs.HasTimestamps {
		t.Fatalf("running speed rate %g start %g unit %q", rs.Rate, rs.StartingTime, rs.Unit)
	}
	all, err := rs.Read()
	if err != nil {
		t.Fatal(err)
	}
	w, err := rs.Window(10, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Times) != 601 || w.Times[0] != 10 || math.Abs(w.Times[600]-20) > 1e-12 {
		t.Fatalf("window [10, 20] s: %d samples from %g to %g", len(w.Times), w.Times[0], w.Times[len(w.Times)-1])
	}
	for i := range w.Data {
		if w.Data[i] != all.Data[600+i] {
			t.Fatalf("window sample %d = %g, full read %g", i, w.Data[i], all.Data[600+i])
		}
	}
	s, err := w.Series()
	if err != nil || s.Len() != 601 {
		t.Fatalf("ts series: %v", err)
	}
	full, err := rs.Series()
	if err != nil || full.Rate != 60 || full.Len() != rs.Len() || full.ValueAt(10, 0, ts.Nearest) != w.Data[0] {
		t.Fatalf("regular ts series: %+v %v", full, err)
	}
}

// TestFixtureBehavior checks behavior_place against its truth file.
func TestFixtureBehavior(t *testing.T) {
	for _, v := range variants {
		t.Run(v, func(t *testing.T) {
			f, truth := openFixture(t, v, "behavior_place")
			track := truth["track"].(map[string]any)
			pos, err := f.SeriesOf("Position")
			if err != nil || len(pos) != 1 {
				t.Fatalf("Position series: %d, %v", len(pos), err)
			}
			p := pos[0]
			if p.Path != "/"+track["position_path"].(string) || p.Len() != int(num(track["n_samples"])) || !p.HasTimestamps || p.Unit != "meters" {
				t.Errorf("position %s len %d unit %s", p.Path, p.Len(), p.Unit)
			}
			w, err := p.Window(100, 101)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range w.Times {
				if x < 100 || x > 101 {
					t.Errorf("window sample at %g s outside [100, 101]", x)
				}
			}
			if len(w.Times) < 49 || len(w.Times) > 51 { // 50 Hz
				t.Errorf("1 s window holds %d samples at 50 Hz", len(w.Times))
			}
			for _, x := range w.Data {
				if x < 0 || x > num(track["length_m"]) {
					t.Errorf("position %g m off the track", x)
				}
			}
			trials, err := f.Trials()
			if err != nil {
				t.Fatal(err)
			}
			if trials.Len() != int(num(track["n_laps"])) {
				t.Errorf("%d laps, truth %v", trials.Len(), track["n_laps"])
			}
			u, err := f.Units()
			if err != nil {
				t.Fatal(err)
			}
			grp, err := u.Strings("electrode_group")
			if err != nil || grp[0] != "/general/extracellular_ephys/shank0" {
				t.Errorf("electrode_group reference: %v %v", grp, err)
			}
			tr, err := u.SpikeTrains(nil)
			if err != nil {
				t.Fatal(err)
			}
			for i, x := range truth["units"].([]any) {
				want := int(num(x.(map[string]any)["n_spikes_realized"]))
				if len(tr.Trains[i]) != want {
					t.Errorf("unit %d: %d spikes, truth %d", i, len(tr.Trains[i]), want)
				}
			}
		})
	}
}

// TestFixtureOphys checks ophys_scenes against the README and truth file.
func TestFixtureOphys(t *testing.T) {
	for _, v := range variants {
		t.Run(v, func(t *testing.T) {
			f, truth := openFixture(t, v, "ophys_scenes")
			img := truth["imaging"].(map[string]any)
			dff, err := f.SeriesOf("DfOverF")
			if err != nil || len(dff) != 1 {
				t.Fatalf("DfOverF: %d %v", len(dff), err)
			}
			s := dff[0]
			nf := int(num(img["n_frames"]))
			if s.Len() != nf || s.Channels() != 100 {
				t.Errorf("dF/F shape %v", s.Shape)
			}
			rows, target, err := s.ROIs()
			if err != nil || len(rows) != 100 {
				t.Fatalf("rois: %v %v", rows, err)
			}
			masks, ids, h, w, err := f.ImageMasks(target)
			if err != nil {
				t.Fatal(err)
			}
			fov := int(num(img["fov_px"]))
			if len(masks) != 100 || h != fov || w != fov || ids[0] != 1000 || ids[99] != 1099 {
				t.Errorf("masks %d %dx%d ids %d..%d", len(masks), h, w, ids[0], ids[99])
			}
			// mask centres: the brightest pixel lies near the truth centre
			centers := truth["rois"].(map[string]any)["mask_centers_px_row_col"].([]any)
			for r := 0; r < 100; r += 17 {
				best := 0
				for k, x := range masks[r] {
					if x > masks[r][best] {
						best = k
					}
				}
				c := centers[r].([]any)
				if math.Abs(float64(best/w)-num(c[0])) > 1.5 || math.Abs(float64(best%w)-num(c[1])) > 1.5 {
					t.Errorf("ROI %d: mask peak at (%d, %d), truth centre %v", r, best/w, best%w, c)
				}
			}
			win, err := s.Window(5, 6)
			if err != nil {
				t.Fatal(err)
			}
			if len(win.Times) != 31 || win.Channels != 100 { // 30 Hz, frame f at f/30 s
				t.Errorf("1 s dF/F window: %d frames", len(win.Times))
			}
			ns, err := f.Intervals("natural_scenes_presentations")
			if err != nil {
				t.Fatal(err)
			}
			frames, err := ns.Int64s("frame")
			if err != nil {
				t.Fatal(err)
			}
			images := truth["images"].(map[string]any)
			if len(frames) != int(num(images["n_presentations"])) {
				t.Errorf("%d presentations, truth %v", len(frames), images["n_presentations"])
			}
			count := map[int64]int{}
			for _, x := range frames {
				count[x]++
			}
			keys := make([]int, 0)
			for k, c := range count {
				keys = append(keys, int(k))
				if c != int(num(images["repeats"])) {
					t.Errorf("frame %d shown %d times", k, c)
				}
			}
			sort.Ints(keys)
			if len(keys) != 41 || keys[0] != -1 || keys[40] != 39 {
				t.Errorf("frames %v", keys)
			}
			raw, err := f.TimeSeries("/acquisition/raw_movie")
			if err != nil || len(raw.ExternalFile) != 1 || raw.ExternalFile[0] != "ophys_movie_raw.h5" {
				t.Errorf("raw movie external file: %v %v", raw, err)
			}
		})
	}
}
