package ts

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Interval is the closed time interval [Start, End] in seconds.
type Interval struct{ Start, End float64 }

// Duration returns End − Start in seconds.
func (iv Interval) Duration() float64 { return iv.End - iv.Start }

// IntervalSet is a sorted list of non-overlapping intervals (seconds). The
// zero value is the empty set. Build one with NewIntervalSet; the methods
// never modify the receiver.
type IntervalSet struct {
	starts, ends []float64
}

// ErrLength is returned when paired slices differ in length.
var ErrLength = errors.New("ts: slice lengths differ")

// NewIntervalSet builds a set from parallel start/end slices (seconds).
// Input is repaired like pynapple does, and each repair is reported in the
// returned warnings: intervals with NaN/Inf bounds or End < Start are
// dropped, unsorted input is sorted, and overlapping or touching intervals
// are merged. Zero-length intervals (Start == End) are kept. The input
// slices are not modified or retained.
func NewIntervalSet(starts, ends []float64) (IntervalSet, []string, error) {
	if len(starts) != len(ends) {
		return IntervalSet{}, nil, fmt.Errorf("%w: %d starts, %d ends", ErrLength, len(starts), len(ends))
	}
	var warns []string
	ivs := make([]Interval, 0, len(starts))
	bad := 0
	for i := range starts {
		s, e := starts[i], ends[i]
		if math.IsNaN(s) || math.IsNaN(e) || math.IsInf(s, 0) || math.IsInf(e, 0) || e < s {
			bad++
			continue
		}
		ivs = append(ivs, Interval{s, e})
	}
	if bad > 0 {
		warns = append(warns, fmt.Sprintf("ts: dropped %d interval(s) with non-finite bounds or end < start", bad))
	}
	sorted := sort.SliceIsSorted(ivs, func(i, j int) bool { return ivs[i].Start < ivs[j].Start })
	if !sorted {
		sort.SliceStable(ivs, func(i, j int) bool { return ivs[i].Start < ivs[j].Start })
		warns = append(warns, "ts: intervals were not sorted by start; sorted them")
	}
	out := IntervalSet{starts: make([]float64, 0, len(ivs)), ends: make([]float64, 0, len(ivs))}
	merged := 0
	for _, iv := range ivs {
		n := len(out.starts)
		if n > 0 && iv.Start <= out.ends[n-1] {
			merged++
			if iv.End > out.ends[n-1] {
				out.ends[n-1] = iv.End
			}
			continue
		}
		out.starts = append(out.starts, iv.Start)
		out.ends = append(out.ends, iv.End)
	}
	if merged > 0 {
		warns = append(warns, fmt.Sprintf("ts: merged %d overlapping or touching interval(s)", merged))
	}
	return out, warns, nil
}

// MustIntervals builds a set from (start, end) pairs and panics on a length
// mismatch or when any repair was needed. Meant for literals in tests and
// examples.
func MustIntervals(pairs ...float64) IntervalSet {
	if len(pairs)%2 != 0 {
		panic("ts: MustIntervals needs an even number of values")
	}
	s := make([]float64, len(pairs)/2)
	e := make([]float64, len(pairs)/2)
	for i := range s {
		s[i], e[i] = pairs[2*i], pairs[2*i+1]
	}
	set, w, err := NewIntervalSet(s, e)
	if err != nil || len(w) > 0 {
		panic(fmt.Sprintf("ts: MustIntervals: %v %v", err, w))
	}
	return set
}

// Span returns the single-interval set [start, end] (empty if end < start or
// either bound is not finite).
func Span(start, end float64) IntervalSet {
	set, _, _ := NewIntervalSet([]float64{start}, []float64{end})
	return set
}

// Len returns the number of intervals.
func (s IntervalSet) Len() int { return len(s.starts) }

// At returns interval i.
func (s IntervalSet) At(i int) Interval { return Interval{s.starts[i], s.ends[i]} }

// Starts returns the start times (seconds). The slice is shared: do not modify it.
func (s IntervalSet) Starts() []float64 { return s.starts }

// Ends returns the end times (seconds). The slice is shared: do not modify it.
func (s IntervalSet) Ends() []float64 { return s.ends }

// Intervals returns a copy of the intervals.
func (s IntervalSet) Intervals() []Interval {
	out := make([]Interval, len(s.starts))
	for i := range out {
		out[i] = Interval{s.starts[i], s.ends[i]}
	}
	return out
}

// Duration returns the total length of the set in seconds.
func (s IntervalSet) Duration() float64 {
	var d float64
	for i := range s.starts {
		d += s.ends[i] - s.starts[i]
	}
	return d
}

// Bounds returns the first start and the last end; ok is false for an empty set.
func (s IntervalSet) Bounds() (start, end float64, ok bool) {
	if len(s.starts) == 0 {
		return 0, 0, false
	}
	return s.starts[0], s.ends[len(s.ends)-1], true
}

// Find returns the index of the interval containing t (closed), or −1.
func (s IntervalSet) Find(t float64) int {
	// first interval with end >= t
	i := sort.SearchFloat64s(s.ends, t)
	if i < len(s.starts) && s.starts[i] <= t {
		return i
	}
	return -1
}

// Contains reports whether t lies in the set (closed intervals).
func (s IntervalSet) Contains(t float64) bool { return s.Find(t) >= 0 }

// Intersect returns the intersection of two sets.
func (s IntervalSet) Intersect(o IntervalSet) IntervalSet {
	var out IntervalSet
	i, j := 0, 0
	for i < len(s.starts) && j < len(o.starts) {
		lo := math.Max(s.starts[i], o.starts[j])
		hi := math.Min(s.ends[i], o.ends[j])
		if lo <= hi {
			out.starts = append(out.starts, lo)
			out.ends = append(out.ends, hi)
		}
		if s.ends[i] < o.ends[j] {
			i++
		} else {
			j++
		}
	}
	return out
}

// Union returns the union of two sets (touching intervals merge).
func (s IntervalSet) Union(o IntervalSet) IntervalSet {
	st := append(append([]float64(nil), s.starts...), o.starts...)
	en := append(append([]float64(nil), s.ends...), o.ends...)
	idx := make([]int, len(st))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return st[idx[a]] < st[idx[b]] })
	var out IntervalSet
	for _, k := range idx {
		n := len(out.starts)
		if n > 0 && st[k] <= out.ends[n-1] {
			if en[k] > out.ends[n-1] {
				out.ends[n-1] = en[k]
			}
			continue
		}
		out.starts = append(out.starts, st[k])
		out.ends = append(out.ends, en[k])
	}
	return out
}

// Equal reports whether two sets hold exactly the same intervals.
func (s IntervalSet) Equal(o IntervalSet) bool {
	if len(s.starts) != len(o.starts) {
		return false
	}
	for i := range s.starts {
		if s.starts[i] != o.starts[i] || s.ends[i] != o.ends[i] {
			return false
		}
	}
	return true
}

// String formats the set as [a, b] [c, d] ….
func (s IntervalSet) String() string {
	b := make([]byte, 0, 24*len(s.starts))
	for i := range s.starts {
		if i > 0 {
			b = append(b, ' ')
		}
		b = fmt.Appendf(b, "[%g, %g]", s.starts[i], s.ends[i])
	}
	return string(b)
}
