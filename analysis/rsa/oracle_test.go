package rsa

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/analysis/rsa/activations"
	"gonum.org/v1/gonum/mat"
)

// Oracles from ../shared/reference/analysis-methods.md section C1; the
// expected numbers are copied from its table / C3 output and cited per case.

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) {
		t.Errorf("%s = %.12g, want %.12g (tol %g)", name, got, want, tol)
	}
}

func nearVec(t *testing.T, name string, got, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s has %d entries, want %d", name, len(got), len(want))
	}
	for i := range got {
		near(t, name, got[i], want[i], tol)
	}
}

// nearMat compares got with the rows of want (a reference's nested lists).
func nearMat(t *testing.T, name string, got mat.Matrix, want [][]float64, tol float64) {
	t.Helper()
	if r, _ := got.Dims(); r != len(want) {
		t.Fatalf("%s has %d rows, want %d", name, r, len(want))
	}
	for i := range want {
		nearVec(t, name, mat.Row(nil, i, got), want[i], tol)
	}
}

// O9a: rsatoolbox euclidean RDM of X = [[0,0],[1,0],[0,2]] = [0.5, 2.0, 2.5], exact.
// O9b: correlation RDM of Y = [[1,2,3],[2,4,7],[3,1,2]] = [0.0066007, 1.5, 1.3973597], 1e-7.
// O9c: Poisson RDM λ1 = (2,4), λ2 = (8,1), prior 1, w 0.1 = 5.475723, 1e-6.
func TestOracleO9(t *testing.T) {
	x := mat.NewDense(3, 2, []float64{0, 0, 1, 0, 0, 2})
	r, err := ComputeRDM(x, Euclidean, nil)
	if err != nil {
		t.Fatal(err)
	}
	nearVec(t, "O9a euclidean", r.Vec, []float64{0.5, 2.0, 2.5}, 0)
	// Streaming the same matrix in 1-column blocks must agree exactly.
	g, err := GramFrom(FromMatrix(x), &Settings{BlockCols: 1, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	nearVec(t, "O9a streamed", EuclideanRDM(g).Vec, []float64{0.5, 2.0, 2.5}, 0)

	y := mat.NewDense(3, 3, []float64{1, 2, 3, 2, 4, 7, 3, 1, 2})
	r, _ = ComputeRDM(y, Correlation, nil)
	nearVec(t, "O9b correlation", r.Vec, []float64{0.0066007, 1.5, 1.3973597}, 1e-7)

	lam := mat.NewDense(2, 2, []float64{2, 4, 8, 1})
	r, err = PoissonRDM(lam, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "O9c poisson", r.Vec[0], 5.475723, 1e-6)
	r, _ = PoissonRDM(lam, &PoissonPrior{Lambda: 1, Weight: 0.1})
	near(t, "O9c poisson explicit prior", r.Vec[0], 5.475723, 1e-6)
}

// O20: crossnobis with a1−a2 = (1,0), b1−b2 = (0.5,0) (P = 2, Λ = I) = 0.25;
// Mahalanobis with Λ = [[2,.5],[.5,1]], Δ = (1,2) = 4.0; both exact.
func TestOracleO20(t *testing.T) {
	// Two folds: fold 0 holds a1 = (1,0), a2 = (0,0); fold 1 holds b1 = (.5,.5), b2 = (0,.5)
	// (the vectors of oracles.py). Leaving out either fold gives the same product.
	tr := &Trials{
		Data: mat.NewDense(4, 2, []float64{1, 0, 0, 0, .5, .5, 0, .5}),
		Cond: []int{1, 2, 1, 2},
		Fold: []int{0, 0, 1, 1},
	}
	r, err := CrossnobisRDM(tr, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "O20 crossnobis", r.Vec[0], 0.25, 0)
	r, _ = CrossnobisRDM(tr, mat.NewSymDense(2, []float64{1, 0, 0, 1}), nil)
	near(t, "O20 crossnobis Λ=I", r.Vec[0], 0.25, 0)

	x := mat.NewDense(2, 2, []float64{1, 2, 0, 0})
	r, err = MahalanobisRDM(x, mat.NewSymDense(2, []float64{2, .5, .5, 1}), nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "O20 mahalanobis", r.Vec[0], 4.0, 0)
}

// O10: a = [1,2,2,3,4,4,5], b = [2,1,3,3,5,4,4]: spearman 0.833333,
// pearson 0.788486, τ-b 0.684211, τ-a 0.619048, ρ-a 0.803571,
// cosine 0.968246 (tol 1e-6).
func TestOracleO10(t *testing.T) {
	a := []float64{1, 2, 2, 3, 4, 4, 5}
	b := []float64{2, 1, 3, 3, 5, 4, 4}
	want := map[Compare]float64{Spearman: 0.833333, Pearson: 0.788486, TauB: 0.684211, TauA: 0.619048, RhoA: 0.803571, Cosine: 0.968246}
	for m, w := range want {
		got, err := CompareVectors(a, b, m)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "O10 "+string(m), got, w, 1e-6)
	}
}

func loadO11(t *testing.T) map[string]*mat.Dense {
	t.Helper()
	arrs, err := activations.Open(filepath.Join("../../testdata/npy", "oracle_o11.npz"))
	if err != nil {
		t.Fatalf("O11 inputs (testdata/gen/make_npy.py): %v", err)
	}
	out := map[string]*mat.Dense{}
	for _, a := range arrs {
		if len(a.Shape) == 1 {
			out[a.Name] = mat.NewDense(a.Shape[0], 1, a.Data)
		} else {
			out[a.Name], _ = a.Matrix()
		}
	}
	return out
}

// O11a: 1-D linear CKA = r² = 0.295437 (identity, 1e-12 against r²).
// O11b: CKA(X, 3XQ) = 1 (1e-12).
// O11c: linear 0.6281257, debiased 0.5908317 (oracles.py output 0.6281256532089196,
// 0.5908316806976395), forms agree to 1e-10.
// O11d: whitened RDM cosine of squared-Euclidean RDMs = 0.6281257 (1e-12 to CKA).
// O11e: deterministic example 0.3814929 (1e-7).
func TestOracleO11(t *testing.T) {
	d := loadO11(t)
	gx, gy := NewGram(d["x"], nil), NewGram(d["y"], nil)
	cka, _ := LinearCKA(gx, gy)
	r, _ := CompareVectors(d["x"].RawMatrix().Data, d["y"].RawMatrix().Data, Pearson)
	near(t, "O11a CKA vs r²", cka, r*r, 1e-12)
	near(t, "O11a value", cka, 0.29543702439249747, 1e-12)

	X, Y, Q := d["X"], d["Y"], d["Q"]
	var xq mat.Dense
	xq.Mul(X, Q)
	xq.Scale(3, &xq)
	cka, _ = LinearCKA(NewGram(X, nil), NewGram(&xq, nil))
	near(t, "O11b invariance", cka, 1, 1e-12)

	lin, deb, err := CKA(X, Y, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "O11c linear", lin, 0.6281256532089196, 1e-10)
	near(t, "O11c debiased", deb, 0.5908316806976395, 1e-10)

	// O11d: rsatoolbox cosine_cov on squared-Euclidean RDMs (our RDM has /P,
	// a scale the cosine ignores).
	rx, _ := ComputeRDM(X, Euclidean, nil)
	ry, _ := ComputeRDM(Y, Euclidean, nil)
	wc, err := CompareRDMs(rx, ry, WhitenedCosine)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "O11d whitened cosine", wc, lin, 1e-12)

	xd := mat.NewDense(5, 2, []float64{1, 0, 0, 1, 1, 1, 2, 0, 0, 3})
	yd := mat.NewDense(5, 1, []float64{1, 2, 2, 4, 1})
	cka, _ = LinearCKA(NewGram(xd, nil), NewGram(yd, nil))
	near(t, "O11e", cka, 0.3814929, 1e-7)
}

// O12: Spearman–Brown(0.6) = 0.75; ceiled score r²/ceiling for r = 0.5 = 1/3 (1e-12).
func TestOracleO12(t *testing.T) {
	near(t, "O12 Spearman–Brown", SpearmanBrown(0.6, 2), 0.75, 1e-12)
	near(t, "O12 ceiled", CeiledScore(0.5, SpearmanBrown(0.6, 2)), 1.0/3, 1e-12)
}
