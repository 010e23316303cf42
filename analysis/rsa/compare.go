package rsa

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Compare names an RDM comparison.
type Compare string

const (
	Cosine              Compare = "cosine"     // ⟨a,b⟩/(‖a‖‖b‖)
	Pearson             Compare = "corr"       // cosine of demeaned vectors
	Spearman            Compare = "spearman"   // Pearson on average-tie ranks
	RhoA                Compare = "rho-a"      // 12 Σ(r_a − r̄)(r_b − r̄)/(n³ − n)
	TauA                Compare = "tau-a"      // (concordant − discordant)/(n(n−1)/2)
	TauB                Compare = "tau-b"      // Kendall τ-b (scipy kendalltau)
	WhitenedCosine      Compare = "cosine_cov" // rsatoolbox cosine_cov, sigma_k = nil
	WhitenedCorrelation Compare = "corr_cov"   // rsatoolbox corr_cov, sigma_k = nil
)

// Compares lists every supported comparison.
var Compares = []Compare{Cosine, Pearson, Spearman, RhoA, TauA, TauB, WhitenedCosine, WhitenedCorrelation}

// CompareRDMs compares two RDMs over the same conditions. Pairs where
// either RDM is NaN are dropped (rsatoolbox semantics); for the whitened
// methods, NaN entries are not allowed.
func CompareRDMs(a, b *RDM, m Compare) (float64, error) {
	if a.N != b.N {
		return math.NaN(), fmt.Errorf("%w: RDMs over %d and %d conditions", ErrInput, a.N, b.N)
	}
	switch m {
	case WhitenedCosine, WhitenedCorrelation:
		return whitened(a, b, m == WhitenedCorrelation)
	}
	x, y := dropNaN(a.Vec, b.Vec)
	return CompareVectors(x, y, m)
}

func dropNaN(a, b []float64) ([]float64, []float64) {
	clean := true
	for i := range a {
		if math.IsNaN(a[i]) || math.IsNaN(b[i]) {
			clean = false
			break
		}
	}
	if clean {
		return a, b
	}
	var x, y []float64
	for i := range a {
		if !math.IsNaN(a[i]) && !math.IsNaN(b[i]) {
			x, y = append(x, a[i]), append(y, b[i])
		}
	}
	return x, y
}

// CompareVectors compares two dissimilarity vectors of equal length with
// one of the non-whitened methods.
func CompareVectors(a, b []float64, m Compare) (float64, error) {
	if len(a) != len(b) {
		return math.NaN(), fmt.Errorf("%w: vectors of length %d and %d", ErrInput, len(a), len(b))
	}
	if len(a) < 2 {
		return math.NaN(), fmt.Errorf("%w: need at least 2 dissimilarities, have %d", ErrInput, len(a))
	}
	switch m {
	case Cosine:
		return cosine(a, b), nil
	case Pearson:
		return pearson(a, b), nil
	case Spearman:
		return pearson(Ranks(a), Ranks(b)), nil
	case RhoA:
		ra, rb := Ranks(a), Ranks(b)
		n := float64(len(a))
		mean := (n + 1) / 2
		var s float64
		for i := range ra {
			s += (ra[i] - mean) * (rb[i] - mean)
		}
		return 12 * s / (n*n*n - n), nil
	case TauA:
		num, n0, _, _ := kendall(a, b)
		return num / n0, nil
	case TauB:
		num, n0, t1, t2 := kendall(a, b)
		return num / math.Sqrt((n0-t1)*(n0-t2)), nil
	}
	return math.NaN(), fmt.Errorf("%w: unknown comparison %q", ErrInput, m)
}

func cosine(a, b []float64) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	return ab / math.Sqrt(aa*bb)
}

func pearson(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma += a[i]
		mb += b[i]
	}
	ma /= float64(len(a))
	mb /= float64(len(b))
	var ab, aa, bb float64
	for i := range a {
		x, y := a[i]-ma, b[i]-mb
		ab += x * y
		aa += x * x
		bb += y * y
	}
	return ab / math.Sqrt(aa*bb)
}

// Ranks returns 1-based ranks with ties given their average rank (scipy
// rankdata 'average').
func Ranks(x []float64) []float64 {
	type vi struct {
		v float64
		i int32
	}
	s := make([]vi, len(x))
	for i, v := range x {
		s[i] = vi{v, int32(i)}
	}
	slices.SortFunc(s, func(a, b vi) int {
		switch {
		case a.v < b.v:
			return -1
		case a.v > b.v:
			return 1
		}
		return cmp.Compare(a.v, b.v) // equal, or NaN involved
	})
	r := make([]float64, len(x))
	for i := 0; i < len(s); {
		j := i + 1
		for j < len(s) && s[j].v == s[i].v {
			j++
		}
		avg := float64(i+j+1) / 2 // mean of ranks i+1 … j
		for k := i; k < j; k++ {
			r[s[k].i] = avg
		}
		i = j
	}
	return r
}

// kendall returns (concordant − discordant), n0 = n(n−1)/2, and the numbers
// of pairs tied in a and in b, in O(n log n) (Knight 1966).
func kendall(a, b []float64) (num, n0, tiesA, tiesB float64) {
	n := len(a)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(i, j int) int {
		if a[i] != a[j] {
			if a[i] < a[j] {
				return -1
			}
			return 1
		}
		switch {
		case b[i] < b[j]:
			return -1
		case b[i] > b[j]:
			return 1
		}
		return 0
	})
	var n1, n3 float64 // tied in a; tied in both
	for i := 0; i < n; {
		j := i + 1
		for j < n && a[idx[j]] == a[idx[i]] {
			j++
		}
		t := float64(j - i)
		n1 += t * (t - 1) / 2
		for k := i; k < j; {
			l := k + 1
			for l < j && b[idx[l]] == b[idx[k]] {
				l++
			}
			u := float64(l - k)
			n3 += u * (u - 1) / 2
			k = l
		}
		i = j
	}
	// Merge sort by b, counting exchanges (= discordant pairs among those not tied).
	bs := make([]float64, n)
	for i, k := range idx {
		bs[i] = b[k]
	}
	tmp := make([]float64, n)
	swaps := mergeCount(bs, tmp)
	var n2 float64
	for i := 0; i < n; {
		j := i + 1
		for j < n && bs[j] == bs[i] {
			j++
		}
		t := float64(j - i)
		n2 += t * (t - 1) / 2
		i = j
	}
	n0 = float64(n) * float64(n-1) / 2
	num = n0 - n1 - n2 + n3 - 2*swaps
	return num, n0, n1, n2
}

// mergeCount sorts x ascending and returns the number of inversions.
func mergeCount(x, tmp []float64) float64 {
	n := len(x)
	var swaps float64
	for w := 1; w < n; w *= 2 {
		for lo := 0; lo < n-w; lo += 2 * w {
			mid, hi := lo+w, min(lo+2*w, n)
			i, j, k := lo, mid, lo
			for i < mid && j < hi {
				if x[j] < x[i] {
					tmp[k] = x[j]
					swaps += float64(mid - i)
					j++
				} else {
					tmp[k] = x[i]
					i++
				}
				k++
			}
			k += copy(tmp[k:], x[i:mid])
			copy(tmp[k:], x[j:hi])
			copy(x[lo:hi], tmp[lo:hi])
		}
	}
	return swaps
}

// whitened implements rsatoolbox's cosine_cov / corr_cov without a
// pattern covariance: each RDM D (for corr_cov, demeaned first) is turned
// into G = −½ H D H by double centring and the Frobenius cosine of the two
// G is returned. For squared-Euclidean RDMs this equals linear CKA of the
// underlying patterns (analysis-methods.md O11d).
func whitened(a, b *RDM, demean bool) (float64, error) {
	ga, err := doubleCentre(a, demean)
	if err != nil {
		return math.NaN(), err
	}
	gb, err := doubleCentre(b, demean)
	if err != nil {
		return math.NaN(), err
	}
	return cosine(ga, gb), nil
}

func doubleCentre(r *RDM, demean bool) ([]float64, error) {
	v := r.Vec
	if demean {
		var m float64
		for _, x := range v {
			m += x
		}
		m /= float64(len(v))
		v = make([]float64, len(r.Vec))
		for i, x := range r.Vec {
			v[i] = x - m
		}
	}
	for _, x := range v {
		if math.IsNaN(x) {
			return nil, fmt.Errorf("%w: whitened comparisons need RDMs without NaN", ErrInput)
		}
	}
	d := (&RDM{N: r.N, Vec: v}).Square()
	return centreGram(d, r.N, -0.5), nil
}

// centreGram returns scale · H K H for a square n × n matrix K.
func centreGram(k []float64, n int, scale float64) []float64 {
	row := make([]float64, n)
	var tot float64
	for i := 0; i < n; i++ {
		var s float64
		for j := 0; j < n; j++ {
			s += k[i*n+j]
		}
		row[i] = s / float64(n)
		tot += s
	}
	tot /= float64(n * n)
	out := make([]float64, n*n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			// K symmetric: column means equal row means.
			out[i*n+j] = scale * (k[i*n+j] - row[i] - row[j] + tot)
		}
	}
	return out
}
