package rsa

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/analysis/rsa/activations"
	"gonum.org/v1/gonum/mat"
)

const fixtureRoot = "../../../shared/fixtures"

// fixtureDir is the storage variant the layer .npy and truth files are
// read from (identical in all three variants).
var fixtureDir = filepath.Join(fixtureRoot, "default")

// variants are the three HDF5 storage variants of the same recording.
var variants = []string{"default", "compressed", "latest"}

// extractOphys pulls dF/F, its timestamps and the natural-scenes
// presentations out of the fixture with Debian's python3-h5py into a .npz
// in a temp dir (a stand-in until package nwb can be used here).
func extractOphys(t testing.TB, variant string) map[string]*activations.Array {
	t.Helper()
	nwbPath := filepath.Join(fixtureRoot, variant, "ophys_scenes.nwb")
	if _, err := os.Stat(nwbPath); err != nil {
		t.Skipf("../shared fixtures absent: %v", err)
	}
	if err := exec.Command("/usr/bin/python3", "-c", "import h5py, numpy").Run(); err != nil {
		t.Skip("/usr/bin/python3 with h5py and numpy not available")
	}
	out := filepath.Join(t.TempDir(), "ophys.npz")
	script := `
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
s = f["processing/ophys/DfOverF/RoiResponseSeries"]
p = f["intervals/natural_scenes_presentations"]
np.savez(sys.argv[2], dff=s["data"][:], times=s["timestamps"][:],
         start=p["start_time"][:], frame=p["frame"][:])
`
	if b, err := exec.Command("/usr/bin/python3", "-c", script, nwbPath, out).CombinedOutput(); err != nil {
		t.Fatalf("h5py extraction: %v\n%s", err, b)
	}
	arrs, err := activations.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]*activations.Array{}
	for _, a := range arrs {
		m[a.Name] = a
	}
	return m
}

type ophysTruth struct {
	Layers map[string]struct {
		File     string  `json:"file"`
		Spearman float64 `json:"spearman_rdm_correlation"`
		Pearson  float64 `json:"pearson_rdm_correlation"`
	} `json:"layers"`
	Rois struct {
		MeanResponse [][]float64 `json:"mean_response"`
	} `json:"rois"`
	Sanity struct {
		Spearman map[string]float64 `json:"spearman"`
	} `json:"sanity_check_not_truth"`
}

// ophysTrials builds per-presentation responses (kernel least squares with
// the fixture's documented GCaMP kernel, rise 0.05 s, decay 0.35 s; README
// "ophys_scenes.nwb / Simulation") for the non-blank presentations; folds
// are the 8 repeats (41 presentations each, back to back).
func ophysTrials(t testing.TB, d map[string]*activations.Array, kernel bool) *Trials {
	dff, _ := d["dff"].Matrix()
	times, start, frame := d["times"].Data, d["start"].Data, d["frame"].Data
	var resp *mat.Dense
	var err error
	if kernel {
		resp, err = KernelAmplitudes(dff, times, start, DoubleExponential(0.05, 0.35), 3)
	} else {
		resp, err = WindowMeans(dff, times, start, 0, 0.5)
	}
	if err != nil {
		t.Fatal(err)
	}
	var rows []int
	tr := &Trials{}
	for k, f := range frame {
		if f >= 0 {
			rows = append(rows, k)
			tr.Cond = append(tr.Cond, int(f))
			tr.Fold = append(tr.Fold, k/41)
		}
	}
	_, nc := resp.Dims()
	tr.Data = mat.NewDense(len(rows), nc, nil)
	for i, k := range rows {
		tr.Data.SetRow(i, resp.RawRowView(k))
	}
	return tr
}

func loadTruth(t testing.TB) *ophysTruth {
	b, err := os.ReadFile(filepath.Join(fixtureDir, "ophys_scenes.truth.json"))
	if err != nil {
		t.Skipf("truth file absent: %v", err)
	}
	var tr ophysTruth
	if err := json.Unmarshal(b, &tr); err != nil {
		t.Fatal(err)
	}
	return &tr
}

func TestOphysScenesRanking(t *testing.T) {
	for _, v := range variants {
		t.Run(v, func(t *testing.T) { testOphysScenesRanking(t, v) })
	}
}

func testOphysScenesRanking(t *testing.T, variant string) {
	d := extractOphys(t, variant)
	truth := loadTruth(t)
	tr := ophysTrials(t, d, true)
	means, conds, err := tr.MeanPatterns(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(conds) != 40 {
		t.Fatalf("%d image conditions, want 40", len(conds))
	}
	neural, _ := ComputeRDM(means, Correlation, nil)
	gNeural := NewGram(means, nil)

	// Noise-free neural RDM from the truth file's mu (images × ROIs), to
	// check our RDM code reproduces the truth file's numbers exactly.
	mu := mat.NewDense(40, len(truth.Rois.MeanResponse[0]), nil)
	for i, r := range truth.Rois.MeanResponse {
		mu.SetRow(i, r)
	}
	clean, _ := ComputeRDM(mu, Correlation, nil)

	names := []string{"layer_true", "layer_partial", "layer_random"}
	rsaV, ckaV := map[string]float64{}, map[string]float64{}
	rng := rand.New(rand.NewPCG(8, 1))
	for _, name := range names {
		arrs, err := activations.Open(filepath.Join(fixtureDir, truth.Layers[name].File))
		if err != nil {
			t.Fatal(err)
		}
		if err := arrs[0].CheckStimuli(len(conds)); err != nil {
			t.Fatal(err)
		}
		x, _ := arrs[0].Matrix()
		layer, _ := ComputeRDM(x, Correlation, nil)

		// The truth file's noise-free values, reproduced to 1e-9 (our
		// correlation RDM + Spearman/Pearson against its numpy numbers).
		cs, _ := CompareRDMs(clean, layer, Spearman)
		cp, _ := CompareRDMs(clean, layer, Pearson)
		near(t, name+" noise-free spearman", cs, truth.Layers[name].Spearman, 1e-9)
		near(t, name+" noise-free pearson", cp, truth.Layers[name].Pearson, 1e-9)

		pr, err := PermutationTest(neural, layer, Spearman, 1000, rng, nil)
		if err != nil {
			t.Fatal(err)
		}
		lin, _ := LinearCKA(gNeural, NewGram(x, nil))
		deb, _ := DebiasedCKA(gNeural, NewGram(x, nil))
		rsaV[name], ckaV[name] = pr.Observed, lin
		t.Logf("%-13s RSA spearman %.4f (truth noise-free %.4f, sanity window-mean %.4f)  p %.4f  CKA %.4f  debiased %.4f",
			name, pr.Observed, truth.Layers[name].Spearman, truth.Sanity.Spearman[name], pr.P, lin, deb)
		switch name {
		case "layer_true":
			if pr.P >= 0.01 {
				t.Errorf("layer_true permutation p = %g, want < 0.01", pr.P)
			}
		case "layer_random":
			if pr.P <= 0.05 {
				t.Errorf("layer_random permutation p = %g, want > 0.05", pr.P)
			}
		}
		// Close to the noise-free value: within 0.05 (noise attenuates; the
		// window-mean estimate in the truth file is 0.21 low for layer_true).
		if d := pr.Observed - truth.Layers[name].Spearman; d > 0.05 || d < -0.05 {
			t.Errorf("%s RSA %.3f is %.3f from the noise-free %.3f", name, pr.Observed, d, truth.Layers[name].Spearman)
		}
	}
	if !(rsaV["layer_true"] > rsaV["layer_partial"] && rsaV["layer_partial"] > rsaV["layer_random"]) {
		t.Errorf("RSA ranking wrong: %v", rsaV)
	}
	if !(ckaV["layer_true"] > ckaV["layer_partial"] && ckaV["layer_partial"] > ckaV["layer_random"]) {
		t.Errorf("CKA ranking wrong: %v", ckaV)
	}
	ceil, rHalf, err := SplitHalfCeiling(tr, Correlation, Spearman, 20, rand.New(rand.NewPCG(3, 3)), nil)
	if err != nil {
		t.Fatal(err)
	}
	dataVsClean, _ := CompareRDMs(neural, clean, Spearman)
	t.Logf("split-half r %.4f → ceiling [%.4f, %.4f]; data RDM vs noise-free RDM %.4f", rHalf, ceil.Lower, ceil.Upper, dataVsClean)
}

// The truth file's sanity_check_not_truth (mean dF/F in [start, start+0.5 s)
// averaged over repeats, correlation RDM, Spearman) reproduces with
// WindowMeans — an independent check of the response extraction path.
func TestOphysWindowMeanSanity(t *testing.T) {
	d := extractOphys(t, "default")
	truth := loadTruth(t)
	means, _, err := ophysTrials(t, d, false).MeanPatterns(nil)
	if err != nil {
		t.Fatal(err)
	}
	neural, _ := ComputeRDM(means, Correlation, nil)
	for name, want := range truth.Sanity.Spearman {
		arrs, err := activations.Open(filepath.Join(fixtureDir, truth.Layers[name].File))
		if err != nil {
			t.Fatal(err)
		}
		x, _ := arrs[0].Matrix()
		layer, _ := ComputeRDM(x, Correlation, nil)
		got, _ := CompareRDMs(neural, layer, Spearman)
		near(t, name+" window-mean spearman", got, want, 1e-6)
	}
}
