package plots

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/analysis/rsa"
	"gonum.org/v1/gonum/mat"
)

func TestRSAFigures(t *testing.T) {
	dir := t.TempDir()
	x := mat.NewDense(6, 3, []float64{1, 2, 3, 2, 4, 7, 3, 1, 2, 0, 5, 1, 2, 2, 2.5, 9, 1, 0})
	r1, _ := rsa.ComputeRDM(x, rsa.Correlation, nil)
	r2, _ := rsa.ComputeRDM(x, rsa.Euclidean, nil)
	p1 := filepath.Join(dir, "rdms.png")
	if err := RDMPanels(p1, []string{"neural", "model"}, []*rsa.RDM{r1, r2}); err != nil {
		t.Fatal(err)
	}
	p2 := filepath.Join(dir, "models.png")
	bars := []ModelBar{{Name: "a", Value: 0.7, CILow: 0.6, CIHigh: 0.8, Significant: true}, {Name: "b", Value: -0.05, CILow: math.NaN(), CIHigh: math.NaN()}}
	if err := ModelBars(p2, "Spearman ρ", bars, 0.85, 0.92); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, 200, p1, p2)
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("left temp files: %v", ents)
	}
	if err := RDMPanels(filepath.Join(dir, "x.png"), []string{"a"}, nil); err == nil {
		t.Error("no RDMs accepted")
	}
}
