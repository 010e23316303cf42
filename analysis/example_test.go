package analysis_test

import (
	"fmt"
	"math"

	"github.com/neurodata/neurodata/analysis"
	"github.com/neurodata/neurodata/ts"
)

func ExampleConditionTuning() {
	// Two presentations per direction (0° and 180°) and one blank (NaN).
	starts := []float64{0, 2, 4, 6, 8}
	stops := []float64{1, 3, 5, 7, 9}
	dir := []float64{0, 180, 0, 180, math.NaN()}
	spikes := []float64{0.1, 0.2, 0.3, 2.5, 4.1, 4.2, 4.3, 4.4, 4.5, 8.5}
	cond, _ := analysis.NumericConditions(dir)
	res, _ := analysis.ConditionTuning([][]float64{spikes}, starts, stops, cond, nil)
	u := res.Units[0]
	fmt.Println(res.Conditions, res.NTrials, res.NBlank)
	fmt.Println(u.RateHz, u.BlankRateHz)
	// Output:
	// [0 180] [2 2] 1
	// [4 0.5] 1
}

func ExampleDirection() {
	dirs := []float64{0, 45, 90, 135, 180, 225, 270, 315}
	rates := []float64{4, 3, 1, .5, 2, 1, 1, .5} // oracle O15
	d := analysis.Direction(dirs, rates)
	fmt.Printf("pref %.0f°, vector pref %.1f°, gOSI %.4f, gDSI %.4f, PeakOSI %.2f, PeakDSI %.3f\n",
		d.PrefDirectionDeg, d.VectorPrefDirectionDeg, d.GOSI, d.GDSI, d.PeakOSI, d.PeakDSI)
	// Output: pref 0°, vector pref 22.5°, gOSI 0.3846, gDSI 0.2843, PeakOSI 0.60, PeakDSI 0.333
}

func ExampleTuningCurves() {
	// Oracle O1: feature = t mod 1 sampled at 10 Hz for 100 s; one spike per
	// sample → 10 Hz in every bin.
	var t, x []float64
	for i := 0; i < 1000; i++ {
		t = append(t, float64(i)*0.1)
		x = append(x, math.Mod(float64(i)*0.1, 1))
	}
	feat, _ := ts.NewSeries(t, x, 1, ts.IntervalSet{})
	res, _ := analysis.TuningCurves([][]float64{t}, feat, []analysis.Axis{{Bins: 10}}, nil)
	fmt.Printf("%.3g Hz, occupancy %.3g s\n", res.RateHz[0][3], res.OccupancySeconds[3])
	// Output: 10 Hz, occupancy 10 s
}

func ExampleSkaggsInfo() {
	// Oracle O3: firing at 100 Hz in one of 10 equally visited bins.
	rate := []float64{0, 0, 0, 100, 0, 0, 0, 0, 0, 0}
	occ := []float64{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}
	bs, bsp := analysis.SkaggsInfo(rate, occ, math.NaN())
	fmt.Printf("%.4f bits/s, %.4f bits/spike, sparsity %.1f\n", bs, bsp, analysis.SkaggsSparsity(rate, occ))
	// Output: 33.2193 bits/s, 3.3219 bits/spike, sparsity 0.1
}

func ExamplePlaceFields() {
	// 1 m track traversed back and forth every 20 s for 200 s at 50 Hz; the
	// cell fires at every sample within 5 cm of 0.5 m.
	var t, x, spikes []float64
	for i := 0; i < 10000; i++ {
		ti := float64(i) * 0.02
		xi := math.Abs(math.Mod(ti, 20)-10) / 10
		t, x = append(t, ti), append(x, xi)
		if math.Abs(xi-0.5) < 0.05 {
			spikes = append(spikes, ti)
		}
	}
	pos, _ := ts.NewSeries(t, x, 1, ts.IntervalSet{})
	res, _ := analysis.PlaceFields([][]float64{spikes}, pos, []analysis.Axis{{Bins: 20, Min: 0, Max: 1}}, nil)
	u := res.Units[0]
	fmt.Printf("centre %.2f m, width %.2f m, %.2f bits/spike\n", u.FieldCOM[0], u.FieldWidth[0], u.BitsPerSpike)
	// Output: centre 0.50 m, width 0.10 m, 3.32 bits/spike
}

func ExamplePSTH() {
	spikes := []float64{1.01, 1.02, 1.15, 2.01, 2.12}
	res, _ := analysis.PSTH([][]float64{spikes}, []float64{1, 2}, -0.1, 0.2, 0.1, nil)
	fmt.Println(res.Centers, res.RateHz[0])
	// Output: [-0.05 0.05 0.15000000000000002] [0 15 10]
}

func ExampleCV2() {
	isi := []float64{0.3, 4.5, 6.7, 9.3} // oracle O16a
	fmt.Printf("CV2 %.6f LV %.6f LvR %.6f\n", analysis.CV2(isi), analysis.LV(isi), analysis.LvR(isi, 0.005))
	// Output: CV2 0.822619 LV 0.830615 LvR 0.833907
}

func ExampleKernelRate() {
	// Oracle O16d: one spike at 0 s, Gaussian σ = 0.3 s on 0.2 s bins.
	rate, left, _ := analysis.KernelRate([]float64{0}, -1, 1, 0.2, 0.3, nil)
	fmt.Printf("bin at %.1f s: %.4f Hz\n", left[5], rate[5])
	// Output: bin at 0.0 s: 1.3298 Hz
}

func ExampleCrossCorrelogram() {
	// Oracle O17 (pynapple binning): 1 ms bins, ±5 ms.
	c, _ := analysis.CrossCorrelogram([]float64{1, 2}, []float64{1.0012, 1.0031, 1.9978, 2.0}, 0.001, 0.005, 0)
	fmt.Println(c.Rate)
	// Output: [0 0 0 500 0 500 500 0 500 0 0]
}

func ExampleDFFTuning() {
	// One ROI sampled at 10 Hz: dF/F 0.5 during the "A" presentation, 0.2
	// during "B", 0 elsewhere; response = mean over the presentation.
	var t, x []float64
	for i := 0; i < 40; i++ {
		ti := float64(i) / 10
		v := 0.0
		if ti >= 1 && ti < 2 {
			v = 0.5
		} else if ti >= 3 && ti < 3.5 {
			v = 0.2
		}
		t, x = append(t, ti), append(x, v)
	}
	s, _ := ts.NewSeries(t, x, 1, ts.IntervalSet{})
	cond, _ := analysis.StringConditions([]string{"A", "B"})
	res, _ := analysis.DFFTuning(s, []float64{1, 3}, []float64{2, 3.5}, cond, nil)
	fmt.Println(res.Conditions, res.Units[0].RateHz)
	// Output: [A B] [0.5 0.2]
}
