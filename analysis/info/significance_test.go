package info

import (
	"math"
	"math/rand/v2"
	"testing"
)

// O14c (analysis-methods.md C1): 3 of 100 null values >= observed gives
// p = 4/101 = 0.039604 (sklearn permutation_test_score formula).
func TestPermutationPFormula(t *testing.T) {
	null := make([]float64, 100)
	for i := range null {
		null[i] = float64(i) / 100 // 0.00 … 0.99
	}
	got := summarise(0.97, null) // 0.97, 0.98, 0.99 are >= observed
	near(t, "p", got.P, 4.0/101, 1e-15)
	near(t, "null mean", got.NullMean, 0.495, 1e-12)
}

// Under independence the permutation p-value is uniform: over 200 data sets
// the fraction with p <= 0.05 must lie in the binomial(200, 0.05) 99.9%
// range [1, 24]; with a deterministic dependence p = 1/(n+1).
func TestPermutationCalibration(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 1))
	n, sets, perms := 64, 200, 99
	stim, resp := make([]int, n), make([]int, n)
	reject := 0
	for k := 0; k < sets; k++ {
		for i := range stim {
			stim[i], resp[i] = i%4, r.IntN(4)
		}
		res, err := Units(stim, [][]int{resp}, &Options{Estimator: PlugIn, Bins: -1, Permutations: perms}, &Settings{Rand: r})
		if err != nil {
			t.Fatal(err)
		}
		if res[0].P <= 0.05 {
			reject++
		}
	}
	if reject < 1 || reject > 24 {
		t.Errorf("%d of %d null data sets rejected at 0.05", reject, sets)
	}
	for i := range stim {
		resp[i] = stim[i]
	}
	res, err := Units(stim, [][]int{resp}, &Options{Estimator: PlugIn, Bins: -1, Permutations: perms, SubtractNull: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "p for a deterministic response", res[0].P, 1.0/float64(perms+1), 1e-15)
	// Plug-in MI is exactly log2(4) = 2 bits; the null mean is positive.
	near(t, "null-subtracted MI", res[0].Bits, 2-res[0].NullMeanBits, 1e-12)
	if !(res[0].NullMeanBits > 0 && res[0].NullMeanBits < 0.3) {
		t.Errorf("null mean %v bits", res[0].NullMeanBits)
	}
}

// Permutations never move a label across strata.
func TestPermuteStrata(t *testing.T) {
	strata := []int{0, 0, 0, 1, 1, 1, 1, 2, 2}
	_, err := Permute(len(strata), strata, 200, func(perm []int, _ *rand.Rand) (float64, error) {
		for i, p := range perm {
			if strata[i] != strata[p] {
				t.Fatalf("trial %d took the label of trial %d from another stratum", i, p)
			}
		}
		return 0, nil
	}, &Settings{Rand: rand.New(rand.NewPCG(1, 1))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Permute(3, []int{0, 1}, 10, func([]int, *rand.Rand) (float64, error) { return 0, nil }, nil); err == nil {
		t.Error("mismatched strata length accepted")
	}
}

// Bootstrap percentile CI of a sample mean matches mean ± 1.96 s/√n (the
// normal-theory interval) within 15% of its half-width for n = 400.
func TestBootstrapMean(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 1))
	n := 400
	x := make([]float64, n)
	var m, ss float64
	for i := range x {
		x[i] = r.NormFloat64()*2 + 1
		m += x[i]
	}
	m /= float64(n)
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	half := 1.959964 * math.Sqrt(ss/float64(n-1)/float64(n))
	iv, err := Bootstrap(n, nil, 2000, 0.95, func(idx []int, _ *rand.Rand) (float64, error) {
		s := 0.0
		for _, i := range idx {
			s += x[i]
		}
		return s / float64(len(idx)), nil
	}, &Settings{Rand: r})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "low", iv.Low, m-half, 0.15*half)
	near(t, "high", iv.High, m+half, 0.15*half)
}

// Results do not depend on the number of workers (per-task generators are
// seeded serially from Settings.Rand).
func TestUnitsDeterministicAcrossWorkers(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 1))
	stim := make([]int, 96)
	resp := make([][]int, 7)
	for u := range resp {
		resp[u] = make([]int, len(stim))
		for i := range stim {
			stim[i] = i % 6
			resp[u][i] = poissonDraw(r, 2+float64(stim[i]*u%5))
		}
	}
	// 7 units: parallel over units; 1 unit: parallel over its permutations
	// and bootstrap replicates.
	for _, est := range Estimators {
		for _, rs := range [][][]int{resp, resp[:1]} {
			unitsDeterministic(t, est, stim, rs)
		}
	}
}

func unitsDeterministic(t *testing.T, est Estimator, stim []int, resp [][]int) {
	{
		opt := &Options{Estimator: est, Permutations: 50, Bootstrap: 20}
		a, err := Units(stim, resp, opt, &Settings{Workers: 1, Rand: rand.New(rand.NewPCG(5, 5))})
		if err != nil {
			t.Fatal(err)
		}
		b, err := Units(stim, resp, opt, &Settings{Workers: 3, Rand: rand.New(rand.NewPCG(5, 5))})
		if err != nil {
			t.Fatal(err)
		}
		for u := range a {
			if a[u].Bits != b[u].Bits || a[u].P != b[u].P || a[u].CILow != b[u].CILow || a[u].NullMeanBits != b[u].NullMeanBits {
				t.Errorf("%v unit %d: Workers=1 %+v, Workers=3 %+v", est, u, a[u], b[u])
			}
			if a[u].BiasBits != a[u].PlugInBits-a[u].Bits {
				t.Errorf("%v unit %d: bias %v != plug-in − estimate", est, u, a[u].BiasBits)
			}
		}
	}
}

// Input validation: negative codes, mismatched lengths, unknown estimator.
func TestInputErrors(t *testing.T) {
	if _, err := MI([]int{0, 1}, []int{0}, PlugIn, nil); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := MI([]int{0, -1}, []int{0, 1}, PlugIn, nil); err == nil {
		t.Error("negative stimulus accepted")
	}
	if _, err := MI([]int{0, 1}, []int{0, 1}, Estimator(99), nil); err == nil {
		t.Error("unknown estimator accepted")
	}
	if _, err := Entropy([]int{0, 0}, PlugIn, nil); err == nil {
		t.Error("all-zero counts accepted")
	}
	if _, err := MI([]int{0, 1 << 30}, []int{0, 1}, PlugIn, nil); err == nil {
		t.Error("sparse stimulus code 2^30 accepted (would allocate a huge table)")
	}
	if _, err := MI([]int{0, 1}, []int{0, 1 << 40}, PlugIn, nil); err == nil {
		t.Error("response code 2^40 accepted")
	}
	if _, err := ParseEstimator("bogus"); err == nil {
		t.Error("bogus estimator name parsed")
	}
	for _, e := range Estimators {
		if got, err := ParseEstimator(e.String()); err != nil || got != e {
			t.Errorf("ParseEstimator(%q) = %v, %v", e.String(), got, err)
		}
	}
	if _, err := GCMI(Column([]float64{1, 2, math.NaN()}), Column([]float64{1, 2, 3})); err == nil {
		t.Error("NaN accepted by GCMI")
	}
	if _, err := KSG(Column([]float64{1, 1, 1, 1, 1}), Column([]float64{2, 2, 2, 2, 2}), 0, nil); err == nil {
		t.Error("all-identical samples accepted by KSG without jitter")
	}
}

// NSB quadrature: the default 96 nodes agree with 2000 nodes to 1e-8
// relative on count vectors from sparse to dense, small to large N.
func TestNSBQuadratureConverges(t *testing.T) {
	for _, c := range [][]int{
		{5, 3, 2, 0, 0, 0, 0, 0, 0, 0},
		{1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{50, 50, 50, 50},
		{1000, 1, 0, 0, 0, 0, 0, 0},
		{16, 0, 0, 0},
		{3, 7, 2, 9, 4, 4, 1, 0, 0, 12, 30, 2, 1, 1, 0, 0, 0, 5, 6, 2, 1, 1, 1, 1, 0},
	} {
		a := nsbCompute(c, len(c), 96)
		b := nsbCompute(c, len(c), 2000)
		if math.Abs(a-b) > 1e-8*math.Abs(b) {
			t.Errorf("NSB %v: 96 nodes %.12g, 2000 nodes %.12g", c, a, b)
		}
		if b < 0 || b > math.Log2(float64(len(c)))+1e-12 {
			t.Errorf("NSB %v = %v outside [0, log2 K]", c, b)
		}
	}
}

// Significance works for the continuous estimators through Permute: KSG and
// GCMI on dependent data give the minimum p; on independent data p is not
// small. KSG runs on spike-count-like integer data with tie-breaking jitter.
func TestPermuteContinuous(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 1))
	n := 300
	x, dep, ind := make([][]float64, n), make([][]float64, n), make([][]float64, n)
	for i := range x {
		v := r.NormFloat64()
		x[i] = []float64{float64(poissonDraw(r, 3*math.Exp(0.5*v)))} // monotone: GCMI sees it
		dep[i] = []float64{v}
		ind[i] = []float64{r.NormFloat64()}
	}
	for _, tc := range []struct {
		name string
		stat func(a, b [][]float64, r *rand.Rand) (float64, error)
	}{
		{"KSG", func(a, b [][]float64, r *rand.Rand) (float64, error) {
			return KSG(a, b, 1e-6, &Settings{Rand: r})
		}},
		{"GCMI", func(a, b [][]float64, _ *rand.Rand) (float64, error) { return GCMI(a, b) }},
	} {
		for _, y := range []struct {
			name string
			v    [][]float64
			dep  bool
		}{{"dependent", dep, true}, {"independent", ind, false}} {
			res, err := Permute(n, nil, 99, func(perm []int, r *rand.Rand) (float64, error) {
				yy := make([][]float64, n) // per task: Permute runs tasks concurrently
				for i, p := range perm {
					yy[i] = y.v[p]
				}
				return tc.stat(x, yy, r)
			}, &Settings{Rand: rand.New(rand.NewPCG(32, 1))})
			if err != nil {
				t.Fatal(err)
			}
			if y.dep && res.P != 0.01 {
				t.Errorf("%s %s: p = %v, want 0.01", tc.name, y.name, res.P)
			}
			if !y.dep && res.P < 0.05 {
				t.Errorf("%s %s: p = %v", tc.name, y.name, res.P)
			}
		}
	}
}
