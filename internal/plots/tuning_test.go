package plots

import (
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The tuning, place and PSTH figures render to non-empty PNG and SVG files
// and reject empty input.
func TestTuningPlacePSTHFigures(t *testing.T) {
	dir := t.TempDir()
	dirs := []float64{0, 45, 90, 135, 180, 225, 270, 315}
	u := UnitTuning{Label: "unit 1", X: dirs, Rate: []float64{4, 3, 1, .5, 2, 1, 1, .5}, SEM: []float64{.2, .2, .1, .1, .2, .1, .1, .1}, Blank: 0.7}
	if err := TuningPolarGrid(filepath.Join(dir, "polar"), "t", []UnitTuning{u, u}, 2); err != nil {
		t.Fatal(err)
	}
	if err := TuningCurveGrid(filepath.Join(dir, "curves"), "t", "direction (°)", []UnitTuning{u}, 1); err != nil {
		t.Fatal(err)
	}
	if err := TuningSummary(filepath.Join(dir, "summary"), "t", []float64{.1, .5}, []float64{.2, math.NaN()}, []float64{10, 200}); err != nil {
		t.Fatal(err)
	}
	centers := []float64{0.25, 0.75}
	if err := PlaceMaps1D(filepath.Join(dir, "p1"), "t", "x (m)", centers, []UnitPlaceMap{{Label: "u", Rate: []float64{1, math.NaN()}, Center: []float64{0.25}}}, 1); err != nil {
		t.Fatal(err)
	}
	if err := PlaceMaps2D(filepath.Join(dir, "p2"), "t", centers, centers, []UnitPlaceMap{{Label: "u", Rate: []float64{1, 2, math.NaN(), 4}, Center: []float64{0.75, 0.75}}}, 1); err != nil {
		t.Fatal(err)
	}
	up := UnitPSTH{Label: "u", Raster: [][]float64{{-0.1, 0.2}, {0.3}}, Centers: []float64{-0.05, 0.05, 0.15, 0.25}, Width: 0.1,
		Rate: []float64{5, 10, 0, 10}, SEM: []float64{1, 1, 0, 2}}
	if err := RasterPSTH(filepath.Join(dir, "psth"), "t", []UnitPSTH{up, up, up}, 2); err != nil {
		t.Fatal(err)
	}
	for _, b := range []string{"polar", "curves", "summary", "p1", "p2", "psth"} {
		for _, ext := range []string{".png", ".svg"} {
			if st, err := os.Stat(filepath.Join(dir, b+ext)); err != nil || st.Size() < 500 {
				t.Errorf("%s%s: %v", b, ext, err)
			}
		}
	}
	if err := TuningPolarGrid(filepath.Join(dir, "x"), "t", nil, 2); err == nil {
		t.Error("empty unit list accepted")
	}
	left, _ := filepath.Glob(filepath.Join(dir, ".tmp-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
