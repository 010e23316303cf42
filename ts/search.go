package ts

// lowerFrom returns the first index i ≥ lo with a[i] ≥ x (len(a) if none),
// searching exponentially forward from lo. With sorted queries this costs
// O(log gap) per query instead of O(log n).
func lowerFrom(a []float64, lo int, x float64) int {
	n := len(a)
	if lo >= n || a[lo] >= x {
		return lo
	}
	// a[lo] < x: gallop
	step := 1
	prev := lo
	hi := lo + 1
	for hi < n && a[hi] < x {
		prev = hi
		step <<= 1
		hi = lo + step
	}
	if hi > n {
		hi = n
	}
	// invariant: a[prev] < x, (hi == n or a[hi] >= x)
	l, h := prev+1, hi
	for l < h {
		m := int(uint(l+h) >> 1)
		if a[m] < x {
			l = m + 1
		} else {
			h = m
		}
	}
	return l
}

// upperFrom returns the first index i ≥ lo with a[i] > x (len(a) if none).
func upperFrom(a []float64, lo int, x float64) int {
	n := len(a)
	if lo >= n || a[lo] > x {
		return lo
	}
	step := 1
	prev := lo
	hi := lo + 1
	for hi < n && a[hi] <= x {
		prev = hi
		step <<= 1
		hi = lo + step
	}
	if hi > n {
		hi = n
	}
	l, h := prev+1, hi
	for l < h {
		m := int(uint(l+h) >> 1)
		if a[m] <= x {
			l = m + 1
		} else {
			h = m
		}
	}
	return l
}

// lower returns the first index with a[i] ≥ x by plain binary search.
func lower(a []float64, x float64) int {
	l, h := 0, len(a)
	for l < h {
		m := int(uint(l+h) >> 1)
		if a[m] < x {
			l = m + 1
		} else {
			h = m
		}
	}
	return l
}

// upper returns the first index with a[i] > x by plain binary search.
func upper(a []float64, x float64) int {
	l, h := 0, len(a)
	for l < h {
		m := int(uint(l+h) >> 1)
		if a[m] <= x {
			l = m + 1
		} else {
			h = m
		}
	}
	return l
}
