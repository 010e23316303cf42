package cli

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/examples"
)

func runRSA(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runAn(t, append([]string{"rsa"}, args...)...)
}

type rsaJSON struct {
	Conditions int `json:"n_conditions"`
	Channels   int `json:"n_channels"`
	Models     []struct {
		Model        string     `json:"model"`
		Similarity   float64    `json:"similarity"`
		P            float64    `json:"p"`
		CI           [2]float64 `json:"ci"`
		CeilingLower *float64   `json:"ceiling_lower"`
		CeilingUpper *float64   `json:"ceiling_upper"`
		CKA          float64    `json:"cka"`
		CKADebiased  float64    `json:"cka_debiased"`
	} `json:"models"`
	Ranking  []string `json:"ranking"`
	Pairwise []struct {
		A     string  `json:"a"`
		PHolm float64 `json:"p_holm"`
	} `json:"pairwise"`
}

var rsaBase = []string{"--example", "ophys_scenes", "--intervals", "natural_scenes_presentations", "--by", "frame", "--response", "dff",
	"--permutations", "300", "--bootstrap", "200", "--splits", "10"}

// With the default dF/F window [start, start+0.5 s), the whole pipeline
// (NWB reader → window means → correlation RDMs → Spearman) must reproduce
// the truth file's sanity_check_not_truth values, computed by the fixture
// generator with numpy.
func TestAnalyzeRSAExampleJSON(t *testing.T) {
	code, out, errs := runRSA(t, append(rsaBase, "--json")...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res rsaJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	b, err := examples.ReadFile("ophys_scenes.truth.json")
	if err != nil {
		t.Fatal(err)
	}
	var truth struct {
		Sanity struct {
			Spearman map[string]float64 `json:"spearman"`
		} `json:"sanity_check_not_truth"`
	}
	json.Unmarshal(b, &truth)
	if res.Conditions != 40 || res.Channels != 100 || len(res.Models) != 3 {
		t.Fatalf("%d conditions, %d channels, %d models", res.Conditions, res.Channels, len(res.Models))
	}
	for _, m := range res.Models {
		want := truth.Sanity.Spearman[m.Model]
		if math.Abs(m.Similarity-want) > 1e-6 {
			t.Errorf("%s similarity %.6f, truth file sanity check %.6f", m.Model, m.Similarity, want)
		}
		if m.CeilingLower == nil || !(*m.CeilingLower <= *m.CeilingUpper) || !(m.CI[0] <= m.Similarity && m.Similarity <= m.CI[1]) {
			t.Errorf("%s: ceiling %v %v, ci %v", m.Model, m.CeilingLower, m.CeilingUpper, m.CI)
		}
	}
	if strings.Join(res.Ranking, ",") != "layer_true,layer_partial,layer_random" {
		t.Errorf("ranking %v", res.Ranking)
	}
	if res.Models[0].P >= 0.01 || res.Models[2].P <= 0.05 {
		t.Errorf("p values %g (true), %g (random)", res.Models[0].P, res.Models[2].P)
	}
	if len(res.Pairwise) != 3 {
		t.Errorf("%d pairwise comparisons", len(res.Pairwise))
	}
}

func TestAnalyzeRSACKAAndPlots(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runRSA(t, append(rsaBase, "--compare", "cka", "--kernel", "0.05:0.35", "--json", "--plot", dir)...)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res rsaJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Models {
		if m.Similarity != m.CKA || m.CeilingLower != nil {
			t.Errorf("%s: cka similarity %g vs cka %g, ceiling %v", m.Model, m.Similarity, m.CKA, m.CeilingLower)
		}
	}
	if strings.Join(res.Ranking, ",") != "layer_true,layer_partial,layer_random" {
		t.Errorf("CKA ranking %v", res.Ranking)
	}
	for _, f := range []string{"rsa_rdms.png", "rsa_models.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestAnalyzeRSAErrors(t *testing.T) {
	npy := filepath.Join("..", "..", "testdata", "npy", "f8_le.npy")
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--example", "ophys_scenes", "--by", "frame", "--response", "dff"}, ExitUsage, "--intervals"},
		{append(rsaBase, "--rdm", "cosine"), ExitUsage, "--rdm"},
		{append(rsaBase, "--compare", "kendall"), ExitUsage, "--compare"},
		{append(rsaBase, "--model", "nopath"), ExitUsage, "NAME=PATH"},
		{append(rsaBase, "--window", "0.5:0.1"), ExitUsage, "--window"},
		{append(rsaBase, "--by", "nosuch"), ExitUsage, "no such column"},
		{append(rsaBase, "--model", "tiny="+npy), ExitError, "shape [3 4]"},
	}
	for _, c := range cases {
		code, _, errs := runRSA(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", c.args[len(c.args)-2:], code, c.code, errs, c.msg)
		}
	}
}

// writeNPY writes a little-endian float64 C-order .npy (format 1.0).
func writeNPY(t *testing.T, path string, rows, cols int, data []float64) {
	t.Helper()
	hdr := fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': (%d, %d), }", rows, cols)
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	b := append([]byte("\x93NUMPY\x01\x00"), byte(len(hdr)), byte(len(hdr)>>8))
	b = append(b, hdr...)
	for _, v := range data {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Spike-rate responses from the gratings session: 136 presentations, 8
// blank (orientation NaN) → 128; a model of the drift direction on the
// circle (cos θ, sin θ, cos 2θ, sin 2θ) must relate to the population
// (15 direction- and 14 orientation-tuned units, README "ecephys_gratings").
func TestAnalyzeRSASpikes(t *testing.T) {
	var d []float64
	for k := 0; k < 8; k++ {
		th := float64(k) * math.Pi / 4
		d = append(d, math.Cos(th), math.Sin(th), math.Cos(2*th), math.Sin(2*th))
	}
	p := filepath.Join(t.TempDir(), "dir.npy")
	writeNPY(t, p, 8, 4, d)
	code, out, errs := runRSA(t, "--example", "ecephys_gratings", "--intervals", "drifting_gratings_presentations", "--by", "orientation",
		"--response", "spikes", "--model", "dir="+p, "--rdm", "crossnobis", "--permutations", "200", "--bootstrap", "100", "--splits", "10", "--json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		rsaJSON
		N int `json:"n_presentations"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.N != 128 || res.Conditions != 8 || res.Channels != 40 {
		t.Errorf("%d presentations, %d conditions, %d units", res.N, res.Conditions, res.Channels)
	}
	if m := res.Models[0]; m.P >= 0.05 || m.Similarity < 0.5 {
		t.Errorf("direction model similarity %g p %g", m.Similarity, m.P)
	}
}
