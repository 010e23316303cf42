package ts

import (
	"math/rand/v2"
	"sort"
	"testing"
)

// benchCount times count on one unit with ~120k spikes (10 Hz over 6000
// back-to-back 2 s windows), the per-unit kernel of the P5 benchmark.
func benchCount(b *testing.B, count func(dst []int, times, st, en []float64)) {
	r := rand.New(rand.NewPCG(1, 1))
	const nw, w = 6000, 2.0
	times := make([]float64, 120000)
	for i := range times {
		times[i] = r.Float64() * nw * w
	}
	sort.Float64s(times)
	st, en := make([]float64, nw), make([]float64, nw)
	for k := range st {
		st[k], en[k] = float64(k)*w, float64(k+1)*w
	}
	dst := make([]int, nw)
	b.SetBytes(int64(len(times) * 8))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		count(dst, times, st, en)
	}
}

// BenchmarkCountWindows: the fast path for sorted windows.
func BenchmarkCountWindows(b *testing.B) {
	benchCount(b, func(dst []int, times, st, en []float64) { CountWindows(dst, times, st, en) })
}

// BenchmarkCountWindowsGeneral: the same unit through the per-window
// search used for unsorted windows (the fast path's baseline).
func BenchmarkCountWindowsGeneral(b *testing.B) { benchCount(b, countGeneral) }

// BenchmarkCountWindows8: 8 such units one after another (a working
// set larger than the L2 cache).
func BenchmarkCountWindows8(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	const nw, w, nu = 6000, 2.0, 8
	trains := make([][]float64, nu)
	dst := make([][]int, nu)
	for u := range trains {
		trains[u] = make([]float64, 120000)
		for i := range trains[u] {
			trains[u][i] = r.Float64() * nw * w
		}
		sort.Float64s(trains[u])
		dst[u] = make([]int, nw)
	}
	st, en := make([]float64, nw), make([]float64, nw)
	for k := range st {
		st[k], en[k] = float64(k)*w, float64(k+1)*w
	}
	b.SetBytes(int64(nu * 120000 * 8))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for u := range trains {
			CountWindows(dst[u], trains[u], st, en)
		}
	}
}
