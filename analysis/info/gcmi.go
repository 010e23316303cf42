package info

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/mathext"
)

// Continuous data are [][]float64 with one row per sample (trial) and one
// column per dimension: x[i][j] is dimension j of sample i.

// Column turns a 1-D sample into the one-column layout.
func Column(v []float64) [][]float64 {
	out := make([][]float64, len(v))
	for i, x := range v {
		out[i] = []float64{x}
	}
	return out
}

func dims(name string, x [][]float64) (n, d int, err error) {
	n = len(x)
	if n == 0 {
		return 0, 0, inputErr("%s has no samples", name)
	}
	d = len(x[0])
	if d == 0 {
		return 0, 0, inputErr("%s has no dimensions", name)
	}
	for i, row := range x {
		if len(row) != d {
			return 0, 0, inputErr("%s row %d has %d dimensions, row 0 has %d", name, i, len(row), d)
		}
		for j, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return 0, 0, inputErr("%s[%d][%d] = %v", name, i, j, v)
			}
		}
	}
	return n, d, nil
}

// Copnorm writes the copula-normalised x into dst (allocated if nil) and
// returns it: Φ⁻¹(rank/(N+1)) with ordinal ranks, ties ranked in input order
// (a stable sort, as gcmi's mergesort argsort). The result is standard
// normal in each margin whatever the original distribution.
func Copnorm(dst, x []float64) []float64 {
	n := len(x)
	if len(dst) != n {
		dst = make([]float64, n)
	}
	idx := identity(n)
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	for r, i := range idx {
		dst[i] = mathext.NormalQuantile(float64(r+1) / float64(n+1))
	}
	return dst
}

func copnormCols(x [][]float64) [][]float64 {
	n, d := len(x), len(x[0])
	out := make([][]float64, n)
	buf := make([]float64, n*d)
	for i := range out {
		out[i] = buf[i*d : (i+1)*d]
	}
	col := make([]float64, n)
	cn := make([]float64, n)
	for j := 0; j < d; j++ {
		for i := range x {
			col[i] = x[i][j]
		}
		Copnorm(cn, col)
		for i := range x {
			out[i][j] = cn[i]
		}
	}
	return out
}

// gaussBiasNats is b(N, d) = d(ln 2 − ln(N−1))/2 + Σ_{i=1..d} ψ((N−i)/2)/2,
// the expected error (nats) of the plug-in Gaussian entropy of N samples in
// d dimensions (ddof = 1 covariance); corrected H = plug-in H − b(N, d).
func gaussBiasNats(n, d int) float64 {
	b := float64(d) * (math.Ln2 - math.Log(float64(n-1))) / 2
	for i := 1; i <= d; i++ {
		b += mathext.Digamma(float64(n-i)/2) / 2
	}
	return b
}

// halfLogDetCov is ½ ln |Σ| (nats) of the ddof = 1 covariance of the
// columns cols of x (rows = samples), demeaned.
func halfLogDetCov(x [][]float64, cols []int) (float64, error) {
	n, d := len(x), len(cols)
	mean := make([]float64, d)
	for _, row := range x {
		for a, c := range cols {
			mean[a] += row[c]
		}
	}
	for a := range mean {
		mean[a] /= float64(n)
	}
	cov := mat.NewSymDense(d, nil)
	dev := make([]float64, d)
	for _, row := range x {
		for a, c := range cols {
			dev[a] = row[c] - mean[a]
		}
		for a := 0; a < d; a++ {
			for b := a; b < d; b++ {
				cov.SetSym(a, b, cov.At(a, b)+dev[a]*dev[b])
			}
		}
	}
	cov.ScaleSym(1/float64(n-1), cov)
	var ch mat.Cholesky
	if !ch.Factorize(cov) {
		return 0, fmt.Errorf("%w: covariance is not positive definite (constant or collinear dimensions)", ErrInput)
	}
	return ch.LogDet() / 2, nil
}

// gaussEntropyNats is the (optionally bias-corrected) Gaussian entropy of
// the selected columns up to the constant d/2·ln(2πe), which cancels in MI.
func gaussEntropyNats(x [][]float64, cols []int, bias bool) (float64, error) {
	h, err := halfLogDetCov(x, cols)
	if err != nil {
		return 0, err
	}
	if bias {
		h -= gaussBiasNats(len(x), len(cols))
	}
	return h, nil
}

func seq(lo, hi int) []int {
	s := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		s = append(s, i)
	}
	return s
}

func hstack(parts ...[][]float64) [][]float64 {
	n := len(parts[0])
	out := make([][]float64, n)
	for i := range out {
		for _, p := range parts {
			out[i] = append(out[i], p[i]...)
		}
	}
	return out
}

// GaussianMI is the parametric Gaussian mutual information between x and y
// (rows = samples), ½ log₂(|Σx||Σy|/|Σxy|) in bits (log base 2), from the
// ddof = 1 covariances, with gcmi's analytic bias correction when bias is
// true. No copula transform is applied.
func GaussianMI(x, y [][]float64, bias bool) (float64, error) {
	nx, dx, err := dims("x", x)
	if err != nil {
		return 0, err
	}
	ny, dy, err := dims("y", y)
	if err != nil {
		return 0, err
	}
	if nx != ny {
		return 0, inputErr("x has %d samples, y has %d", nx, ny)
	}
	if nx <= dx+dy+1 {
		return 0, fmt.Errorf("%w: %d samples for %d dimensions", ErrTooFew, nx, dx+dy)
	}
	xy := hstack(x, y)
	hx, err := gaussEntropyNats(xy, seq(0, dx), bias)
	if err != nil {
		return 0, err
	}
	hy, err := gaussEntropyNats(xy, seq(dx, dx+dy), bias)
	if err != nil {
		return 0, err
	}
	hxy, err := gaussEntropyNats(xy, seq(0, dx+dy), bias)
	if err != nil {
		return 0, err
	}
	return (hx + hy - hxy) / ln2, nil
}

// GaussianMIFromCovariance is ½ log₂(|Σxx||Σyy|/|Σ|) in bits (log base 2)
// for a joint covariance whose first dx dimensions are x.
func GaussianMIFromCovariance(cov mat.Symmetric, dx int) (float64, error) {
	d := cov.SymmetricDim()
	if dx <= 0 || dx >= d {
		return 0, inputErr("dx = %d for a %d-dimensional covariance", dx, d)
	}
	ld := func(lo, hi int) (float64, error) {
		s := mat.NewSymDense(hi-lo, nil)
		for a := lo; a < hi; a++ {
			for b := a; b < hi; b++ {
				s.SetSym(a-lo, b-lo, cov.At(a, b))
			}
		}
		var ch mat.Cholesky
		if !ch.Factorize(s) {
			return 0, inputErr("covariance is not positive definite")
		}
		return ch.LogDet(), nil
	}
	a, err := ld(0, dx)
	if err != nil {
		return 0, err
	}
	b, err := ld(dx, d)
	if err != nil {
		return 0, err
	}
	c, err := ld(0, d)
	if err != nil {
		return 0, err
	}
	return (a + b - c) / 2 / ln2, nil
}

// GCMI is the Gaussian-copula mutual information between continuous x and y
// (rows = samples), in bits (log base 2), as gcmi_cc (Ince et al. 2017):
// each dimension is copula-normalised, then the bias-corrected parametric
// Gaussian MI is computed. It is a lower bound on the true MI for
// non-Gaussian dependence and invariant to strictly monotone transforms of
// each dimension; purely non-monotone dependence (y ≈ |x|) gives ≈ 0 (use
// KSG). Many repeated values (> 10%) make it unreliable: ties are ranked in
// input order.
func GCMI(x, y [][]float64) (float64, error) {
	if _, _, err := dims("x", x); err != nil {
		return 0, err
	}
	if _, _, err := dims("y", y); err != nil {
		return 0, err
	}
	return GaussianMI(copnormCols(x), copnormCols(y), true)
}

// GCMIModelCD is the Gaussian-copula MI between continuous x and discrete
// y (codes >= 0), in bits (log base 2), as gcmi_model_cd: x is
// copula-normalised over all samples, then I = H(X) − Σ_y p(y) H(X|y) with
// a Gaussian model per class (own mean and covariance) and the analytic
// bias correction for each term. Every class needs more samples than
// dimensions + 1.
func GCMIModelCD(x [][]float64, y []int) (float64, error) {
	n, d, err := dims("x", x)
	if err != nil {
		return 0, err
	}
	if len(y) != n {
		return 0, inputErr("x has %d samples, y has %d", n, len(y))
	}
	cx := copnormCols(x)
	classes, err := classRows(cx, y)
	if err != nil {
		return 0, err
	}
	cols := seq(0, d)
	h, err := gaussEntropyNats(cx, cols, true)
	if err != nil {
		return 0, err
	}
	for c, rows := range classes {
		if len(rows) == 0 {
			continue
		}
		if len(rows) <= d+1 {
			return 0, fmt.Errorf("%w: class %d has %d samples for %d dimensions", ErrTooFew, c, len(rows), d)
		}
		hc, err := gaussEntropyNats(rows, cols, true)
		if err != nil {
			return 0, fmt.Errorf("class %d: %w", c, err)
		}
		h -= float64(len(rows)) / float64(n) * hc
	}
	return h / ln2, nil
}

func classRows(x [][]float64, y []int) ([][][]float64, error) {
	var classes [][][]float64
	for i, c := range y {
		if c < 0 {
			return nil, inputErr("negative class code %d at sample %d", c, i)
		}
		for len(classes) <= c {
			classes = append(classes, nil)
		}
		classes[c] = append(classes[c], x[i])
	}
	return classes, nil
}

// GCMIMixtureCD is the Gaussian-copula MI between continuous x and discrete
// y, in bits (log base 2), from a Gaussian mixture, as gcmi_mixture_cd:
// each class is copula-normalised on its own, rescaled to the class median
// and 1.4826·MAD, a Gaussian is fitted per class, and I = H(mixture) −
// Σ_y p(y) H(X|y) with the mixture entropy approximated by the unscented
// transform (2d sigma points per class). No bias correction.
func GCMIMixtureCD(x [][]float64, y []int) (float64, error) {
	n, d, err := dims("x", x)
	if err != nil {
		return 0, err
	}
	if len(y) != n {
		return 0, inputErr("x has %d samples, y has %d", n, len(y))
	}
	classes, err := classRows(x, y)
	if err != nil {
		return 0, err
	}
	type comp struct {
		w    float64
		mean []float64
		chol mat.Cholesky
		ldet float64 // ln |Σ|
	}
	var comps []comp
	for c, rows := range classes {
		if len(rows) == 0 {
			continue
		}
		if len(rows) <= d+1 {
			return 0, fmt.Errorf("%w: class %d has %d samples for %d dimensions", ErrTooFew, c, len(rows), d)
		}
		cx := copnormCols(rows)
		col := make([]float64, len(rows))
		for j := 0; j < d; j++ {
			for i, r := range rows {
				col[i] = r[j]
			}
			med := medianOf(col)
			for i := range col {
				col[i] = math.Abs(col[i] - med)
			}
			mad := medianOf(col)
			for i := range cx {
				cx[i][j] = cx[i][j]*1.482602218505602*mad + med
			}
		}
		m := make([]float64, d)
		for _, r := range cx {
			for j, v := range r {
				m[j] += v
			}
		}
		for j := range m {
			m[j] /= float64(len(cx))
		}
		cov := mat.NewSymDense(d, nil)
		for _, r := range cx {
			for a := 0; a < d; a++ {
				for b := a; b < d; b++ {
					cov.SetSym(a, b, cov.At(a, b)+(r[a]-m[a])*(r[b]-m[b]))
				}
			}
		}
		cov.ScaleSym(1/float64(len(cx)-1), cov)
		cp := comp{w: float64(len(rows)) / float64(n), mean: m}
		if !cp.chol.Factorize(cov) {
			return 0, fmt.Errorf("%w: class %d covariance is not positive definite", ErrInput, c)
		}
		cp.ldet = cp.chol.LogDet()
		comps = append(comps, cp)
	}
	hconst := float64(d) / 2 * (math.Log(2*math.Pi) + 1)
	logpdf := func(x []float64) float64 {
		// log Σ_c w_c N(x; m_c, Σ_c), log-sum-exp.
		lv := make([]float64, len(comps))
		mx := math.Inf(-1)
		v := mat.NewVecDense(d, nil)
		sol := mat.NewVecDense(d, nil)
		for c := range comps {
			for j := range x {
				v.SetVec(j, x[j]-comps[c].mean[j])
			}
			_ = comps[c].chol.SolveVecTo(sol, v)
			q := mat.Dot(v, sol)
			lv[c] = math.Log(comps[c].w) - 0.5*(float64(d)*math.Log(2*math.Pi)+comps[c].ldet+q)
			mx = math.Max(mx, lv[c])
		}
		s := 0.0
		for _, l := range lv {
			s += math.Exp(l - mx)
		}
		return mx + math.Log(s)
	}
	var hcond, hmix float64
	sq := math.Sqrt(float64(d))
	pt := make([]float64, d)
	for c := range comps {
		hcond += comps[c].w * (comps[c].ldet/2 + hconst)
		var L mat.TriDense
		comps[c].chol.LTo(&L)
		acc := 0.0
		for j := 0; j < d; j++ {
			for _, sgn := range []float64{1, -1} {
				for a := 0; a < d; a++ {
					pt[a] = comps[c].mean[a] + sgn*sq*L.At(a, j)
				}
				acc += logpdf(pt)
			}
		}
		hmix -= comps[c].w * acc / float64(2*d)
	}
	return (hmix - hcond) / ln2, nil
}

func medianOf(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// GCCMI is the Gaussian-copula conditional mutual information I(X;Y|Z) in
// bits (log base 2), as gccmi_ccc: every variable is copula-normalised, then
// I = H(X,Z) + H(Y,Z) − H(X,Y,Z) − H(Z) with bias-corrected Gaussian
// entropies.
func GCCMI(x, y, z [][]float64) (float64, error) {
	nx, dx, err := dims("x", x)
	if err != nil {
		return 0, err
	}
	ny, dy, err := dims("y", y)
	if err != nil {
		return 0, err
	}
	nz, dz, err := dims("z", z)
	if err != nil {
		return 0, err
	}
	if nx != ny || nx != nz {
		return 0, inputErr("sample counts differ: x %d, y %d, z %d", nx, ny, nz)
	}
	if nx <= dx+dy+dz+1 {
		return 0, fmt.Errorf("%w: %d samples for %d dimensions", ErrTooFew, nx, dx+dy+dz)
	}
	all := hstack(copnormCols(x), copnormCols(y), copnormCols(z))
	X, Y, Z := seq(0, dx), seq(dx, dx+dy), seq(dx+dy, dx+dy+dz)
	h := func(cols ...[]int) float64 {
		var c []int
		for _, p := range cols {
			c = append(c, p...)
		}
		v, e := gaussEntropyNats(all, c, true)
		if e != nil && err == nil {
			err = e
		}
		return v
	}
	v := h(X, Z) + h(Y, Z) - h(X, Y, Z) - h(Z)
	if err != nil {
		return 0, err
	}
	return v / ln2, nil
}
