package decoding

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// LDA is linear discriminant analysis with a shared (pooled) covariance and
// class priors equal to the training class frequencies.
//
// With Shrinkage false it follows scikit-learn 1.2.1's
// LinearDiscriminantAnalysis(solver='svd'): features are scaled by their
// within-class standard deviation, the within-class scatter is whitened by
// an SVD keeping singular values > Tol, and the discriminant is restricted
// to the span of the class means. This handles more units than trials by
// dropping null directions.
//
// With Shrinkage true it follows solver='lsqr', shrinkage='auto': each class
// covariance is the Ledoit–Wolf estimate on standardised features (scaled
// back), the pooled covariance is their prior-weighted sum, and the
// discriminant solves Σ w_k = μ_k. Prefer it when units outnumber trials.
type LDA struct {
	Shrinkage bool
	// Tol is the singular-value threshold of the SVD solver; 0 means 1e-4
	// (sklearn's default).
	Tol float64

	classes   []int
	coef      *mat.Dense // features × classes
	intercept []float64
	// ShrinkageUsed holds the Ledoit–Wolf intensity per class after a
	// shrinkage fit.
	ShrinkageUsed []float64
}

// Classes implements Classifier.
func (m *LDA) Classes() []int { return m.classes }

// Coef returns the linear discriminant weights (features × classes) and
// intercepts: the decision value of class k is x·W[:,k] + b[k].
func (m *LDA) Coef() (*mat.Dense, []float64) { return m.coef, m.intercept }

// Fit implements Classifier.
func (m *LDA) Fit(x mat.Matrix, y []int) error {
	n, p, err := checkXY("lda", x, len(y))
	if err != nil {
		return err
	}
	classes, yi := encodeLabels(y)
	k := len(classes)
	if k < 2 {
		return fmt.Errorf("lda: %w", ErrFewClasses)
	}
	if n <= k {
		return fmt.Errorf("decoding: lda: %d trials for %d classes: %w", n, k, ErrNoData)
	}
	xd := dense(x)
	counts := make([]float64, k)
	means := mat.NewDense(k, p, nil)
	for i := 0; i < n; i++ {
		counts[yi[i]]++
		floats.Add(means.RawRowView(yi[i]), xd.RawRowView(i))
	}
	priors := make([]float64, k)
	for c := 0; c < k; c++ {
		floats.Scale(1/counts[c], means.RawRowView(c))
		priors[c] = counts[c] / float64(n)
	}
	if m.Shrinkage {
		err = m.fitShrinkage(xd, yi, means, priors, counts)
	} else {
		err = m.fitSVD(xd, yi, means, priors)
	}
	if err != nil {
		return err
	}
	m.classes = classes
	return nil
}

func (m *LDA) fitSVD(xd *mat.Dense, yi []int, means *mat.Dense, priors []float64) error {
	n, p := xd.Dims()
	k := len(priors)
	tol := m.Tol
	if tol == 0 {
		tol = 1e-4
	}
	// Within-class centred data, scaled by the per-feature std (ddof 0)
	// and by sqrt(1/(n−k)).
	xc := mat.NewDense(n, p, nil)
	std := make([]float64, p)
	for i := 0; i < n; i++ {
		row := xc.RawRowView(i)
		floats.SubTo(row, xd.RawRowView(i), means.RawRowView(yi[i]))
	}
	for j := 0; j < p; j++ {
		var s, s2 float64
		for i := 0; i < n; i++ {
			v := xc.At(i, j)
			s += v
			s2 += v * v
		}
		mu := s / float64(n)
		sd := math.Sqrt(math.Max(s2/float64(n)-mu*mu, 0))
		if sd == 0 {
			sd = 1
		}
		std[j] = sd
	}
	fac := math.Sqrt(1 / float64(n-k))
	for i := 0; i < n; i++ {
		row := xc.RawRowView(i)
		for j := range row {
			row[j] *= fac / std[j]
		}
	}
	sv, vt, err := thinSVD(xc)
	if err != nil {
		return fmt.Errorf("decoding: lda: %w", err)
	}
	rank := 0
	for _, s := range sv {
		if s > tol {
			rank++
		}
	}
	if rank == 0 {
		return fmt.Errorf("decoding: lda: within-class scatter has rank 0")
	}
	// scalings (p × rank) = (Vt[:rank]/std)ᵀ / S[:rank]
	scal := mat.NewDense(p, rank, nil)
	for r := 0; r < rank; r++ {
		for j := 0; j < p; j++ {
			scal.Set(j, r, vt.At(r, j)/std[j]/sv[r])
		}
	}
	xbar := make([]float64, p)
	for c := 0; c < k; c++ {
		floats.AddScaled(xbar, priors[c], means.RawRowView(c))
	}
	cm := mat.NewDense(k, p, nil) // centred means
	bfac := 1 / float64(k-1)
	for c := 0; c < k; c++ {
		floats.SubTo(cm.RawRowView(c), means.RawRowView(c), xbar)
	}
	var between mat.Dense
	between.Mul(cm, scal)
	for c := 0; c < k; c++ {
		floats.Scale(math.Sqrt(float64(n)*priors[c]*bfac), between.RawRowView(c))
	}
	var svd mat.SVD
	if !svd.Factorize(&between, mat.SVDThin) {
		return fmt.Errorf("decoding: lda: SVD of class means did not converge")
	}
	s2 := svd.Values(nil)
	rank2 := 0
	for _, s := range s2 {
		if s > tol*s2[0] {
			rank2++
		}
	}
	var v2 mat.Dense
	svd.VTo(&v2)
	var scalings mat.Dense // p × rank2
	scalings.Mul(scal, v2.Slice(0, rank, 0, rank2))
	var proj mat.Dense // k × rank2
	proj.Mul(cm, &scalings)
	m.intercept = make([]float64, k)
	for c := 0; c < k; c++ {
		row := proj.RawRowView(c)
		m.intercept[c] = -0.5*floats.Dot(row, row) + math.Log(priors[c])
	}
	coef := mat.NewDense(p, k, nil)
	coef.Mul(&scalings, proj.T())
	for c := 0; c < k; c++ {
		m.intercept[c] -= floats.Dot(xbar, mat.Col(nil, c, coef))
	}
	m.coef = coef
	return nil
}

// thinSVD returns the singular values (descending) and the right singular
// vectors (rows of vt) of a, computed from the smaller Gram matrix.
func thinSVD(a *mat.Dense) ([]float64, *mat.Dense, error) {
	n, p := a.Dims()
	var g mat.SymDense
	var eig mat.EigenSym
	if n >= p {
		g.SymOuterK(1, a.T())
		if !eig.Factorize(&g, true) {
			return nil, nil, fmt.Errorf("eigendecomposition failed")
		}
		ev := eig.Values(nil)
		var vecs mat.Dense
		eig.VectorsTo(&vecs)
		sv := make([]float64, p)
		vt := mat.NewDense(p, p, nil)
		for r := 0; r < p; r++ {
			src := p - 1 - r // eigenvalues ascend
			sv[r] = math.Sqrt(math.Max(ev[src], 0))
			for j := 0; j < p; j++ {
				vt.Set(r, j, vecs.At(j, src))
			}
		}
		return sv, vt, nil
	}
	g.SymOuterK(1, a)
	if !eig.Factorize(&g, true) {
		return nil, nil, fmt.Errorf("eigendecomposition failed")
	}
	ev := eig.Values(nil)
	var u mat.Dense
	eig.VectorsTo(&u)
	sv := make([]float64, n)
	vt := mat.NewDense(n, p, nil)
	for r := 0; r < n; r++ {
		src := n - 1 - r
		s := math.Sqrt(math.Max(ev[src], 0))
		sv[r] = s
		if s == 0 {
			continue
		}
		// v_r = aᵀ u_r / s
		row := vt.RawRowView(r)
		for i := 0; i < n; i++ {
			floats.AddScaled(row, u.At(i, src)/s, a.RawRowView(i))
		}
	}
	return sv, vt, nil
}

func (m *LDA) fitShrinkage(xd *mat.Dense, yi []int, means *mat.Dense, priors, counts []float64) error {
	n, p := xd.Dims()
	k := len(priors)
	cov := mat.NewSymDense(p, nil)
	m.ShrinkageUsed = make([]float64, k)
	for c := 0; c < k; c++ {
		idx := make([]int, 0, int(counts[c]))
		for i := 0; i < n; i++ {
			if yi[i] == c {
				idx = append(idx, i)
			}
		}
		xg := rowsOf(xd, idx)
		s, shrink := ledoitWolfScaled(xg)
		m.ShrinkageUsed[c] = shrink
		cov.AddSym(cov, scaledSym(s, priors[c]))
	}
	// coef = lstsq(cov, meansᵀ): minimum-norm least squares via SVD.
	var svd mat.SVD
	if !svd.Factorize(cov, mat.SVDThin) {
		return fmt.Errorf("decoding: lda: SVD of shrunk covariance did not converge")
	}
	sv := svd.Values(nil)
	rank := 0
	for _, s := range sv {
		if s > sv[0]*float64(p)*2.220446049250313e-16 {
			rank++
		}
	}
	coef := mat.NewDense(p, k, nil)
	svd.SolveTo(coef, means.T(), rank)
	m.intercept = make([]float64, k)
	for c := 0; c < k; c++ {
		m.intercept[c] = -0.5*floats.Dot(means.RawRowView(c), mat.Col(nil, c, coef)) + math.Log(priors[c])
	}
	m.coef = coef
	return nil
}

func scaledSym(s *mat.SymDense, f float64) *mat.SymDense {
	s.ScaleSym(f, s)
	return s
}

// ledoitWolfScaled is scikit-learn's _cov(X, shrinkage='auto'): standardise
// the columns (ddof 0, constant columns scale 1), take the Ledoit–Wolf
// shrunk covariance and scale it back. It returns the covariance and the
// shrinkage intensity.
func ledoitWolfScaled(x *mat.Dense) (*mat.SymDense, float64) {
	var sc Scaler
	sc.Fit(x)
	z := sc.Transform(x)
	s, shrink := LedoitWolf(z)
	p := len(sc.Scale)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			s.SetSym(i, j, s.At(i, j)*sc.Scale[i]*sc.Scale[j])
		}
	}
	return s, shrink
}

// LedoitWolf returns the Ledoit–Wolf shrunk covariance of x (samples ×
// features; centred here, normalised by the number of samples) and the
// shrinkage intensity, as scikit-learn's covariance.ledoit_wolf.
func LedoitWolf(x mat.Matrix) (*mat.SymDense, float64) {
	n, p := x.Dims()
	xc := mat.DenseCopyOf(x)
	for j := 0; j < p; j++ {
		var mu float64
		for i := 0; i < n; i++ {
			mu += xc.At(i, j)
		}
		mu /= float64(n)
		for i := 0; i < n; i++ {
			xc.Set(i, j, xc.At(i, j)-mu)
		}
	}
	emp := mat.NewSymDense(p, nil)
	emp.SymOuterK(1/float64(n), xc.T())
	if p == 1 {
		return emp, 0
	}
	var trace, beta, delta float64
	for i := 0; i < p; i++ {
		trace += emp.At(i, i)
	}
	mu := trace / float64(p)
	for i := 0; i < n; i++ {
		row := xc.RawRowView(i)
		s := floats.Dot(row, row)
		beta += s * s
	}
	for i := 0; i < p; i++ {
		for j := 0; j < p; j++ {
			v := emp.At(i, j) // = (XᵀX)_ij / n
			delta += v * v
		}
	}
	// delta_ in sklearn = ||XᵀX||²_F / n² = Σ emp², as above.
	b := 1 / float64(p*n) * (beta/float64(n) - delta)
	d := (delta - 2*mu*trace + float64(p)*mu*mu) / float64(p)
	b = math.Min(b, d)
	shrink := 0.0
	if b != 0 {
		shrink = b / d
	}
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			v := (1 - shrink) * emp.At(i, j)
			if i == j {
				v += shrink * mu
			}
			emp.SetSym(i, j, v)
		}
	}
	return emp, shrink
}

func (m *LDA) decision(x mat.Matrix) *mat.Dense {
	if m.coef == nil {
		panic(ErrNotFitted)
	}
	p, _ := m.coef.Dims()
	checkCols("lda", x, p)
	return affineRows(x, m.coef, m.intercept)
}

// Predict implements Classifier.
func (m *LDA) Predict(dst []int, x mat.Matrix) []int {
	return argmaxRows(dst, m.decision(x), m.classes)
}

// PredictProba implements ProbClassifier (softmax of the decision values).
func (m *LDA) PredictProba(dst *mat.Dense, x mat.Matrix) *mat.Dense {
	return softmaxInto(dst, m.decision(x))
}
