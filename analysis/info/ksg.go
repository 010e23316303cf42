package info

import (
	"fmt"
	"math/rand/v2"

	"gonum.org/v1/gonum/mathext"
)

// KSG estimates the mutual information between continuous x and y (rows =
// samples) with Kraskov–Stögbauer–Grassberger algorithm 1, in bits (log
// base 2): I = [ψ(k) + ψ(N) − ⟨ψ(n_x+1) + ψ(n_y+1)⟩] / ln 2, where the k-th
// neighbour distance ε_i uses the max-norm in the joint space and n_x, n_y
// count marginal points strictly closer than ε_i. k is
// Settings.KSGNeighbours (default 3, as NPEET and scikit-learn). Neighbour
// searches use KD-trees, O(N log N). Estimates can be slightly negative.
//
// If jitter > 0, uniform noise in [0, jitter) drawn from Settings.Rand is
// added to every coordinate first to break ties (NPEET uses 1e-10); discrete
// or repeated values otherwise make ε_i zero.
func KSG(x, y [][]float64, jitter float64, set *Settings) (float64, error) {
	nx, dx, err := dims("x", x)
	if err != nil {
		return 0, err
	}
	ny, _, err := dims("y", y)
	if err != nil {
		return 0, err
	}
	if nx != ny {
		return 0, inputErr("x has %d samples, y has %d", nx, ny)
	}
	k := set.ksgK()
	if nx <= k {
		return 0, fmt.Errorf("%w: KSG with k=%d needs more than %d samples", ErrTooFew, k, k)
	}
	return ksg(x, y, dx, k, jitter, set.rng())
}

func ksg(x, y [][]float64, dx, k int, jitter float64, r *rand.Rand) (float64, error) {
	n := len(x)
	joint := hstack(x, y)
	if jitter > 0 {
		for _, row := range joint {
			for j := range row {
				row[j] += jitter * r.Float64()
			}
		}
	}
	xs := make([][]float64, n)
	ys := make([][]float64, n)
	for i, row := range joint {
		xs[i], ys[i] = row[:dx], row[dx:]
	}
	tj, tx, ty := newKDTree(joint), newKDTree(xs), newKDTree(ys)
	acc := 0.0
	for i := 0; i < n; i++ {
		eps := tj.kthDist(i, k)
		if eps == 0 {
			return 0, fmt.Errorf("%w: sample %d has %d identical neighbours; add jitter", ErrInput, i, k)
		}
		acc += mathext.Digamma(float64(tx.countWithin(i, eps)+1)) + mathext.Digamma(float64(ty.countWithin(i, eps)+1))
	}
	v := mathext.Digamma(float64(k)) + mathext.Digamma(float64(n)) - acc/float64(n)
	return v / ln2, nil
}
