package info

import (
	"fmt"
	"math"
	"strings"
)

// Estimator selects how a discrete entropy or mutual information is
// estimated from a finite sample. All estimators return bits (log base 2).
type Estimator int

// Discrete estimators. The zero value is not an estimator; it means "the
// default" where a field documents one.
const (
	// PlugIn uses the empirical frequencies: H = −Σ p log₂ p. Biased
	// downwards for entropy, upwards for MI.
	PlugIn Estimator = iota + 1
	// MillerMadow adds (m−1)/(2N ln 2) bits to each entropy, m = number of
	// occupied bins (Miller 1955).
	MillerMadow
	// PanzeriTreves adds (R̃−1)/(2N ln 2) bits to each entropy, with R̃ the
	// Bayesian estimate of the number of relevant bins (Panzeri & Treves 1996).
	PanzeriTreves
	// QuadraticExtrapolation fits I(n) = I∞ + a/n + b/n² to plug-in values on
	// the whole sample, two halves and four quarters (trials randomly permuted
	// within each stimulus, averaged over Settings.QERepeats orders) and
	// reports I∞ (Strong et al. 1998).
	QuadraticExtrapolation
	// ShuffleCorrected is I_sh = H(R) − H_ind(R|S) + H_sh(R|S) − H(R|S)
	// (Montemurro et al. 2007; Panzeri et al. 2007) for multi-component
	// responses, H_sh averaged over Settings.Shuffles within-stimulus
	// shuffles; the entropies carry Settings.ShuffleBase corrections. For a
	// one-component response I_sh equals the ShuffleBase estimate.
	ShuffleCorrected
	// NSB is the Nemenman–Shafee–Bialek posterior-mean entropy under a
	// mixture of symmetric Dirichlet priors flat in expected entropy,
	// computed by Gauss–Legendre quadrature over ln β (Settings.NSBNodes).
	NSB
)

var estimatorNames = map[Estimator]string{
	PlugIn: "plugin", MillerMadow: "mm", PanzeriTreves: "pt",
	QuadraticExtrapolation: "qe", ShuffleCorrected: "shuffle", NSB: "nsb",
}

// Estimators lists every discrete estimator in a fixed order.
var Estimators = []Estimator{PlugIn, MillerMadow, PanzeriTreves, QuadraticExtrapolation, ShuffleCorrected, NSB}

// String returns the short CLI name: plugin, mm, pt, qe, shuffle or nsb.
func (e Estimator) String() string {
	if s, ok := estimatorNames[e]; ok {
		return s
	}
	return fmt.Sprintf("Estimator(%d)", int(e))
}

// ParseEstimator maps a short name (plugin, mm, pt, qe, shuffle, nsb;
// case-insensitive) to its Estimator.
func ParseEstimator(s string) (Estimator, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for e, n := range estimatorNames {
		if n == s {
			return e, nil
		}
	}
	return 0, inputErr("unknown estimator %q (want plugin, mm, pt, qe, shuffle or nsb)", s)
}

const ln2 = math.Ln2

// Entropy estimates the entropy, in bits (log base 2), of the distribution
// that produced counts. The alphabet size K is len(counts): pad with zeros
// for possible but unobserved symbols (it matters for PanzeriTreves and NSB).
// ShuffleCorrected is not defined for a single entropy.
func Entropy(counts []int, est Estimator, set *Settings) (float64, error) {
	n, err := checkCounts(counts)
	if err != nil {
		return 0, err
	}
	switch est {
	case PlugIn, MillerMadow, PanzeriTreves, NSB:
		return entropyCounts(counts, n, est, set), nil
	case QuadraticExtrapolation:
		return entropyQE(counts, n, set)
	}
	return 0, inputErr("estimator %v is not defined for a single entropy", est)
}

func checkCounts(counts []int) (int, error) {
	if len(counts) == 0 {
		return 0, inputErr("empty count vector")
	}
	n := 0
	for i, c := range counts {
		if c < 0 {
			return 0, inputErr("negative count %d at index %d", c, i)
		}
		n += c
	}
	if n == 0 {
		return 0, fmt.Errorf("%w: all counts are zero", ErrTooFew)
	}
	return n, nil
}

// entropyCounts dispatches the count-based estimators; n = Σ counts > 0.
func entropyCounts(counts []int, n int, est Estimator, set *Settings) float64 {
	switch est {
	case MillerMadow:
		return plugInEntropy(counts, n) + float64(occupied(counts)-1)/(2*float64(n)*ln2)
	case PanzeriTreves:
		return plugInEntropy(counts, n) + (BayesCount(counts)-1)/(2*float64(n)*ln2)
	case NSB:
		return nsbEntropy(counts, len(counts), set.nsbNodes())
	}
	return plugInEntropy(counts, n)
}

// plugInEntropy is −Σ (c/n) log₂(c/n) in bits.
func plugInEntropy(counts []int, n int) float64 {
	if n == 0 {
		return 0
	}
	h := 0.0
	for _, c := range counts {
		h -= xlogx(c)
	}
	return (h/float64(n) + math.Log(float64(n))) / ln2
}

// xlogxTable[c] = c·ln c for small counts (the permutation hot path).
var xlogxTable = func() []float64 {
	t := make([]float64, 4096)
	for c := 1; c < len(t); c++ {
		t[c] = float64(c) * math.Log(float64(c))
	}
	return t
}()

func xlogx(c int) float64 {
	if c < len(xlogxTable) {
		return xlogxTable[c]
	}
	return float64(c) * math.Log(float64(c))
}

func occupied(counts []int) int {
	m := 0
	for _, c := range counts {
		if c > 0 {
			m++
		}
	}
	return m
}

// BayesCount is the Panzeri–Treves (1996) Bayesian estimate R̃ of the number
// of relevant response bins among len(counts) possible ones. Starting from
// the m occupied bins, it adds x unseen bins sharing a probability mass
// γ(x) = x·(1 − (N/(N+m))^{1/N}); occupied bins get (1−γ)(n_i+1)/(N+m). It
// keeps the x for which the expected number of occupied bins under these
// probabilities is closest to m (ascending search from x = 0, where the
// expectation uses the plug-in probabilities n_i/N, stopping when the
// match stops improving), and returns m + x. This is the procedure of
// pyentropy's pt_bayescount (TestBayesCountAgainstPython).
func BayesCount(counts []int) float64 {
	k := len(counts)
	n := 0
	m := 0
	for _, c := range counts {
		n += c
		if c > 0 {
			m++
		}
	}
	if n == 0 || m >= k {
		return float64(m)
	}
	fn, fm := float64(n), float64(m)
	// expected occupied bins when x unseen bins are added.
	expected := func(x int) float64 {
		fx := float64(x)
		gamma := fx * (1 - math.Pow(fn/(fn+fm), 1/fn))
		e := 0.0
		for _, c := range counts {
			if c > 0 {
				p := (1 - gamma) / (fn + fm) * (float64(c) + 1)
				e += 1 - math.Pow(1-p, fn)
			}
		}
		if x > 0 {
			e += fx * (1 - math.Pow(1-gamma/fx, fn))
		}
		return e
	}
	// x = 0: expected occupied bins under the plug-in probabilities.
	e0 := 0.0
	for _, c := range counts {
		if c > 0 {
			e0 += 1 - math.Pow(1-float64(c)/fn, fn)
		}
	}
	best := 0
	prev := math.Abs(fm - e0)
	for x := 1; m+x <= k; x++ {
		d := math.Abs(fm - expected(x))
		if d >= prev {
			break
		}
		prev, best = d, x
	}
	return fm + float64(best)
}

// entropyQE expands counts to samples and extrapolates plug-in entropies of
// the whole sample, halves and quarters (random orders, averaged).
func entropyQE(counts []int, n int, set *Settings) (float64, error) {
	if n < 8 {
		return 0, fmt.Errorf("%w: quadratic extrapolation needs >= 8 samples, have %d", ErrTooFew, n)
	}
	samples := make([]int, 0, n)
	for sym, c := range counts {
		for j := 0; j < c; j++ {
			samples = append(samples, sym)
		}
	}
	r := set.rng()
	reps := set.qeRepeats()
	sub := make([]int, len(counts))
	var h2, h4 float64
	for rep := 0; rep < reps; rep++ {
		r.Shuffle(len(samples), func(i, j int) { samples[i], samples[j] = samples[j], samples[i] })
		for _, parts := range []int{2, 4} {
			acc := 0.0
			for p := 0; p < parts; p++ {
				lo, hi := p*n/parts, (p+1)*n/parts
				clear(sub)
				for _, s := range samples[lo:hi] {
					sub[s]++
				}
				acc += plugInEntropy(sub, hi-lo)
			}
			if parts == 2 {
				h2 += acc / 2
			} else {
				h4 += acc / 4
			}
		}
	}
	fn := float64(n)
	ns := []float64{fn, fn / 2, fn / 4}
	vals := []float64{plugInEntropy(counts, n), h2 / float64(reps), h4 / float64(reps)}
	return QuadraticExtrapolate(ns, vals)
}

// QuadraticExtrapolate fits v(n) = v∞ + a/n + b/n² by least squares (exactly
// for three points) to values observed at sample sizes ns and returns v∞.
// Values keep their units (bits throughout this package).
func QuadraticExtrapolate(ns, vals []float64) (float64, error) {
	if len(ns) != len(vals) || len(ns) < 3 {
		return 0, inputErr("quadratic extrapolation needs >= 3 (n, value) pairs, have %d/%d", len(ns), len(vals))
	}
	// Normal equations in x = nmin/n (scaled to (0, 1] for conditioning)
	// for the basis {1, x, x²}; the constant term is unchanged by scaling.
	nmin := math.Inf(1)
	for i, n := range ns {
		if !(n > 0) || math.IsInf(n, 0) {
			return 0, inputErr("sample size %v at index %d", n, i)
		}
		nmin = math.Min(nmin, n)
	}
	var a [3][4]float64
	for i, n := range ns {
		x := nmin / n
		row := [3]float64{1, x, x * x}
		for r := 0; r < 3; r++ {
			for c := 0; c < 3; c++ {
				a[r][c] += row[r] * row[c]
			}
			a[r][3] += row[r] * vals[i]
		}
	}
	// Gaussian elimination with partial pivoting.
	for c := 0; c < 3; c++ {
		p := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		a[c], a[p] = a[p], a[c]
		if a[c][c] == 0 {
			return 0, inputErr("quadratic extrapolation: sample sizes must be distinct")
		}
		for r := 0; r < 3; r++ {
			if r != c {
				f := a[r][c] / a[c][c]
				for k := c; k < 4; k++ {
					a[r][k] -= f * a[c][k]
				}
			}
		}
	}
	return a[0][3] / a[0][0], nil
}
