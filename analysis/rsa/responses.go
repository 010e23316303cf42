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
// which window means mix. supportS is how long after onset h is evaluated
// (seconds). The amplitudes are in the units of signal at the kernel peak.
// Onsets must be sorted. The normal equations are banded (presentations
// interact only within supportS), so the cost is linear in the number of
// presentations: a banded Cholesky for the kernel columns and a Schur
// complement for the baseline.
func KernelAmplitudes(signal mat.Matrix, times, onsets []float64, h func(float64) float64, supportS float64) (*mat.Dense, error) {
	ns, nc := signal.Dims()
	if len(times) != ns {
		return nil, fmt.Errorf("%w: %d samples but %d timestamps", ErrInput, ns, len(times))
	}
	np := len(onsets)
	if np == 0 {
		return nil, fmt.Errorf("%w: no presentations", ErrInput)
	}
	for k := 1; k < np; k++ {
		if onsets[k] < onsets[k-1] {
			return nil, fmt.Errorf("%w: onsets must be sorted (presentation %d)", ErrInput, k)
		}
	}
	// Half-bandwidth: presentations whose kernels can overlap.
	kd := 0
	for k, l := 0, 0; k < np; k++ {
		for l < np && onsets[l]-onsets[k] < supportS {
			l++
		}
		kd = max(kd, l-1-k)
	}
	a := mat.NewSymBandDense(np, kd, nil) // XᵀX over kernel columns
	xty := mat.NewDense(np, nc, nil)      // Xᵀ Y
	xt1 := make([]float64, np)            // Xᵀ 1
	ysum := make([]float64, nc)           // 1ᵀ Y
	type term struct {
		k int
		v float64
	}
	var terms []term
	for s := 0; s < ns; s++ {
		t := times[s]
		terms = terms[:0]
		for k := lowerBound(onsets, t-supportS); k < np && onsets[k] <= t; k++ {
			if t-onsets[k] >= supportS {
				continue
			}
			if v := h(t - onsets[k]); v != 0 {
				terms = append(terms, term{k, v})
			}
		}
		for c := 0; c < nc; c++ {
			ysum[c] += signal.At(s, c)
		}
		for i, ta := range terms {
			for _, tb := range terms[i:] {
				a.SetSymBand(ta.k, tb.k, a.At(ta.k, tb.k)+ta.v*tb.v)
			}
			xt1[ta.k] += ta.v
			row := xty.RawRowView(ta.k)
			for c := 0; c < nc; c++ {
				row[c] += ta.v * signal.At(s, c)
			}
		}
	}
	var ch mat.BandCholesky
	if !ch.Factorize(a) {
		return nil, fmt.Errorf("%w: presentations not separable by the kernel model (singular design)", ErrInput)
	}
	// [A b; bᵀ n] [β; β0] = [XᵀY; 1ᵀY] with b = Xᵀ1:
	// z1 = A⁻¹XᵀY, z2 = A⁻¹b, β0 = (1ᵀY − bᵀz1)/(n − bᵀz2), β = z1 − z2 β0.
	var z1, z2 mat.Dense
	if err := ch.SolveTo(&z1, xty); err != nil {
		return nil, fmt.Errorf("rsa: kernel amplitudes: %w", err)
	}
	if err := ch.SolveTo(&z2, mat.NewDense(np, 1, xt1)); err != nil {
		return nil, fmt.Errorf("rsa: kernel amplitudes: %w", err)
	}
	var btz2 float64
	for k := 0; k < np; k++ {
		btz2 += xt1[k] * z2.At(k, 0)
	}
	den := float64(ns) - btz2
	if !(den > 0) {
		return nil, fmt.Errorf("%w: baseline not separable from the responses (every sample is inside a response)", ErrInput)
	}
	for c := 0; c < nc; c++ {
		var btz1 float64
		for k := 0; k < np; k++ {
			btz1 += xt1[k] * z1.At(k, c)
		}
		b0 := (ysum[c] - btz1) / den
		for k := 0; k < np; k++ {
			z1.Set(k, c, z1.At(k, c)-z2.At(k, 0)*b0)
		}
	}
	return &z1, nil
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
