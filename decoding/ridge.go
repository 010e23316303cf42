package decoding

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// Ridge is linear regression with an L2 penalty for continuous targets
// (position, speed, cos/sin of an angle): it minimises
// ||Y − XW − 1bᵀ||² + Alpha ||W||² with an unpenalised intercept
// (scikit-learn's Ridge(alpha, fit_intercept=True)); Alpha = 0 is ordinary
// least squares (minimum-norm when X is rank deficient). The solution is
// computed from the Gram matrix of the smaller side, so more units than
// trials is cheap.
type Ridge struct {
	Alpha float64

	w    *mat.Dense // features × outputs
	b    []float64
	xbar []float64
}

// Coef returns the weights (features × outputs) and intercepts.
func (m *Ridge) Coef() (*mat.Dense, []float64) { return m.w, m.b }

// Fit implements Regressor. y is trials × outputs.
func (m *Ridge) Fit(x, y mat.Matrix) error {
	n, p, err := checkXY("ridge", x, func() int { r, _ := y.Dims(); return r }())
	if err != nil {
		return err
	}
	if m.Alpha < 0 || math.IsNaN(m.Alpha) {
		return fmt.Errorf("decoding: ridge: alpha %g must be ≥ 0", m.Alpha)
	}
	_, q := y.Dims()
	xc := mat.DenseCopyOf(x)
	yc := mat.DenseCopyOf(y)
	xbar := colMeans(xc)
	ybar := colMeans(yc)
	for i := 0; i < n; i++ {
		floats.Sub(xc.RawRowView(i), xbar)
		floats.Sub(yc.RawRowView(i), ybar)
	}
	w := mat.NewDense(p, q, nil)
	if n >= p {
		// (XᵀX + αI) W = XᵀY
		var g mat.SymDense
		g.SymOuterK(1, xc.T())
		for j := 0; j < p; j++ {
			g.SetSym(j, j, g.At(j, j)+m.Alpha)
		}
		var xty mat.Dense
		xty.Mul(xc.T(), yc)
		if err := solveSym(w, &g, &xty); err != nil {
			return fmt.Errorf("decoding: ridge: %w", err)
		}
	} else {
		// W = Xᵀ (XXᵀ + αI)⁻¹ Y (dual form)
		var g mat.SymDense
		g.SymOuterK(1, xc)
		for i := 0; i < n; i++ {
			g.SetSym(i, i, g.At(i, i)+m.Alpha)
		}
		a := mat.NewDense(n, q, nil)
		if err := solveSym(a, &g, yc); err != nil {
			return fmt.Errorf("decoding: ridge: %w", err)
		}
		w.Mul(xc.T(), a)
	}
	b := make([]float64, q)
	for k := 0; k < q; k++ {
		b[k] = ybar[k] - floats.Dot(xbar, mat.Col(nil, k, w))
	}
	m.w, m.b, m.xbar = w, b, xbar
	return nil
}

// solveSym solves g·dst = rhs by Cholesky, falling back to the minimum-norm
// least-squares solution when g is singular.
func solveSym(dst *mat.Dense, g *mat.SymDense, rhs mat.Matrix) error {
	var ch mat.Cholesky
	if ch.Factorize(g) {
		if err := ch.SolveTo(dst, rhs); err == nil {
			return nil
		}
	}
	var svd mat.SVD
	if !svd.Factorize(g, mat.SVDThin) {
		return fmt.Errorf("SVD did not converge")
	}
	sv := svd.Values(nil)
	r, _ := g.Dims()
	rank := 0
	for _, s := range sv {
		if s > sv[0]*float64(r)*2.220446049250313e-16 {
			rank++
		}
	}
	if rank == 0 {
		dst.Zero()
		return nil
	}
	svd.SolveTo(dst, rhs, rank)
	return nil
}

func colMeans(a *mat.Dense) []float64 {
	r, c := a.Dims()
	m := make([]float64, c)
	for i := 0; i < r; i++ {
		floats.Add(m, a.RawRowView(i))
	}
	floats.Scale(1/float64(r), m)
	return m
}

// Predict implements Regressor.
func (m *Ridge) Predict(dst *mat.Dense, x mat.Matrix) *mat.Dense {
	if m.w == nil {
		panic(ErrNotFitted)
	}
	p, q := m.w.Dims()
	checkCols("ridge", x, p)
	r, _ := x.Dims()
	if dst == nil {
		dst = &mat.Dense{}
	}
	if dst.IsEmpty() {
		dst.ReuseAs(r, q)
	}
	dst.Mul(x, m.w)
	for i := 0; i < r; i++ {
		floats.Add(dst.RawRowView(i), m.b)
	}
	return dst
}

// R2 returns the coefficient of determination 1 − SS_res/SS_tot of each
// output column (scikit-learn's r2_score with multioutput='raw_values';
// a constant target gives 1 if predicted exactly, else 0).
func R2(yTrue, yPred mat.Matrix) []float64 {
	r, q := yTrue.Dims()
	if r2, q2 := yPred.Dims(); r2 != r || q2 != q {
		panic("decoding: R2: shape mismatch")
	}
	out := make([]float64, q)
	for k := 0; k < q; k++ {
		var mu float64
		for i := 0; i < r; i++ {
			mu += yTrue.At(i, k)
		}
		mu /= float64(r)
		var res, tot float64
		for i := 0; i < r; i++ {
			d := yTrue.At(i, k) - yPred.At(i, k)
			res += d * d
			e := yTrue.At(i, k) - mu
			tot += e * e
		}
		switch {
		case tot != 0:
			out[k] = 1 - res/tot
		case res == 0:
			out[k] = 1
		default:
			out[k] = 0
		}
	}
	return out
}

// CircularError returns |wrap(a − b)| in radians, in [0, π], for each pair
// of angles (radians).
func CircularError(dst, a, b []float64) []float64 {
	if len(a) != len(b) {
		panic("decoding: CircularError: length mismatch")
	}
	if cap(dst) < len(a) {
		dst = make([]float64, len(a))
	}
	dst = dst[:len(a)]
	for i := range a {
		d := math.Mod(a[i]-b[i], 2*math.Pi)
		if d < 0 {
			d += 2 * math.Pi
		}
		if d > math.Pi {
			d = 2*math.Pi - d
		}
		dst[i] = d
	}
	return dst
}

// AngleTargets returns the trials × 2 regression targets (cos θ, sin θ) for
// angles in radians, the usual way to decode a circular variable linearly.
func AngleTargets(theta []float64) *mat.Dense {
	y := mat.NewDense(len(theta), 2, nil)
	for i, t := range theta {
		y.Set(i, 0, math.Cos(t))
		y.Set(i, 1, math.Sin(t))
	}
	return y
}

// Angles converts predicted (cos, sin) rows back to angles in [0, 2π).
func Angles(dst []float64, cs mat.Matrix) []float64 {
	r, _ := cs.Dims()
	if cap(dst) < r {
		dst = make([]float64, r)
	}
	dst = dst[:r]
	for i := 0; i < r; i++ {
		a := math.Atan2(cs.At(i, 1), cs.At(i, 0))
		if a < 0 {
			a += 2 * math.Pi
		}
		dst[i] = a
	}
	return dst
}

// RegressionResult is the outcome of a cross-validated regression.
type RegressionResult struct {
	// Predicted holds the out-of-fold predictions (trials × outputs).
	Predicted *mat.Dense
	// R2 is computed per output on the pooled out-of-fold predictions.
	R2 []float64
	// FoldR2[k] is R2 on the test trials of fold k.
	FoldR2 [][]float64
}

// CrossValidateRegression fits newModel() per fold (in parallel) and
// predicts the held-out trials.
func CrossValidateRegression(newModel func() Regressor, x, y mat.Matrix, folds Folds, s *Settings) (*RegressionResult, error) {
	yr, q := y.Dims()
	n, _, err := checkXY("regression", x, yr)
	if err != nil {
		return nil, err
	}
	if err := folds.validate(n); err != nil {
		return nil, err
	}
	splits := makeSplits(x, folds)
	pred := mat.NewDense(n, q, nil)
	res := &RegressionResult{Predicted: pred, FoldR2: make([][]float64, len(splits))}
	err = parallelFor(len(splits), s.workers(), func(f int) error {
		sp := splits[f]
		m := newModel()
		if err := m.Fit(sp.trainX, rowsOf(y, sp.train)); err != nil {
			return fmt.Errorf("fold %d: %w", f, err)
		}
		p := m.Predict(nil, sp.testX)
		for i, t := range sp.test {
			pred.SetRow(t, p.RawRowView(i))
		}
		res.FoldR2[f] = R2(rowsOf(y, sp.test), p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decoding: cross-validation: %w", err)
	}
	res.R2 = R2(y, pred)
	return res, nil
}
