package analysis

import (
	"math"
	"math/cmplx"
	"sort"

	"github.com/neurodata/neurodata/ts"
	"gonum.org/v1/gonum/dsp/fourier"
	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// Preferred returns the index of the largest response (the preferred
// condition) and whether that maximum is shared by another condition (a tie,
// AllenSDK `pref_*_multi`). NaN responses are skipped; −1 if all are NaN.
// Blank conditions must be excluded by the caller.
func Preferred(resp []float64) (idx int, tie bool) {
	idx = -1
	for i, r := range resp {
		if math.IsNaN(r) {
			continue
		}
		if idx < 0 || r > resp[idx] {
			idx, tie = i, false
		} else if r == resp[idx] {
			tie = true
		}
	}
	return idx, tie
}

// vectorSum returns Σ R·e^{i·k·θ} and Σ R.
func vectorSum(dirDeg, resp []float64, k float64) (complex128, float64) {
	var z complex128
	var s float64
	for i, r := range resp {
		if math.IsNaN(r) || math.IsNaN(dirDeg[i]) {
			continue
		}
		th := k * dirDeg[i] * math.Pi / 180
		z += complex(r*math.Cos(th), r*math.Sin(th))
		s += r
	}
	return z, s
}

// GOSI is the vector-sum ("global") orientation selectivity index of the
// Allen Neuropixels pipeline (ecephys `osi`, reported as g_osi_dg):
// |Σ R(θ)·e^{2iθ}| / Σ R(θ), θ the drift directions in degrees. It equals
// 1 − circular variance of the doubled angles. NaN when Σ R = 0.
func GOSI(dirDeg, resp []float64) float64 {
	z, s := vectorSum(dirDeg, resp, 2)
	if s == 0 {
		return math.NaN()
	}
	return cmplx.Abs(z) / s
}

// GDSI is the vector-sum direction selectivity index (ecephys `dsi`,
// g_dsi_dg): |Σ R(θ)·e^{iθ}| / Σ R(θ). NaN when Σ R = 0.
func GDSI(dirDeg, resp []float64) float64 {
	z, s := vectorSum(dirDeg, resp, 1)
	if s == 0 {
		return math.NaN()
	}
	return cmplx.Abs(z) / s
}

// VectorPreferredDirection returns the angle of Σ R(θ)·e^{iθ} in degrees,
// in [0, 360). NaN when the vector sum is zero.
func VectorPreferredDirection(dirDeg, resp []float64) float64 {
	z, _ := vectorSum(dirDeg, resp, 1)
	if z == 0 {
		return math.NaN()
	}
	return wrapDeg(cmplx.Phase(z) * 180 / math.Pi)
}

// VectorPreferredOrientation returns half the angle of Σ R(θ)·e^{2iθ}, in
// degrees in [0, 180).
func VectorPreferredOrientation(dirDeg, resp []float64) float64 {
	z, _ := vectorSum(dirDeg, resp, 2)
	if z == 0 {
		return math.NaN()
	}
	return math.Mod(wrapDeg(cmplx.Phase(z)*180/math.Pi)/2, 180)
}

func wrapDeg(d float64) float64 {
	d = math.Mod(d, 360)
	if d < 0 {
		d += 360
	}
	if d >= 360 {
		d = 0
	}
	return d
}

// findDir returns the index of the direction equal to target modulo 360
// (within 1e-6°), or −1.
func findDir(dirDeg []float64, target float64) int {
	target = wrapDeg(target)
	for i, d := range dirDeg {
		diff := math.Abs(wrapDeg(d) - target)
		if diff < 1e-6 || math.Abs(diff-360) < 1e-6 {
			return i
		}
	}
	return -1
}

// PeakOSI is the peak-based orientation selectivity index of the Allen
// two-photon pipeline (`osi_dg`): (R_pref − R_orth)/(R_pref + R_orth), with
// R_pref the largest response and R_orth the mean of the responses at
// pref ± 90°. NaN when either orthogonal direction is missing or the
// denominator is 0. (Allen hard-codes 8 directions; this finds the
// orthogonal directions by angle.)
func PeakOSI(dirDeg, resp []float64) float64 {
	p, _ := Preferred(resp)
	if p < 0 {
		return math.NaN()
	}
	a, b := findDir(dirDeg, dirDeg[p]+90), findDir(dirDeg, dirDeg[p]-90)
	if a < 0 || b < 0 {
		return math.NaN()
	}
	orth := (resp[a] + resp[b]) / 2
	return ratioIndex(resp[p], orth)
}

// PeakDSI is the peak-based direction selectivity index of the Allen
// two-photon pipeline (`dsi_dg`): (R_pref − R_null)/(R_pref + R_null), null
// = pref + 180°. NaN when the null direction is missing or the denominator
// is 0.
func PeakDSI(dirDeg, resp []float64) float64 {
	p, _ := Preferred(resp)
	if p < 0 {
		return math.NaN()
	}
	n := findDir(dirDeg, dirDeg[p]+180)
	if n < 0 {
		return math.NaN()
	}
	return ratioIndex(resp[p], resp[n])
}

func ratioIndex(a, b float64) float64 {
	if a+b == 0 {
		return math.NaN()
	}
	return (a - b) / (a + b)
}

// LifetimeSparseness is the Vinje & Gallant (2000) lifetime sparseness used
// by AllenSDK: [1 − (ΣR)²/(N·ΣR²)] / (1 − 1/N). 1 for a one-hot response, 0
// for a flat one; NaN for N < 2 or all-zero responses.
func LifetimeSparseness(resp []float64) float64 {
	n := float64(len(resp))
	var s, s2 float64
	for _, r := range resp {
		s += r
		s2 += r * r
	}
	if n < 2 || s2 == 0 {
		return math.NaN()
	}
	return (1 - s*s/(n*s2)) / (1 - 1/n)
}

// ImageSelectivity is the AllenSDK image-selectivity index (Quian Quiroga
// et al. 2007 style): 1 − 2·mean_j P(R > t_j) over 1000 thresholds
// t_j = min + j·(max − min)/1000. 0 for a flat response.
func ImageSelectivity(resp []float64) float64 {
	const steps = 1000
	if len(resp) == 0 {
		return math.NaN()
	}
	lo, hi := resp[0], resp[0]
	for _, r := range resp {
		lo, hi = math.Min(lo, r), math.Max(hi, r)
	}
	if hi == lo {
		return 0
	}
	var acc float64
	for j := 0; j < steps; j++ {
		t := lo + float64(j)*(hi-lo)/steps
		c := 0
		for _, r := range resp {
			if r > t {
				c++
			}
		}
		acc += float64(c) / float64(len(resp))
	}
	return 1 - 2*acc/steps
}

// F1F0Cycle returns the F1/F0 ratio of one cycle-averaged response
// (AllenSDK `f1_f0`): F0 = mean, F1 = 2·|first DFT harmonic|/n. NaN when
// F0 = 0.
func F1F0Cycle(cycle []float64) float64 {
	n := len(cycle)
	if n < 2 {
		return math.NaN()
	}
	coef := fourier.NewFFT(n).Coefficients(nil, cycle)
	f0 := real(coef[0]) / float64(n)
	if f0 == 0 {
		return math.NaN()
	}
	return 2 * cmplx.Abs(coef[1]) / float64(n) / f0
}

// F1F0 folds a PSTH (bins of binWidth seconds starting at the stimulus
// onset) into cycles of the temporal frequency tfHz, averages the complete
// cycles and returns F1F0Cycle of the average. NaN when no full cycle fits.
func F1F0(psth []float64, binWidth, tfHz float64) float64 {
	per := int(math.Round(1 / (tfHz * binWidth)))
	if per < 2 || len(psth) < per {
		return math.NaN()
	}
	nc := len(psth) / per
	cyc := make([]float64, per)
	for c := 0; c < nc; c++ {
		for i := 0; i < per; i++ {
			cyc[i] += psth[c*per+i] / float64(nc)
		}
	}
	return F1F0Cycle(cyc)
}

// TrialReliability is the mean pairwise Pearson correlation between trials
// (AllenSDK `reliability`): trials[k] is trial k's response time course
// (e.g. a smoothed PSTH or dF/F trace, see GaussianSmooth1D). Pairs with a
// constant trial are skipped; NaN if no valid pair exists.
func TrialReliability(trials [][]float64) float64 {
	var sum float64
	n := 0
	for i := range trials {
		for j := i + 1; j < len(trials); j++ {
			r := stat.Correlation(trials[i], trials[j], nil)
			if math.IsNaN(r) {
				continue
			}
			sum += r
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / float64(n)
}

// GaussianSmooth1D writes x convolved with a Gaussian of sigma samples
// (truncated at 4σ, edges renormalised) into dst and returns it. sigma ≤ 0
// copies x.
func GaussianSmooth1D(dst, x []float64, sigma float64) []float64 {
	if cap(dst) < len(x) {
		dst = make([]float64, len(x))
	}
	dst = dst[:len(x)]
	if sigma <= 0 {
		copy(dst, x)
		return dst
	}
	k := gaussKernel(sigma)
	h := len(k) / 2
	for i := range x {
		var s, w float64
		for j := -h; j <= h; j++ {
			if i+j < 0 || i+j >= len(x) {
				continue
			}
			s += k[j+h] * x[i+j]
			w += k[j+h]
		}
		dst[i] = s / w
	}
	return dst
}

func gaussKernel(sigma float64) []float64 {
	h := int(math.Ceil(4 * sigma))
	k := make([]float64, 2*h+1)
	for j := -h; j <= h; j++ {
		k[j+h] = math.Exp(-0.5 * float64(j*j) / (sigma * sigma))
	}
	return k
}

// RunningModulation compares responses on running and stationary trials
// the AllenSDK way: a Welch t-test between the two groups and a relative
// difference with a sign, (mean_run − mean_stat)/mean_run when running is
// larger, −(mean_stat − mean_run)/mean_stat otherwise. Both NaN when either
// group has fewer than 2 trials or both means are 0.
func RunningModulation(running, stationary []float64) (mod, p float64) {
	if len(running) < 2 || len(stationary) < 2 {
		return math.NaN(), math.NaN()
	}
	mr, vr := stat.MeanVariance(running, nil)
	ms, vs := stat.MeanVariance(stationary, nil)
	nr, ns := float64(len(running)), float64(len(stationary))
	switch {
	case mr == 0 && ms == 0:
		return math.NaN(), math.NaN()
	case mr > ms:
		mod = (mr - ms) / mr
	default:
		mod = -(ms - mr) / ms
	}
	se2 := vr/nr + vs/ns
	if se2 == 0 {
		if mr == ms {
			return mod, 1
		}
		return mod, 0
	}
	t := (mr - ms) / math.Sqrt(se2)
	df := se2 * se2 / ((vr/nr)*(vr/nr)/(nr-1) + (vs/ns)*(vs/ns)/(ns-1))
	p = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(-math.Abs(t))
	return mod, p
}

// SpikeTrialReliability is the ecephys-style trial-to-trial reliability of
// one unit over the trials [ws[k], we[k]) (seconds): each trial's spikes
// are binned at binWidth seconds from the trial start (default 1/30 s),
// smoothed with a Gaussian of sigma seconds (default 0.1 s), and the mean
// pairwise Pearson r between trials is returned (TrialReliability). Trials
// are truncated to the shortest one.
func SpikeTrialReliability(train, ws, we []float64, binWidth, sigma float64) float64 {
	if binWidth <= 0 {
		binWidth = 1.0 / 30
	}
	if sigma <= 0 {
		sigma = 0.1
	}
	if len(ws) < 2 {
		return math.NaN()
	}
	minDur := math.Inf(1)
	for k := range ws {
		minDur = math.Min(minDur, we[k]-ws[k])
	}
	nb := int(minDur / binWidth)
	if nb < 2 {
		return math.NaN()
	}
	trials := make([][]float64, len(ws))
	buf := make([]float64, nb)
	for k := range ws {
		clear(buf)
		for _, t := range train[sort.SearchFloat64s(train, ws[k]):] {
			b := int((t - ws[k]) / binWidth)
			if b >= nb {
				break
			}
			buf[b]++
		}
		trials[k] = GaussianSmooth1D(nil, buf, sigma/binWidth)
	}
	return TrialReliability(trials)
}

// RunningTrials classifies trials as running from a speed series (channel
// 0, e.g. cm/s): the mean of the samples with ws[k] ≤ t < we[k] is compared
// with threshold (AllenSDK uses 1 cm/s). Trials without samples get a NaN
// mean and count as not running.
func RunningTrials(speed *ts.Series, ws, we []float64, threshold float64) (running []bool, meanSpeed []float64) {
	times := speed.Times()
	f, l := ts.WindowIndex(times, ws, we)
	running = make([]bool, len(ws))
	meanSpeed = make([]float64, len(ws))
	for k := range ws {
		meanSpeed[k] = meanRange(speed, 0, f[k], l[k])
		running[k] = meanSpeed[k] >= threshold
	}
	return running, meanSpeed
}

// SplitRunning splits per-trial responses by a running mask, keeping only
// trials with keep[k] (nil keeps all): the inputs of RunningModulation.
func SplitRunning(resp []float64, running, keep []bool) (run, stat []float64) {
	for k, r := range resp {
		if keep != nil && !keep[k] {
			continue
		}
		if running[k] {
			run = append(run, r)
		} else {
			stat = append(stat, r)
		}
	}
	return run, stat
}
