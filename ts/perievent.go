package ts

import "math"

// Align returns, for each event time, the spike times relative to the event
// (t − event, seconds) that lie in the closed window [event+from, event+to].
// times must be sorted. Events may be in any order; sorted events are
// searched incrementally. All rows share one backing array.
func Align(times, events []float64, from, to float64) [][]float64 {
	first := make([]int, len(events))
	last := make([]int, len(events))
	total := 0
	lo := 0
	prev := math.Inf(-1)
	for k, e := range events {
		if e < prev {
			lo = lower(times, e+from)
		} else {
			lo = lowerFrom(times, lo, e+from)
		}
		prev = e
		hi := upperFrom(times, lo, e+to)
		first[k], last[k] = lo, hi
		total += hi - lo
	}
	block := make([]float64, 0, total)
	out := make([][]float64, len(events))
	for k, e := range events {
		start := len(block)
		for _, t := range times[first[k]:last[k]] {
			block = append(block, t-e)
		}
		out[k] = block[start:len(block):len(block)]
	}
	return out
}

// AlignSeries returns, for each event, channel c of s sampled at
// event + lag for every lag in lags (seconds) with the given lookup mode.
// Rows are event-major: out[event][lag]. Useful for event-triggered
// averages of continuous signals such as dF/F or running speed.
func AlignSeries(s *Series, events, lags []float64, c int, mode Lookup) [][]float64 {
	block := make([]float64, len(events)*len(lags))
	out := make([][]float64, len(events))
	for k, e := range events {
		row := block[k*len(lags) : (k+1)*len(lags)]
		for j, l := range lags {
			row[j] = s.ValueAt(e+l, c, mode)
		}
		out[k] = row
	}
	return out
}
