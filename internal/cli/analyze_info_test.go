package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func infoFixture(t *testing.T) (nwbPath, truthPath string) {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "default")
	nwbPath = filepath.Join(dir, "ecephys_gratings.nwb")
	if _, err := os.Stat(nwbPath); err != nil {
		t.Skipf("shared fixtures absent (%v)", err)
	}
	return nwbPath, filepath.Join(dir, "ecephys_gratings.truth.json")
}

func runInfo(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), append([]string{"analyze", "info"}, args...), &IOStreams{Out: &out, ErrOut: &errb})
	return code, out.String(), errb.String()
}

// On the ecephys_gratings fixture the CLI reports one row per unit, in
// table order, with ids and MI matching the truth file: Panzeri–Treves on
// the default 4 quantile bins has median |error| < 0.06 bits against
// mutual_information_bits (library acceptance: 0.049), Σ p(s)·SSI equals
// the plug-in column, and --out writes a Parquet file atomically.
func TestAnalyzeInfoGratings(t *testing.T) {
	nwbPath, truthPath := infoFixture(t)
	outPath := filepath.Join(t.TempDir(), "result.parquet")
	code, stdout, stderr := runInfo(t, nwbPath, "--intervals", "drifting_gratings_presentations",
		"--by", "orientation", "--permutations", "50", "--json", "--out", outPath)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Provenance struct {
			Trials     int      `json:"trials"`
			Excluded   int      `json:"excluded_trials"`
			Conditions []string `json:"conditions"`
			Bins       int      `json:"bins"`
		} `json:"provenance"`
		Units []struct {
			UnitID int64     `json:"unit_id"`
			MI     float64   `json:"mi_bits"`
			Plugin float64   `json:"mi_plugin_bits"`
			Bias   float64   `json:"bias_bits"`
			P      *float64  `json:"p"`
			SSI    []float64 `json:"ssi"`
		} `json:"units"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	var truth struct {
		Units []struct {
			ID int64   `json:"id"`
			MI float64 `json:"mutual_information_bits"`
		} `json:"units"`
	}
	b, err := os.ReadFile(truthPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	if res.Provenance.Trials != 128 || res.Provenance.Excluded != 8 || len(res.Provenance.Conditions) != 8 || res.Provenance.Bins != 4 {
		t.Errorf("provenance %+v, want 128 trials, 8 blanks excluded, 8 directions, 4 bins", res.Provenance)
	}
	if len(res.Units) != len(truth.Units) {
		t.Fatalf("%d units, truth has %d", len(res.Units), len(truth.Units))
	}
	var errs []float64
	for i, u := range res.Units {
		if u.UnitID != truth.Units[i].ID {
			t.Errorf("row %d: unit_id %d, truth %d", i, u.UnitID, truth.Units[i].ID)
		}
		errs = append(errs, math.Abs(u.MI-truth.Units[i].MI))
		if math.Abs(u.Plugin-u.MI-u.Bias) > 1e-12 {
			t.Errorf("unit %d: bias %v != plug-in − mi", u.UnitID, u.Bias)
		}
		if u.P == nil || *u.P <= 0 || *u.P > 1 {
			t.Errorf("unit %d: p = %v", u.UnitID, u.P)
		}
		s := 0.0
		for _, v := range u.SSI {
			s += v / 8 // 16 presentations per direction: p(s) = 1/8
		}
		if math.Abs(s-u.Plugin) > 1e-9 {
			t.Errorf("unit %d: mean SSI %v != plug-in MI %v", u.UnitID, s, u.Plugin)
		}
	}
	slices.Sort(errs)
	if med := (errs[19] + errs[20]) / 2; med > 0.06 {
		t.Errorf("median |mi_bits − truth| = %.4f bits", med)
	}
	if fi, err := os.Stat(outPath); err != nil || fi.Size() == 0 {
		t.Errorf("--out file: %v", err)
	}
}

func TestAnalyzeInfoUsageErrors(t *testing.T) {
	nwbPath, _ := infoFixture(t)
	for _, args := range [][]string{
		{nwbPath, "--intervals", "drifting_gratings_presentations", "--by", "orientation", "--window", "2:1"},
		{nwbPath, "--intervals", "drifting_gratings_presentations", "--by", "no_such_column"},
		{nwbPath, "--intervals", "drifting_gratings_presentations", "--by", "orientation", "--estimator", "magic"},
		{nwbPath, "--intervals", "drifting_gratings_presentations", "--by", "orientation", "--out", "x.unknown"},
		{nwbPath, "--by", "orientation"},
		{filepath.Join(t.TempDir(), "missing.nwb"), "--intervals", "x", "--by", "y"},
		{nwbPath, "--intervals", "drifting_gratings_presentations", "--by", "orientation", "--workers", "-1"},
	} {
		if code, _, stderr := runInfo(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args[1:], code, ExitUsage, stderr)
		}
	}
}
