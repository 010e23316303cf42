package rsa

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Per-presentation responses from a continuous signal (dF/F, binned
// rates), to build Trials. The NWB-level extraction (which table, which
// series) belongs to the caller; these work on plain samples.

// WindowMeans returns, for every presentation onset, the mean of each
// channel of signal (samples × channels, sample k at times[k] seconds) over
// samples with onset+from ≤ t < onset+to. It fails if a window holds no
// sample.
func WindowMeans(signal mat.Matrix, times, onsets []float64, from, to float64) (*mat.Dense, error) {
	ns, nc := signal.Dims()
	if len(times) != ns {
		return nil, fmt.Errorf("%w: %d samples but %d timestamps", ErrInput, ns, len(times))
	}
	out := mat.NewDense(len(onsets), nc, nil)
	for p, on := range onsets {
		lo := lowerBound(times, on+from)
		hi := lowerBound(times, on+to)
		if hi <= lo {
			return nil, fmt.Errorf("%w: presentation %d window [%g, %g) s holds no sample", ErrInput, p, on+from, on+to)
		}
		row := out.RawRowView(p)
		for k := lo; k < hi; k++ {
			for c := 0; c < nc; c++ {
				row[c] += signal.At(k, c)
			}
		}
		for c := range row {
			row[c] /= float64(hi - lo)
		}
	}
	return out, nil
}

func lowerBound(x []float64, v float64) int {
	lo, hi := 0, len(x)
	for lo < hi {
		m := (lo + hi) / 2
		if x[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// DoubleExponential is the calcium-indicator impulse response
// h(t) = (e^{−t/decay} − e^{−t/rise}) / peak for t ≥ 0 (0 before), scaled so
// its maximum is 1. Times in seconds.
func DoubleExponential(riseS, decayS float64) func(t float64) float64 {
	tp := riseS * decayS / (decayS - riseS) * math.Log(decayS/riseS)
	peak := math.Exp(-tp/decayS) - math.Exp(-tp/riseS)
	return func(t float64) float64 {
		if t < 0 {
			return 0
		}
		return (math.Exp(-t/decayS) - math.Exp(-t/riseS)) / peak
	}
}

// KernelAmplitudes estimates one response amplitude per presentation and
// channel by least squares, modelling the signal as Σ_k a_k h(t − onset_k) +
// baseline (a linear model with a fixed kernel, as for calcium imaging). It
// separates the overlapping responses of closely spaced presentations,
// which window means mix. support is how long after onset h is evaluated
// (seconds). The amplitudes are in the units of signal at the kernel peak.
func KernelAmplitudes(signal mat.Matrix, times, onsets []float64, h func(float64) float64, supportS float64) (*mat.Dense, error) {
	ns, nc := signal.Dims()
	if len(times) != ns {
		return nil, fmt.Errorf("%w: %d samples but %d timestamps", ErrInput, ns, len(times))
	}
	np := len(onsets)
	for k := 1; k < np; k++ {
		if onsets[k] < onsets[k-1] {
			return nil, fmt.Errorf("%w: onsets must be sorted (presentation %d)", ErrInput, k)
		}
	}
	// Design X: samples × (presentations + 1 baseline column); normal
	// equations XᵀX (np+1)² and XᵀY (np+1) × channels.
	q := np + 1
	xtx := mat.NewSymDense(q, nil)
	xty := mat.NewDense(q, nc, nil)
	type term struct {
		k int
		v float64
	}
	var terms []term
	for s := 0; s < ns; s++ {
		t := times[s]
		terms = terms[:0]
		// presentations with onset in (t − support, t]
		lo := lowerBound(onsets, t-supportS)
		for k := lo; k < np && onsets[k] <= t; k++ {
			if v := h(t - onsets[k]); v != 0 {
				terms = append(terms, term{k, v})
			}
		}
		terms = append(terms, term{np, 1})
		for a, ta := range terms {
			for _, tb := range terms[a:] {
				xtx.SetSym(ta.k, tb.k, xtx.At(ta.k, tb.k)+ta.v*tb.v)
			}
			row := xty.RawRowView(ta.k)
			for c := 0; c < nc; c++ {
				row[c] += ta.v * signal.At(s, c)
			}
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(xtx) {
		return nil, fmt.Errorf("%w: presentations not separable by the kernel model (singular design)", ErrInput)
	}
	var beta mat.Dense
	if err := ch.SolveTo(&beta, xty); err != nil {
		return nil, fmt.Errorf("rsa: kernel amplitudes: %w", err)
	}
	return mat.DenseCopyOf(beta.Slice(0, np, 0, nc)), nil
}

// SpikeRates returns, for every presentation p and unit u, the number of
// spikes of trains[u] (sorted, seconds) with from[p] ≤ t < to[p], divided by
// the window length: a presentations × units matrix in Hz.
func SpikeRates(trains [][]float64, from, to []float64) (*mat.Dense, error) {
	if len(from) != len(to) {
		return nil, fmt.Errorf("%w: %d window starts but %d stops", ErrInput, len(from), len(to))
	}
	if len(from) == 0 || len(trains) == 0 {
		return nil, fmt.Errorf("%w: %d presentations, %d units", ErrInput, len(from), len(trains))
	}
	out := mat.NewDense(len(from), len(trains), nil)
	for p := range from {
		a, b := from[p], to[p]
		if !(b > a) {
			return nil, fmt.Errorf("%w: presentation %d has an empty window [%g, %g) s", ErrInput, p, a, b)
		}
		for u, tr := range trains {
			n := lowerBound(tr, b) - lowerBound(tr, a)
			out.Set(p, u, float64(n)/(b-a))
		}
	}
	return out, nil
}

// NewTrials builds Trials from per-presentation responses (presentations ×
// channels) and a condition index per presentation; presentations with a
// negative index (blanks) are left out. The fold of a presentation is its
// repetition number within its condition (0 for the first showing, 1 for
// the second, …), the usual cross-validation unit for crossnobis and
// split-half ceilings.
func NewTrials(resp *mat.Dense, cond []int) (*Trials, error) {
	r, c := resp.Dims()
	if len(cond) != r {
		return nil, fmt.Errorf("%w: %d presentations but %d condition labels", ErrInput, r, len(cond))
	}
	t := &Trials{}
	seen := map[int]int{}
	var keep []int
	for i, k := range cond {
		if k < 0 {
			continue
		}
		keep = append(keep, i)
		t.Cond = append(t.Cond, k)
		t.Fold = append(t.Fold, seen[k])
		seen[k]++
	}
	if len(keep) == 0 {
		return nil, fmt.Errorf("%w: every presentation is blank", ErrInput)
	}
	t.Data = mat.NewDense(len(keep), c, nil)
	for i, k := range keep {
		t.Data.SetRow(i, resp.RawRowView(k))
	}
	return t, nil
}
