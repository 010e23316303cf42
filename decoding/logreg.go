package decoding

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize"
)

// Scaler standardises features to zero mean and unit variance (population
// standard deviation, ddof = 0; constant features keep scale 1), as
// scikit-learn's StandardScaler.
type Scaler struct {
	Mean, Scale []float64
}

// Fit estimates the per-column mean and standard deviation of x.
func (s *Scaler) Fit(x mat.Matrix) {
	r, c := x.Dims()
	s.Mean = make([]float64, c)
	s.Scale = make([]float64, c)
	for j := 0; j < c; j++ {
		var m float64
		for i := 0; i < r; i++ {
			m += x.At(i, j)
		}
		m /= float64(r)
		var v float64
		for i := 0; i < r; i++ {
			d := x.At(i, j) - m
			v += d * d
		}
		sd := math.Sqrt(v / float64(r))
		if sd == 0 {
			sd = 1
		}
		s.Mean[j], s.Scale[j] = m, sd
	}
}

// Transform returns (x − mean)/scale as a new matrix.
func (s *Scaler) Transform(x mat.Matrix) *mat.Dense {
	out := mat.DenseCopyOf(x)
	r, _ := out.Dims()
	for i := 0; i < r; i++ {
		row := out.RawRowView(i)
		for j := range row {
			row[j] = (row[j] - s.Mean[j]) / s.Scale[j]
		}
	}
	return out
}

// LogisticRegression is multinomial logistic regression with an L2 penalty,
// fitted with L-BFGS (gonum/optimize). It minimises
//
//	Σ_trials [logsumexp_k(z_k) − z_y] + ||W||²/(2C),  z = xW + b,
//
// the objective of scikit-learn 1.2.1's LogisticRegression(penalty='l2',
// solver='lbfgs', multi_class='multinomial'); the intercept is not
// penalised. The zero value is usable.
type LogisticRegression struct {
	// C is the inverse regularisation strength; 0 means 1.
	C float64
	// Standardize fits a Scaler on the training data and applies it before
	// the model (scikit-learn make_pipeline(StandardScaler(), ...)).
	Standardize bool
	// MaxIter bounds the L-BFGS iterations; 0 means 1000.
	MaxIter int
	// Tol is the gradient infinity-norm threshold; 0 means 1e-4 (sklearn tol).
	Tol float64

	// Fitted state.
	Iterations int // L-BFGS major iterations used
	classes    []int
	scaler     *Scaler
	w          *mat.Dense // classes × features
	b          []float64
}

// Classes implements Classifier.
func (m *LogisticRegression) Classes() []int { return m.classes }

// Coef returns the fitted weights (classes × features, in standardised
// units when Standardize is set) and intercepts.
func (m *LogisticRegression) Coef() (*mat.Dense, []float64) { return m.w, m.b }

// Fit implements Classifier.
func (m *LogisticRegression) Fit(x mat.Matrix, y []int) error {
	n, p, err := checkXY("logistic regression", x, len(y))
	if err != nil {
		return err
	}
	classes, yi := encodeLabels(y)
	k := len(classes)
	if k < 2 {
		return fmt.Errorf("logistic regression: %w", ErrFewClasses)
	}
	var xd *mat.Dense
	m.scaler = nil
	if m.Standardize {
		m.scaler = &Scaler{}
		m.scaler.Fit(x)
		xd = m.scaler.Transform(x)
	} else {
		xd = dense(x)
	}
	c := m.C
	if c == 0 {
		c = 1
	}
	if c < 0 {
		return fmt.Errorf("decoding: logistic regression: C = %g must be positive", c)
	}
	lambda := 1 / c
	maxIter := m.MaxIter
	if maxIter <= 0 {
		maxIter = 1000
	}
	tol := m.Tol
	if tol <= 0 {
		tol = 1e-4
	}

	// Parameters: W as classes × features (row-major), then b (classes).
	// The products use row dot products and axpys, which beat a general
	// matrix multiply for the few columns (classes) of a decoding problem.
	nw := p * k
	z := make([]float64, k)
	fg := func(grad, par []float64) float64 {
		w, b := par[:nw], par[nw:]
		if grad != nil {
			clear(grad)
		}
		var loss float64
		for i := 0; i < n; i++ {
			xi := xd.RawRowView(i)
			for c := 0; c < k; c++ {
				z[c] = floats.Dot(xi, w[c*p:(c+1)*p]) + b[c]
			}
			zy := z[yi[i]]
			mx, s := expShifted(z)
			loss += mx + math.Log(s) - zy // −log p_y
			if grad == nil {
				continue
			}
			for c := 0; c < k; c++ {
				r := z[c] / s // P − Y
				if c == yi[i] {
					r--
				}
				if r != 0 {
					floats.AddScaled(grad[c*p:(c+1)*p], r, xi)
				}
				grad[nw+c] += r
			}
		}
		loss += 0.5 * lambda * floats.Dot(w, w)
		if grad != nil {
			floats.AddScaled(grad[:nw], lambda, w)
		}
		return loss
	}
	// gonum asks for the value and the gradient at the same point in two
	// calls; compute both once and serve the second call from the cache.
	cacheX := make([]float64, nw+k)
	cacheG := make([]float64, nw+k)
	var cacheF float64
	valid := false
	eval := func(par []float64) {
		if valid && floats.Equal(par, cacheX) {
			return
		}
		cacheF = fg(cacheG, par)
		copy(cacheX, par)
		valid = true
	}
	prob := optimize.Problem{
		Func: func(par []float64) float64 { eval(par); return cacheF },
		Grad: func(grad, par []float64) { eval(par); copy(grad, cacheG) },
	}
	settings := &optimize.Settings{
		GradientThreshold: tol,
		MajorIterations:   maxIter,
		// scipy's L-BFGS-B default factr: stop when the relative decrease
		// of the objective falls below 64·eps·1e7/64 ≈ 2.2e-9.
		Converger: &optimize.FunctionConverge{Relative: 2.220446049250313e-09, Iterations: 1},
	}
	x0 := make([]float64, nw+k)
	res, err := optimize.Minimize(prob, x0, settings, &optimize.LBFGS{Store: 10})
	if err != nil && res == nil {
		return fmt.Errorf("decoding: logistic regression: %w", err)
	}
	par := res.X
	m.w = mat.NewDense(k, p, nil)
	copy(m.w.RawMatrix().Data, par[:nw])
	m.b = append([]float64(nil), par[nw:]...)
	m.classes = classes
	m.Iterations = res.Stats.MajorIterations
	return nil
}

func (m *LogisticRegression) scores(x mat.Matrix) *mat.Dense {
	if m.w == nil {
		panic(ErrNotFitted)
	}
	_, p := m.w.Dims()
	checkCols("logistic regression", x, p)
	xd := dense(x)
	if m.scaler != nil {
		xd = m.scaler.Transform(x)
	}
	return affineRows(xd, m.w.T(), m.b)
}

// Predict implements Classifier.
func (m *LogisticRegression) Predict(dst []int, x mat.Matrix) []int {
	return argmaxRows(dst, m.scores(x), m.classes)
}

// PredictProba implements ProbClassifier.
func (m *LogisticRegression) PredictProba(dst *mat.Dense, x mat.Matrix) *mat.Dense {
	return softmaxInto(dst, m.scores(x))
}

// affineRows returns the decision values x·w with b added to every row, the
// shared scoring step of the linear classifiers.
func affineRows(x, w mat.Matrix, b []float64) *mat.Dense {
	var z mat.Dense
	z.Mul(x, w)
	r, _ := z.Dims()
	for i := 0; i < r; i++ {
		floats.Add(z.RawRowView(i), b)
	}
	return &z
}

// softmaxInto turns the decision values z into class probabilities (in
// place) and returns them in dst: z itself when dst is nil, dst resized
// when it is empty.
func softmaxInto(dst, z *mat.Dense) *mat.Dense {
	softmaxRows(z)
	if dst == nil {
		return z
	}
	if dst.IsEmpty() {
		r, c := z.Dims()
		dst.ReuseAs(r, c)
	}
	dst.Copy(z)
	return dst
}

// argmaxRows maps the per-row argmax of scores to class labels.
func argmaxRows(dst []int, s *mat.Dense, classes []int) []int {
	r, _ := s.Dims()
	if cap(dst) < r {
		dst = make([]int, r)
	}
	dst = dst[:r]
	for i := 0; i < r; i++ {
		dst[i] = classes[argmax(s.RawRowView(i))]
	}
	return dst
}

// softmaxRows turns each row of log-scores into probabilities in place.
func softmaxRows(z *mat.Dense) {
	r, _ := z.Dims()
	for i := 0; i < r; i++ {
		row := z.RawRowView(i)
		_, s := expShifted(row)
		floats.Scale(1/s, row)
	}
}

// expShifted replaces z by exp(z − max z) (overflow-safe) and returns the
// max and the sum of the new z: softmax is z/sum, log-sum-exp max+log(sum).
func expShifted(z []float64) (mx, sum float64) {
	mx = floats.Max(z)
	for c, v := range z {
		e := math.Exp(v - mx)
		z[c] = e
		sum += e
	}
	return mx, sum
}
