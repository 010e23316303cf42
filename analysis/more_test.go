package analysis

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurodata/neurodata/ts"
)

// regular 1-D feature helper: samples every dt from 0 to T.
func featureSeries(t *testing.T, T, dt float64, f func(t float64) float64) (*ts.Series, []float64) {
	n := int(math.Round(T / dt))
	tt := make([]float64, n)
	x := make([]float64, n)
	for i := range tt {
		tt[i] = float64(i) * dt
		x[i] = f(tt[i])
	}
	s, err := ts.NewSeries(tt, x, 1, ts.Span(0, T))
	if err != nil {
		t.Fatal(err)
	}
	return s, tt
}

// Mask-aware smoothing: a cell whose counts are exactly proportional to
// occupancy (100 Hz) keeps 100 Hz everywhere after smoothing, including next to
// unvisited bins, which stay NaN (counts and occupancy are smoothed with the
// same kernel over valid bins only).
func TestSmoothingRespectsUnvisited(t *testing.T) {
	// Position sweeps 0..1 but skips [0.38, 0.62): bins 8–11 are unvisited.
	feat, tt := featureSeries(t, 100, 0.01, func(t float64) float64 {
		x := math.Mod(t, 1)
		if x >= 0.38 && x < 0.62 {
			return math.NaN()
		}
		return x
	})
	var spikes []float64
	for i, t0 := range tt {
		if !math.IsNaN(feat.At(i, 0)) { // one spike per valid 10 ms sample = 100 Hz
			spikes = append(spikes, t0)
		}
	}
	res, err := TuningCurves([][]float64{spikes}, feat, []Axis{{Bins: 20, Min: 0, Max: 1}},
		&TuningSettings{Smooth: []float64{0.1}})
	if err != nil {
		t.Fatal(err)
	}
	for b, r := range res.RateHz[0] {
		if b >= 8 && b < 12 {
			if !math.IsNaN(r) {
				t.Errorf("unvisited bin %d has rate %g", b, r)
			}
			continue
		}
		near(t, "smoothed rate", r, 100, 1e-9)
	}
}

// Circular axis: values just below 360° and just above 0° share a
// neighbourhood; smoothing a spike burst at bin 0 spreads symmetrically into
// bins 1 and 35.
func TestCircularBinningAndSmoothing(t *testing.T) {
	feat, tt := featureSeries(t, 360, 0.1, func(t float64) float64 { return math.Mod(t*10, 360) - 180 }) // −180…180
	var spikes []float64
	for i, t0 := range tt {
		v := feat.At(i, 0)
		if v >= 0 && v < 10 {
			spikes = append(spikes, t0)
		}
	}
	ax := []Axis{{Bins: 36, Min: 0, Max: 360, Circular: true}}
	res, err := TuningCurves([][]float64{spikes}, feat, ax, &TuningSettings{Smooth: []float64{10}})
	if err != nil {
		t.Fatal(err)
	}
	r := res.RateHz[0]
	// −180…0 wraps to 180…360, so every bin is visited.
	for b, o := range res.OccupancySeconds {
		near(t, "occupancy", o, 10, 1e-6)
		_ = b
	}
	if !(r[1] > 0) || math.Abs(r[1]-r[35]) > 1e-9 || !(r[0] > r[1]) {
		t.Errorf("circular smoothing not symmetric around 0°: r0 %g r1 %g r35 %g", r[0], r[1], r[35])
	}
	if got := ax[0]; got.Circular {
		res2, _ := TuningCurves([][]float64{spikes}, feat, []Axis{{Bins: 36, Min: 0, Max: 360}}, &TuningSettings{Smooth: []float64{10}})
		if !math.IsNaN(res2.RateHz[0][35]) && res2.RateHz[0][35] == r[35] {
			t.Error("linear axis gave the same wrap-around as the circular one")
		}
	}
}

func TestMinOccupancyAndSplitHalf(t *testing.T) {
	// x = t mod 1 (uniform) for 100 s; bin 9 is visited, but we require more
	// than its 10 s to check the mask.
	feat, tt := featureSeries(t, 100, 0.01, func(t float64) float64 { return math.Mod(t, 1) })
	var spikes []float64
	for i, t0 := range tt {
		if x := feat.At(i, 0); x < 0.3 && i%3 == 0 {
			spikes = append(spikes, t0)
		}
	}
	res, err := TuningCurves([][]float64{spikes}, feat, []Axis{{Bins: 10, Min: 0, Max: 1}},
		&TuningSettings{MinOccupancy: 10.5, SplitHalf: true})
	if err != nil {
		t.Fatal(err)
	}
	for b := range res.Valid {
		if res.Valid[b] || !math.IsNaN(res.RateHz[0][b]) {
			t.Fatalf("bin %d with %g s should be masked", b, res.OccupancySeconds[b])
		}
	}
	res, _ = TuningCurves([][]float64{spikes}, feat, []Axis{{Bins: 10, Min: 0, Max: 1}}, &TuningSettings{SplitHalf: true})
	// Both halves see the identical periodic pattern → r = 1.
	near(t, "split-half r", res.SplitHalfR[0], 1, 1e-4)
}

// A sharply tuned cell is significant against circular shifts (p = 1/(n+1)),
// a flat Poisson cell is not; results do not depend on Workers.
func TestPlaceShuffleSignificance(t *testing.T) {
	feat, tt := featureSeries(t, 400, 0.02, func(t float64) float64 { return math.Abs(math.Mod(t, 20)-10) / 10 }) // back-and-forth 0..1
	r := rand.New(rand.NewPCG(7, 8))
	var placeCell, flat []float64
	for i, t0 := range tt {
		x := feat.At(i, 0)
		lam := 0.5 + 20*math.Exp(-(x-0.3)*(x-0.3)/(2*0.05*0.05))
		if r.Float64() < lam*0.02 {
			placeCell = append(placeCell, t0)
		}
		if r.Float64() < 5*0.02 {
			flat = append(flat, t0)
		}
	}
	run := func(workers int) *PlaceResult {
		res, err := PlaceFields([][]float64{placeCell, flat}, feat, []Axis{{Bins: 25, Min: 0, Max: 1}},
			&PlaceSettings{Shuffles: 200, MinShift: 20, Rand: rand.New(rand.NewPCG(1, 2)), Tuning: TuningSettings{Workers: workers}})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(1), run(2)
	if a.Units[0].Z != b.Units[0].Z || a.Units[1].P != b.Units[1].P {
		t.Fatal("shuffle results depend on Workers")
	}
	// The behaviour is periodic (20 s), so shifts near multiples of the
	// period realign spikes and widen the null; z stays well above 2.
	if a.Units[0].P != 1.0/201 || !(a.Units[0].Z > 2) {
		t.Errorf("place cell: p %g z %g", a.Units[0].P, a.Units[0].Z)
	}
	if !(a.Units[1].P > 0.01) {
		t.Errorf("flat cell: p %g z %g", a.Units[1].P, a.Units[1].Z)
	}
	near(t, "field centre", a.Units[0].FieldCOM[0], 0.3, 0.03)
	if w := a.Units[0].FieldWidth[0]; w < 0.1 || w > 0.4 {
		t.Errorf("field width %g m", w)
	}
}

// Circular shifts within a multi-epoch support keep every spike inside the
// epochs and keep the count.
func TestRotateMultiEpoch(t *testing.T) {
	ep := ts.MustIntervals(0, 10, 20, 25, 30, 40)
	sp := []float64{0, 1, 9.5, 10, 20, 24, 30.5, 39.9, 40}
	c := compress(ep, sp)
	dst := make([]float64, len(c))
	for _, shift := range []float64{0.3, 7, 12.5, 24.9} {
		rotate(dst, c, shift, ep.Duration())
		expand(ep, dst)
		for i, x := range dst {
			if !ep.Contains(x) || (i > 0 && x < dst[i-1]) {
				t.Fatalf("shift %g: %v not inside %v or unsorted", shift, dst, ep)
			}
		}
	}
	// A zero shift is the identity for spikes strictly inside epochs (epoch
	// ends are identified with the next epoch start on the circle).
	in := []float64{1, 9.5, 24, 30.5, 39.9}
	c = compress(ep, in)
	rotate(dst[:len(in)], c, 0, ep.Duration())
	expand(ep, dst[:len(in)])
	for i := range in {
		near(t, "identity shift", dst[i], in[i], 1e-12)
	}
}

func TestDFFTuningBaseline(t *testing.T) {
	// Two ROIs at 10 Hz; ROI 0 = 1 + condition value inside presentations,
	// 1 outside; ROI 1 constant 2.
	starts := []float64{1, 3, 5, 7}
	stops := []float64{2, 4, 6, 8}
	val := []float64{0.5, 0.25, 0.5, math.NaN()}
	var tt, data []float64
	for i := 0; i < 100; i++ {
		t0 := float64(i) / 10
		v := 1.0
		for k := range starts {
			if t0 >= starts[k] && t0 < stops[k] && !math.IsNaN(val[k]) {
				v += val[k]
			}
		}
		tt = append(tt, t0)
		data = append(data, v, 2)
	}
	s, _ := ts.NewSeries(tt, data, 2, ts.IntervalSet{})
	cond, _ := NumericConditions(val)
	res, err := DFFTuning(s, starts, stops, cond, &DFFSettings{Baseline: [2]float64{-0.5, 0}, BaselineSubtract: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.NBlank != 1 || len(res.Conditions) != 2 || res.Conditions[0] != "0.25" {
		t.Fatalf("conditions %v blank %d", res.Conditions, res.NBlank)
	}
	near(t, "roi0 0.25", res.Units[0].RateHz[0], 0.25, 1e-12)
	near(t, "roi0 0.5", res.Units[0].RateHz[1], 0.5, 1e-12)
	near(t, "roi0 0.5 sem", res.Units[0].SEMHz[1], 0, 1e-12)
	near(t, "roi0 blank", res.Units[0].BlankRateHz, 0, 1e-12)
	near(t, "roi1", res.Units[1].RateHz[1], 0, 1e-12)
}

func TestConditionWindowsAlignStop(t *testing.T) {
	spikes := []float64{0.5, 1.9, 2.1, 2.2, 2.95, 5.5}
	res, err := ConditionTuning([][]float64{spikes}, []float64{0, 3}, []float64{2, 5}, Conditions{Keys: []string{"a", "b"}},
		&ConditionSettings{Window: [2]float64{0, 1}, Align: AlignStop, KeepTrials: true})
	if err != nil {
		t.Fatal(err)
	}
	// windows [2,3) → 3 spikes, [5,6) → 1 spike
	if res.Units[0].TrialRateHz[0] != 3 || res.Units[0].TrialRateHz[1] != 1 || !math.IsNaN(res.Units[0].BlankRateHz) {
		t.Fatalf("%+v", res.Units[0])
	}
	if _, err := ConditionTuning(nil, []float64{0}, []float64{1}, Conditions{Keys: []string{"a"}}, &ConditionSettings{Window: [2]float64{1, 0}}); err == nil {
		t.Fatal("empty window accepted")
	}
}

// Welch t-test p-value and sign convention checked against scipy.stats.ttest_ind(equal_var=False).
func TestRunningModulationScipy(t *testing.T) {
	run := []float64{12, 15, 11, 18, 14, 16}
	stat := []float64{9, 8, 12, 10, 7}
	var ref struct{ P float64 }
	runPy(t, `
import json, sys
from scipy import stats
r = stats.ttest_ind([12, 15, 11, 18, 14, 16], [9, 8, 12, 10, 7], equal_var=False)
json.dump({"P": float(r.pvalue)}, sys.stdout)
`, &ref)
	mod, p := RunningModulation(run, stat)
	near(t, "p", p, ref.P, 1e-9)
	near(t, "mod", mod, (86.0/6-46.0/5)/(86.0/6), 1e-12)
	mod, _ = RunningModulation(stat, run)
	near(t, "mod (negative)", mod, -(86.0/6-46.0/5)/(86.0/6), 1e-12)
}

func TestKernelRateMass(t *testing.T) {
	spikes := []float64{3, 3.3, 5, 5.01, 6}
	r, _, err := KernelRate(spikes, 0, 10, 0.001, 0.1, nil)
	if err != nil {
		t.Fatal(err)
	}
	var m float64
	for _, v := range r {
		m += v * 0.001
	}
	// Gaussian mass inside ±5σ is 1 − 5.7e-7.
	near(t, "kernel mass = spikes", m, 5*(1-5.733e-7), 1e-6)
}

func TestTrialReliabilityAndFano(t *testing.T) {
	a := []float64{1, 2, 3, 4}
	near(t, "identical trials", TrialReliability([][]float64{a, a, a}), 1, 1e-12)
	near(t, "anti trials", TrialReliability([][]float64{a, {4, 3, 2, 1}}), -1, 1e-12)
	if !math.IsNaN(FanoFactor([]float64{0, 0})) {
		t.Error("Fano of zero counts should be NaN")
	}
}

// Trials with identical spike patterns are perfectly reliable; a trial
// pattern shifted by half the window is not.
func TestSpikeTrialReliability(t *testing.T) {
	var train []float64
	ws := []float64{0, 10, 20}
	we := []float64{2, 12, 22}
	for _, s := range ws {
		// spikes mid-bin (bins of 1/30 s) so rounding cannot move them
		train = append(train, s+9.5/30, s+10.5/30, s+15.5/30, s+36.5/30)
	}
	near(t, "identical", SpikeTrialReliability(train, ws, we, 0, 0), 1, 1e-12)
	train = append(train[:8], 20+39.5/30, 20+40.5/30, 20+45.5/30, 20+56.5/30)
	if r := SpikeTrialReliability(train, ws, we, 0, 0); !(r < 0.5) {
		t.Errorf("shifted trial reliability %g", r)
	}
}

func TestUnitStatsISIWithinEpochs(t *testing.T) {
	u, _, _ := ts.NewUnits(nil, [][]float64{{0.1, 0.3, 0.6, 10.2, 10.4}}, ts.MustIntervals(0, 1, 10, 11))
	st := UnitStats(u, nil)[0]
	// ISIs 0.2, 0.3 (epoch 1) and 0.2 (epoch 2); the 9.6 s gap is not an ISI.
	near(t, "mean ISI", st.MeanISI, 0.7/3, 1e-12)
	near(t, "rate", st.RateHz, 5.0/2, 1e-12)
}

// 2-D tuning: a raster path visits the four quadrants of the unit square for
// equal time; a cell firing one spike per sample in the upper-right quadrant
// has a rate of 50 Hz there (50 Hz sampling) and 0 elsewhere.
func TestTuning2D(t *testing.T) {
	var tt, xy, sp []float64
	for i := 0; i < 4000; i++ {
		ti := float64(i) * 0.02
		x := float64(i%20)/20 + 0.025
		y := float64((i/20)%20)/20 + 0.025
		tt = append(tt, ti)
		xy = append(xy, x, y)
		if x > 0.5 && y > 0.5 {
			sp = append(sp, ti)
		}
	}
	feat, err := ts.NewSeries(tt, xy, 2, ts.IntervalSet{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := TuningCurves([][]float64{sp}, feat, []Axis{{Bins: 2, Min: 0, Max: 1}, {Bins: 2, Min: 0, Max: 1}},
		&TuningSettings{Occupancy: OccupancySamples})
	if err != nil {
		t.Fatal(err)
	}
	for b, want := range []float64{0, 0, 0, 50} { // row-major (x, y): (lo,lo) (lo,hi) (hi,lo) (hi,hi)
		near(t, "2-D rate", res.RateHz[0][b], want, 1e-9)
		near(t, "2-D occupancy", res.OccupancySeconds[b], 20, 1e-9)
	}
	bs, bsp := SkaggsInfo(res.RateHz[0], res.OccupancySeconds, math.NaN())
	near(t, "2-D bits/spike = log2 4", bsp, 2, 1e-12)
	near(t, "2-D bits/s", bs, 12.5*2, 1e-9)
}

// Signal tuning: a dF/F trace equal to 2·x + 1 of a 1-D feature x gives, per
// bin, the mean of 2x + 1 over the samples in that bin.
func TestSignalTuningCurves(t *testing.T) {
	// x cycles through 0.05, 0.15, …, 0.95 (bin-centred, no rounding issues).
	feat, tt := featureSeries(t, 100, 0.1, func(t float64) float64 { return math.Mod(math.Round(t*10), 10)/10 + 0.05 })
	sig := make([]float64, 2*len(tt))
	for i := range tt {
		x := feat.At(i, 0)
		sig[2*i], sig[2*i+1] = 2*x+1, 5
	}
	s, _ := ts.NewSeries(tt, sig, 2, ts.IntervalSet{})
	res, err := SignalTuningCurves(s, feat, []Axis{{Bins: 5, Min: 0, Max: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Bin b holds x ∈ {0.2b + 0.05, 0.2b + 0.15} → mean 2(0.2b + 0.1) + 1.
	for b := 0; b < 5; b++ {
		near(t, "channel 0", res.RateHz[0][b], 2*(0.2*float64(b)+0.1)+1, 1e-9)
		near(t, "channel 1", res.RateHz[1][b], 5, 1e-12)
		near(t, "samples", res.Counts[0][b], 200, 0)
	}
}
