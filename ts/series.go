package ts

import (
	"fmt"
	"math"
	"sort"
)

// Series is a sampled continuous signal with one or more channels: either
// explicit timestamps (seconds) or a regular grid start + i/rate. Values are
// stored flat, row-major: sample i, channel c is Data[i*Channels+c].
type Series struct {
	Timestamps []float64 // seconds, sorted; nil for a regular series
	Start      float64   // seconds; time of sample 0 when Timestamps is nil
	Rate       float64   // Hz; sampling rate when Timestamps is nil
	Channels   int
	Data       []float64 // row-major samples × channels
	Support    IntervalSet
}

// NewSeries builds a series with explicit timestamps (seconds, sorted
// ascending, finite) and flat row-major data of len(timestamps)×channels
// values. An empty support defaults to [first, last] timestamp.
func NewSeries(timestamps, data []float64, channels int, support IntervalSet) (*Series, error) {
	if channels <= 0 {
		return nil, fmt.Errorf("ts: series needs at least one channel, got %d", channels)
	}
	if len(data) != len(timestamps)*channels {
		return nil, fmt.Errorf("%w: %d values for %d timestamps × %d channels", ErrLength, len(data), len(timestamps), channels)
	}
	for i, t := range timestamps {
		if math.IsNaN(t) || math.IsInf(t, 0) || (i > 0 && t < timestamps[i-1]) {
			return nil, fmt.Errorf("ts: timestamp %d (%g s) is not finite or not sorted", i, t)
		}
	}
	if support.Len() == 0 && len(timestamps) > 0 {
		support = Span(timestamps[0], timestamps[len(timestamps)-1])
	}
	return &Series{Timestamps: timestamps, Channels: channels, Data: data, Support: support}, nil
}

// NewRegularSeries builds a series sampled at rate Hz from start seconds.
// An empty support defaults to [start, start + (n−1)/rate].
func NewRegularSeries(start, rate float64, data []float64, channels int, support IntervalSet) (*Series, error) {
	if channels <= 0 {
		return nil, fmt.Errorf("ts: series needs at least one channel, got %d", channels)
	}
	if !(rate > 0) || math.IsInf(rate, 0) || math.IsNaN(start) || math.IsInf(start, 0) {
		return nil, fmt.Errorf("ts: regular series needs a finite start and positive rate (got %g s, %g Hz)", start, rate)
	}
	if len(data)%channels != 0 {
		return nil, fmt.Errorf("%w: %d values is not a multiple of %d channels", ErrLength, len(data), channels)
	}
	s := &Series{Start: start, Rate: rate, Channels: channels, Data: data}
	if support.Len() == 0 && s.Len() > 0 {
		support = Span(start, s.Time(s.Len()-1))
	}
	s.Support = support
	return s, nil
}

// NewSeriesRows builds a timestamped series from rows[sample][channel].
func NewSeriesRows(timestamps []float64, rows [][]float64, support IntervalSet) (*Series, error) {
	if len(rows) != len(timestamps) {
		return nil, fmt.Errorf("%w: %d rows for %d timestamps", ErrLength, len(rows), len(timestamps))
	}
	ch := 1
	if len(rows) > 0 {
		ch = len(rows[0])
	}
	data := make([]float64, 0, len(rows)*ch)
	for i, r := range rows {
		if len(r) != ch {
			return nil, fmt.Errorf("%w: row %d has %d channels, row 0 has %d", ErrLength, i, len(r), ch)
		}
		data = append(data, r...)
	}
	return NewSeries(timestamps, data, ch, support)
}

// Len returns the number of samples.
func (s *Series) Len() int {
	if s.Channels <= 0 {
		return 0
	}
	return len(s.Data) / s.Channels
}

// Time returns the time of sample i in seconds.
func (s *Series) Time(i int) float64 {
	if s.Timestamps != nil {
		return s.Timestamps[i]
	}
	return s.Start + float64(i)/s.Rate
}

// Times returns all sample times (the Timestamps slice itself when present).
func (s *Series) Times() []float64 {
	if s.Timestamps != nil {
		return s.Timestamps
	}
	t := make([]float64, s.Len())
	for i := range t {
		t[i] = s.Start + float64(i)/s.Rate
	}
	return t
}

// At returns the value of sample i, channel c.
func (s *Series) At(i, c int) float64 { return s.Data[i*s.Channels+c] }

// Row returns sample i's channel values (shared storage).
func (s *Series) Row(i int) []float64 { return s.Data[i*s.Channels : (i+1)*s.Channels] }

// Channel copies channel c into dst (grown if needed) and returns it.
func (s *Series) Channel(dst []float64, c int) []float64 {
	n := s.Len()
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	for i := range dst {
		dst[i] = s.Data[i*s.Channels+c]
	}
	return dst
}

// search returns the first sample index with time ≥ t.
func (s *Series) search(t float64) int {
	if s.Timestamps != nil {
		return lower(s.Timestamps, t)
	}
	n := s.Len()
	k := int(math.Ceil((t - s.Start) * s.Rate))
	if k < 0 {
		k = 0
	}
	if k > n {
		k = n
	}
	// correct floating-point off-by-one
	for k > 0 && s.Time(k-1) >= t {
		k--
	}
	for k < n && s.Time(k) < t {
		k++
	}
	return k
}

// Restrict keeps samples inside ep (closed) and sets the support to the
// intersection of the old support and ep. The result always has explicit
// timestamps.
func (s *Series) Restrict(ep IntervalSet) *Series {
	sup := ep
	if s.Support.Len() > 0 {
		sup = s.Support.Intersect(ep)
	}
	out := &Series{Channels: s.Channels, Support: sup, Timestamps: []float64{}}
	n := s.Len()
	for k := 0; k < sup.Len(); k++ {
		i := s.search(sup.starts[k])
		for ; i < n && s.Time(i) <= sup.ends[k]; i++ {
			out.Timestamps = append(out.Timestamps, s.Time(i))
			out.Data = append(out.Data, s.Row(i)...)
		}
	}
	return out
}

// Lookup selects which sample ValueAt uses.
type Lookup int

const (
	// Nearest takes the closest sample in time (ties go to the earlier one).
	Nearest Lookup = iota
	// Before takes the last sample at or before t.
	Before
	// After takes the first sample at or after t.
	After
)

// Index returns the sample index ValueAt would use for time t, or −1 when t
// lies outside the support or no sample of the same support epoch exists on
// the requested side.
func (s *Series) Index(t float64, mode Lookup) int {
	ep := s.Support.Find(t)
	if ep < 0 {
		return -1
	}
	lo, hi := s.Support.starts[ep], s.Support.ends[ep]
	n := s.Len()
	j := s.search(t) // first with time >= t
	prev, next := -1, -1
	if j < n && s.Time(j) <= hi {
		next = j
	}
	if j < n && s.Time(j) == t {
		prev = j
	} else if j > 0 && s.Time(j-1) >= lo {
		prev = j - 1
	}
	switch mode {
	case Before:
		return prev
	case After:
		return next
	}
	switch {
	case prev < 0:
		return next
	case next < 0:
		return prev
	case t-s.Time(prev) <= s.Time(next)-t:
		return prev
	}
	return next
}

// ValueAt returns channel c's value at time t by mode (no interpolation);
// NaN when Index is −1.
func (s *Series) ValueAt(t float64, c int, mode Lookup) float64 {
	i := s.Index(t, mode)
	if i < 0 {
		return math.NaN()
	}
	return s.At(i, c)
}

// ValuesAt writes channel c's value at each time (any order) into dst and
// returns it (pynapple `value_from`).
func (s *Series) ValuesAt(dst, times []float64, c int, mode Lookup) []float64 {
	if cap(dst) < len(times) {
		dst = make([]float64, len(times))
	}
	dst = dst[:len(times)]
	for k, t := range times {
		dst[k] = s.ValueAt(t, c, mode)
	}
	return dst
}

// IndicesAt writes the sample index for each time into dst (−1 where none)
// and returns it.
func (s *Series) IndicesAt(dst []int, times []float64, mode Lookup) []int {
	if cap(dst) < len(times) {
		dst = make([]int, len(times))
	}
	dst = dst[:len(times)]
	for k, t := range times {
		dst[k] = s.Index(t, mode)
	}
	return dst
}

// Dwell returns each sample's dwell time in seconds: the time until the next
// sample, clipped at the end of the sample's support epoch; the last sample
// of an epoch dwells until the epoch end, or, if that is zero, for the
// median sampling interval. Samples outside the support dwell 0. Summing
// Dwell per feature bin gives exact-dwell occupancy.
func (s *Series) Dwell() []float64 {
	n := s.Len()
	d := make([]float64, n)
	if n == 0 {
		return d
	}
	med := s.medianDt()
	for i := 0; i < n; i++ {
		t := s.Time(i)
		ep := s.Support.Find(t)
		if ep < 0 {
			continue
		}
		end := s.Support.ends[ep]
		if i+1 < n && s.Time(i+1) <= end {
			d[i] = s.Time(i+1) - t
		} else if end > t {
			d[i] = end - t
		} else {
			d[i] = med
		}
	}
	return d
}

func (s *Series) medianDt() float64 {
	if s.Timestamps == nil {
		return 1 / s.Rate
	}
	n := len(s.Timestamps)
	if n < 2 {
		return 0
	}
	dt := make([]float64, n-1)
	for i := range dt {
		dt[i] = s.Timestamps[i+1] - s.Timestamps[i]
	}
	sort.Float64s(dt)
	return dt[len(dt)/2]
}

// MeanRate returns 1 / mean sampling interval (pynapple's default `fs` for
// tuning curves), in Hz.
func (s *Series) MeanRate() float64 {
	if s.Timestamps == nil {
		return s.Rate
	}
	n := len(s.Timestamps)
	if n < 2 {
		return math.NaN()
	}
	return float64(n-1) / (s.Timestamps[n-1] - s.Timestamps[0])
}
