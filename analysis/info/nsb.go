package info

import (
	"encoding/binary"
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/integrate/quad"
	"gonum.org/v1/gonum/mathext"
)

// nsbEntropy is the NSB posterior-mean entropy in bits for counts over an
// alphabet of k symbols (k >= len(nonzero counts)).
//
// The prior is a mixture of symmetric Dirichlet(β) distributions weighted by
// dξ/dβ, ξ(β) = ψ(kβ+1) − ψ(β+1) the prior mean entropy, so the prior is flat
// in ξ. With evidence P(n|β) = Γ(kβ)/Γ(N+kβ) Π Γ(n_i+β)/Γ(β) and the
// conditional mean E[H|n,β] = ψ(A+1) − Σ (n_i+β)/A ψ(n_i+β+1), A = N + kβ,
// the estimate is ∫ E[H|n,β] P(n|β) dξ / ∫ P(n|β) dξ. Both integrals are
// taken over u = ln β: the peak of the log integrand is located on a coarse
// grid and refined by golden-section search, the range is extended until the
// integrand falls e^−40 below the peak, and each side of the peak gets a
// Gauss–Legendre rule with nodes/2 points.
func nsbEntropy(counts []int, k, nodes int) float64 {
	key := nsbKey(counts, k, nodes)
	if v, ok := nsbCache.Load(key); ok {
		return v.(float64)
	}
	h := nsbCompute(counts, k, nodes)
	if nsbCacheSize.Add(1) <= nsbCacheMax {
		nsbCache.Store(key, h)
	}
	return h
}

// The NSB value depends only on (multiset of counts, k, nodes); permutation
// nulls revisit the same few conditional count vectors many times, so
// results are memoised (bounded; pure function, so results are identical
// with or without the cache).
var (
	nsbCache     sync.Map
	nsbCacheSize atomic.Int64
)

const nsbCacheMax = 1 << 20

func nsbKey(counts []int, k, nodes int) string {
	nz := make([]int, 0, len(counts))
	for _, c := range counts {
		if c > 0 {
			nz = append(nz, c)
		}
	}
	slices.Sort(nz)
	b := make([]byte, 0, 8*(len(nz)+2))
	b = binary.AppendUvarint(b, uint64(k))
	b = binary.AppendUvarint(b, uint64(nodes))
	for _, c := range nz {
		b = binary.AppendUvarint(b, uint64(c))
	}
	return string(b)
}

func nsbCompute(counts []int, k, nodes int) float64 {
	n := 0
	for _, c := range counts {
		n += c
	}
	if k <= 1 || n == 0 {
		if n == 0 && k > 1 {
			// Prior mean of ξ flat on [0, ln k].
			return math.Log(float64(k)) / 2 / ln2
		}
		return 0
	}
	// Group bins by count: the integrand depends only on the multiset.
	mult := map[int]int{}
	for _, c := range counts {
		if c > 0 {
			mult[c]++
		}
	}
	type grp struct{ c, m int }
	g := make([]grp, 0, len(mult))
	for c, m := range mult {
		g = append(g, grp{c, m})
	}
	zeros := k - len(counts)
	for _, c := range counts {
		if c == 0 {
			zeros++
		}
	}
	fk, fn := float64(k), float64(n)

	// logw(u): log of P(n|β)·dξ/dβ·β up to a constant.
	logw := func(u float64) float64 {
		b := math.Exp(u)
		lp := -lgammaRatio(fk*b, fn) // ln Γ(kβ) − ln Γ(N+kβ)
		for _, e := range g {
			lp += float64(e.m) * lgammaRatio(b, float64(e.c))
		}
		dxi := dXidBeta(fk, b)
		if dxi <= 0 {
			return math.Inf(-1)
		}
		return lp + math.Log(dxi) + u
	}
	// condH(u): E[H|n,β] in nats.
	condH := func(u float64) float64 {
		b := math.Exp(u)
		a := fn + fk*b
		h := mathext.Digamma(a + 1)
		for _, e := range g {
			x := float64(e.c) + b
			h -= float64(e.m) * x / a * mathext.Digamma(x+1)
		}
		if zeros > 0 {
			h -= float64(zeros) * b / a * mathext.Digamma(b+1)
		}
		return h
	}

	// Coarse scan for the peak, then golden-section refinement.
	const lo0, hi0, step = -30.0, 30.0, 1.0
	bu, bl := lo0, math.Inf(-1)
	for u := lo0; u <= hi0; u += step {
		if l := logw(u); l > bl {
			bu, bl = u, l
		}
	}
	a, b := bu-step, bu+step
	const phi = 0.6180339887498949
	x1, x2 := b-phi*(b-a), a+phi*(b-a)
	f1, f2 := logw(x1), logw(x2)
	for i := 0; i < 40; i++ {
		if f1 < f2 {
			a, x1, f1 = x1, x2, f2
			x2 = a + phi*(b-a)
			f2 = logw(x2)
		} else {
			b, x2, f2 = x2, x1, f1
			x1 = b - phi*(b-a)
			f1 = logw(x1)
		}
	}
	peak := (a + b) / 2
	lmax := math.Max(logw(peak), bl)
	// Extend until the integrand is e^-40 below the peak.
	edge := func(dir float64) float64 {
		d := 0.25
		u := peak + dir*d
		for i := 0; i < 200; i++ {
			if logw(u) < lmax-40 {
				return u
			}
			d *= 1.5
			u = peak + dir*d
		}
		return u
	}
	left, right := edge(-1), edge(+1)
	half := nodes / 2
	if half < 8 {
		half = 8
	}
	xs := make([]float64, half)
	ws := make([]float64, half)
	var num, den float64
	for _, iv := range [][2]float64{{left, peak}, {peak, right}} {
		quad.Legendre{}.FixedLocations(xs, ws, iv[0], iv[1])
		for i, u := range xs {
			w := ws[i] * math.Exp(logw(u)-lmax)
			if w == 0 || math.IsNaN(w) {
				continue
			}
			den += w
			num += w * condH(u)
		}
	}
	return num / den / ln2
}

// lgammaRatio returns ln Γ(x+m) − ln Γ(x) for x > 0, m >= 0, accurately
// also when x ≫ m (where the difference of two huge lgammas would cancel).
func lgammaRatio(x, m float64) float64 {
	if m == 0 {
		return 0
	}
	if x < 1e7 {
		a, _ := math.Lgamma(x + m)
		b, _ := math.Lgamma(x)
		return a - b
	}
	// Stirling: ln Γ(z) ≈ (z−½)ln z − z + ½ln 2π + 1/(12z) − 1/(360z³).
	// Difference written with log1p to avoid cancellation.
	y := x + m
	d := (x-0.5)*math.Log1p(m/x) + m*math.Log(y) - m
	d += 1/(12*y) - 1/(12*x)
	return d
}

// dXidBeta is dξ/dβ = k ψ₁(kβ+1) − ψ₁(β+1). For large β the two terms
// cancel to ~1/β², so it switches to the asymptotic difference from
// ψ₁(z+1) = 1/z − 1/(2z²) + 1/(6z³) − 1/(30z⁵) + …
func dXidBeta(k, b float64) float64 {
	if b < 1e4 {
		return k*trigamma(k*b+1) - trigamma(b+1)
	}
	b2 := b * b
	return (1-1/k)/(2*b2) - (1-1/(k*k))/(6*b2*b) + (1-1/(k*k*k*k))/(30*b2*b2*b)
}

// trigamma is ψ₁(x) = ζ(2, x), the Hurwitz zeta at s = 2.
func trigamma(x float64) float64 { return mathext.Zeta(2, x) }
