package rsa

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"os/exec"
	"testing"

	"gonum.org/v1/gonum/mat"
)

func randMat(rng *rand.Rand, r, c int) *mat.Dense {
	m := mat.NewDense(r, c, nil)
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			m.Set(i, j, rng.NormFloat64())
		}
	}
	return m
}

// sklearnRef runs a Python snippet under Debian's python3 with numpy and
// scikit-learn, feeding it JSON on stdin and decoding JSON from stdout.
func sklearnRef(t *testing.T, script string, in any, out any) {
	t.Helper()
	if exec.Command("/usr/bin/python3", "-c", "import sklearn, numpy").Run() != nil {
		t.Skip("/usr/bin/python3 with scikit-learn not available")
	}
	b, _ := json.Marshal(in)
	cmd := exec.Command("/usr/bin/python3", "-c", "import sys, json, numpy as np\nd = json.load(sys.stdin)\n"+script)
	stdin, _ := cmd.StdinPipe()
	go func() { stdin.Write(b); stdin.Close() }()
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("python output %q: %v", res, err)
	}
}

func rows(m *mat.Dense) [][]float64 {
	r, _ := m.Dims()
	out := make([][]float64, r)
	for i := range out {
		out[i] = m.RawRowView(i)
	}
	return out
}

// Dual-form ridge equals scikit-learn Ridge(alpha, fit_intercept=True).
func TestRidgeMatchesSklearn(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	x, y := randMat(rng, 30, 50), randMat(rng, 30, 4)
	train, test := shuffleSplit(30, 0.2, nil, rng)
	pred, err := RidgePredict(NewGram(x, nil), y, train, test, 2.5)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]float64
	sklearnRef(t, `
from sklearn.linear_model import Ridge
X, Y = np.array(d["x"]), np.array(d["y"])
m = Ridge(alpha=2.5, fit_intercept=True).fit(X[d["train"]], Y[d["train"]])
print(json.dumps(m.predict(X[d["test"]]).tolist()))`,
		map[string]any{"x": rows(x), "y": rows(y), "train": train, "test": test}, &want)
	nearMat(t, "ridge prediction", pred, want, 1e-9)
}

// Ledoit–Wolf shrinkage equals scikit-learn's ledoit_wolf(assume_centered=True).
func TestLedoitWolfMatchesSklearn(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	r := randMat(rng, 25, 6)
	got, err := NoiseCovariance(r, 0, ShrinkageEye)
	if err != nil {
		t.Fatal(err)
	}
	var want [][]float64
	sklearnRef(t, `
from sklearn.covariance import ledoit_wolf
print(json.dumps(ledoit_wolf(np.array(d["r"]), assume_centered=True)[0].tolist()))`,
		map[string]any{"r": rows(r)}, &want)
	nearMat(t, "ledoit-wolf", got, want, 1e-12)
}

// Schäfer–Strimmer shrinkage keeps variances, shrinks correlations by a
// λ in [0, 1]: strong for independent channels with few samples, weak for
// strongly correlated channels with many.
func TestShrinkageDiag(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	indep := randMat(rng, 10, 8)
	c, err := NoiseCovariance(indep, 0, ShrinkageDiag)
	if err != nil {
		t.Fatal(err)
	}
	full, _ := NoiseCovariance(indep, 0, FullCov)
	for i := 0; i < 8; i++ {
		near(t, "variance kept", c.At(i, i), full.At(i, i), 1e-12)
	}
	lam := 1 - c.At(0, 1)/full.At(0, 1)
	if lam < 0.3 || lam > 1 {
		t.Errorf("independent channels, n=10: λ = %g, want strong shrinkage", lam)
	}
	z := randMat(rng, 2000, 1)
	corr := mat.NewDense(2000, 3, nil)
	for k := 0; k < 2000; k++ {
		for j := 0; j < 3; j++ {
			corr.Set(k, j, z.At(k, 0)+0.3*rng.NormFloat64())
		}
	}
	c, _ = NoiseCovariance(corr, 0, ShrinkageDiag)
	full, _ = NoiseCovariance(corr, 0, FullCov)
	if lam := 1 - c.At(0, 1)/full.At(0, 1); lam < 0 || lam > 0.01 {
		t.Errorf("correlated channels, n=2000: λ = %g, want ≈ 0", lam)
	}
	prec, err := NoisePrecision(corr, 0, ShrinkageDiag)
	if err != nil {
		t.Fatal(err)
	}
	var id mat.Dense
	id.Mul(prec, c)
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			want := 0.0
			if i == j {
				want = 1
			}
			near(t, "Λ Σ = I", id.At(i, j), want, 1e-9)
		}
	}
}

// Crossnobis is unbiased: with pure noise (no condition differences) its
// mean over many entries is ≈ 0, while the plain Mahalanobis RDM of the
// condition means is positively biased.
func TestCrossnobisUnbiased(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	tr := &Trials{Data: randMat(rng, 20*6, 30)}
	for f := 0; f < 6; f++ {
		for c := 0; c < 20; c++ {
			tr.Cond, tr.Fold = append(tr.Cond, c), append(tr.Fold, f)
		}
	}
	res, dof, _ := Residuals(tr)
	prec, err := NoisePrecision(res, dof, ShrinkageDiag)
	if err != nil {
		t.Fatal(err)
	}
	cv, err := CrossnobisRDM(tr, prec, nil)
	if err != nil {
		t.Fatal(err)
	}
	means, _, _ := tr.MeanPatterns(nil)
	mh, _ := MahalanobisRDM(means, prec, nil)
	var a, b float64
	for i := range cv.Vec {
		a += cv.Vec[i] / float64(len(cv.Vec))
		b += mh.Vec[i] / float64(len(cv.Vec))
	}
	// Each entry of the plain RDM has expectation ≈ 2/6 (two means of 6
	// unit-variance trials, per channel); crossnobis ≈ 0.
	if math.Abs(a) > 0.03 || b < 0.25 {
		t.Errorf("mean crossnobis %.4f (want ≈ 0), mean mahalanobis %.4f (want ≈ 0.33)", a, b)
	}
	// Poisson CV averages folds: rates from a common distribution give ≈ 0.
	pos := mat.NewDense(120, 30, nil)
	for i := 0; i < 120; i++ {
		for j := 0; j < 30; j++ {
			pos.Set(i, j, float64(rng.IntN(9)))
		}
	}
	pcv, err := PoissonCVRDM(&Trials{Data: pos, Cond: tr.Cond, Fold: tr.Fold}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var pm float64
	for _, v := range pcv.Vec {
		pm += v / float64(len(pcv.Vec))
	}
	if math.Abs(pm) > 0.02 {
		t.Errorf("mean poisson_cv on null data %.4f, want ≈ 0", pm)
	}
}

// Permutation p-value convention (O14c: 3 of 100 null ≥ observed → 4/101),
// identical RDMs give the smallest p, and results do not depend on Workers.
func TestPermutationTest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	x := randMat(rng, 30, 10)
	d, _ := ComputeRDM(x, Euclidean, nil)
	for _, m := range []Compare{Spearman, Pearson, Cosine, RhoA, TauA, TauB} {
		r1, err := PermutationTest(d, d, m, 200, rand.New(rand.NewPCG(2, 2)), &Settings{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		r2, _ := PermutationTest(d, d, m, 200, rand.New(rand.NewPCG(2, 2)), &Settings{Workers: 4})
		if r1.P != 1.0/201 {
			t.Errorf("%s: identical RDMs p = %g, want 1/201", m, r1.P)
		}
		want, _ := CompareRDMs(d, d, m)
		near(t, string(m)+" observed", r1.Observed, want, 1e-12)
		for k := range r1.Null {
			if r1.Null[k] != r2.Null[k] {
				t.Fatalf("%s: null differs with Workers", m)
			}
		}
	}
	// The fast path's null equals recomputing the comparison on each
	// permuted RDM.
	other, _ := ComputeRDM(randMat(rng, 30, 5), Correlation, nil)
	fast, _ := PermutationTest(d, other, Spearman, 50, rand.New(rand.NewPCG(4, 4)), nil)
	seeds := drawSeeds(rand.New(rand.NewPCG(4, 4)), 50)
	for k := 0; k < 50; k++ {
		v, _ := CompareRDMs(d, permuteRDM(other, permFromSeed(30, seeds[k])), Spearman)
		near(t, "fast null", fast.Null[k], v, 1e-12)
	}
	// O14c's formula on a constructed null.
	ge := 0
	for _, v := range fast.Null {
		if v >= fast.Observed {
			ge++
		}
	}
	near(t, "p formula", fast.P, float64(1+ge)/51, 0)
}

// Holm and Benjamini–Hochberg on a textbook example (values checked by
// hand: p = [0.01, 0.04, 0.03, 0.20]).
func TestAdjustP(t *testing.T) {
	p := []float64{0.01, 0.04, 0.03, 0.20}
	h, _ := AdjustP(p, Holm)
	nearVec(t, "holm", h, []float64{0.04, 0.09, 0.09, 0.20}, 1e-12)
	f, _ := AdjustP(p, FDR)
	nearVec(t, "bh", f, []float64{0.04, 0.05333333333333334, 0.05333333333333334, 0.20}, 1e-12)
	b, _ := AdjustP(p, Bonferroni)
	nearVec(t, "bonferroni", b, []float64{0.04, 0.16, 0.12, 0.8}, 1e-12)
}

// Bootstrap and pairwise comparisons: a model equal to the data beats a
// noise model in every resample.
func TestBootstrapPairwise(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 1))
	x := randMat(rng, 25, 12)
	d, _ := ComputeRDM(x, Correlation, nil)
	noisy := randMat(rng, 25, 12)
	noisy.Add(noisy, x)
	good, _ := ComputeRDM(noisy, Correlation, nil)
	bad, _ := ComputeRDM(randMat(rng, 25, 12), Correlation, nil)
	bs, err := BootstrapStimuli(d, []*RDM{good, bad}, Spearman, 200, 0, rand.New(rand.NewPCG(1, 2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	obs, _ := CompareRDMs(d, good, Spearman)
	if !(bs.CILow[0] < obs && obs < bs.CIHigh[0]) || bs.CILow[0] <= bs.CIHigh[1] {
		t.Errorf("CI good [%g, %g] (obs %g), bad [%g, %g]", bs.CILow[0], bs.CIHigh[0], obs, bs.CILow[1], bs.CIHigh[1])
	}
	pw, err := PairwiseComparisons(bs, Holm)
	if err != nil {
		t.Fatal(err)
	}
	if pw.Diff[0][1] <= 0 || pw.P[0][1] != 2.0/200 {
		t.Errorf("pairwise diff %g p %g", pw.Diff[0][1], pw.P[0][1])
	}
}

// rsatoolbox noise ceiling: identical subjects give Lower = Upper = 1;
// noisy subjects give Lower < Upper.
func TestNoiseCeiling(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	base := randMat(rng, 20, 15)
	var same, noisy []*RDM
	for s := 0; s < 5; s++ {
		r, _ := ComputeRDM(base, Correlation, nil)
		same = append(same, r)
		n := randMat(rng, 20, 15)
		n.Add(n, base)
		r, _ = ComputeRDM(n, Correlation, nil)
		noisy = append(noisy, r)
	}
	for _, m := range []Compare{Cosine, Pearson, Spearman, TauA} {
		c, err := NoiseCeiling(same, m)
		if err != nil {
			t.Fatal(err)
		}
		near(t, string(m)+" identical lower", c.Lower, 1, 1e-12)
		near(t, string(m)+" identical upper", c.Upper, 1, 1e-12)
		c, _ = NoiseCeiling(noisy, m)
		if !(c.Lower < c.Upper && c.Upper < 1) {
			t.Errorf("%s noisy ceiling %+v", m, c)
		}
	}
}

// Predictivity: a noiseless linear readout is predicted almost perfectly;
// responses unrelated to the features score ≈ 0.
func TestPredictivity(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 9))
	x := randMat(rng, 200, 50)
	w := randMat(rng, 50, 6)
	var y mat.Dense
	y.Mul(x, w)
	res, err := Predictivity(x, &y, &PredictivitySettings{Alpha: 1e-6, Rand: rand.New(rand.NewPCG(1, 1))})
	if err != nil {
		t.Fatal(err)
	}
	if res.Score < 0.999 || len(res.PerSplit) != 10 {
		t.Errorf("linear readout score %g", res.Score)
	}
	res, _ = Predictivity(x, randMat(rng, 200, 6), nil)
	if math.Abs(res.Score) > 0.2 {
		t.Errorf("unrelated responses score %g", res.Score)
	}
}

// CKA permutation: the observed statistic equals LinearCKA; a permutation
// of both inputs' labels alike leaves CKA unchanged (so the identity is in
// the null's support); unrelated data give p well above 0.05 on average.
func TestCKAInference(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 1))
	x := randMat(rng, 30, 8)
	y := randMat(rng, 30, 5)
	y.Add(y, x.Slice(0, 30, 0, 5))
	gx, gy := NewGram(x, nil), NewGram(y, nil)
	want, _ := LinearCKA(gx, gy)
	res, err := PermutationTestCKA(gx, gy, 300, rand.New(rand.NewPCG(1, 1)), nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "observed CKA", res.Observed, want, 1e-12)
	if res.P != 1.0/301 {
		t.Errorf("related data p = %g", res.P)
	}
	// Each null value equals LinearCKA with y's rows permuted.
	seeds := drawSeeds(rand.New(rand.NewPCG(1, 1)), 5)
	for k := 0; k < 5; k++ {
		p := permFromSeed(30, seeds[k])
		yp := mat.NewDense(30, 5, nil)
		for i := range p {
			yp.SetRow(i, y.RawRowView(int(p[i])))
		}
		v, _ := LinearCKA(gx, NewGram(yp, nil))
		near(t, "CKA null", res.Null[k], v, 1e-12)
	}
	bs, err := BootstrapCKA(gx, []*Gram{gy, NewGram(randMat(rng, 30, 5), nil)}, 200, 0, rand.New(rand.NewPCG(2, 2)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !(bs.CILow[0] < want && want < bs.CIHigh[0]) || bs.Mean[1] >= bs.Mean[0] {
		t.Errorf("bootstrap CKA CI [%g, %g] for %g; unrelated mean %g", bs.CILow[0], bs.CIHigh[0], want, bs.Mean[1])
	}
}

// Kendall τ-a/τ-b by merge sort agree with the O(n²) pair count on data
// with many ties.
func TestKendallBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 1))
	for trial := 0; trial < 20; trial++ {
		n := 2 + rng.IntN(60)
		a, b := make([]float64, n), make([]float64, n)
		for i := range a {
			a[i], b[i] = float64(rng.IntN(5)), float64(rng.IntN(4))
		}
		var conc, disc, ta, tb float64
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				s := (a[i] - a[j]) * (b[i] - b[j])
				switch {
				case s > 0:
					conc++
				case s < 0:
					disc++
				}
				if a[i] == a[j] {
					ta++
				}
				if b[i] == b[j] {
					tb++
				}
			}
		}
		n0 := float64(n*(n-1)) / 2
		gotA, _ := CompareVectors(a, b, TauA)
		near(t, "tau-a", gotA, (conc-disc)/n0, 1e-12)
		if ta < n0 && tb < n0 {
			gotB, _ := CompareVectors(a, b, TauB)
			near(t, "tau-b", gotB, (conc-disc)/math.Sqrt((n0-ta)*(n0-tb)), 1e-12)
		}
	}
}

// corr_cov ignores a constant added to either RDM; cosine_cov does not.
func TestWhitenedCorrelation(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	a, _ := ComputeRDM(randMat(rng, 12, 4), Euclidean, nil)
	b, _ := ComputeRDM(randMat(rng, 12, 4), Euclidean, nil)
	shift := &RDM{N: b.N, Vec: make([]float64, len(b.Vec))}
	for i, v := range b.Vec {
		shift.Vec[i] = v + 3
	}
	c1, _ := CompareRDMs(a, b, WhitenedCorrelation)
	c2, _ := CompareRDMs(a, shift, WhitenedCorrelation)
	near(t, "corr_cov shift invariance", c2, c1, 1e-12)
	w1, _ := CompareRDMs(a, b, WhitenedCosine)
	w2, _ := CompareRDMs(a, shift, WhitenedCosine)
	if math.Abs(w1-w2) < 1e-6 {
		t.Errorf("cosine_cov unchanged by a shift (%g)", w1)
	}
}

// Crossnobis with a non-identity precision on two folds equals the
// closed form of analysis-methods.md B5 averaged over both directions.
func TestCrossnobisPrecision(t *testing.T) {
	tr := &Trials{
		Data: mat.NewDense(4, 2, []float64{1, 0, 0, 0, .5, .5, 0, .5}),
		Cond: []int{1, 2, 1, 2},
		Fold: []int{0, 0, 1, 1},
	}
	prec := mat.NewSymDense(2, []float64{2, .5, .5, 1})
	r, err := CrossnobisRDM(tr, prec, nil)
	if err != nil {
		t.Fatal(err)
	}
	// a1−a2 = (1,0), b1−b2 = (0.5,0): (1,0)·Λ·(0.5,0) = 2·0.5 = 1, /P = 0.5,
	// the same with the folds swapped.
	near(t, "crossnobis Λ", r.Vec[0], 0.5, 1e-15)
}

// RBF CKA under both bandwidth conventions matches a numpy transcription
// of the definitions in analysis-methods.md B5 (Kornblith gram_rbf with
// threshold θ; Brain-Score σ² = median of non-zero squared distances).
func TestRBFCKAMatchesNumpy(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	x, y := randMat(rng, 15, 6), randMat(rng, 15, 3)
	y.Add(y, x.Slice(0, 15, 0, 3))
	gx, gy := NewGram(x, nil), NewGram(y, nil)
	k1, err := RBFCKA(gx, gy, Bandwidth{Convention: KornblithMedian, Threshold: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := RBFCKA(gx, gy, Bandwidth{Convention: BrainScoreMedian})
	self, _ := RBFCKA(gx, gx, Bandwidth{})
	near(t, "RBF CKA self", self, 1, 1e-12)
	var want []float64
	sklearnRef(t, `
X, Y = np.array(d["x"]), np.array(d["y"])
def sqd(Z):
    return ((Z[:, None, :] - Z[None, :, :])**2).sum(-1)  # exact zeros on the diagonal
def kornblith(Z, th):
    D = sqd(Z); return np.exp(-D / (2 * th**2 * np.median(D)))
def brainscore(Z):
    D = sqd(Z); s2 = np.median(D[D != 0]); return np.exp(-D / (2 * s2))
def cka(K, L):
    n = K.shape[0]; H = np.eye(n) - 1 / n; K, L = H @ K @ H, H @ L @ H
    return (K * L).sum() / np.linalg.norm(K) / np.linalg.norm(L)
print(json.dumps([cka(kornblith(X, .5), kornblith(Y, .5)), cka(brainscore(X), brainscore(Y))]))`,
		map[string]any{"x": rows(x), "y": rows(y)}, &want)
	near(t, "RBF CKA kornblith θ=0.5", k1, want[0], 1e-10)
	near(t, "RBF CKA brainscore", k2, want[1], 1e-10)
}

func TestSpikeRatesAndNewTrials(t *testing.T) {
	trains := [][]float64{{0.1, 0.5, 0.9, 1.2}, {}, {1.0, 1.5}}
	r, err := SpikeRates(trains, []float64{0, 1}, []float64{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	// unit 0: 3 spikes in [0,1), 1 in [1,2); unit 2: 0 then 2 (1.0 counts in [1,2)).
	nearVec(t, "rates", r.RawMatrix().Data, []float64{3, 0, 0, 1, 0, 2}, 0)
	tr, err := NewTrials(mat.NewDense(5, 1, []float64{1, 2, 3, 4, 5}), []int{0, -1, 1, 0, 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Cond) != 4 || tr.Fold[2] != 1 || tr.Fold[3] != 1 || tr.Data.At(1, 0) != 3 {
		t.Errorf("trials %+v folds %v", tr.Cond, tr.Fold)
	}
	if _, err := SpikeRates(trains, []float64{1}, []float64{1}); err == nil {
		t.Error("empty window accepted")
	}
}

// Leave-one-out penalty choice equals scikit-learn RidgeCV (alphas = the
// Brain-Score grid, fit_intercept=True); predictions then match Ridge.
func TestRidgeLOOMatchesSklearn(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 1))
	x, w := randMat(rng, 40, 60), randMat(rng, 60, 3)
	var y mat.Dense
	y.Mul(x, w)
	noise := randMat(rng, 40, 3)
	noise.Scale(4, noise)
	y.Add(&y, noise)
	train, _ := shuffleSplit(40, 0.1, nil, rng)
	grid := BrainScoreAlphas()
	got, err := RidgeLOOAlpha(NewGram(x, nil), &y, train, grid)
	if err != nil {
		t.Fatal(err)
	}
	var want float64
	sklearnRef(t, `
from sklearn.linear_model import RidgeCV
X, Y = np.array(d["x"]), np.array(d["y"])
m = RidgeCV(alphas=np.array(d["grid"]), fit_intercept=True).fit(X[d["train"]], Y[d["train"]])
print(json.dumps(float(m.alpha_)))`,
		map[string]any{"x": rows(x), "y": rows(&y), "train": train, "grid": grid}, &want)
	if got != want || got == grid[0] || got == grid[98] {
		t.Errorf("LOO alpha %g, sklearn RidgeCV %g (an interior grid point is expected here)", got, want)
	}
	near(t, "grid ends", grid[0]*grid[98], 1e5, 1e-6)
}

// KernelAmplitudes (banded normal equations + Schur complement) equals the
// dense least-squares solution (gonum QR) of the same design, on
// overlapping responses with noise.
func TestKernelAmplitudesDense(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	h := DoubleExponential(0.05, 0.35)
	var onsets []float64
	for k := 0; k < 30; k++ {
		onsets = append(onsets, 1+0.25*float64(k)+0.05*rng.Float64())
	}
	ns := 400
	times := make([]float64, ns)
	x := mat.NewDense(ns, len(onsets)+1, nil)
	for s := range times {
		times[s] = float64(s) / 30
		for k, on := range onsets {
			if d := times[s] - on; d >= 0 && d < 3 {
				x.Set(s, k, h(d))
			}
		}
		x.Set(s, len(onsets), 1)
	}
	beta := randMat(rng, len(onsets)+1, 2)
	var y mat.Dense
	y.Mul(x, beta)
	noise := randMat(rng, ns, 2)
	noise.Scale(0.05, noise)
	y.Add(&y, noise)
	got, err := KernelAmplitudes(&y, times, onsets, h, 3)
	if err != nil {
		t.Fatal(err)
	}
	var qr mat.QR
	qr.Factorize(x)
	var want mat.Dense
	if err := qr.SolveTo(&want, false, &y); err != nil {
		t.Fatal(err)
	}
	for k := range onsets {
		for c := 0; c < 2; c++ {
			near(t, "amplitude", got.At(k, c), want.At(k, c), 1e-9)
		}
	}
	if _, err := KernelAmplitudes(&y, times, []float64{2, 1}, h, 3); err == nil {
		t.Error("unsorted onsets accepted")
	}
}

// Neuron split-half reliability: noiseless repetitions give 1; responses
// with no stimulus dependence give ≈ 0; a known signal-to-noise gives the
// Spearman–Brown value predicted by classical test theory.
func TestNeuronReliability(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	nc, reps, nn := 60, 8, 30
	sig := randMat(rng, nc, nn)
	mk := func(noise float64) *Trials {
		tr := &Trials{Data: mat.NewDense(nc*reps, nn, nil)}
		for r := 0; r < reps; r++ {
			for c := 0; c < nc; c++ {
				row := tr.Data.RawRowView(r*nc + c)
				for u := range row {
					row[u] = sig.At(c, u) + noise*rng.NormFloat64()
				}
				tr.Cond, tr.Fold = append(tr.Cond, c), append(tr.Fold, r)
			}
		}
		return tr
	}
	r, err := NeuronReliability(mk(0), 5, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	near(t, "noiseless reliability", r, 1, 1e-12)
	// Signal variance 1, noise variance 4 per trial: a half (4 repetitions)
	// has reliability 1/(1 + 4/4) = 0.5, Spearman–Brown of that = 2/3.
	r, _ = NeuronReliability(mk(2), 20, rand.New(rand.NewPCG(1, 1)))
	if math.Abs(r-2.0/3) > 0.06 {
		t.Errorf("reliability %g, want ≈ 0.667", r)
	}
}
