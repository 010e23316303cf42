package rsa

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// PermutationTestCKA tests linear CKA between x and y against random
// relabelling of y's stimuli. Both Grams are centred once; each
// permutation is one gathered n² dot product. P is (1 + #{null ≥ obs}) /
// (1 + nPerm).
func PermutationTestCKA(x, y *Gram, nPerm int, rng *rand.Rand, s *Settings) (*PermutationResult, error) {
	if x.N != y.N {
		return nil, fmt.Errorf("%w: CKA of %d and %d stimuli", ErrInput, x.N, y.N)
	}
	if nPerm < 1 || rng == nil {
		return nil, fmt.Errorf("%w: need ≥ 1 permutation and a random source", ErrInput)
	}
	n := x.N
	kc, lc := centreGram(x.K, n, 1), centreGram(y.K, n, 1)
	norm := math.Sqrt(dot(kc, kc) * dot(lc, lc))
	seeds := drawSeeds(rng, nPerm)
	stat := func(p []int32) float64 {
		var s float64
		for i := 0; i < n; i++ {
			row := lc[int(p[i])*n : int(p[i])*n+n]
			ki := kc[i*n : i*n+n]
			for j, pj := range p {
				s += ki[j] * row[pj]
			}
		}
		return s / norm
	}
	id := make([]int32, n)
	for i := range id {
		id[i] = int32(i)
	}
	res := &PermutationResult{Observed: stat(id), Null: make([]float64, nPerm)}
	parallelFor(nPerm, s.workers(), func(k int) { res.Null[k] = stat(permFromSeed(n, seeds[k])) })
	ge := 0
	for _, v := range res.Null {
		if v >= res.Observed {
			ge++
		}
	}
	res.P = float64(1+ge) / float64(1+nPerm)
	return res, nil
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// BootstrapCKA resamples stimuli with replacement and computes linear CKA
// of x with each of ys on the resampled Grams (repeated stimuli simply
// repeat rows). conf 0 means 0.95.
func BootstrapCKA(x *Gram, ys []*Gram, nBoot int, conf float64, rng *rand.Rand, s *Settings) (*BootstrapResult, error) {
	if nBoot < 2 || rng == nil {
		return nil, fmt.Errorf("%w: need ≥ 2 bootstrap samples and a random source", ErrInput)
	}
	for _, y := range ys {
		if y.N != x.N {
			return nil, fmt.Errorf("%w: CKA of %d and %d stimuli", ErrInput, x.N, y.N)
		}
	}
	sub := func(g *Gram, idx []int) []float64 {
		out := make([]float64, len(idx)*len(idx))
		for a, i := range idx {
			for b, j := range idx {
				out[a*len(idx)+b] = g.K[i*g.N+j]
			}
		}
		return centreGram(out, len(idx), 1)
	}
	return bootstrapStats(x.N, len(ys), nBoot, conf, rng, s, func(idx []int, out []float64) {
		kx := sub(x, idx)
		for i, y := range ys {
			out[i] = cosine(kx, sub(y, idx))
		}
	}), nil
}
