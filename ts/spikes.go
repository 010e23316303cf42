package ts

import (
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
)

// SpikeTrain is one unit's spike times (seconds, sorted ascending) with its
// time support.
type SpikeTrain struct {
	Times   []float64
	Support IntervalSet
}

// NewSpikeTrain validates times (finite; sorted, or sorted here with a
// warning) and attaches a support. An empty support defaults to
// [first, last] spike. times is used in place when already sorted.
func NewSpikeTrain(times []float64, support IntervalSet) (SpikeTrain, []string, error) {
	var warns []string
	for i, t := range times {
		if math.IsNaN(t) || math.IsInf(t, 0) {
			return SpikeTrain{}, nil, fmt.Errorf("ts: spike %d has non-finite time %g", i, t)
		}
	}
	if !sort.Float64sAreSorted(times) {
		times = append([]float64(nil), times...)
		sort.Float64s(times)
		warns = append(warns, "ts: spike times were not sorted; sorted a copy")
	}
	if support.Len() == 0 && len(times) > 0 {
		support = Span(times[0], times[len(times)-1])
	}
	return SpikeTrain{Times: times, Support: support}, warns, nil
}

// Rate returns the mean rate in Hz: spikes ÷ total support duration
// (pynapple `rates`). NaN when the support is empty or of zero length.
func (s SpikeTrain) Rate() float64 {
	d := s.Support.Duration()
	if !(d > 0) {
		return math.NaN()
	}
	return float64(len(s.Times)) / d
}

// Restrict keeps the spikes in ep (closed) and sets the support to the
// intersection of the old support and ep.
func (s SpikeTrain) Restrict(ep IntervalSet) SpikeTrain {
	sup := ep
	if s.Support.Len() > 0 {
		sup = s.Support.Intersect(ep)
	}
	return SpikeTrain{Times: RestrictTimes(nil, s.Times, sup), Support: sup}
}

// Units is a group of spike trains sharing one time support, with per-unit
// metadata. Trains[i] belongs to IDs[i]; every metadata column has one entry
// per unit.
type Units struct {
	IDs     []int64
	Trains  [][]float64 // per unit, seconds, sorted ascending
	Support IntervalSet
	// Per-unit metadata columns by name (e.g. "quality", "location",
	// "firing_rate").
	Strings map[string][]string
	Floats  map[string][]float64
}

// NewUnits checks that ids and trains pair up and that every train is
// sorted and finite. Unsorted trains are sorted (copied) with a warning. An
// empty support defaults to [earliest spike, latest spike].
func NewUnits(ids []int64, trains [][]float64, support IntervalSet) (*Units, []string, error) {
	if ids == nil {
		ids = make([]int64, len(trains))
		for i := range ids {
			ids[i] = int64(i)
		}
	}
	if len(ids) != len(trains) {
		return nil, nil, fmt.Errorf("%w: %d ids, %d spike trains", ErrLength, len(ids), len(trains))
	}
	var warns []string
	lo, hi := math.Inf(1), math.Inf(-1)
	out := make([][]float64, len(trains))
	for u, tr := range trains {
		st, w, err := NewSpikeTrain(tr, IntervalSet{})
		if err != nil {
			return nil, nil, fmt.Errorf("ts: unit %d: %w", ids[u], err)
		}
		for _, x := range w {
			warns = append(warns, fmt.Sprintf("unit %d: %s", ids[u], x))
		}
		out[u] = st.Times
		if len(st.Times) > 0 {
			lo = math.Min(lo, st.Times[0])
			hi = math.Max(hi, st.Times[len(st.Times)-1])
		}
	}
	if support.Len() == 0 && lo <= hi {
		support = Span(lo, hi)
	}
	return &Units{IDs: ids, Trains: out, Support: support,
		Strings: map[string][]string{}, Floats: map[string][]float64{}}, warns, nil
}

// Len returns the number of units.
func (u *Units) Len() int { return len(u.Trains) }

// Train returns unit i as a SpikeTrain sharing the group's support.
func (u *Units) Train(i int) SpikeTrain { return SpikeTrain{Times: u.Trains[i], Support: u.Support} }

// Rates returns each unit's mean rate in Hz (spikes ÷ support duration).
func (u *Units) Rates() []float64 {
	d := u.Support.Duration()
	r := make([]float64, len(u.Trains))
	for i, tr := range u.Trains {
		if d > 0 {
			r[i] = float64(len(tr)) / d
		} else {
			r[i] = math.NaN()
		}
	}
	return r
}

// SetString adds a per-unit string metadata column.
func (u *Units) SetString(name string, vals []string) error {
	if len(vals) != len(u.Trains) {
		return fmt.Errorf("%w: column %q has %d values for %d units", ErrLength, name, len(vals), len(u.Trains))
	}
	if u.Strings == nil {
		u.Strings = map[string][]string{}
	}
	u.Strings[name] = vals
	return nil
}

// SetFloat adds a per-unit numeric metadata column.
func (u *Units) SetFloat(name string, vals []float64) error {
	if len(vals) != len(u.Trains) {
		return fmt.Errorf("%w: column %q has %d values for %d units", ErrLength, name, len(vals), len(u.Trains))
	}
	if u.Floats == nil {
		u.Floats = map[string][]float64{}
	}
	u.Floats[name] = vals
	return nil
}

// Select returns the units at the given indices (trains shared, metadata copied).
func (u *Units) Select(idx []int) *Units {
	out := &Units{Support: u.Support, Strings: map[string][]string{}, Floats: map[string][]float64{}}
	for _, i := range idx {
		out.IDs = append(out.IDs, u.IDs[i])
		out.Trains = append(out.Trains, u.Trains[i])
	}
	for k, v := range u.Strings {
		c := make([]string, len(idx))
		for j, i := range idx {
			c[j] = v[i]
		}
		out.Strings[k] = c
	}
	for k, v := range u.Floats {
		c := make([]float64, len(idx))
		for j, i := range idx {
			c[j] = v[i]
		}
		out.Floats[k] = c
	}
	return out
}

// Where returns the indices of units whose string column name equals value.
func (u *Units) Where(name, value string) []int {
	var idx []int
	for i, v := range u.Strings[name] {
		if v == value {
			idx = append(idx, i)
		}
	}
	return idx
}

// Restrict keeps each unit's spikes inside ep (closed) and sets the support
// to the intersection of the old support and ep.
func (u *Units) Restrict(ep IntervalSet) *Units {
	sup := ep
	if u.Support.Len() > 0 {
		sup = u.Support.Intersect(ep)
	}
	out := u.Select(seq(len(u.Trains)))
	out.Support = sup
	for i, tr := range u.Trains {
		out.Trains[i] = RestrictTimes(nil, tr, sup)
	}
	return out
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// CountWindows returns counts[unit][window] of spikes with starts[k] ≤ t <
// ends[k], computed in parallel over units with workers goroutines
// (≤ 0 means GOMAXPROCS). The result is one contiguous block.
func (u *Units) CountWindows(starts, ends []float64, workers int) [][]int {
	if len(ends) != len(starts) {
		panic(fmt.Sprintf("ts: CountWindows: %d starts, %d ends", len(starts), len(ends)))
	}
	n := len(starts)
	block := make([]int, n*len(u.Trains))
	out := make([][]int, len(u.Trains))
	for i := range out {
		out[i] = block[i*n : (i+1)*n : (i+1)*n]
	}
	ws := &WindowSet{starts: starts, ends: ends, kind: classifyWindows(starts, ends)}
	ParallelFor(len(u.Trains), workers, func(i int) {
		ws.Count(out[i], u.Trains[i])
	})
	return out
}

// Bin counts every unit in regular bins of width w seconds over ep
// (pynapple convention, see Bins). counts[unit][bin].
func (u *Units) Bin(ep IntervalSet, w float64, workers int) (*Bins, [][]int, error) {
	b, err := NewBins(ep, w)
	if err != nil {
		return nil, nil, err
	}
	return b, u.CountWindows(b.Left, b.Right, workers), nil
}

// ParallelFor runs fn(i) for i in [0, n) on workers goroutines (≤ 0 means
// GOMAXPROCS), handing out indices dynamically. It returns when all are done.
func ParallelFor(n, workers int, fn func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	grab := func() int { return int(next.Add(1) - 1) }
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := grab(); i < n; i = grab() {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
