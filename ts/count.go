package ts

import (
	"fmt"
	"math"
)

// CountWindows writes into dst[k] the number of times t with
// starts[k] ≤ t < ends[k] (half-open) and returns dst, grown if needed.
// times must be sorted ascending. Windows may overlap and need not be
// sorted, but sorted starts make the search incremental (galloping from the
// previous window), which is the fast path for trial tables.
func CountWindows(dst []int, times, starts, ends []float64) []int {
	n := len(starts)
	if cap(dst) < n {
		dst = make([]int, n)
	}
	dst = dst[:n]
	if len(ends) < n {
		panic(fmt.Sprintf("ts: CountWindows: %d starts, %d ends", n, len(ends)))
	}
	lo, hi := 0, 0
	prevS, prevE := math.Inf(-1), math.Inf(-1)
	for k := 0; k < n; k++ {
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
			dst[k], hi = 0, lo
			continue
		}
		hi = scanFrom(times, lo, e)
		dst[k] = hi - lo
	}
	return dst
}

// scanFrom is lowerFrom tuned for spike-count windows, which usually hold
// a few tens of spikes: when the answer lies within the next 64 elements it
// is found by a branch-free six-step binary search (conditional moves, no
// mispredictions); larger gaps gallop.
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
// Comparisons run on order-preserving integer keys so that the compiler
// emits conditional moves instead of unpredictable branches.
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
