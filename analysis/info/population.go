package info

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Window is the information carried by the spike count in one
// peri-stimulus window [Start, Stop) (seconds relative to stimulus onset).
type Window struct {
	Start, Stop float64
	UnitResult
}

// TimeResolved slides a window of width seconds in steps of step seconds
// over [from, to) of peri-stimulus time and estimates, in each window, the
// information (bits, log base 2) the spike count carries about the stimulus
// (see Units for the fields; opt chooses estimator, bins and tests).
// trialSpikes[i] holds trial i's spike times in seconds relative to its
// stimulus onset (any order); stim[i] is trial i's stimulus code. Windows
// run in parallel.
func TimeResolved(stim []int, trialSpikes [][]float64, from, to, width, step float64, opt *Options, set *Settings) ([]Window, error) {
	if len(stim) != len(trialSpikes) {
		return nil, inputErr("%d stimulus codes but %d trials of spikes", len(stim), len(trialSpikes))
	}
	if !(width > 0) || !(step > 0) || !(to > from) || math.IsInf(to-from, 0) {
		return nil, inputErr("window [%v, %v) width %v step %v", from, to, width, step)
	}
	nw := int(math.Floor((to-from-width)/step+1e-9)) + 1
	if nw < 1 {
		return nil, inputErr("window width %v s exceeds the range [%v, %v)", width, from, to)
	}
	if nw > 1<<20 || nw*max(1, len(stim)) > maxTable {
		return nil, inputErr("%d windows × %d trials is too many; increase the step", nw, len(stim))
	}
	sorted := make([][]float64, len(trialSpikes))
	for i, s := range trialSpikes {
		sorted[i] = slices.Clone(s)
		slices.Sort(sorted[i])
	}
	starts, stops := make([]float64, len(stim)), make([]float64, len(stim))
	resp := make([][]int, nw)
	out := make([]Window, nw)
	for w := range resp {
		a := from + float64(w)*step
		out[w].Start, out[w].Stop = a, a+width
		resp[w] = make([]int, len(stim))
		for i, sp := range sorted {
			starts[i], stops[i] = a, a+width
			c, err := SpikeCounts(sp, starts[i:i+1], stops[i:i+1])
			if err != nil {
				return nil, fmt.Errorf("trial %d: %w", i, err)
			}
			resp[w][i] = c[0]
		}
	}
	res, err := Units(stim, resp, opt, set)
	if err != nil {
		return nil, err
	}
	for w := range out {
		out[w].UnitResult = res[w]
	}
	return out, nil
}

// Group is the information a small group of units carries jointly, in bits
// (log base 2).
type Group struct {
	Units []int // indices into the responses
	// Bits is the chosen estimator on the joint response (I_sh for
	// ShuffleCorrected, with Settings.ShuffleBase corrections).
	Bits       float64
	PlugInBits float64 // plug-in on the joint response
	// SumSingleBits is Σ over member units of the same estimator applied to
	// each unit alone; Bits − SumSingleBits > 0 indicates synergy, < 0
	// redundancy.
	SumSingleBits float64
	Bins          int // response bins per unit
	// Permutation test of Bits (NaN when Options.Permutations = 0).
	NullMeanBits, P float64
}

// PopulationBins is the number of equipopulated bins per unit for a group
// of size L under Options.Bins = 0: max(2, ⌊(min_s N_s / 4)^{1/L}⌋), so that
// the joint response space keeps about four trials per stimulus per bin.
func PopulationBins(stim []int, size int) int {
	b := DefaultBins(stim) // ⌊min N_s / 4⌋ (>= 2)
	return max(2, int(math.Floor(math.Pow(float64(b), 1/float64(size))+1e-9)))
}

// Population estimates, for each group of unit indices, the joint
// information (bits, log base 2) of the member units' responses
// resp[u][trial] (spike counts) about stim. Use ShuffleCorrected (I_sh) to
// control the bias of the joint estimate. Groups run in parallel.
func Population(stim []int, resp [][]int, groups [][]int, opt *Options, set *Settings) ([]Group, error) {
	out := make([]Group, len(groups))
	est := opt.estimator()
	err := parallel(len(groups), set.workers(), seeds(set.rng(), len(groups)), func(g int, r *rand.Rand) error {
		units := groups[g]
		if len(units) == 0 {
			return inputErr("group %d is empty", g)
		}
		bins := opt.bins()
		if bins == 0 {
			bins = PopulationBins(stim, len(units))
		}
		comps := make([][]int, len(units))
		sum := 0.0
		for c, u := range units {
			if u < 0 || u >= len(resp) {
				return inputErr("group %d: unit index %d out of range [0, %d)", g, u, len(resp))
			}
			codes, _, err := BinResponses(stim, resp[u], bins)
			if err != nil {
				return fmt.Errorf("group %d unit %d: %w", g, u, err)
			}
			comps[c] = codes
			v, err := MI(stim, codes, est, &Settings{Workers: 1, Rand: r, QERepeats: set.qeRepeats(),
				Shuffles: set.shuffles(), ShuffleBase: set.shuffleBase(), NSBNodes: set.nsbNodes()})
			if err != nil {
				return fmt.Errorf("group %d unit %d: %w", g, u, err)
			}
			sum += v
		}
		d, err := newDiscrete(stim, comps)
		if err != nil {
			return fmt.Errorf("group %d: %w", g, err)
		}
		inner := &Settings{Workers: 1, Rand: r, QERepeats: set.qeRepeats(), Shuffles: set.shuffles(),
			ShuffleBase: set.shuffleBase(), NSBNodes: set.nsbNodes()}
		res := Group{Units: slices.Clone(units), SumSingleBits: sum, Bins: bins, NullMeanBits: math.NaN(), P: math.NaN()}
		if res.Bits, err = d.mi(est, inner, r); err != nil {
			return fmt.Errorf("group %d: %w", g, err)
		}
		res.PlugInBits = d.miTable(d.stim, d.joint, PlugIn, inner)
		if opt != nil && opt.Permutations > 0 {
			pd := *d
			pd.scratch = nil
			pstim := make([]int, len(stim))
			t, err := Permute(len(stim), opt.Strata, opt.Permutations, func(perm []int, r *rand.Rand) (float64, error) {
				for i, p := range perm {
					pstim[i] = d.stim[p]
				}
				pd.stim = pstim
				return pd.mi(est, inner, r)
			}, inner)
			if err != nil {
				return fmt.Errorf("group %d: %w", g, err)
			}
			res.Bits, res.NullMeanBits, res.P = t.Observed, t.NullMean, t.P
			if opt.SubtractNull {
				res.Bits -= t.NullMean
			}
		}
		out[g] = res
		return nil
	})
	return out, err
}
