package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runAn runs `neurodata analyze ARGS` (ndRun: captured streams).
func runAn(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return ndRun(t, append([]string{"analyze"}, args...)...)
}

func anTruth(t *testing.T, name string, v any) {
	t.Helper()
	p := filepath.Join("..", "..", "..", "shared", "fixtures", "default", name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("shared fixtures absent (%v)", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// analyze tuning on the embedded gratings example: one row per unit in
// table order with the truth ids, 8 directions × 16 trials, 8 blanks, and
// rates consistent with the simulated mean rates (truth
// rate_hz_by_direction_mean, within 5 SEM + 0.5 Hz for the running-state
// mixture); figures and a Parquet table are written.
func TestAnalyzeTuningExample(t *testing.T) {
	var truth struct {
		Units []struct {
			ID   int64     `json:"id"`
			Rate []float64 `json:"rate_hz_by_direction_mean"`
		} `json:"units"`
	}
	anTruth(t, "ecephys_gratings.truth.json", &truth)
	dir := t.TempDir()
	code, stdout, stderr := runAn(t, "tuning", "--example", "--intervals", "drifting_gratings_presentations", "--by", "orientation",
		"--json", "--out", filepath.Join(dir, "t.parquet"), "--plot", dir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Conditions []string `json:"conditions"`
		NTrials    []int    `json:"n_trials"`
		NBlank     int      `json:"n_blank"`
		Units      []struct {
			UnitID int64      `json:"unit_id"`
			GOSI   *float64   `json:"g_osi"`
			Rates  []*float64 `json:"rates"`
			SEM    []*float64 `json:"sem"`
		} `json:"units"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Conditions) != 8 || res.NTrials[3] != 16 || res.NBlank != 8 || len(res.Units) != len(truth.Units) {
		t.Fatalf("conditions %v trials %v blank %d units %d", res.Conditions, res.NTrials, res.NBlank, len(res.Units))
	}
	bad := 0
	for u, tu := range truth.Units {
		r := res.Units[u]
		if r.UnitID != tu.ID || r.GOSI == nil {
			t.Fatalf("unit %d: id %d vs %d, gOSI %v", u, r.UnitID, tu.ID, r.GOSI)
		}
		for c := range tu.Rate {
			if math.Abs(*r.Rates[c]-tu.Rate[c]) > 5**r.SEM[c]+0.5 {
				bad++
			}
		}
	}
	if bad > 3 { // 320 comparisons; a handful may fall outside by chance
		t.Errorf("%d of 320 rates far from truth", bad)
	}
	for _, f := range []string{"t.parquet", "tuning_polar.png", "tuning_polar.svg", "tuning_curves.png", "tuning_summary.svg"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
}

func TestAnalyzeTuningUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"tuning", "--example", "--intervals", "drifting_gratings_presentations", "--by", "nosuchcolumn"},
		{"tuning", "--example", "--intervals", "drifting_gratings_presentations", "--by", "orientation", "--window", "1:0"},
		{"tuning", "--example", "--intervals", "drifting_gratings_presentations", "--by", "orientation", "--units", "best"},
		{"place", "--example", "behavior_place", "--position", "processing/behavior/Position/position", "--bin", "-1"},
		{"psth", "--example", "--intervals", "drifting_gratings_presentations", "--where", "orientation=abc"},
		{"stats", "--example", "--fano-bin", "0"},
	} {
		if code, _, stderr := runAn(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d (%s), want %d", args, code, stderr, ExitUsage)
		}
	}
}

// analyze place on the behavior_place fixture (embedded example and the
// three storage variants): field centres within 5 cm of the simulated
// centres and bias-corrected Skaggs information within 15% of the truth at 2
// and 4 cm bins (issue 5 acceptance 2, through the NWB reader and the CLI).
func TestAnalyzePlaceExample(t *testing.T) {
	var truth struct {
		Units []struct {
			IsPlace bool               `json:"is_place_cell"`
			Center  float64            `json:"center_m"`
			Bits    map[string]float64 `json:"skaggs_info_bits_per_spike_binned"`
		} `json:"units"`
	}
	anTruth(t, "behavior_place.truth.json", &truth)
	for _, src := range []string{"example", "default", "compressed", "latest"} {
		for _, bin := range []string{"0.02", "0.04"} {
			file := []string{"--example", "behavior_place"}
			if src != "example" {
				file = []string{filepath.Join("..", "..", "..", "shared", "fixtures", src, "behavior_place.nwb")}
			}
			args := append([]string{"place"}, file...)
			args = append(args, "--position", "processing/behavior/Position/position",
				"--bin", bin, "--range", "0:2", "--shuffles", "20", "--min-shift", "10", "--json")
			code, stdout, stderr := runAn(t, args...)
			if code != ExitOK {
				t.Fatalf("%s: exit %d: %s", src, code, stderr)
			}
			var res struct {
				Units []struct {
					COM  []float64 `json:"field_com"`
					Bits float64   `json:"skaggs_bits_per_spike_corrected"`
					P    float64   `json:"p"`
				} `json:"units"`
			}
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatal(err)
			}
			for u, tu := range truth.Units {
				if !tu.IsPlace {
					continue
				}
				r, want := res.Units[u], tu.Bits[bin]
				if math.Abs(r.COM[0]-tu.Center) > 0.05 || math.Abs(r.Bits-want) > 0.15*want || r.P != 1.0/21 {
					t.Errorf("%s bin %s unit %d: centre %.3f (truth %.3f), bits %.3f (truth %.3f), p %g", src, bin, u, r.COM[0], tu.Center, r.Bits, want, r.P)
				}
			}
		}
	}
}

func TestAnalyzePSTHAndStatsExample(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runAn(t, "psth", "--example", "--intervals", "drifting_gratings_presentations", "--where", "orientation=90",
		"--window", "-0.5:2.5", "--bin", "0.1", "--json", "--plot", dir)
	if code != ExitOK {
		t.Fatalf("psth exit %d: %s", code, stderr)
	}
	var ps struct {
		Centers []float64 `json:"bin_centers_s"`
		NEvents int       `json:"n_events"`
	}
	if err := json.Unmarshal([]byte(stdout), &ps); err != nil {
		t.Fatal(err)
	}
	if ps.NEvents != 16 || len(ps.Centers) != 30 {
		t.Fatalf("events %d, bins %d", ps.NEvents, len(ps.Centers))
	}
	if _, err := os.Stat(filepath.Join(dir, "psth.png")); err != nil {
		t.Error(err)
	}
	var truth struct {
		Units []struct {
			N int `json:"n_spikes_realized"`
		} `json:"units"`
	}
	anTruth(t, "ecephys_gratings.truth.json", &truth)
	code, stdout, stderr = runAn(t, "stats", "--example", "--json")
	if code != ExitOK {
		t.Fatalf("stats exit %d: %s", code, stderr)
	}
	var st struct {
		Units []struct {
			N   int     `json:"n_spikes"`
			CV2 float64 `json:"cv2"`
		} `json:"units"`
	}
	if err := json.Unmarshal([]byte(stdout), &st); err != nil {
		t.Fatal(err)
	}
	for u, tu := range truth.Units {
		if st.Units[u].N != tu.N || !(st.Units[u].CV2 > 0.5 && st.Units[u].CV2 < 1.5) {
			t.Errorf("unit %d: %d spikes (truth %d), CV2 %g", u, st.Units[u].N, tu.N, st.Units[u].CV2)
		}
	}
}

// Issue 5 acceptance 2 end to end through the NWB reader, on the three
// storage variants of ecephys_gratings: vector-sum preferred direction
// within 22.5° of the simulated μ for every direction-tuned unit with
// peak_rate_hz ≥ 10 (orientation-tuned units by vector-sum orientation, mod
// 180°, as their two lobes are nearly equal), and g_osi/g_dsi/osi/dsi
// correlating with the truth osi_vector/dsi_vector/osi_peak/dsi_peak at
// r ≥ 0.9.
func TestAnalyzeTuningAcceptanceVariants(t *testing.T) {
	for _, v := range []string{"default", "compressed", "latest"} {
		t.Run(v, func(t *testing.T) {
			dir := filepath.Join("..", "..", "..", "shared", "fixtures", v)
			b, err := os.ReadFile(filepath.Join(dir, "ecephys_gratings.truth.json"))
			if err != nil {
				t.Skipf("shared fixtures absent (%v)", err)
			}
			var truth, res struct {
				Units []map[string]any `json:"units"`
			}
			if err := json.Unmarshal(b, &truth); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runAn(t, "tuning", filepath.Join(dir, "ecephys_gratings.nwb"), "--intervals", "drifting_gratings_presentations", "--by", "orientation", "--json")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if err := json.Unmarshal([]byte(stdout), &res); err != nil {
				t.Fatal(err)
			}
			num := func(m map[string]any, k string) float64 {
				if x, ok := m[k].(float64); ok {
					return x
				}
				return math.NaN()
			}
			var est, tru [4][]float64
			checked := 0
			for u, tu := range truth.Units {
				r := res.Units[u]
				for k, p := range [][2]string{{"g_osi", "osi_vector"}, {"g_dsi", "dsi_vector"}, {"osi", "osi_peak"}, {"dsi", "dsi_peak"}} {
					est[k] = append(est[k], num(r, p[0]))
					tru[k] = append(tru[k], num(tu, p[1]))
				}
				class, _ := tu["tuning_class"].(string)
				if class == "untuned" || num(tu, "peak_rate_hz") < 10 {
					continue
				}
				checked++
				mu, est, period := num(tu, "pref_direction_deg"), num(r, "vector_pref_direction_deg"), 360.0
				if class == "orientation" {
					mu, est, period = math.Mod(mu, 180), num(r, "vector_pref_orientation_deg"), 180
				}
				diff := math.Mod(math.Abs(est-mu), period)
				if diff = math.Min(diff, period-diff); !(diff <= 22.5) {
					t.Errorf("unit %v (%s): preferred %.1f° vs truth %.1f° (period %g°)", tu["id"], class, est, mu, period)
				}
			}
			if checked < 10 {
				t.Fatalf("only %d units checked", checked)
			}
			for k, name := range []string{"g_osi", "g_dsi", "osi", "dsi"} {
				if r := pearsonR(est[k], tru[k]); !(r >= 0.9) {
					t.Errorf("%s: r = %.3f < 0.9", name, r)
				}
			}
		})
	}
}

func pearsonR(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx, my = mx+x[i]/n, my+y[i]/n
	}
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

// psth and place --plot draw through writeFigures: the figure files exist
// and stderr names the folder, like decode and info; --json still writes
// the result on stdout.
func TestAnalyzePlotFlagPSTHPlace(t *testing.T) {
	for _, c := range []struct {
		verb  string
		args  []string
		files []string
	}{
		{"psth", []string{"--example", "--intervals", "drifting_gratings_presentations", "--window", "-0.5:2.5", "--bin", "0.1"}, []string{"psth.png", "psth.svg"}},
		{"place", []string{"--example", "behavior_place", "--position", "processing/behavior/Position/position", "--bin", "0.04", "--range", "0:2"}, []string{"place_maps.png", "place_maps.svg"}},
	} {
		dir := filepath.Join(t.TempDir(), "figs")
		code, stdout, stderr := runAn(t, append(append([]string{c.verb}, c.args...), "--json", "--plot", dir)...)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", c.verb, code, stderr)
		}
		if !strings.Contains(stderr, c.verb+": figures in "+dir) {
			t.Errorf("%s: stderr lacks the figures line:\n%s", c.verb, stderr)
		}
		var v map[string]any
		if err := json.Unmarshal([]byte(stdout), &v); err != nil || v["provenance"] == nil || v["units"] == nil {
			t.Errorf("%s: --json output %v: %.200s", c.verb, err, stdout)
		}
		for _, f := range c.files {
			if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
				t.Errorf("%s: %s: %v", c.verb, f, err)
			}
		}
		// A --plot path under a regular file cannot be created.
		blocker := filepath.Join(t.TempDir(), "file")
		os.WriteFile(blocker, []byte("x"), 0o644)
		if code, _, stderr := runAn(t, append(append([]string{c.verb}, c.args...), "--plot", filepath.Join(blocker, "sub"))...); code == ExitOK || !strings.Contains(stderr, "--plot") {
			t.Errorf("%s: --plot under a file: exit %d, stderr %q", c.verb, code, stderr)
		}
	}
}
