package info

import (
	"math"
	"slices"
)

// kdTree indexes n points in d dimensions for max-norm (Chebyshev)
// neighbour queries: k nearest neighbours and counts inside open balls,
// both O(log n) on average, which keeps KSG at O(N log N).
type kdTree struct {
	d     int
	pts   [][]float64
	order []int // point indices; each node owns order[lo:hi]
	nodes []kdNode
}

type kdNode struct {
	lo, hi      int
	left, right int // child node indices, −1 for a leaf
	min, max    []float64
}

const kdLeaf = 12

func newKDTree(pts [][]float64) *kdTree {
	t := &kdTree{d: len(pts[0]), pts: pts, order: identity(len(pts))}
	t.build(0, len(pts))
	return t
}

func (t *kdTree) build(lo, hi int) int {
	n := kdNode{lo: lo, hi: hi, left: -1, right: -1, min: make([]float64, t.d), max: make([]float64, t.d)}
	for j := 0; j < t.d; j++ {
		n.min[j], n.max[j] = math.Inf(1), math.Inf(-1)
	}
	for _, i := range t.order[lo:hi] {
		for j, v := range t.pts[i] {
			n.min[j] = math.Min(n.min[j], v)
			n.max[j] = math.Max(n.max[j], v)
		}
	}
	id := len(t.nodes)
	t.nodes = append(t.nodes, n)
	if hi-lo <= kdLeaf {
		return id
	}
	dim, spread := 0, -1.0
	for j := 0; j < t.d; j++ {
		if s := n.max[j] - n.min[j]; s > spread {
			dim, spread = j, s
		}
	}
	if spread == 0 {
		return id
	}
	seg := t.order[lo:hi]
	slices.SortFunc(seg, func(a, b int) int {
		switch va, vb := t.pts[a][dim], t.pts[b][dim]; {
		case va < vb:
			return -1
		case va > vb:
			return 1
		}
		return 0
	})
	mid := lo + (hi-lo)/2
	l := t.build(lo, mid)
	r := t.build(mid, hi)
	t.nodes[id].left, t.nodes[id].right = l, r
	return id
}

func chebyshev(a, b []float64) float64 {
	m := 0.0
	for j := range a {
		m = math.Max(m, math.Abs(a[j]-b[j]))
	}
	return m
}

// boxDist is the max-norm distance from q to the node's bounding box.
func (n *kdNode) boxDist(q []float64) float64 {
	m := 0.0
	for j, v := range q {
		if v < n.min[j] {
			m = math.Max(m, n.min[j]-v)
		} else if v > n.max[j] {
			m = math.Max(m, v-n.max[j])
		}
	}
	return m
}

// kthDist returns the distance from point self to its k-th nearest other
// point (max-norm).
func (t *kdTree) kthDist(self, k int) float64 {
	best := make([]float64, 0, k) // ascending
	q := t.pts[self]
	var visit func(id int)
	visit = func(id int) {
		n := &t.nodes[id]
		if len(best) == k && n.boxDist(q) >= best[k-1] {
			return
		}
		if n.left < 0 {
			for _, i := range t.order[n.lo:n.hi] {
				if i == self {
					continue
				}
				dd := chebyshev(q, t.pts[i])
				if len(best) < k {
					best = append(best, dd)
					slices.Sort(best)
				} else if dd < best[k-1] {
					best[k-1] = dd
					slices.Sort(best)
				}
			}
			return
		}
		a, b := n.left, n.right
		if t.nodes[b].boxDist(q) < t.nodes[a].boxDist(q) {
			a, b = b, a
		}
		visit(a)
		visit(b)
	}
	visit(0)
	return best[k-1]
}

// countWithin counts points other than self at max-norm distance < r.
func (t *kdTree) countWithin(self int, r float64) int {
	q := t.pts[self]
	c := 0
	var visit func(id int)
	visit = func(id int) {
		n := &t.nodes[id]
		if n.boxDist(q) >= r {
			return
		}
		inside := true
		for j, v := range q {
			if n.min[j] <= v-r || n.max[j] >= v+r {
				inside = false
				break
			}
		}
		if inside {
			c += n.hi - n.lo
			return
		}
		if n.left < 0 {
			for _, i := range t.order[n.lo:n.hi] {
				if chebyshev(q, t.pts[i]) < r {
					c++
				}
			}
			return
		}
		visit(n.left)
		visit(n.right)
	}
	visit(0)
	return c - 1 // self is always within r > 0
}
