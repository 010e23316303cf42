package rsa

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// ErrInput is wrapped by errors about unusable input data.
var ErrInput = errors.New("rsa: bad input")

// RDM is a representational dissimilarity matrix over N conditions, stored
// as its upper triangle (i < j) in row-major order: (0,1), (0,2), …,
// (0,N−1), (1,2), … — the order of scipy's squareform and rsatoolbox.
type RDM struct {
	N   int
	Vec []float64
}

// NewRDM returns a zero RDM over n conditions.
func NewRDM(n int) *RDM { return &RDM{N: n, Vec: make([]float64, n*(n-1)/2)} }

// index returns the position of (i, j), i < j, in Vec.
func (r *RDM) index(i, j int) int { return i*(2*r.N-i-1)/2 + j - i - 1 }

// At returns the dissimilarity between conditions i and j (0 when i == j).
func (r *RDM) At(i, j int) float64 {
	switch {
	case i == j:
		return 0
	case i > j:
		i, j = j, i
	}
	return r.Vec[r.index(i, j)]
}

// Square returns the full symmetric n × n matrix, row-major.
func (r *RDM) Square() []float64 {
	n := r.N
	out := make([]float64, n*n)
	k := 0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			out[i*n+j], out[j*n+i] = r.Vec[k], r.Vec[k]
			k++
		}
	}
	return out
}

// Subset returns the RDM over conditions idx (in that order).
func (r *RDM) Subset(idx []int) *RDM {
	out := NewRDM(len(idx))
	k := 0
	for a := range idx {
		for b := a + 1; b < len(idx); b++ {
			out.Vec[k] = r.At(idx[a], idx[b])
			k++
		}
	}
	return out
}

// Method names an RDM dissimilarity.
type Method string

const (
	Euclidean   Method = "euclidean"   // ‖x_i − x_j‖² / P (rsatoolbox convention)
	Correlation Method = "correlation" // 1 − Pearson r across channels
	Mahalanobis Method = "mahalanobis" // (x_i − x_j)ᵀ Λ (x_i − x_j) / P
	Crossnobis  Method = "crossnobis"  // cross-validated Mahalanobis
	Poisson     Method = "poisson"     // symmetrised KL of Poisson rates / P
	PoissonCV   Method = "poisson_cv"  // cross-validated Poisson KL, averaged over folds
)

// EuclideanRDM returns ‖x_i − x_j‖² / P from Gram statistics.
func EuclideanRDM(g *Gram) *RDM {
	r := NewRDM(g.N)
	n, k := g.N, 0
	for i := 0; i < n; i++ {
		kii := g.K[i*n+i]
		for j := i + 1; j < n; j++ {
			r.Vec[k] = (kii + g.K[j*n+j] - 2*g.K[i*n+j]) / float64(g.P)
			k++
		}
	}
	return r
}

// CorrelationRDM returns 1 − Pearson r between the patterns (each row
// demeaned across channels) from Gram statistics. A constant pattern has
// undefined correlation and yields NaN entries.
func CorrelationRDM(g *Gram) *RDM {
	n, p := g.N, float64(g.P)
	sd := make([]float64, n)
	for i := 0; i < n; i++ {
		sd[i] = math.Sqrt(g.K[i*n+i] - g.RowSum[i]*g.RowSum[i]/p)
	}
	r := NewRDM(n)
	k := 0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			c := g.K[i*n+j] - g.RowSum[i]*g.RowSum[j]/p
			r.Vec[k] = 1 - c/(sd[i]*sd[j])
			k++
		}
	}
	return r
}

// ComputeRDM computes a Gram-based RDM (Euclidean or Correlation) of x
// (stimuli × features).
func ComputeRDM(x mat.Matrix, m Method, s *Settings) (*RDM, error) {
	switch m {
	case Euclidean:
		return EuclideanRDM(NewGram(x, s)), nil
	case Correlation:
		return CorrelationRDM(NewGram(x, s)), nil
	}
	return nil, fmt.Errorf("%w: ComputeRDM supports euclidean and correlation; use MahalanobisRDM, CrossnobisRDM, PoissonRDM or PoissonCVRDM for %q", ErrInput, m)
}

// MahalanobisRDM returns (x_i − x_j)ᵀ Λ (x_i − x_j) / P for a P × P noise
// precision Λ; nil Λ gives the Euclidean RDM.
func MahalanobisRDM(x mat.Matrix, prec mat.Symmetric, s *Settings) (*RDM, error) {
	if prec == nil {
		return EuclideanRDM(NewGram(x, s)), nil
	}
	_, p := x.Dims()
	if prec.SymmetricDim() != p {
		return nil, fmt.Errorf("%w: precision is %d × %d for %d channels", ErrInput, prec.SymmetricDim(), prec.SymmetricDim(), p)
	}
	var xl mat.Dense
	xl.Mul(x, prec)
	var g mat.Dense
	g.Mul(&xl, x.T())
	return crossRDM(&g, x), nil // g = X Λ Xᵀ: d_ij = g_ii + g_jj − g_ij − g_ji
}

// Trials holds single-trial (or single-run) response patterns for the
// cross-validated methods: Data is observations × channels, Cond the
// condition label of each row and Fold its cross-validation fold (run,
// repetition or session).
type Trials struct {
	Data *mat.Dense
	Cond []int
	Fold []int
}

// Conditions returns the sorted distinct condition labels.
func (t *Trials) Conditions() []int {
	c := slices.Clone(t.Cond)
	slices.Sort(c)
	return slices.Compact(c)
}

func (t *Trials) check() error {
	r, _ := t.Data.Dims()
	if len(t.Cond) != r || (t.Fold != nil && len(t.Fold) != r) {
		return fmt.Errorf("%w: %d observations but %d condition and %d fold labels", ErrInput, r, len(t.Cond), len(t.Fold))
	}
	return nil
}

// MeanPatterns averages the observations of each condition (sorted by
// label), optionally only those whose fold passes keep (nil = all). It
// fails if a condition has no kept observation.
func (t *Trials) MeanPatterns(keep func(fold int) bool) (*mat.Dense, []int, error) {
	if err := t.check(); err != nil {
		return nil, nil, err
	}
	conds := t.Conditions()
	pos := make(map[int]int, len(conds))
	for i, c := range conds {
		pos[c] = i
	}
	_, p := t.Data.Dims()
	out := mat.NewDense(len(conds), p, nil)
	cnt := make([]int, len(conds))
	for r, c := range t.Cond {
		if keep != nil && !keep(t.Fold[r]) {
			continue
		}
		i := pos[c]
		cnt[i]++
		row := out.RawRowView(i)
		for j, v := range t.Data.RawRowView(r) {
			row[j] += v
		}
	}
	for i, c := range cnt {
		if c == 0 {
			return nil, nil, fmt.Errorf("%w: condition %d has no observations in the selected folds", ErrInput, conds[i])
		}
		row := out.RawRowView(i)
		for j := range row {
			row[j] /= float64(c)
		}
	}
	return out, conds, nil
}

func (t *Trials) folds() []int {
	f := slices.Clone(t.Fold)
	slices.Sort(f)
	return slices.Compact(f)
}

// CrossnobisRDM is the leave-one-fold-out cross-validated Mahalanobis
// distance: for each fold k, a = mean pattern of the other folds, b = mean
// pattern of fold k, d_ij += (a_i − a_j)ᵀ Λ (b_i − b_j) / P; the result is the
// average over folds. It is unbiased, so entries can be negative. A nil
// precision uses the identity (cross-validated Euclidean). Computed as the
// n × n cross product A Λ Bᵀ per fold.
func CrossnobisRDM(t *Trials, prec mat.Symmetric, s *Settings) (*RDM, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	folds := t.folds()
	if len(folds) < 2 {
		return nil, fmt.Errorf("%w: crossnobis needs at least 2 folds, have %d", ErrInput, len(folds))
	}
	_, p := t.Data.Dims()
	if prec != nil && prec.SymmetricDim() != p {
		return nil, fmt.Errorf("%w: precision is %d × %d for %d channels", ErrInput, prec.SymmetricDim(), prec.SymmetricDim(), p)
	}
	var acc *RDM
	for _, f := range folds {
		a, _, err := t.MeanPatterns(func(x int) bool { return x != f })
		if err != nil {
			return nil, fmt.Errorf("crossnobis training folds ≠ %d: %w", f, err)
		}
		b, _, err := t.MeanPatterns(func(x int) bool { return x == f })
		if err != nil {
			return nil, fmt.Errorf("crossnobis test fold %d: %w", f, err)
		}
		var al mat.Dense
		if prec != nil {
			al.Mul(a, prec)
		} else {
			al.CloneFrom(a)
		}
		var c mat.Dense
		c.Mul(&al, b.T())
		n, _ := c.Dims()
		if acc == nil {
			acc = NewRDM(n)
		}
		k := 0
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				acc.Vec[k] += (c.At(i, i) + c.At(j, j) - c.At(i, j) - c.At(j, i)) / float64(p)
				k++
			}
		}
	}
	for i := range acc.Vec {
		acc.Vec[i] /= float64(len(folds))
	}
	return acc, nil
}

// PoissonPrior is the rsatoolbox prior for Poisson RDMs: rates are shrunk
// to λ̃ = (λ + Lambda·Weight)/(1 + Weight). The zero value means the
// rsatoolbox defaults Lambda = 1, Weight = 0.1.
type PoissonPrior struct{ Lambda, Weight float64 }

func (p *PoissonPrior) get() (l, w float64) {
	if p == nil || (p.Lambda == 0 && p.Weight == 0) {
		return 1, 0.1
	}
	return p.Lambda, p.Weight
}

func poissonShrink(x mat.Matrix, prior *PoissonPrior) (*mat.Dense, *mat.Dense, error) {
	l, w := prior.get()
	n, p := x.Dims()
	lam := mat.NewDense(n, p, nil)
	logl := mat.NewDense(n, p, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < p; j++ {
			v := (x.At(i, j) + l*w) / (1 + w)
			if !(v > 0) {
				return nil, nil, fmt.Errorf("%w: Poisson rate at (%d, %d) is %g after the prior; rates must be ≥ 0", ErrInput, i, j, x.At(i, j))
			}
			lam.Set(i, j, v)
			logl.Set(i, j, math.Log(v))
		}
	}
	return lam, logl, nil
}

// PoissonRDM is the symmetrised Kullback–Leibler divergence between
// independent Poisson rate patterns, d = Σ_c (λ̃_ic − λ̃_jc)(ln λ̃_ic − ln λ̃_jc) / P
// (nats per channel), with rsatoolbox's prior (nil = defaults).
func PoissonRDM(x mat.Matrix, prior *PoissonPrior) (*RDM, error) {
	lam, logl, err := poissonShrink(x, prior)
	if err != nil {
		return nil, err
	}
	var k mat.Dense
	k.Mul(lam, logl.T())
	return crossRDM(&k, x), nil
}

// crossRDM turns a cross kernel C (C_ij = a_i·b_j) into d_ij = (C_ii + C_jj −
// C_ij − C_ji) / P.
func crossRDM(c *mat.Dense, x mat.Matrix) *RDM {
	n, p := x.Dims()
	r := NewRDM(n)
	k := 0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			r.Vec[k] = (c.At(i, i) + c.At(j, j) - c.At(i, j) - c.At(j, i)) / float64(p)
			k++
		}
	}
	return r
}

// PoissonCVRDM is the cross-validated Poisson KL RDM: for each fold k, with
// a = shrunk mean rates of the other folds and b = those of fold k,
// d_ij = [(a_i − a_j)·(ln b_i − ln b_j) + (b_i − b_j)·(ln a_i − ln a_j)] / (2P),
// averaged over all folds (rsatoolbox's poisson_cv returns only the last
// fold; see analysis-methods.md B5).
func PoissonCVRDM(t *Trials, prior *PoissonPrior) (*RDM, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	folds := t.folds()
	if len(folds) < 2 {
		return nil, fmt.Errorf("%w: poisson_cv needs at least 2 folds, have %d", ErrInput, len(folds))
	}
	var acc *RDM
	for _, f := range folds {
		a, _, err := t.MeanPatterns(func(x int) bool { return x != f })
		if err != nil {
			return nil, err
		}
		b, _, err := t.MeanPatterns(func(x int) bool { return x == f })
		if err != nil {
			return nil, err
		}
		la, lna, err := poissonShrink(a, prior)
		if err != nil {
			return nil, err
		}
		lb, lnb, err := poissonShrink(b, prior)
		if err != nil {
			return nil, err
		}
		var c1, c2 mat.Dense
		c1.Mul(la, lnb.T())
		c2.Mul(lb, lna.T())
		r1, r2 := crossRDM(&c1, a), crossRDM(&c2, a)
		if acc == nil {
			acc = NewRDM(r1.N)
		}
		for i := range acc.Vec {
			acc.Vec[i] += (r1.Vec[i] + r2.Vec[i]) / 2
		}
	}
	for i := range acc.Vec {
		acc.Vec[i] /= float64(len(folds))
	}
	return acc, nil
}
