package rsa

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// CKA (Kornblith et al. 2019) between two representations of the same n
// stimuli, computed from their n × n Gram matrices only.

// LinearCKA returns ‖Yᶜᵀ Xᶜ‖²_F / (‖Xᶜᵀ Xᶜ‖_F ‖Yᶜᵀ Yᶜ‖_F) (columns centred),
// evaluated as the cosine of the centred Grams HKH and HLH.
func LinearCKA(x, y *Gram) (float64, error) {
	if x.N != y.N {
		return math.NaN(), fmt.Errorf("%w: CKA of %d and %d stimuli", ErrInput, x.N, y.N)
	}
	return cosine(centreGram(x.K, x.N, 1), centreGram(y.K, y.N, 1)), nil
}

// DebiasedCKA is linear CKA with both Grams U-centred (Kornblith's
// center_gram(unbiased=True); equals Song et al.'s unbiased HSIC estimator
// normalised, as in Brain-Score's unbiased_linear_CKA). Needs n ≥ 4. Like
// Brain-Score it returns 0 when either self-HSIC is not positive.
func DebiasedCKA(x, y *Gram) (float64, error) {
	if x.N != y.N {
		return math.NaN(), fmt.Errorf("%w: CKA of %d and %d stimuli", ErrInput, x.N, y.N)
	}
	if x.N < 4 {
		return math.NaN(), fmt.Errorf("%w: debiased CKA needs at least 4 stimuli, have %d", ErrInput, x.N)
	}
	return ckaUnbiased(x.K, y.K, x.N), nil
}

func ckaUnbiased(k, l []float64, n int) float64 {
	a, b := uCentre(k, n), uCentre(l, n)
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	if aa <= 0 || bb <= 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}

// uCentre zeroes the diagonal, subtracts row/column sums/(n−2), adds the
// total/((n−1)(n−2)) and zeroes the diagonal again.
func uCentre(k []float64, n int) []float64 {
	out := slices.Clone(k)
	for i := 0; i < n; i++ {
		out[i*n+i] = 0
	}
	m := make([]float64, n)
	var tot float64
	for i := 0; i < n; i++ {
		var s float64
		for j := 0; j < n; j++ {
			s += out[i*n+j]
		}
		m[i] = s / float64(n-2)
		tot += s
	}
	c := tot / float64(2*(n-1)*(n-2))
	for i := range m {
		m[i] -= c
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i == j {
				continue
			}
			out[i*n+j] -= m[i] + m[j]
		}
	}
	return out
}

// Bandwidth selects the RBF kernel width convention. The two in use differ
// (analysis-methods.md B5), so the choice is explicit.
type Bandwidth struct {
	// Convention is KornblithMedian or BrainScoreMedian.
	Convention string
	// Threshold scales Kornblith's bandwidth (his default 1.0; 0 means 1).
	Threshold float64
}

const (
	// KornblithMedian: k(x,y) = exp(−d²/(2 θ² m)) with m the median of all
	// n² squared distances, zeros on the diagonal included (Kornblith's
	// gram_rbf(x, threshold=θ)).
	KornblithMedian = "kornblith"
	// BrainScoreMedian: σ² = median of the non-zero squared distances and
	// k(x,y) = exp(−d²/(2σ²)) (Brain-Score's rbf CKA).
	BrainScoreMedian = "brainscore"
)

// RBFKernel returns the n × n RBF kernel of the representation with Gram
// statistics g under the bandwidth convention bw.
func RBFKernel(g *Gram, bw Bandwidth) ([]float64, error) {
	n := g.N
	d2 := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := g.K[i*n+i] + g.K[j*n+j] - 2*g.K[i*n+j]
			if v < 0 || i == j {
				v = 0
			}
			d2[i*n+j] = v
		}
	}
	var m float64
	switch bw.Convention {
	case KornblithMedian, "":
		th := bw.Threshold
		if th == 0 {
			th = 1
		}
		m = th * th * median(slices.Clone(d2))
	case BrainScoreMedian:
		var nz []float64
		for _, v := range d2 {
			if v != 0 {
				nz = append(nz, v)
			}
		}
		if len(nz) == 0 {
			return nil, fmt.Errorf("%w: all patterns identical, RBF bandwidth undefined", ErrInput)
		}
		m = median(nz)
	default:
		return nil, fmt.Errorf("%w: unknown RBF bandwidth convention %q", ErrInput, bw.Convention)
	}
	if !(m > 0) {
		return nil, fmt.Errorf("%w: median squared distance is %g, RBF bandwidth undefined", ErrInput, m)
	}
	for i, v := range d2 {
		d2[i] = math.Exp(-v / (2 * m))
	}
	return d2, nil
}

// RBFCKA returns CKA with RBF kernels (biased HSIC, as in Kornblith's
// cka(gram_rbf(x), gram_rbf(y))).
func RBFCKA(x, y *Gram, bw Bandwidth) (float64, error) {
	if x.N != y.N {
		return math.NaN(), fmt.Errorf("%w: CKA of %d and %d stimuli", ErrInput, x.N, y.N)
	}
	kx, err := RBFKernel(x, bw)
	if err != nil {
		return math.NaN(), err
	}
	ky, err := RBFKernel(y, bw)
	if err != nil {
		return math.NaN(), err
	}
	return cosine(centreGram(kx, x.N, 1), centreGram(ky, y.N, 1)), nil
}

func median(x []float64) float64 {
	slices.Sort(x)
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// CKA is a convenience that computes linear and debiased CKA of two
// in-memory representations (stimuli × features).
func CKA(x, y mat.Matrix, s *Settings) (linear, debiased float64, err error) {
	gx, gy := NewGram(x, s), NewGram(y, s)
	if linear, err = LinearCKA(gx, gy); err != nil {
		return
	}
	debiased, err = DebiasedCKA(gx, gy)
	return
}
