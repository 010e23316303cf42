package plots

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

func TestDecodeFigures(t *testing.T) {
	dir := os.Getenv("ND_PLOT_DIR") // set to keep the PNGs for inspection
	if dir == "" {
		dir = t.TempDir()
	}
	labels := []string{"0", "45", "90", "135"}
	cm := [][]int{{15, 1, 0, 0}, {2, 12, 2, 0}, {0, 0, 16, 0}, {1, 0, 3, 12}}
	p1 := filepath.Join(dir, "decode_confusion.png")
	if err := DecodeConfusion(p1, "LDA, 5-fold", labels, cm); err != nil {
		t.Fatal(err)
	}
	times := []float64{0.05, 0.15, 0.25, 0.35, 0.45, 0.55}
	acc := []float64{0.26, 0.3, 0.7, 0.85, 0.8, 0.6}
	fold := make([][]float64, len(acc))
	for i, a := range acc {
		fold[i] = []float64{a - 0.05, a, a + 0.05, a + 0.02, a - 0.02}
	}
	p2 := filepath.Join(dir, "decode_time.png")
	if err := DecodeOverTime(p2, "decoding over time", times, acc, fold, 0.25, 0.34); err != nil {
		t.Fatal(err)
	}
	gen := make([][]float64, len(times))
	for i := range gen {
		gen[i] = make([]float64, len(times))
		for j := range gen[i] {
			gen[i][j] = 0.25 + 0.6*math.Exp(-math.Abs(float64(i-j))/1.5)*acc[i]
		}
	}
	p3 := filepath.Join(dir, "decode_generalization.png")
	if err := DecodeGeneralization(p3, "temporal generalisation", times, gen, 0.25); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, 300, p1, p2, p3)
	if err := DecodeConfusion(filepath.Join(dir, "x.png"), "", labels, cm[:2]); err == nil {
		t.Error("ragged confusion: want an error")
	}
	if err := DecodeGeneralization(filepath.Join(dir, "y.png"), "", times, gen[:2], 0.25); err == nil {
		t.Error("wrong generalisation shape: want an error")
	}
}
