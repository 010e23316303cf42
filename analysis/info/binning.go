package info

import (
	"math"
	"slices"
	"sort"
)

// SpikeCounts counts, for every interval i, the spikes t with
// starts[i] <= t < stops[i] (seconds; the NWB/Allen presentation-window
// convention). spikeTimes must be sorted ascending.
func SpikeCounts(spikeTimes, starts, stops []float64) ([]int, error) {
	if len(starts) != len(stops) {
		return nil, inputErr("%d interval starts but %d stops", len(starts), len(stops))
	}
	if !sort.Float64sAreSorted(spikeTimes) {
		return nil, inputErr("spike times are not sorted")
	}
	out := make([]int, len(starts))
	for i := range starts {
		if !(stops[i] >= starts[i]) {
			return nil, inputErr("interval %d has stop %v before start %v", i, stops[i], starts[i])
		}
		lo := sort.SearchFloat64s(spikeTimes, starts[i])
		hi := sort.SearchFloat64s(spikeTimes, stops[i])
		out[i] = hi - lo
	}
	return out, nil
}

// Equipopulated maps values to nbins codes 0..nbins−1 of (as nearly as ties
// allow) equal occupancy: the bin edges are the empirical quantiles, and
// equal values always share a bin. It returns the codes and the number of
// distinct codes used (<= nbins). NaN values are an error.
func Equipopulated(values []float64, nbins int) ([]int, int, error) {
	if nbins < 1 {
		return nil, 0, inputErr("nbins = %d", nbins)
	}
	n := len(values)
	if n == 0 {
		return nil, 0, inputErr("no values")
	}
	sorted := slices.Clone(values)
	for i, v := range sorted {
		if math.IsNaN(v) {
			return nil, 0, inputErr("NaN at index %d", i)
		}
	}
	slices.Sort(sorted)
	// Upper edges at the (b+1)/nbins quantiles; a value goes to the first bin
	// whose edge is >= it.
	edges := make([]float64, 0, nbins)
	for b := 1; b < nbins; b++ {
		e := sorted[b*n/nbins-1]
		if len(edges) == 0 || e > edges[len(edges)-1] {
			edges = append(edges, e)
		}
	}
	codes := make([]int, n)
	for i, v := range values {
		codes[i] = sort.SearchFloat64s(edges, v)
	}
	// Compact codes in case the top bin is empty.
	used := 0
	for _, c := range codes {
		used = max(used, c+1)
	}
	return codes, used, nil
}

// EquipopulatedInts is Equipopulated for integer responses (spike counts).
func EquipopulatedInts(values []int, nbins int) ([]int, int, error) {
	f := make([]float64, len(values))
	for i, v := range values {
		f[i] = float64(v)
	}
	return Equipopulated(f, nbins)
}

// Codes maps arbitrary non-negative integer responses (such as spike counts)
// to dense codes 0..k−1 in increasing order of value and returns k.
func Codes(values []int) ([]int, int, error) {
	uniq := slices.Clone(values)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	codes := make([]int, len(values))
	for i, v := range values {
		j, _ := slices.BinarySearch(uniq, v)
		codes[i] = j
	}
	return codes, len(uniq), nil
}

// Labels maps stimulus values (e.g. directions in degrees) to codes
// 0..k−1 in increasing order and returns the sorted distinct values. NaN
// values (blank sweeps) get code −1; drop them before estimating.
func Labels(values []float64) ([]int, []float64) {
	var uniq []float64
	for _, v := range values {
		if !math.IsNaN(v) {
			uniq = append(uniq, v)
		}
	}
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	codes := make([]int, len(values))
	for i, v := range values {
		if math.IsNaN(v) {
			codes[i] = -1
			continue
		}
		j, _ := slices.BinarySearch(uniq, v)
		codes[i] = j
	}
	return codes, uniq
}

func sortFloats(x []float64) { slices.Sort(x) }
