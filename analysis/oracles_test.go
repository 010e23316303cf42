package analysis

// Tests reproducing the deterministic oracles O1–O3, O15–O17 (and O22) of
// ../shared/reference/analysis-methods.md section C1. Expected numbers are
// copied from the oracle table / C3 output, which were produced by the
// independent oracles.py script written from the published formulas.

import (
	"bufio"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/ts"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(want) && math.IsNaN(got) {
		return
	}
	if !(math.Abs(got-want) <= tol) {
		t.Errorf("%s = %.15g, want %.15g (tol %g)", name, got, want, tol)
	}
}

func arange(start, stop, step float64) []float64 {
	var x []float64
	for i := 0; ; i++ {
		v := start + float64(i)*step
		if v >= stop {
			return x
		}
		x = append(x, v)
	}
}

// O1: 2 units, t = 0:0.1:100, feature = t mod 1, 10 bins → occupancy 100
// samples (10 s) per bin; unit 1 10 Hz everywhere; unit 2 [10,0,10,0,…] Hz; fs 10.
func TestOracleO1TuningCurve(t *testing.T) {
	tt := arange(0, 100, 0.1)
	feat := make([]float64, len(tt))
	for i, x := range tt {
		feat[i] = math.Mod(x, 1)
	}
	fs, err := ts.NewSeries(tt, feat, 1, ts.IntervalSet{})
	if err != nil {
		t.Fatal(err)
	}
	u1 := tt
	u2 := arange(0, 100, 0.2)
	for _, mode := range []OccupancyMode{OccupancySamples, OccupancyDwell} {
		res, err := TuningCurves([][]float64{u1, u2}, fs, []Axis{{Bins: 10}}, &TuningSettings{Occupancy: mode})
		if err != nil {
			t.Fatal(err)
		}
		near(t, "fs", res.FS, 10, 1e-9)
		for b := 0; b < 10; b++ {
			near(t, "occupancy s", res.OccupancySeconds[b], 10, 1e-9)
			near(t, "unit1 rate", res.RateHz[0][b], 10, 1e-9)
			want := 10.0
			if b%2 == 1 {
				want = 0
			}
			near(t, "unit2 rate", res.RateHz[1][b], want, 1e-9)
		}
	}
}

func loadO2(t *testing.T) []float64 {
	f, err := os.Open("testdata/o2_feature.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var x []float64
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		v, err := strconv.ParseFloat(l, 64)
		if err != nil {
			t.Fatal(err)
		}
		x = append(x, v)
	}
	return x
}

// O2: pynapple compute_mutual_information docstring example. Unit 1 fires at
// samples with feature in [0.2, 0.3), unit 2 in [0.7, 0.8); λ̄ = spikes/100 s.
// Expected 33.480966287417544 bits/s, 3.3018704425461087 bits/spike (rate
// 10.14) and 33.36915915697929, 3.310432456049533 (10.08); tolerance 1e-6.
func TestOracleO2SkaggsPynapple(t *testing.T) {
	feat := loadO2(t)
	tt := arange(0, 100, 0.01)
	if len(tt) != len(feat) {
		t.Fatalf("%d times, %d features", len(tt), len(feat))
	}
	var s1, s2 []float64
	for i, v := range feat {
		if v >= 0.2 && v < 0.3 {
			s1 = append(s1, tt[i])
		}
		if v >= 0.7 && v < 0.8 {
			s2 = append(s2, tt[i])
		}
	}
	fs, _ := ts.NewSeries(tt, feat, 1, ts.IntervalSet{})
	res, err := TuningCurves([][]float64{s1, s2}, fs, []Axis{{Bins: 10}}, &TuningSettings{Occupancy: OccupancySamples})
	if err != nil {
		t.Fatal(err)
	}
	want := [][3]float64{{10.14, 33.480966287417544, 3.3018704425461087}, {10.08, 33.36915915697929, 3.310432456049533}}
	for u, w := range want {
		rate := float64(len([][]float64{s1, s2}[u])) / 100.0
		near(t, "epoch rate", rate, w[0], 1e-12)
		bs, bsp := SkaggsInfo(res.RateHz[u], res.OccupancySeconds, rate)
		near(t, "bits/s", bs, w[1], 1e-6)
		near(t, "bits/spike", bsp, w[2], 1e-6)
	}
}

// O3: one active bin of N, uniform occupancy: bits/spike = log2 N, bits/s =
// (r/N)·log2 N, sparsity = 1/N (tolerance 1e-12).
func TestOracleO3SkaggsClosedForm(t *testing.T) {
	for _, c := range []struct {
		n  int
		r  float64
		bs float64
	}{{10, 100, 33.219280948873624}, {20, 5, 1.0804820237218407}} {
		rate := make([]float64, c.n)
		occ := make([]float64, c.n)
		for i := range occ {
			occ[i] = 2.5
		}
		rate[3] = c.r
		bs, bsp := SkaggsInfo(rate, occ, math.NaN())
		near(t, "bits/spike", bsp, math.Log2(float64(c.n)), 1e-12)
		near(t, "bits/s", bs, c.bs, 1e-12)
		near(t, "sparsity", SkaggsSparsity(rate, occ), 1/float64(c.n), 1e-12)
	}
}

var dirs8 = []float64{0, 45, 90, 135, 180, 225, 270, 315}

// O15: vector-sum gOSI/gDSI (AllenSDK ecephys osi/dsi), tolerance 1e-9.
func TestOracleO15VectorSum(t *testing.T) {
	oneDir := []float64{0, 0, 1, 0, 0, 0, 0, 0}
	bidir := []float64{0, 0, 1, 0, 0, 0, 1, 0}
	cos := make([]float64, 8)
	for i, d := range dirs8 {
		cos[i] = 1 + math.Cos(d*math.Pi/180)
	}
	flat := []float64{2, 2, 2, 2, 2, 2, 2, 2}
	ex := []float64{4, 3, 1, .5, 2, 1, 1, .5}
	for _, c := range []struct {
		name       string
		r          []float64
		gosi, gdsi float64
	}{{"one", oneDir, 1, 1}, {"bidir", bidir, 1, 0}, {"1+cos", cos, 0, 0.5}, {"flat", flat, 0, 0},
		{"example", ex, 0.384615384615, 0.284270625388}} {
		near(t, c.name+" gOSI", GOSI(dirs8, c.r), c.gosi, 1e-9)
		near(t, c.name+" gDSI", GDSI(dirs8, c.r), c.gdsi, 1e-9)
	}
	near(t, "vector preferred direction", VectorPreferredDirection(dirs8, ex), 22.5, 1e-9)
	// O15b peak (2P) family: OSI 0.6, DSI 1/3 (exact).
	near(t, "PeakOSI", PeakOSI(dirs8, ex), 0.6, 1e-12)
	near(t, "PeakDSI", PeakDSI(dirs8, ex), 1.0/3, 1e-12)
	// O15c lifetime sparseness: one-hot 1, flat 0, example 0.4 (1e-12).
	near(t, "LS one-hot", LifetimeSparseness([]float64{0, 0, 5, 0}), 1, 1e-12)
	near(t, "LS flat", LifetimeSparseness([]float64{2, 2, 2, 2}), 0, 1e-12)
	near(t, "LS example", LifetimeSparseness(ex), 0.4, 1e-12)
	d := Direction(dirs8, ex)
	if d.PrefDirectionDeg != 0 || d.PrefTie {
		t.Errorf("preferred %v tie %v", d.PrefDirectionDeg, d.PrefTie)
	}
}

// O15d: F1/F0 of r(t) = 3(1 + cos 2πt), 100 bins, one cycle = 1.0 (1e-12).
func TestOracleO15dF1F0(t *testing.T) {
	c := make([]float64, 100)
	for i := range c {
		c[i] = 3 * (1 + math.Cos(2*math.Pi*float64(i)/100))
	}
	near(t, "F1/F0 cycle", F1F0Cycle(c), 1, 1e-12)
	// Same signal folded from 4 cycles at 2 Hz with 5 ms bins (2 s).
	p := make([]float64, 400)
	for i := range p {
		p[i] = 3 * (1 + math.Cos(2*math.Pi*2*float64(i)*0.005))
	}
	near(t, "F1/F0 folded", F1F0(p, 0.005, 2), 1, 1e-12)
}

// O22: image selectivity one-hot N=5 → 0.6, linear 0..4 → 0 (1e-12).
func TestOracleO22ImageSelectivity(t *testing.T) {
	near(t, "one-hot", ImageSelectivity([]float64{0, 0, 0, 0, 1}), 0.6, 1e-12)
	near(t, "linear", ImageSelectivity([]float64{0, 1, 2, 3, 4}), 0, 1e-12)
}

// O16a: ISI family on intervals [0.3, 4.5, 6.7, 9.3] (Elephant docstrings), 1e-15.
func TestOracleO16aISIFamily(t *testing.T) {
	I := []float64{0.3, 4.5, 6.7, 9.3}
	near(t, "cv2", CV2(I), 0.8226190476190478, 1e-15)
	near(t, "lv", LV(I), 0.8306154336734695, 1e-15)
	near(t, "lvr", LvR(I, 0.005), 0.833907445980624, 1e-15)
	// C3 output: CV of ISIs (ddof=0) of spikes [0.3,4.5,6.7,9.3].
	near(t, "cv", CV(ISI(nil, I)), 0.28803291992923824, 1e-15)
}

// O16b: mean rate of [0.3,4.5,6.7,9.3] with t_start 0, t_stop = max → 4/9.3;
// Fano of counts [4, 3] = 0.07142857142857142 (1e-15).
func TestOracleO16bRateFano(t *testing.T) {
	near(t, "rate", MeanRate([]float64{0.3, 4.5, 6.7, 9.3}, 0, 9.3), 0.4301075268817204, 1e-15)
	near(t, "fano", FanoFactor([]float64{4, 3}), 0.07142857142857142, 1e-15)
}

// O16c: STTC of the Elephant docstring trains, dt = 5 ms on [0, 50] ms → 0.4958601655933762 (1e-12).
// Times in ms are scaled to seconds; STTC is scale-free.
func TestOracleO16cSTTC(t *testing.T) {
	a := []float64{1.3, 7.56, 15.87, 28.23, 30.9, 34.2, 38.2, 43.2}
	b := []float64{1.02, 2.71, 18.82, 28.46, 28.79, 43.6}
	for i := range a {
		a[i] /= 1000
	}
	for i := range b {
		b[i] /= 1000
	}
	near(t, "STTC", STTC(a, b, 0.005, 0, 0.05), 0.4958601655933762, 1e-12)
}

// O16d: kernel rate for a spike at 0, Gaussian σ = 0.3 s, dt = 0.2 s on [−1, 1):
// Elephant grid and exact-lag sampling (1e-7).
func TestOracleO16dKernelRate(t *testing.T) {
	eleph := []float64{0.0100741935, 0.0584276683, 0.2292875861, 0.6088302846, 1.0938698952, 1.3298076013, 1.0938698952, 0.6088302846, 0.2292875861, 0.0584276683}
	exact := []float64{0.00514093, 0.0379866201, 0.1799698884, 0.5467002489, 1.0648266851, 1.3298076013, 1.0648266851, 0.5467002489, 0.1799698884, 0.0379866201}
	r, left, err := KernelRate([]float64{0}, -1, 1, 0.2, 0.3, &KernelSettings{ElephantGrid: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(r) != 10 {
		t.Fatalf("%d bins", len(r))
	}
	near(t, "left[5]", left[5], 0, 1e-12)
	for i := range r {
		near(t, "elephant", r[i], eleph[i], 1e-7)
	}
	r, _, _ = KernelRate([]float64{0}, -1, 1, 0.2, 0.3, nil)
	for i := range r {
		near(t, "exact", r[i], exact[i], 1e-7)
	}
}

// O16e: Elephant CCH lag sign: i spike in bin 4, j in bin 7 → +1 at lag +3.
func TestOracleO16eCCHSign(t *testing.T) {
	a, b := make([]float64, 11), make([]float64, 11)
	a[4], b[7] = 1, 1
	lags, c := CrossCorrelationHistogram(a, b, 10)
	for i := range c {
		want := 0.0
		if lags[i] == 3 {
			want = 1
		}
		if c[i] != want {
			t.Errorf("lag %d: %g want %g", lags[i], c[i], want)
		}
	}
}

// O17: pynapple-style CCG: ref [1, 2] s, target [1.0012, 1.0031, 1.9978, 2.0],
// 1 ms bins, 5 ms window → 11 bins centred −5…5 ms; 500 Hz at −2, 0, +1, +3 ms.
func TestOracleO17CCG(t *testing.T) {
	c, err := CrossCorrelogram([]float64{1, 2}, []float64{1.0012, 1.0031, 1.9978, 2.0}, 0.001, 0.005, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Centers) != 11 {
		t.Fatalf("%d bins", len(c.Centers))
	}
	for k, ctr := range c.Centers {
		ms := math.Round(ctr * 1000)
		near(t, "centre", ctr*1000, float64(k-5), 1e-9)
		want := 0.0
		if ms == -2 || ms == 0 || ms == 1 || ms == 3 {
			want = 500
		}
		if c.Rate[k] != want {
			t.Errorf("lag %g ms: %g Hz want %g", ms, c.Rate[k], want)
		}
	}
}
