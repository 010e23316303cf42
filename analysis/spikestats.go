package analysis

import (
	"fmt"
	"math"

	"github.com/neurodata/neurodata/ts"
)

// MeanRate returns the number of spikes in [tStart, tStop] divided by
// tStop − tStart, in Hz (Elephant `mean_firing_rate`). NaN if tStop ≤ tStart.
func MeanRate(times []float64, tStart, tStop float64) float64 {
	if !(tStop > tStart) {
		return math.NaN()
	}
	n := 0
	for _, t := range times {
		if t >= tStart && t <= tStop {
			n++
		}
	}
	return float64(n) / (tStop - tStart)
}

// ISI writes the inter-spike intervals (seconds) of sorted times into dst
// and returns it.
func ISI(dst, times []float64) []float64 {
	if len(times) < 2 {
		return dst[:0]
	}
	n := len(times) - 1
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	for i := range dst {
		dst[i] = times[i+1] - times[i]
	}
	return dst
}

// CV is the coefficient of variation std/mean with the population standard
// deviation (ddof = 0; Elephant `cv` = scipy.stats.variation). Apply it to
// ISIs for the ISI CV. NaN for empty input or zero mean.
func CV(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	if m == 0 {
		return math.NaN()
	}
	return math.Sqrt(ss/float64(len(x))) / m
}

// CV2 is Holt et al.'s local CV of intervals (Elephant `cv2`):
// 2·mean|I_{i+1} − I_i|/(I_{i+1} + I_i). NaN for fewer than 2 intervals.
func CV2(isi []float64) float64 {
	if len(isi) < 2 {
		return math.NaN()
	}
	var s float64
	for i := 0; i+1 < len(isi); i++ {
		s += math.Abs(isi[i+1]-isi[i]) / (isi[i+1] + isi[i])
	}
	return 2 * s / float64(len(isi)-1)
}

// LV is Shinomoto's local variation (Elephant `lv`):
// 3·mean((I_i − I_{i+1})/(I_i + I_{i+1}))² over the N−1 pairs.
func LV(isi []float64) float64 {
	if len(isi) < 2 {
		return math.NaN()
	}
	var s float64
	for i := 0; i+1 < len(isi); i++ {
		d := (isi[i] - isi[i+1]) / (isi[i] + isi[i+1])
		s += d * d
	}
	return 3 * s / float64(len(isi)-1)
}

// LvR is the revised local variation (Shinomoto 2009; Elephant `lvr`) with
// refractory constant r in seconds (Elephant's default is 5 ms = 0.005):
// 3/(N−1)·Σ(1 − 4·I_i·I_{i+1}/(I_i+I_{i+1})²)(1 + 4r/(I_i+I_{i+1})).
func LvR(isi []float64, r float64) float64 {
	if len(isi) < 2 {
		return math.NaN()
	}
	var s float64
	for i := 0; i+1 < len(isi); i++ {
		a, b := isi[i], isi[i+1]
		sum := a + b
		s += (1 - 4*a*b/(sum*sum)) * (1 + 4*r/sum)
	}
	return 3 * s / float64(len(isi)-1)
}

// FanoFactor is var(counts)/mean(counts) with the population variance
// (ddof = 0; Elephant `fanofactor`, AllenSDK `fano_factor`). NaN when the
// mean is 0 or counts is empty.
func FanoFactor(counts []float64) float64 {
	if len(counts) == 0 {
		return math.NaN()
	}
	var m float64
	for _, c := range counts {
		m += c
	}
	m /= float64(len(counts))
	if m == 0 {
		return math.NaN()
	}
	var v float64
	for _, c := range counts {
		v += (c - m) * (c - m)
	}
	return v / float64(len(counts)) / m
}

// KernelSettings configures KernelRate. nil means the defaults.
type KernelSettings struct {
	// Cutoff is the kernel half-width in units of sigma (default 5, as Elephant).
	Cutoff float64
	// ElephantGrid samples the Gaussian on Elephant's grid,
	// linspace(−cutoff·σ, cutoff·σ, 2·ceil(cutoff·σ/dt)+1), whose spacing
	// differs from dt unless cutoff·σ is a multiple of dt (the rate is then
	// mis-scaled, e.g. by 6.7% for σ = 0.3 s, dt = 0.2 s). Off by default:
	// the kernel is sampled at exact multiples of dt.
	ElephantGrid bool
}

// KernelRate estimates the instantaneous rate (Hz) of sorted spike times
// with a Gaussian kernel of sigma seconds on bins of dt seconds covering
// [tStart, tStop): n = int((tStop−tStart)/dt) bins (the last partial bin
// dropped, the last bin closed, as Elephant `instantaneous_rate`). Counts
// are convolved ('same' alignment) with the kernel pdf. Returns the rate per
// bin and the bin left edges.
func KernelRate(times []float64, tStart, tStop, dt, sigma float64, s *KernelSettings) (rate, left []float64, err error) {
	cut := 5.0
	elephant := false
	if s != nil {
		if s.Cutoff > 0 {
			cut = s.Cutoff
		}
		elephant = s.ElephantGrid
	}
	if !(dt > 0) || !(sigma > 0) || !(tStop > tStart) {
		return nil, nil, fmt.Errorf("analysis: KernelRate needs dt > 0, sigma > 0, tStop > tStart (got %g, %g, [%g, %g))", dt, sigma, tStart, tStop)
	}
	n := int((tStop - tStart) / dt)
	if n <= 0 || n > 1<<28 {
		return nil, nil, fmt.Errorf("analysis: KernelRate: %d bins", n)
	}
	counts := make([]float64, n)
	for _, t := range times {
		if t < tStart || t > tStart+float64(n)*dt {
			continue
		}
		k := int((t - tStart) / dt)
		if k >= n {
			k = n - 1 // last bin closed
		}
		counts[k]++
	}
	half := int(math.Ceil(cut * sigma / dt))
	kern := make([]float64, 2*half+1)
	norm := 1 / (sigma * math.Sqrt(2*math.Pi))
	for j := range kern {
		var x float64
		if elephant {
			x = -cut*sigma + float64(j)*(2*cut*sigma)/float64(2*half)
		} else {
			x = float64(j-half) * dt
			if math.Abs(x) > cut*sigma+1e-12 {
				continue
			}
		}
		kern[j] = norm * math.Exp(-0.5*x*x/(sigma*sigma))
	}
	rate = make([]float64, n)
	for i := 0; i < n; i++ {
		if counts[i] == 0 {
			continue
		}
		for j := range kern {
			o := i + j - half
			if o >= 0 && o < n {
				rate[o] += counts[i] * kern[j]
			}
		}
	}
	left = make([]float64, n)
	for i := range left {
		left[i] = tStart + float64(i)*dt
	}
	return rate, left, nil
}

// Correlogram is a pynapple-style cross-correlogram: Rate[k] is the rate (Hz)
// of target spikes at lag Centers[k] seconds after a reference spike.
type Correlogram struct {
	Centers []float64 // lag bin centres, seconds (target − reference)
	Rate    []float64 // Hz; divided by the target mean rate when normalised
	Counts  []int     // raw pair counts per bin
}

// CrossCorrelogram follows pynapple's convention (B6): nbins =
// ⌊2·window/binSize⌋, made odd; half-width w = nbins·binSize/2; each target
// spike at lag d ∈ [−w, w) is counted in bin ⌊(d+w)/binSize⌋, and counts are
// divided by n_ref·binSize. With targetRate > 0 the result is also divided
// by it (pynapple norm=True). Both trains must be sorted.
func CrossCorrelogram(ref, target []float64, binSize, window, targetRate float64) (*Correlogram, error) {
	if !(binSize > 0) || !(window > 0) {
		return nil, fmt.Errorf("analysis: correlogram needs binSize > 0 and window > 0")
	}
	nb := int(math.Floor(2 * window / binSize))
	if nb%2 == 0 {
		nb++
	}
	if nb > 1<<24 {
		return nil, fmt.Errorf("analysis: correlogram with %d bins", nb)
	}
	w := float64(nb) * binSize / 2
	c := &Correlogram{Centers: make([]float64, nb), Rate: make([]float64, nb), Counts: make([]int, nb)}
	for k := range c.Centers {
		c.Centers[k] = -w + binSize/2 + binSize*float64(k)
	}
	lo := 0
	for _, t := range ref {
		for lo < len(target) && target[lo] < t-w {
			lo++
		}
		for j := lo; j < len(target); j++ {
			d := target[j] - t
			if d >= w {
				break
			}
			k := int(math.Floor((d + w) / binSize))
			if k >= 0 && k < nb {
				c.Counts[k]++
			}
		}
	}
	if len(ref) > 0 {
		for k, n := range c.Counts {
			c.Rate[k] = float64(n) / (float64(len(ref)) * binSize)
			if targetRate > 0 {
				c.Rate[k] /= targetRate
			}
		}
	}
	return c, nil
}

// AutoCorrelogram is CrossCorrelogram of a train with itself with the
// zero-lag bin set to 0 (pynapple `compute_autocorrelogram`).
func AutoCorrelogram(times []float64, binSize, window, rate float64) (*Correlogram, error) {
	c, err := CrossCorrelogram(times, times, binSize, window, rate)
	if err != nil {
		return nil, err
	}
	mid := len(c.Rate) / 2
	c.Rate[mid], c.Counts[mid] = 0, 0
	return c, nil
}

// CrossCorrelationHistogram returns Elephant-style raw coincidence counts
// (`cross_correlation_histogram`) between two binned count vectors for lags
// −maxLag…maxLag bins: cch[lag+maxLag] = Σ_k a[k]·b[k+lag]. A positive lag
// means b fires after a.
func CrossCorrelationHistogram(a, b []float64, maxLag int) (lags []int, cch []float64) {
	lags = make([]int, 2*maxLag+1)
	cch = make([]float64, 2*maxLag+1)
	for i := range lags {
		lag := i - maxLag
		lags[i] = lag
		var s float64
		for k, x := range a {
			if x == 0 {
				continue
			}
			if j := k + lag; j >= 0 && j < len(b) {
				s += x * b[j]
			}
		}
		cch[i] = s
	}
	return lags, cch
}

// STTC is the spike time tiling coefficient (Cutts & Eglen 2014; Elephant
// `spike_time_tiling_coefficient`) of sorted trains a and b with
// coincidence window dt seconds over [tStart, tStop]:
// ½[(P_A − T_B)/(1 − P_A·T_B) + (P_B − T_A)/(1 − P_B·T_A)]. NaN when either
// train is empty.
func STTC(a, b []float64, dt, tStart, tStop float64) float64 {
	if len(a) == 0 || len(b) == 0 || !(tStop > tStart) {
		return math.NaN()
	}
	pa, pb := sttcP(a, b, dt), sttcP(b, a, dt)
	ta, tb := sttcT(a, dt, tStart, tStop), sttcT(b, dt, tStart, tStop)
	return 0.5 * ((pa-tb)/(1-pa*tb) + (pb-ta)/(1-pb*ta))
}

// sttcP is the fraction of x's spikes with a y spike within ±dt.
func sttcP(x, y []float64, dt float64) float64 {
	n, j := 0, 0
	for _, t := range x {
		for j < len(y) && y[j] < t-dt {
			j++
		}
		if j < len(y) && y[j] <= t+dt {
			n++
		}
	}
	return float64(n) / float64(len(x))
}

// sttcT is the fraction of [t0, t1] covered by ±dt windows around x's spikes.
func sttcT(x []float64, dt, t0, t1 float64) float64 {
	var cover float64
	lo, hi := math.Max(x[0]-dt, t0), math.Min(x[0]+dt, t1)
	for _, t := range x[1:] {
		l, h := math.Max(t-dt, t0), math.Min(t+dt, t1)
		if l <= hi {
			hi = math.Max(hi, h)
			continue
		}
		cover += hi - lo
		lo, hi = l, h
	}
	cover += hi - lo
	return cover / (t1 - t0)
}

// TrainStats are per-unit spike-train statistics.
type TrainStats struct {
	NSpikes int
	RateHz  float64 // spikes ÷ support duration
	MeanISI float64 // seconds
	CV      float64 // ISI CV (ddof = 0)
	CV2     float64
	LV      float64
	LvR     float64 // with R = 5 ms
}

// StatsSettings configures UnitStats. nil means defaults.
type StatsSettings struct {
	Workers int
	// LvRRefractory is LvR's R in seconds (default 0.005).
	LvRRefractory float64
}

// isiWithin returns the intervals between consecutive spikes that lie in
// the same interval of sup (all of them when sup has at most one interval),
// so that gaps between epochs are not counted as ISIs.
func isiWithin(tr []float64, sup ts.IntervalSet) []float64 {
	if sup.Len() <= 1 {
		return ISI(nil, tr)
	}
	var out []float64
	prevEp := -2
	for k, t := range tr {
		e := sup.Find(t)
		if k > 0 && e >= 0 && e == prevEp {
			out = append(out, t-tr[k-1])
		}
		prevEp = e
	}
	return out
}

// UnitStats computes TrainStats for every unit in parallel. ISIs are taken
// between consecutive spikes of the same support interval.
func UnitStats(u *ts.Units, s *StatsSettings) []TrainStats {
	var st StatsSettings
	if s != nil {
		st = *s
	}
	if st.LvRRefractory == 0 {
		st.LvRRefractory = 0.005
	}
	dur := u.Support.Duration()
	out := make([]TrainStats, u.Len())
	ts.ParallelFor(u.Len(), st.Workers, func(i int) {
		tr := u.Trains[i]
		isi := isiWithin(tr, u.Support)
		r := TrainStats{NSpikes: len(tr), RateHz: math.NaN(), MeanISI: math.NaN()}
		if dur > 0 {
			r.RateHz = float64(len(tr)) / dur
		}
		if len(isi) > 0 {
			var m float64
			for _, v := range isi {
				m += v
			}
			r.MeanISI = m / float64(len(isi))
		}
		r.CV, r.CV2, r.LV, r.LvR = CV(isi), CV2(isi), LV(isi), LvR(isi, st.LvRRefractory)
		out[i] = r
	})
	return out
}
