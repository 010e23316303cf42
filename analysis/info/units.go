package info

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Options configures Units, TimeResolved and Population. A nil *Options
// means the documented defaults.
type Options struct {
	// Estimator reported as Bits. Zero means PanzeriTreves.
	Estimator Estimator
	// Bins is the number of equipopulated response bins. 0 applies the
	// rule of thumb of at least four trials per stimulus per response bin
	// (Panzeri et al. 2007): bins = max(2, ⌊min_s N_s / 4⌋), capped by the
	// number of distinct responses. Negative keeps every distinct response
	// value as its own bin (raw spike counts).
	Bins int
	// Permutations is the number of label permutations for the null (0 = no
	// test; P and the null fields are NaN).
	Permutations int
	// Strata restricts permutations to trials with equal Strata values
	// (e.g. stimulus block). nil = permute across all trials.
	Strata []int
	// SubtractNull reports Bits − NullMean as Bits (needs Permutations > 0).
	SubtractNull bool
	// Bootstrap replicates for a percentile CI of Bits (0 = none), resampled
	// within stimulus; Level is the CI level (0 = 0.95).
	Bootstrap int
	Level     float64
}

func (o *Options) estimator() Estimator {
	if o == nil || o.Estimator == 0 {
		return PanzeriTreves
	}
	return o.Estimator
}

func (o *Options) bins() int {
	if o == nil {
		return 0
	}
	return o.Bins
}

func (o *Options) level() float64 {
	if o == nil || o.Level == 0 {
		return 0.95
	}
	return o.Level
}

// UnitResult is the information one response carries about the stimulus.
// All information values are in bits (log base 2).
type UnitResult struct {
	Bits       float64 // chosen estimator (null-subtracted if requested)
	PlugInBits float64 // plug-in estimate on the same binned responses
	BiasBits   float64 // PlugInBits − Bits: the estimated sampling bias
	Estimator  Estimator
	Bins       int // response bins used
	// Permutation test (NaN when Permutations = 0).
	NullMeanBits, NullSDBits, P float64
	Permutations                int
	// Bootstrap CI of Bits (NaN when Bootstrap = 0).
	CILow, CIHigh float64
	// SSI and Isp per stimulus code (plug-in), bits; PStim = P(s).
	SSI, Isp, PStim []float64
}

// DefaultBins is the number of response bins Options.Bins = 0 selects for
// these stimulus codes: max(2, ⌊min_s N_s / 4⌋).
func DefaultBins(stim []int) int {
	n := map[int]int{}
	for _, s := range stim {
		n[s]++
	}
	m := math.MaxInt
	for _, c := range n {
		m = min(m, c)
	}
	return max(2, m/4)
}

// BinResponses applies the Options.Bins rule to integer responses (spike
// counts) and returns the codes and the number of bins.
func BinResponses(stim, resp []int, bins int) ([]int, int, error) {
	if len(stim) != len(resp) {
		return nil, 0, inputErr("%d stimulus codes but %d responses", len(stim), len(resp))
	}
	if bins < 0 {
		return Codes(resp)
	}
	if bins == 0 {
		bins = DefaultBins(stim)
	}
	return EquipopulatedInts(resp, bins)
}

// Units estimates, for every unit u, the information its responses
// resp[u][trial] (e.g. spike counts per presentation) carry about the
// stimulus codes stim[trial] >= 0, in bits (log base 2): the chosen
// estimator, plug-in, bias, permutation p-value, bootstrap CI, SSI and
// specific surprise. Units run in parallel on Settings.Workers goroutines;
// every unit has its own generator seeded serially from Settings.Rand, so
// results do not depend on Workers.
func Units(stim []int, resp [][]int, opt *Options, set *Settings) ([]UnitResult, error) {
	for i, s := range stim {
		if s < 0 {
			return nil, inputErr("negative stimulus code %d at trial %d", s, i)
		}
	}
	out := make([]UnitResult, len(resp))
	// Workers left over when there are fewer units than workers go to each
	// unit's permutations and bootstrap replicates.
	inner := Settings{}
	if set != nil {
		inner = *set
	}
	inner.Workers = max(1, set.workers()/max(1, len(resp)))
	err := parallel(len(resp), set.workers(), seeds(set.rng(), len(resp)), func(u int, r *rand.Rand) error {
		s := inner
		s.Rand = r
		res, err := unit(stim, resp[u], opt, &s)
		if err != nil {
			return fmt.Errorf("unit %d: %w", u, err)
		}
		out[u] = res
		return nil
	})
	return out, err
}

// unit analyses one response vector with the settings' generator.
func unit(stim, resp []int, opt *Options, set *Settings) (UnitResult, error) {
	codes, k, err := BinResponses(stim, resp, opt.bins())
	if err != nil {
		return UnitResult{}, err
	}
	est := opt.estimator()
	d, err := newDiscrete(stim, [][]int{codes})
	if err != nil {
		return UnitResult{}, err
	}
	d.k = max(d.k, k)
	d.ks[0] = d.k
	res := UnitResult{Estimator: est, Bins: k, NullMeanBits: math.NaN(), NullSDBits: math.NaN(),
		P: math.NaN(), CILow: math.NaN(), CIHigh: math.NaN()}
	r := set.rng()
	if res.Bits, err = d.mi(est, set, r); err != nil {
		return UnitResult{}, err
	}
	res.PlugInBits = d.miTable(d.stim, d.joint, PlugIn, set)
	sp, err := SpecificFromCounts(JointCounts(d.stim, d.joint, d.ns, d.k))
	if err != nil {
		return UnitResult{}, err
	}
	res.SSI, res.Isp, res.PStim = sp.SSI, sp.Isp, sp.PStim
	var nPerm, nBoot int
	if opt != nil {
		nPerm, nBoot = opt.Permutations, opt.Bootstrap
	}
	taskSet := &Settings{Workers: set.workers(), Rand: r, QERepeats: set.qeRepeats(), Shuffles: set.shuffles(),
		ShuffleBase: set.shuffleBase(), NSBNodes: set.nsbNodes()}
	if nPerm > 0 {
		pool := d.workCopies()
		t, err := Permute(len(stim), opt.Strata, nPerm, func(perm []int, r *rand.Rand) (float64, error) {
			c := pool.Get().(*discrete)
			defer pool.Put(c)
			for i, p := range perm {
				c.stim[i] = d.stim[p]
			}
			return c.mi(est, set, r)
		}, taskSet)
		if err != nil {
			return UnitResult{}, err
		}
		// P compares the null with the test's own observed value (for QE and
		// I_sh it is a second random draw), so report that value.
		res.Bits = t.Observed
		res.NullMeanBits, res.NullSDBits, res.Permutations, res.P = t.NullMean, t.NullSD, t.Permutations, t.P
		if opt.SubtractNull {
			res.Bits -= t.NullMean
		}
	}
	if nBoot > 0 {
		pool := d.workCopies()
		iv, err := Bootstrap(len(stim), d.stim, nBoot, opt.level(), func(idx []int, r *rand.Rand) (float64, error) {
			c := pool.Get().(*discrete)
			defer pool.Put(c)
			for i, j := range idx {
				c.stim[i], c.joint[i] = d.stim[j], d.joint[j]
			}
			v, err := c.mi(est, set, r)
			if err == nil && opt.SubtractNull && nPerm > 0 {
				v -= res.NullMeanBits
			}
			return v, err
		}, taskSet)
		if err != nil {
			return UnitResult{}, err
		}
		res.CILow, res.CIHigh = iv.Low, iv.High
	}
	res.BiasBits = res.PlugInBits - res.Bits
	return res, nil
}
