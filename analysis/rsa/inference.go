package rsa

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
)

// PermutationResult is the outcome of a condition-label permutation test.
type PermutationResult struct {
	Observed float64   // similarity of the unpermuted RDMs
	P        float64   // (1 + #{null ≥ observed}) / (1 + permutations), one-sided
	Null     []float64 // similarity under each permutation
}

// PermutationTest tests whether data and model RDMs are more similar than
// under random relabelling of the model's conditions (the model RDM's rows
// and columns permuted together). Permutations are drawn from rng in
// sequence, so results do not depend on Workers. For Cosine, Pearson,
// Spearman and RhoA on NaN-free RDMs, both vectors are standardised once (a
// permutation only reorders entries, hence ranks) and each permutation is
// one gathered dot product.
func PermutationTest(data, model *RDM, m Compare, nPerm int, rng *rand.Rand, s *Settings) (*PermutationResult, error) {
	if data.N != model.N {
		return nil, fmt.Errorf("%w: RDMs over %d and %d conditions", ErrInput, data.N, model.N)
	}
	if nPerm < 1 || rng == nil {
		return nil, fmt.Errorf("%w: need ≥ 1 permutation and a random source", ErrInput)
	}
	ps, fast := newPermStat(data.Vec, model.Vec, data.N, m)
	var obs float64
	if !fast {
		var err error
		if obs, err = CompareRDMs(data, model, m); err != nil {
			return nil, err
		}
	}
	n := data.N
	seeds := drawSeeds(rng, nPerm)
	res := &PermutationResult{Observed: obs, Null: make([]float64, nPerm)}
	var firstErr error
	var once sync.Once
	if fast {
		// Four permutations per pass share the loads of the data vector.
		parallelFor((nPerm+3)/4, s.workers(), func(b int) {
			var p [4][]int32
			for t := range p {
				p[t] = permFromSeed(n, seeds[min(4*b+t, nPerm-1)])
			}
			v := permutedDot4(ps.m64, ps.d64, p, n)
			for t := 0; t < 4 && 4*b+t < nPerm; t++ {
				res.Null[4*b+t] = (v[t] - ps.offset) * ps.scale
			}
		})
	}
	if !fast {
		parallelFor(nPerm, s.workers(), func(k int) {
			v, err := CompareRDMs(data, permuteRDM(model, permFromSeed(n, seeds[k])), m)
			if err != nil {
				once.Do(func() { firstErr = err })
			}
			res.Null[k] = v
		})
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if fast {
		// The observed value through the same arithmetic as the null, so an
		// identity permutation ties exactly.
		id := make([]int32, n)
		for i := range id {
			id[i] = int32(i)
		}
		obs = (permutedDot4(ps.m64, ps.d64, [4][]int32{id, id, id, id}, n)[0] - ps.offset) * ps.scale
		res.Observed = obs
	}
	ge := 0
	for _, v := range res.Null {
		if v >= obs {
			ge++
		}
	}
	res.P = float64(1+ge) / float64(1+nPerm)
	return res, nil
}

// drawSeeds takes one seed per replicate from rng in sequence, so that
// replicate k depends only on rng and k — not on Workers or scheduling —
// and replicates need not be stored.
func drawSeeds(rng *rand.Rand, n int) []uint64 {
	s := make([]uint64, n)
	for i := range s {
		s[i] = rng.Uint64()
	}
	return s
}

// permFromSeed returns a uniformly random permutation of 0..n−1 drawn
// from a PCG seeded with seed.
func permFromSeed(n int, seed uint64) []int32 {
	p := make([]int32, n)
	for i := range p {
		p[i] = int32(i)
	}
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	r.Shuffle(n, func(i, j int) { p[i], p[j] = p[j], p[i] })
	return p
}

// resampleFromSeed returns n indices drawn with replacement from 0..n−1.
func resampleFromSeed(n int, seed uint64) []int {
	r := rand.New(rand.NewPCG(seed, 0x94d049bb133111eb))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = r.IntN(n)
	}
	return idx
}

// permStat evaluates a comparison under a condition permutation as one
// gathered dot product Σ_{i<j} M[p_i, p_j]·d_ij, then (raw − offset)·scale.
// Rank methods use doubled (integer) ranks, so for up to about 700
// conditions every product and partial sum is an exact integer in float64
// and the null distribution has no rounding noise at all.
type permStat struct {
	n             int
	d64, m64      []float64
	offset, scale float64
}

// newPermStat prepares the fast path for Cosine, Pearson, Spearman and
// RhoA on NaN-free RDMs; ok is false otherwise.
func newPermStat(d, mvec []float64, n int, m Compare) (ps *permStat, ok bool) {
	for i := range d {
		if math.IsNaN(d[i]) || math.IsNaN(mvec[i]) {
			return nil, false
		}
	}
	ps = &permStat{n: n, scale: 1}
	switch m {
	case Cosine:
		ps.d64, ps.m64 = unitNorm(d, false), (&RDM{N: n, Vec: unitNorm(mvec, false)}).Square()
	case Pearson:
		ps.d64, ps.m64 = unitNorm(d, true), (&RDM{N: n, Vec: unitNorm(mvec, true)}).Square()
	case Spearman, RhoA:
		ra, rb := Ranks(d), Ranks(mvec)
		nn := float64(len(d))
		mean := (nn + 1) / 2
		var ssa, ssb float64
		ps.d64 = make([]float64, len(ra))
		for i := range ra {
			ssa += (ra[i] - mean) * (ra[i] - mean)
			ssb += (rb[i] - mean) * (rb[i] - mean)
			ps.d64[i] = 2 * ra[i]
			rb[i] *= 2
		}
		ps.m64 = (&RDM{N: n, Vec: rb}).Square()
		// Σ(ra−r̄)(rb−r̄) = Σ ra·rb − N r̄² and raw = 4 Σ ra·rb.
		ps.offset = 4 * nn * mean * mean
		if m == Spearman {
			ps.scale = 1 / (4 * math.Sqrt(ssa*ssb))
		} else {
			ps.scale = 12 / (4 * (nn*nn*nn - nn))
		}
	default:
		return nil, false
	}
	return ps, true
}

func unitNorm(x []float64, centre bool) []float64 {
	out := slices.Clone(x)
	if centre {
		var m float64
		for _, v := range out {
			m += v
		}
		m /= float64(len(out))
		for i := range out {
			out[i] -= m
		}
	}
	var ss float64
	for _, v := range out {
		ss += v * v
	}
	ss = math.Sqrt(ss)
	for i := range out {
		out[i] /= ss
	}
	return out
}

// permutedDot4 returns Σ_{i<j} M[p_i, p_j] · d_ij for four permutations in
// one pass over d.
func permutedDot4(m, d []float64, p [4][]int32, n int) (out [4]float64) {
	k := 0
	for i := 0; i < n; i++ {
		r0 := m[int(p[0][i])*n : int(p[0][i])*n+n]
		r1 := m[int(p[1][i])*n : int(p[1][i])*n+n]
		r2 := m[int(p[2][i])*n : int(p[2][i])*n+n]
		r3 := m[int(p[3][i])*n : int(p[3][i])*n+n]
		q0 := p[0][i+1 : n]
		dd := d[k : k+len(q0)]
		q1, q2, q3 := p[1][i+1 : n][:len(dd)], p[2][i+1 : n][:len(dd)], p[3][i+1 : n][:len(dd)]
		q0 = q0[:len(dd)]
		var s0, s1, s2, s3 float64
		for j, dj := range dd {
			s0 += r0[q0[j]] * dj
			s1 += r1[q1[j]] * dj
			s2 += r2[q2[j]] * dj
			s3 += r3[q3[j]] * dj
		}
		out[0] += s0
		out[1] += s1
		out[2] += s2
		out[3] += s3
		k += len(dd)
	}
	return out
}

func permuteRDM(r *RDM, p []int32) *RDM {
	idx := make([]int, len(p))
	for i, v := range p {
		idx[i] = int(v)
	}
	return r.Subset(idx)
}

// parallelFor runs f(0..n−1) on up to workers goroutines.
func parallelFor(n, workers int, f func(i int)) {
	workers = max(1, min(workers, n))
	if workers == 1 {
		for i := 0; i < n; i++ {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	next := 0
	const chunk = 4
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+chunk, n); i++ {
					f(i)
				}
			}
		}()
	}
	wg.Wait()
}

// BootstrapResult holds the bootstrap distribution of each model's
// similarity to the data.
type BootstrapResult struct {
	Samples [][]float64 // [model][bootstrap sample]
	Mean    []float64   // mean over bootstrap samples
	SE      []float64   // standard deviation of the bootstrap samples
	CILow   []float64   // percentile interval
	CIHigh  []float64
}

// BootstrapStimuli resamples stimuli with replacement nBoot times and
// compares each model RDM with the data RDM on every resample. Pairs of a
// stimulus with its own copy are dropped (rsatoolbox's treatment of
// duplicates); the whitened methods use the distinct resampled stimuli.
// conf is the percentile-interval coverage (0 means 0.95).
func BootstrapStimuli(data *RDM, models []*RDM, m Compare, nBoot int, conf float64, rng *rand.Rand, s *Settings) (*BootstrapResult, error) {
	if nBoot < 2 || rng == nil {
		return nil, fmt.Errorf("%w: need ≥ 2 bootstrap samples and a random source", ErrInput)
	}
	for _, md := range models {
		if md.N != data.N {
			return nil, fmt.Errorf("%w: model RDM over %d conditions, data over %d", ErrInput, md.N, data.N)
		}
	}
	return bootstrapStats(data.N, len(models), nBoot, conf, rng, s, func(idx []int, out []float64) {
		slices.Sort(idx)
		if m == WhitenedCosine || m == WhitenedCorrelation {
			idx = slices.Compact(idx)
		}
		dv := subsetDup(data, idx)
		for i, md := range models {
			v, err := CompareRDMs(dv, subsetDup(md, idx), m)
			if err != nil {
				v = math.NaN()
			}
			out[i] = v
		}
	}), nil
}

// bootstrapStats resamples n stimuli with replacement nBoot times (the
// seeds are drawn from rng up front, so the result does not depend on the
// workers), lets stat write k statistics of each resample into out, and
// summarises each statistic's samples: mean, SE and the conf percentile
// interval (conf 0 means 0.95).
func bootstrapStats(n, k, nBoot int, conf float64, rng *rand.Rand, s *Settings, stat func(idx []int, out []float64)) *BootstrapResult {
	if conf == 0 {
		conf = 0.95
	}
	seeds := drawSeeds(rng, nBoot)
	res := &BootstrapResult{Samples: make([][]float64, k)}
	for i := range res.Samples {
		res.Samples[i] = make([]float64, nBoot)
	}
	parallelFor(nBoot, s.workers(), func(b int) {
		out := make([]float64, k)
		stat(resampleFromSeed(n, seeds[b]), out)
		for i, v := range out {
			res.Samples[i][b] = v
		}
	})
	for _, smp := range res.Samples {
		mean, sd, lo, hi := summarise(smp, conf)
		res.Mean = append(res.Mean, mean)
		res.SE = append(res.SE, sd)
		res.CILow = append(res.CILow, lo)
		res.CIHigh = append(res.CIHigh, hi)
	}
	return res
}

// subsetDup is Subset with NaN for pairs of a stimulus with itself.
func subsetDup(r *RDM, idx []int) *RDM {
	out := NewRDM(len(idx))
	k := 0
	for a := range idx {
		for b := a + 1; b < len(idx); b++ {
			if idx[a] == idx[b] {
				out.Vec[k] = math.NaN()
			} else {
				out.Vec[k] = r.At(idx[a], idx[b])
			}
			k++
		}
	}
	return out
}

func summarise(x []float64, conf float64) (mean, sd, lo, hi float64) {
	var v []float64
	for _, t := range x {
		if !math.IsNaN(t) {
			v = append(v, t)
		}
	}
	if len(v) == 0 {
		return math.NaN(), math.NaN(), math.NaN(), math.NaN()
	}
	for _, t := range v {
		mean += t
	}
	mean /= float64(len(v))
	for _, t := range v {
		sd += (t - mean) * (t - mean)
	}
	if len(v) > 1 {
		sd = math.Sqrt(sd / float64(len(v)-1))
	}
	slices.Sort(v)
	a := (1 - conf) / 2
	return mean, sd, quantile(v, a), quantile(v, 1-a)
}

// quantile of sorted x with linear interpolation (numpy's default).
func quantile(x []float64, q float64) float64 {
	h := q * float64(len(x)-1)
	i := int(math.Floor(h))
	if i+1 >= len(x) {
		return x[len(x)-1]
	}
	return x[i] + (h-float64(i))*(x[i+1]-x[i])
}

// Correction names a multiple-comparison correction.
type Correction string

const (
	Holm       Correction = "holm"       // Holm–Bonferroni step-down (FWER)
	Bonferroni Correction = "bonferroni" // p · m (FWER)
	FDR        Correction = "fdr"        // Benjamini–Hochberg (false discovery rate)
	NoCorr     Correction = "none"
)

// PairwiseResult compares every pair of models.
type PairwiseResult struct {
	Diff [][]float64 // mean bootstrap difference Samples[i] − Samples[j]
	P    [][]float64 // two-sided bootstrap p, uncorrected
	PAdj [][]float64 // corrected over the m(m−1)/2 pairs
}

// PairwiseComparisons tests every pair of models on a bootstrap
// distribution (same resamples for all models): the two-sided p is twice
// the smaller fraction of samples on either side of zero (at least
// 1/nBoot), then corrected with c.
func PairwiseComparisons(b *BootstrapResult, c Correction) (*PairwiseResult, error) {
	k := len(b.Samples)
	res := &PairwiseResult{Diff: square(k), P: square(k), PAdj: square(k)}
	var ps []float64
	type ij struct{ i, j int }
	var pairs []ij
	for i := 0; i < k; i++ {
		for j := i + 1; j < k; j++ {
			var sum float64
			var le, ge, n int
			for t := range b.Samples[i] {
				d := b.Samples[i][t] - b.Samples[j][t]
				if math.IsNaN(d) {
					continue
				}
				sum += d
				n++
				if d <= 0 {
					le++
				}
				if d >= 0 {
					ge++
				}
			}
			p := math.NaN()
			if n > 0 {
				p = math.Min(1, 2*float64(max(1, min(le, ge)))/float64(n))
				sum /= float64(n)
			}
			res.Diff[i][j], res.Diff[j][i] = sum, -sum
			res.P[i][j], res.P[j][i] = p, p
			ps = append(ps, p)
			pairs = append(pairs, ij{i, j})
		}
	}
	adj, err := AdjustP(ps, c)
	if err != nil {
		return nil, err
	}
	for t, pr := range pairs {
		res.PAdj[pr.i][pr.j], res.PAdj[pr.j][pr.i] = adj[t], adj[t]
	}
	return res, nil
}

func square(k int) [][]float64 {
	out := make([][]float64, k)
	for i := range out {
		out[i] = make([]float64, k)
	}
	return out
}

// AdjustP corrects p-values for multiple comparisons.
func AdjustP(p []float64, c Correction) ([]float64, error) {
	m := len(p)
	out := make([]float64, m)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return p[order[a]] < p[order[b]] })
	switch c {
	case NoCorr:
		copy(out, p)
	case Bonferroni:
		for i, v := range p {
			out[i] = math.Min(1, v*float64(m))
		}
	case Holm, "":
		run := 0.0
		for r, i := range order {
			v := math.Min(1, p[i]*float64(m-r))
			run = math.Max(run, v)
			out[i] = run
		}
	case FDR:
		run := 1.0
		for r := m - 1; r >= 0; r-- {
			i := order[r]
			v := math.Min(1, p[i]*float64(m)/float64(r+1))
			run = math.Min(run, v)
			out[i] = run
		}
	default:
		return nil, fmt.Errorf("%w: unknown correction %q", ErrInput, c)
	}
	return out, nil
}
