package info

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Test is the outcome of a permutation test of an information statistic.
// Values are in the statistic's units (bits for every estimator here).
type Test struct {
	Observed     float64 // statistic on the real pairing, bits
	NullMean     float64 // mean of the permutation null, bits
	NullSD       float64 // standard deviation of the null (n−1), bits
	P            float64 // (1 + #{null >= observed}) / (1 + Permutations)
	Permutations int
}

// Corrected is Observed − NullMean, the null-mean-subtracted estimate (bits).
func (t Test) Corrected() float64 { return t.Observed - t.NullMean }

// PermStatistic evaluates a statistic with trial i's label taken from trial
// perm[i] (perm is the identity for the observed value). r is a task-local
// random source for statistics that need one (QE, I_sh, KSG jitter).
type PermStatistic func(perm []int, r *rand.Rand) (float64, error)

// Permute runs a permutation test over n trials with nPerm permutations.
// Labels are exchanged only among trials with the same strata value (the
// allowed structure, e.g. stimulus block or session); nil strata means one
// stratum. Permutations run on Settings.Workers goroutines; each has its
// own generator seeded serially from Settings.Rand, so the result does not
// depend on Workers.
func Permute(n int, strata []int, nPerm int, stat PermStatistic, set *Settings) (Test, error) {
	if n <= 0 {
		return Test{}, inputErr("no trials")
	}
	if nPerm < 0 {
		return Test{}, inputErr("%d permutations", nPerm)
	}
	groups, err := strataGroups(n, strata)
	if err != nil {
		return Test{}, err
	}
	r := set.rng()
	id := identity(n)
	obs, err := stat(id, r)
	if err != nil {
		return Test{}, err
	}
	null, err := permNull(n, groups, nPerm, stat, set.workers(), seeds(r, nPerm))
	if err != nil {
		return Test{}, err
	}
	return summarise(obs, null), nil
}

func permNull(n int, groups [][]int, nPerm int, stat PermStatistic, workers int, sd [][2]uint64) ([]float64, error) {
	null := make([]float64, nPerm)
	err := parallel(nPerm, workers, sd, func(i int, r *rand.Rand) error {
		perm := identity(n)
		shuffleWithin(perm, groups, r)
		v, err := stat(perm, r)
		if err != nil {
			return fmt.Errorf("permutation %d: %w", i, err)
		}
		null[i] = v
		return nil
	})
	return null, err
}

func summarise(obs float64, null []float64) Test {
	t := Test{Observed: obs, Permutations: len(null)}
	ge := 0
	var s, ss float64
	for _, v := range null {
		if v >= obs {
			ge++
		}
		s += v
	}
	if len(null) > 0 {
		t.NullMean = s / float64(len(null))
		for _, v := range null {
			ss += (v - t.NullMean) * (v - t.NullMean)
		}
		if len(null) > 1 {
			t.NullSD = math.Sqrt(ss / float64(len(null)-1))
		}
	}
	t.P = float64(1+ge) / float64(1+len(null))
	return t
}

func identity(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return p
}

func strataGroups(n int, strata []int) ([][]int, error) {
	if strata == nil {
		return [][]int{identity(n)}, nil
	}
	if len(strata) != n {
		return nil, inputErr("%d strata labels for %d trials", len(strata), n)
	}
	idx := map[int]int{}
	var g [][]int
	for i, s := range strata {
		j, ok := idx[s]
		if !ok {
			j = len(g)
			idx[s] = j
			g = append(g, nil)
		}
		g[j] = append(g[j], i)
	}
	return g, nil
}

// shuffleWithin permutes perm's entries among the positions of each group.
func shuffleWithin(perm []int, groups [][]int, r *rand.Rand) {
	for _, g := range groups {
		for i := len(g) - 1; i > 0; i-- {
			j := r.IntN(i + 1)
			perm[g[i]], perm[g[j]] = perm[g[j]], perm[g[i]]
		}
	}
}

// Interval is a bootstrap percentile confidence interval (bits).
type Interval struct {
	Low, High  float64
	Level      float64 // e.g. 0.95
	Replicates int
}

// BootStatistic evaluates a statistic on the resampled trials idx (indices
// into the original trials, with repeats).
type BootStatistic func(idx []int, r *rand.Rand) (float64, error)

// Bootstrap returns the percentile interval at the given level (0 < level
// < 1) of stat over reps resamples drawn with replacement within each
// stratum (pass the stimulus codes to keep the design balanced; nil = one
// stratum). Replicates run in parallel with per-replicate generators.
func Bootstrap(n int, strata []int, reps int, level float64, stat BootStatistic, set *Settings) (Interval, error) {
	if n <= 0 || reps < 2 {
		return Interval{}, inputErr("bootstrap needs trials and >= 2 replicates (n=%d, reps=%d)", n, reps)
	}
	if !(level > 0 && level < 1) {
		return Interval{}, inputErr("confidence level %v not in (0, 1)", level)
	}
	groups, err := strataGroups(n, strata)
	if err != nil {
		return Interval{}, err
	}
	vals := make([]float64, reps)
	err = parallel(reps, set.workers(), seeds(set.rng(), reps), func(i int, r *rand.Rand) error {
		idx := make([]int, 0, n)
		for _, g := range groups {
			for range g {
				idx = append(idx, g[r.IntN(len(g))])
			}
		}
		v, err := stat(idx, r)
		if err != nil {
			return fmt.Errorf("bootstrap replicate %d: %w", i, err)
		}
		vals[i] = v
		return nil
	})
	if err != nil {
		return Interval{}, err
	}
	slices.Sort(vals)
	a := (1 - level) / 2
	return Interval{Low: quantile(vals, a), High: quantile(vals, 1-a), Level: level, Replicates: reps}, nil
}

// quantile of sorted x with linear interpolation (numpy's default).
func quantile(x []float64, q float64) float64 {
	h := q * float64(len(x)-1)
	lo := int(math.Floor(h))
	if lo >= len(x)-1 {
		return x[len(x)-1]
	}
	return x[lo] + (h-float64(lo))*(x[lo+1]-x[lo])
}
