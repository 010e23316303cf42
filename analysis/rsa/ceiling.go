package rsa

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// SpearmanBrown predicts the reliability of a measure k times as long from
// the reliability r of one part: k r / (1 + (k − 1) r). For split-half
// reliability k = 2 (2r/(1+r)).
func SpearmanBrown(r, k float64) float64 { return k * r / (1 + (k-1)*r) }

// CeiledScore is Brain-Score's current ceiling normalisation, the explained
// variance r² / ceiling (older benchmarks used r / ceiling).
func CeiledScore(r, ceiling float64) float64 { return r * r / ceiling }

// Ceiling is a noise ceiling: the range of similarity the best possible
// model could reach given the noise in the data.
type Ceiling struct{ Lower, Upper float64 }

// NoiseCeiling is rsatoolbox's boot_noise_ceiling point estimate for a set
// of RDMs measuring the same thing (subjects, sessions or repetitions):
// Upper = mean over s of compare(pool(all), RDM_s), Lower = the same with
// the leave-one-out pool. Pooling follows rsatoolbox's pool_rdm: cosine
// methods average RMS-normalised RDMs, Pearson averages z-scored RDMs, rank
// methods average ranks, others average raw values.
func NoiseCeiling(rdms []*RDM, m Compare) (Ceiling, error) {
	if len(rdms) < 2 {
		return Ceiling{}, fmt.Errorf("%w: a noise ceiling needs at least 2 RDMs, have %d", ErrInput, len(rdms))
	}
	n := rdms[0].N
	tr := make([][]float64, len(rdms))
	for s, r := range rdms {
		if r.N != n {
			return Ceiling{}, fmt.Errorf("%w: RDMs over %d and %d conditions", ErrInput, n, r.N)
		}
		tr[s] = poolTransform(r.Vec, m)
	}
	sum := make([]float64, len(tr[0]))
	for _, v := range tr {
		for i, x := range v {
			sum[i] += x
		}
	}
	var c Ceiling
	all, loo := NewRDM(n), NewRDM(n)
	for i := range sum {
		all.Vec[i] = sum[i] / float64(len(tr))
	}
	for s, r := range rdms {
		for i := range sum {
			loo.Vec[i] = (sum[i] - tr[s][i]) / float64(len(tr)-1)
		}
		up, err := CompareRDMs(all, r, m)
		if err != nil {
			return Ceiling{}, err
		}
		lo, err := CompareRDMs(loo, r, m)
		if err != nil {
			return Ceiling{}, err
		}
		c.Upper += up / float64(len(rdms))
		c.Lower += lo / float64(len(rdms))
	}
	return c, nil
}

func poolTransform(v []float64, m Compare) []float64 {
	out := slices.Clone(v)
	var ok []float64
	for _, x := range v {
		if !math.IsNaN(x) {
			ok = append(ok, x)
		}
	}
	switch m {
	case Cosine, WhitenedCosine:
		var ss float64
		for _, x := range ok {
			ss += x * x
		}
		rms := math.Sqrt(ss / float64(len(ok)))
		for i := range out {
			out[i] /= rms
		}
	case Pearson, WhitenedCorrelation:
		var mu, ss float64
		for _, x := range ok {
			mu += x
		}
		mu /= float64(len(ok))
		for _, x := range ok {
			ss += (x - mu) * (x - mu)
		}
		sd := math.Sqrt(ss / float64(len(ok)))
		for i := range out {
			out[i] = (out[i] - mu) / sd
		}
	case Spearman, RhoA, TauA, TauB:
		r := Ranks(ok)
		k := 0
		for i := range out {
			if !math.IsNaN(out[i]) {
				out[i] = r[k]
				k++
			}
		}
	}
	return out
}

// SplitHalfCeiling estimates how well any model can match the RDM of
// t's condition means. The folds (repetitions) are split in random halves
// nSplits times; each half gives an RDM (method rdm) and r_half is the mean
// similarity (comparison m) of the two halves. ρ = SpearmanBrown(r_half, 2)
// estimates the similarity between two independent full-data RDMs. Lower =
// ρ (an independent replication of the experiment), Upper = √ρ (the
// expected similarity of the noise-free RDM with the data RDM, the index of
// reliability of classical test theory).
func SplitHalfCeiling(t *Trials, rdm Method, m Compare, nSplits int, rng *rand.Rand, s *Settings) (ceiling Ceiling, rHalf float64, err error) {
	if err := t.check(); err != nil {
		return Ceiling{}, 0, err
	}
	folds := t.folds()
	if len(folds) < 2 || nSplits < 1 || rng == nil {
		return Ceiling{}, 0, fmt.Errorf("%w: split-half ceiling needs ≥ 2 folds, ≥ 1 split and a random source", ErrInput)
	}
	var sum float64
	for k := 0; k < nSplits; k++ {
		a, b, err := t.randomHalves(folds, rng)
		if err != nil {
			return Ceiling{}, 0, err
		}
		ra, err := ComputeRDM(a, rdm, s)
		if err != nil {
			return Ceiling{}, 0, err
		}
		rb, _ := ComputeRDM(b, rdm, s)
		v, err := CompareRDMs(ra, rb, m)
		if err != nil {
			return Ceiling{}, 0, err
		}
		sum += v
	}
	rHalf = sum / float64(nSplits)
	rho := SpearmanBrown(rHalf, 2)
	return Ceiling{Lower: rho, Upper: math.Sqrt(math.Max(rho, 0))}, rHalf, nil
}

// randomHalves splits folds (t.folds()) into two random halves drawn from
// rng (the first gets len/2) and returns each half's condition-mean
// patterns.
func (t *Trials) randomHalves(folds []int, rng *rand.Rand) (a, b *mat.Dense, err error) {
	perm := rng.Perm(len(folds))
	half := map[int]bool{}
	for _, i := range perm[:len(folds)/2] {
		half[folds[i]] = true
	}
	if a, _, err = t.MeanPatterns(func(f int) bool { return half[f] }); err != nil {
		return nil, nil, err
	}
	if b, _, err = t.MeanPatterns(func(f int) bool { return !half[f] }); err != nil {
		return nil, nil, err
	}
	return a, b, nil
}
