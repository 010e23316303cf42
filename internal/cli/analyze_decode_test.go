package cli

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/decoding"
	"github.com/neurodata/neurodata/pipeline"
)

func decodeFixture(t *testing.T) (nwbPath, truthPath string) {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "fixtures", "default")
	nwbPath = filepath.Join(dir, "ecephys_gratings.nwb")
	if _, err := os.Stat(nwbPath); err != nil {
		t.Skipf("shared fixtures absent (%v)", err)
	}
	return nwbPath, filepath.Join(dir, "ecephys_gratings.truth.json")
}

func runDecode(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runAn(t, append([]string{"decode"}, args...)...)
}

type decodeJSON struct {
	Provenance struct {
		Trials   int     `json:"trials"`
		Excluded int     `json:"excluded_trials"`
		UnitIDs  []int64 `json:"unit_ids"`
		CV       string  `json:"cv"`
	} `json:"provenance"`
	Conditions      []string             `json:"conditions"`
	Accuracy        float64              `json:"accuracy"`
	Balanced        float64              `json:"balanced_accuracy"`
	Chance          float64              `json:"chance"`
	ChanceThreshold float64              `json:"chance_threshold"`
	P               *float64             `json:"p"`
	Confusion       [][]int              `json:"confusion"`
	FoldAccuracy    []float64            `json:"fold_accuracy"`
	TimeResolved    *pipeline.DecodeTime `json:"time_resolved"`
}

// On ecephys_gratings with the first 16 units, the CLI's cross-validated
// Poisson-Bayes accuracy is within 5 points of the truth file's ideal
// decoder (0.98973 for first_16_units_in_table_order), blanks are
// excluded, chance numbers follow oracle O14b's formula, and the
// time-resolved run decodes above chance only inside the stimulus.
func TestAnalyzeDecodeGratings(t *testing.T) {
	nwbPath, truthPath := decodeFixture(t)
	plotDir := t.TempDir()
	code, stdout, stderr := runDecode(t, nwbPath, "--intervals", "drifting_gratings_presentations", "--by", "orientation",
		"--units", "16", "--permutations", "30", "--window", "-0.5:2.5", "--time-resolved", "0.5", "--json", "--plot", plotDir)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var r decodeJSON
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("JSON: %v\n%s", err, stdout)
	}
	var truth struct {
		Ideal struct {
			Results []struct {
				Population string  `json:"population"`
				Accuracy   float64 `json:"accuracy"`
			} `json:"results"`
		} `json:"ideal_decoder"`
	}
	b, err := os.ReadFile(truthPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &truth); err != nil {
		t.Fatal(err)
	}
	ideal := math.NaN()
	for _, x := range truth.Ideal.Results {
		if x.Population == "first_16_units_in_table_order" {
			ideal = x.Accuracy
		}
	}
	if r.Provenance.Trials != 128 || r.Provenance.Excluded != 8 || len(r.Conditions) != 8 || len(r.Provenance.UnitIDs) != 16 {
		t.Errorf("provenance %+v, %d conditions", r.Provenance, len(r.Conditions))
	}
	// The window -0.5:2.5 includes 1 s of gray, which carries no direction
	// information, so the whole-window accuracy stays close to the ideal.
	if math.Abs(r.Accuracy-ideal) > 0.05 {
		t.Errorf("accuracy %.4f, ideal %.4f", r.Accuracy, ideal)
	}
	var n int
	for _, row := range r.Confusion {
		for _, v := range row {
			n += v
		}
	}
	if n != 128 || r.Chance != 0.125 || r.ChanceThreshold != decoding.ChanceThreshold(128, 8, 0.05) {
		t.Errorf("confusion total %d, chance %v, threshold %v", n, r.Chance, r.ChanceThreshold)
	}
	if r.P == nil || *r.P != 1.0/31 {
		t.Errorf("p = %v, want 1/31", r.P)
	}
	tr := r.TimeResolved
	if tr == nil || len(tr.Times) != 6 || len(tr.Generalization) != 6 {
		t.Fatalf("time-resolved %+v", tr)
	}
	for i, tm := range tr.Times {
		if tr.Generalization[i][i] != tr.Accuracy[i] {
			t.Errorf("bin %d: generalisation diagonal %v != accuracy %v", i, tr.Generalization[i][i], tr.Accuracy[i])
		}
		inside := tm > 0 && tm < 2
		if inside && tr.Accuracy[i] < 0.5 {
			t.Errorf("t = %.2f s (stimulus on): accuracy %.3f", tm, tr.Accuracy[i])
		}
		if !inside && tr.Accuracy[i] > 0.3 {
			t.Errorf("t = %.2f s (gray): accuracy %.3f", tm, tr.Accuracy[i])
		}
	}
	for _, f := range []string{"decode_confusion.png", "decode_time.png", "decode_generalization.png"} {
		if st, err := os.Stat(filepath.Join(plotDir, f)); err != nil || st.Size() < 1000 {
			t.Errorf("figure %s: %v", f, err)
		}
	}
}

func TestAnalyzeDecodeDecodersAndFolds(t *testing.T) {
	nwbPath, _ := decodeFixture(t)
	for _, args := range [][]string{
		{"--decoder", "lda", "--units", "good"},
		{"--decoder", "bayes", "--units", "16", "--shuffle", "--seed", "3"},
		{"--decoder", "logreg", "--units", "8", "--folds", "loo"},
		{"--decoder", "template", "--metric", "euclidean", "--group", "stimulus_block", "--folds", "2"},
	} {
		base := []string{nwbPath, "--intervals", "drifting_gratings_presentations", "--by", "orientation", "--permutations", "0", "--json"}
		code, stdout, stderr := runDecode(t, append(base, args...)...)
		if code != ExitOK {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		var r decodeJSON
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		if r.P != nil {
			t.Errorf("%v: p reported without permutations", args)
		}
		if r.Accuracy < 0.5 {
			t.Errorf("%v: accuracy %.3f", args, r.Accuracy)
		}
		t.Logf("%v: accuracy %.4f (%s)", args, r.Accuracy, r.Provenance.CV)
	}
}

func TestAnalyzeDecodeUsageErrors(t *testing.T) {
	nwbPath, _ := decodeFixture(t)
	base := []string{nwbPath, "--intervals", "drifting_gratings_presentations", "--by", "orientation", "--permutations", "0"}
	for _, bad := range [][]string{
		{"--decoder", "svm"},
		{"--units", "0"},
		{"--units", "500"},
		{"--folds", "1"},
		{"--window", "2:1"},
		{"--time-resolved", "5"},
		{"--by", "no_such_column"},
		{"--metric", "cosine", "--decoder", "template"},
	} {
		code, _, stderr := runDecode(t, append(base, bad...)...)
		if code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", bad, code, ExitUsage, stderr)
		}
	}
	if code, _, _ := runDecode(t, filepath.Join(t.TempDir(), "missing.nwb"), "--intervals", "x", "--by", "y"); code != ExitUsage {
		t.Errorf("missing file: exit %d", code)
	}
}

// The three storage variants of the fixture hold the same data, so the
// decode must be identical.
func TestAnalyzeDecodeVariants(t *testing.T) {
	nwbPath, _ := decodeFixture(t)
	var first string
	for _, v := range []string{"default", "compressed", "latest"} {
		p := filepath.Join(filepath.Dir(filepath.Dir(nwbPath)), v, "ecephys_gratings.nwb")
		code, stdout, stderr := runDecode(t, p, "--intervals", "drifting_gratings_presentations", "--by", "orientation",
			"--units", "16", "--permutations", "0", "--json")
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", v, code, stderr)
		}
		var r decodeJSON
		if err := json.Unmarshal([]byte(stdout), &r); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal([]any{r.Accuracy, r.Confusion, r.FoldAccuracy})
		if first == "" {
			first = string(b)
		} else if string(b) != first {
			t.Errorf("%s: %s, default %s", v, b, first)
		}
	}
}
