package plots

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// unitHist counts by hand: over [0, 3] in 3 bins, 0.5 | 1.5 1.5 | 2.5 and
// 7 (clamped into the last bin); NaN is left out.
func TestUnitHistCounts(t *testing.T) {
	_, h, err := unitHist([]float64{0.5, 1.5, 1.5, 2.5, 7, math.NaN()}, "x", 0, 3, 3)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{1, 2, 2}
	if len(h.Bins) != len(want) {
		t.Fatalf("%d bins, want %d", len(h.Bins), len(want))
	}
	for i, b := range h.Bins {
		if b.Weight != want[i] || b.Min != float64(i) || b.Max != float64(i+1) {
			t.Errorf("bin %d: [%g, %g) weight %g, want [%d, %d) weight %g", i, b.Min, b.Max, b.Weight, i, i+1, want[i])
		}
	}
	if p, h, err := unitHist([]float64{math.NaN()}, "x", 0, 3, 3); err != nil || h != nil || p.Title.Text != "x: no values" {
		t.Errorf("all NaN: hist %v, title %q, err %v", h, p.Title.Text, err)
	}
}

// The stats figure renders to PNG and SVG (silent units and NaN values
// included) and rejects empty or ragged input.
func TestSpikeStatsSummary(t *testing.T) {
	dir := t.TempDir()
	rate := []float64{0.5, 2, 8, 30, 0}
	cv := []float64{0.9, 1.1, 0.6, 1.8, math.NaN()}
	lv := []float64{1.0, 1.3, 0.4, 2.2, math.NaN()}
	fano := []float64{1.2, 0.8, 3.5, 1.0, math.NaN()}
	base := filepath.Join(dir, "stats")
	if err := SpikeStatsSummary(base, "Spike-train statistics", rate, cv, lv, fano); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, 300, base+".png")
	if st, err := os.Stat(base + ".svg"); err != nil || st.Size() == 0 {
		t.Errorf("svg: %v", err)
	}
	if err := SpikeStatsSummary(filepath.Join(dir, "x"), "", nil, nil, nil, nil); err == nil {
		t.Error("no units: want an error")
	}
	if err := SpikeStatsSummary(filepath.Join(dir, "y"), "", rate, cv[:2], lv, fano); err == nil {
		t.Error("ragged input: want an error")
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 2 {
		t.Errorf("files %v, want stats.png and stats.svg only", ents)
	}
}
