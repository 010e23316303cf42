package ts

import (
	"fmt"
	"math"
)

// CountWindows writes into dst[k] the number of times t with
// starts[k] ≤ t < ends[k] (half-open) and returns dst, grown if needed.
// times must be sorted ascending. Windows may overlap, be empty (ends[k] ≤
// starts[k] counts 0) and need not be sorted. When starts and ends are both
// non-decreasing (trial tables, bins) and no time or edge is negative, a
// branch-free four-cursor search runs (see rank.go); otherwise each window
// is searched from the previous one. To count many trains in the same
// windows, prepare them once with NewWindowSet.
func CountWindows(dst []int, times, starts, ends []float64) []int {
	if len(ends) < len(starts) {
		panic(fmt.Sprintf("ts: CountWindows: %d starts, %d ends", len(starts), len(ends)))
	}
	w := WindowSet{starts: starts, ends: ends[:len(starts)]}
	w.kind = classifyWindows(w.starts, w.ends)
	return w.Count(dst, times)
}

// WindowSet is a list of half-open counting windows [starts[k], ends[k]),
// analysed once (sorted? back to back? any negative edge?) so that counting
// many spike trains in the same windows pays for the analysis once, and the
// fast path of CountWindows is chosen once.
type WindowSet struct {
	starts, ends []float64
	kind         windowKind
}

type windowKind uint8

const (
	windowsGeneral    windowKind = iota // any order: per-window search
	windowsSorted                       // starts and ends non-decreasing, no NaN, no sign bit
	windowsContiguous                   // sorted and ends[k] == starts[k+1]
)

// NewWindowSet prepares windows [starts[k], ends[k]) for counting. The
// slices are kept, not copied: do not modify them while the set is in use.
func NewWindowSet(starts, ends []float64) (*WindowSet, error) {
	if len(starts) != len(ends) {
		return nil, fmt.Errorf("ts: %d window starts, %d ends: %w", len(starts), len(ends), ErrLength)
	}
	return &WindowSet{starts: starts, ends: ends, kind: classifyWindows(starts, ends)}, nil
}

// Len returns the number of windows.
func (w *WindowSet) Len() int { return len(w.starts) }

// classifyWindows decides which counting path is valid for the windows.
func classifyWindows(starts, ends []float64) windowKind {
	n := len(starts)
	if n == 0 || !nonNegBits(starts) || !nonNegBits(ends) {
		return windowsGeneral
	}
	contiguous := true
	for k := 1; k < n; k++ {
		// !(a >= b) is also true when either is NaN.
		if !(starts[k] >= starts[k-1]) || !(ends[k] >= ends[k-1]) {
			return windowsGeneral
		}
		if ends[k-1] != starts[k] {
			contiguous = false
		}
	}
	if starts[0] != starts[0] || ends[0] != ends[0] {
		return windowsGeneral
	}
	if contiguous {
		return windowsContiguous
	}
	return windowsSorted
}

// Count writes into dst[k] the number of times t with starts[k] ≤ t <
// ends[k] and returns dst, grown if needed. times must be sorted ascending
// (unsorted times give wrong counts, never a panic).
func (w *WindowSet) Count(dst []int, times []float64) []int {
	starts, ends := w.starts, w.ends
	n := len(starts)
	if cap(dst) < n {
		dst = make([]int, n)
	}
	dst = dst[:n]
	if n == 0 {
		return dst
	}
	if w.kind == windowsGeneral || !nonNegBits(times) {
		countGeneral(dst, times, starts, ends)
		return dst
	}
	if w.kind == windowsContiguous {
		// Window k is [starts[k], starts[k+1]): one rank per boundary.
		rankSorted(dst, times, starts, 0)
		last := rankFrom(times, dst[n-1], ends[n-1]) - dst[n-1]
		for k := 0; k < n-1; k++ {
			dst[k] = dst[k+1] - dst[k]
		}
		dst[n-1] = max(last, 0)
		return dst
	}
	// Sorted, possibly overlapping or with gaps: rank the starts into dst
	// and the ends chunk by chunk into a stack buffer.
	rankSorted(dst, times, starts, 0)
	var buf [512]int
	pe := 0
	for c := 0; c < n; c += len(buf) {
		e := ends[c:min(c+len(buf), n)]
		r := buf[:len(e)]
		rankSorted(r, times, e, pe)
		pe = r[len(r)-1]
		d := dst[c : c+len(e)]
		for k := range d {
			d[k] = max(r[k]-d[k], 0) // an empty window (end ≤ start) counts 0
		}
	}
	return dst
}

// countGeneral counts windows in any order; sorted starts make the search
// incremental (galloping from the previous window).
func countGeneral(dst []int, times, starts, ends []float64) {
	lo, hi := 0, 0
	prevS, prevE := math.Inf(-1), math.Inf(-1)
	for k := range dst {
		s, e := starts[k], ends[k]
		switch {
		case s >= prevE:
			lo = scanFrom(times, hi, s) // window after the previous one: continue from its end
		case s >= prevS:
			lo = scanFrom(times, lo, s)
		default:
			lo = lower(times, s)
		}
		prevS, prevE = s, e
		if !(e > s) {
			// Empty window: hi = lo = rank(s), so the next window may
			// continue from hi only if it starts at or after s.
			dst[k], hi, prevE = 0, lo, s
			continue
		}
		hi = scanFrom(times, lo, e)
		dst[k] = hi - lo
	}
}

// scanFrom is lowerFrom tuned for spike-count windows, which usually hold
// a few tens of spikes: when the answer lies within the next 64 elements it
// is found by a six-step binary search on integer keys; larger gaps gallop.
func scanFrom(a []float64, i int, x float64) int {
	n := len(a)
	if i >= n || a[i] >= x {
		return i
	}
	if i+64 <= n && a[i+63] >= x {
		return i + lower64((*[64]float64)(a[i:i+64]), x)
	}
	return lowerFrom(a, i, x)
}

// lower64 returns the first index j with b[j] ≥ x, given b[63] ≥ x.
// Comparisons run on order-preserving integer keys. (Go 1.26 compiles the
// steps to conditional jumps, not moves; a borrow-arithmetic version was
// slower here because the key conversion lengthens every step's dependency
// chain. The sorted fast path in rank.go avoids both costs.)
func lower64(b *[64]float64, x float64) int {
	kx := fkey(x)
	j := 0
	if fkey(b[31]) < kx {
		j = 32
	}
	if fkey(b[j+15]) < kx {
		j += 16
	}
	if fkey(b[j+7]) < kx {
		j += 8
	}
	if fkey(b[j+3]) < kx {
		j += 4
	}
	if fkey(b[j+1]) < kx {
		j += 2
	}
	if fkey(b[j]) < kx {
		j++
	}
	return j
}

// fkey maps a non-NaN float64 to an int64 with the same order; adding +0
// turns −0 into +0 so that the two zeros compare equal, as floats do.
func fkey(f float64) int64 {
	u := int64(math.Float64bits(f + 0))
	return u ^ int64(uint64(u>>63)>>1)
}

// WindowIndex returns, for each window k, the half-open index range
// [first[k], last[k]) of times with starts[k] ≤ t < ends[k]. times must be
// sorted. Use it to slice spikes per trial without copying.
func WindowIndex(times, starts, ends []float64) (first, last []int) {
	first = make([]int, len(starts))
	last = make([]int, len(starts))
	lo := 0
	prev := math.Inf(-1)
	for k := range starts {
		if starts[k] < prev {
			lo = lower(times, starts[k])
		} else {
			lo = lowerFrom(times, lo, starts[k])
		}
		prev = starts[k]
		hi := lo
		if ends[k] > starts[k] {
			hi = lowerFrom(times, lo, ends[k])
		}
		first[k], last[k] = lo, hi
	}
	return first, last
}

// Bins are regular half-open bins laid over an IntervalSet (pynapple
// `count(bin_size, ep)` convention): in each epoch bins start at the epoch
// start, and bin k is kept only if its centre start + k·w + w/2 is ≤ the
// epoch end. Edges are rounded to 9 decimals. A partial last bin whose
// centre falls past the end is dropped together with its spikes.
type Bins struct {
	Width   float64   // bin width, seconds
	Left    []float64 // left edges, seconds
	Right   []float64 // right edges (exclusive), seconds
	Centers []float64 // bin centres, seconds
	Epoch   []int     // index of the epoch each bin belongs to
}

// Len returns the number of bins.
func (b *Bins) Len() int { return len(b.Left) }

func round9(x float64) float64 { return math.Round(x*1e9) / 1e9 }

// NewBins lays bins of width w seconds over ep. It returns an error for a
// non-positive or non-finite width or when more than maxBins (1<<31) bins
// would be created.
func NewBins(ep IntervalSet, w float64) (*Bins, error) {
	if !(w > 0) || math.IsInf(w, 0) {
		return nil, fmt.Errorf("ts: bin width %g s must be positive and finite", w)
	}
	total := 0.0
	for i := 0; i < ep.Len(); i++ {
		total += math.Floor((ep.ends[i]-ep.starts[i])/w) + 2
	}
	if total > 1<<31 {
		return nil, fmt.Errorf("ts: %g bins of %g s requested; too many", total, w)
	}
	b := &Bins{Width: w}
	for i := 0; i < ep.Len(); i++ {
		s, e := ep.starts[i], ep.ends[i]
		for k := 0; ; k++ {
			c := s + float64(k)*w + w/2
			if round9(c) > round9(e) {
				break
			}
			l := round9(s + float64(k)*w)
			r := round9(s + float64(k+1)*w)
			b.Left = append(b.Left, l)
			b.Right = append(b.Right, r)
			b.Centers = append(b.Centers, round9(c))
			b.Epoch = append(b.Epoch, i)
		}
	}
	return b, nil
}

// Count writes the half-open counts of sorted times per bin into dst and
// returns it (grown if needed).
func (b *Bins) Count(dst []int, times []float64) []int {
	return CountWindows(dst, times, b.Left, b.Right)
}

// Bin is a convenience: counts of sorted times in regular bins of width w
// seconds over ep. It returns the bin centres and counts.
func Bin(times []float64, ep IntervalSet, w float64) (centers []float64, counts []int, err error) {
	b, err := NewBins(ep, w)
	if err != nil {
		return nil, nil, err
	}
	return b.Centers, b.Count(nil, times), nil
}

// RestrictTimes appends to dst the sorted times that lie in ep (closed
// intervals) and returns it.
func RestrictTimes(dst, times []float64, ep IntervalSet) []float64 {
	lo := 0
	for i := 0; i < ep.Len(); i++ {
		lo = lowerFrom(times, lo, ep.starts[i])
		hi := upperFrom(times, lo, ep.ends[i])
		dst = append(dst, times[lo:hi]...)
		lo = hi
	}
	return dst
}

// IsSorted reports whether times is non-decreasing and free of NaN.
func IsSorted(times []float64) bool {
	for i := range times {
		if math.IsNaN(times[i]) || (i > 0 && times[i] < times[i-1]) {
			return false
		}
	}
	return true
}
