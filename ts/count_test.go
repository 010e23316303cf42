package ts

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// The reference for every test here is naiveCount (ts_test.go): a linear
// scan applying the half-open definition start ≤ t < end to each spike.

// windowCase builds windows of one of several shapes on a grid of step 0.25
// s, the same grid the spikes are drawn from, so that spikes land exactly on
// window edges.
func windowCase(r *rand.Rand, shape, n int, span float64) (st, en []float64) {
	st, en = make([]float64, n), make([]float64, n)
	grid := func(x float64) float64 { return math.Round(x*4) / 4 }
	switch shape {
	case 0: // back-to-back trials (the P5 layout): contiguous path
		w := grid(r.Float64()*3) + 0.25
		t := grid(r.Float64() * 5)
		for k := range st {
			st[k], en[k] = t, t+w
			t += w
		}
	case 1: // sorted trials with gaps, some zero-length
		t := grid(r.Float64() * 5)
		for k := range st {
			st[k] = t
			en[k] = t + grid(r.Float64()*2)
			t = en[k] + grid(r.Float64()*2)
		}
	case 2: // overlapping sliding windows (sorted starts and ends)
		w := grid(r.Float64()*10) + 0.25
		for k := range st {
			st[k] = grid(float64(k) * span / float64(n+1))
			en[k] = st[k] + w
		}
	case 3: // sorted starts, unsorted ends: general path
		for k := range st {
			st[k] = grid(r.Float64() * span)
			en[k] = st[k] + grid(r.Float64()*10)
		}
		sort.Float64s(st)
	default: // any order, including reversed (empty) windows and negatives
		for k := range st {
			st[k] = grid(r.Float64()*(span+10) - 5)
			en[k] = grid(r.Float64()*(span+10) - 5)
		}
	}
	return st, en
}

func gridTimes(r *rand.Rand, n int, lo, hi float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Round((lo+r.Float64()*(hi-lo))*4) / 4 // ties and edge hits on purpose
	}
	sort.Float64s(x)
	return x
}

func checkCounts(t *testing.T, what string, got []int, times, st, en []float64) {
	t.Helper()
	if len(got) != len(st) {
		t.Fatalf("%s: %d counts for %d windows", what, len(got), len(st))
	}
	for k := range st {
		if want := naiveCount(times, st[k], en[k]); got[k] != want {
			t.Fatalf("%s: window %d [%g, %g): got %d want %d (%d spikes, %d windows)",
				what, k, st[k], en[k], got[k], want, len(times), len(st))
		}
	}
}

// TestCountFastPathMatchesNaive compares every counting path with the
// linear-scan definition on random data: spikes on the window grid (exact
// edge hits), empty trains, dense and sparse windows relative to spikes,
// window counts around the four-cursor split, and block overflows.
func TestCountFastPathMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 14))
	sizes := []int{0, 1, 2, 3, 31, 32, 33, 35, 63, 64, 130, 513, 1100}
	for trial := 0; trial < 600; trial++ {
		shape := trial % 5
		nw := sizes[r.IntN(len(sizes))]
		span := 50 + r.Float64()*200
		st, en := windowCase(r, shape, nw, span)
		var times []float64
		switch r.IntN(4) {
		case 0: // empty train
		case 1: // dense spikes: hundreds per window, the block overflows
			times = gridTimes(r, 5000+r.IntN(20000), 0, span)
		case 2: // sparse spikes: most windows empty
			times = gridTimes(r, r.IntN(20), 0, span)
		default:
			times = gridTimes(r, r.IntN(3000), 0, span)
		}
		got := CountWindows(nil, times, st, en)
		checkCounts(t, "CountWindows", got, times, st, en)
		ws, err := NewWindowSet(st, en)
		if err != nil {
			t.Fatal(err)
		}
		// dst reuse: stale values must be overwritten.
		dst := make([]int, nw, nw+3)
		for k := range dst {
			dst[k] = -7
		}
		checkCounts(t, "WindowSet.Count", ws.Count(dst, times), times, st, en)
	}
}

// TestCountWindowKinds pins which path the windows take, so that the fast
// paths above are really exercised, and checks the cases that must leave
// them: negative edges or times, −0, NaN.
func TestCountWindowKinds(t *testing.T) {
	negZero := math.Copysign(0, -1)
	cases := []struct {
		name   string
		st, en []float64
		want   windowKind
	}{
		{"trials", []float64{0, 2, 4}, []float64{2, 4, 6}, windowsContiguous},
		{"gaps", []float64{0, 3, 4}, []float64{2, 4, 6}, windowsSorted},
		{"overlap", []float64{0, 1, 2}, []float64{5, 6, 7}, windowsSorted},
		{"unsorted", []float64{4, 0}, []float64{6, 2}, windowsGeneral},
		{"ends unsorted", []float64{0, 1}, []float64{5, 2}, windowsGeneral},
		{"negative", []float64{-1, 1}, []float64{1, 2}, windowsGeneral},
		{"-0", []float64{0, negZero, 1}, []float64{1, 1, 2}, windowsGeneral},
		{"NaN start", []float64{math.NaN(), 1}, []float64{1, 2}, windowsGeneral},
		{"NaN end", []float64{0, 1}, []float64{1, math.NaN()}, windowsGeneral},
		{"inf end", []float64{0, 1}, []float64{1, math.Inf(1)}, windowsContiguous},
		{"empty", nil, nil, windowsGeneral},
	}
	times := []float64{0, 0, 0.5, 1, 1, 1.5, 2, 3, 5, 6.5}
	for _, c := range cases {
		if got := classifyWindows(c.st, c.en); got != c.want {
			t.Errorf("%s: kind %d want %d", c.name, got, c.want)
		}
		checkCounts(t, c.name, CountWindows(nil, times, c.st, c.en), times, c.st, c.en)
		// The same windows over trains that must leave the bit-order path.
		for _, tr := range [][]float64{
			{-3, -1, 0, 1, 2},
			{negZero, 0, negZero, 1, 2}, // −0 and +0 compare equal: sorted
			{0, 0, 1, 1, 1, 7},
			{math.Inf(-1), 0, math.Inf(1)},
		} {
			checkCounts(t, c.name+" mixed", CountWindows(nil, tr, c.st, c.en), tr, c.st, c.en)
		}
	}
	if nonNegBits([]float64{0, negZero}) || !nonNegBits([]float64{0, 0, 1}) || nonNegBits([]float64{-1}) {
		t.Error("nonNegBits")
	}
	if _, err := NewWindowSet([]float64{1}, nil); err == nil {
		t.Error("NewWindowSet accepted 1 start and 0 ends")
	}
}

// TestRankSortedMatchesLower checks the four-cursor kernel against a plain
// binary search for every boundary, with a lower bound p0 > 0.
func TestRankSortedMatchesLower(t *testing.T) {
	r := rand.New(rand.NewPCG(27, 1))
	for trial := 0; trial < 300; trial++ {
		a := gridTimes(r, r.IntN(4000), 0, 100)
		q := gridTimes(r, r.IntN(300), 10, 110)
		p0 := 0
		if len(q) > 0 && trial%2 == 1 {
			p0 = lower(a, q[0]) / 2
		}
		dst := make([]int, len(q))
		rankSorted(dst, a, q, p0)
		for k, x := range q {
			if want := lower(a, x); dst[k] != want {
				t.Fatalf("trial %d: rank(%g) = %d want %d", trial, x, dst[k], want)
			}
		}
	}
}

// FuzzCountWindows drives every path from arbitrary bytes: the first byte
// picks the window shape, the rest are split between spike times and
// window edges (in quarter seconds, so edges and spikes coincide).
func FuzzCountWindows(f *testing.F) {
	f.Add([]byte{0, 1, 5, 3, 9, 2, 2, 200, 0, 8, 8, 8})
	f.Add([]byte{1, 0, 0, 0, 4, 4, 4, 8, 16, 1, 2})
	f.Add([]byte{2, 255, 128, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3})
	f.Add([]byte{3, 10, 20, 30, 40, 5, 6, 7})
	f.Add([]byte{4, 200, 100, 50, 25, 12, 6, 3, 1, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 2 {
			return
		}
		mode, b := b[0], b[1:]
		half := len(b) / 2
		times := make([]float64, half)
		for i := range times {
			times[i] = float64(b[i]) / 4
			if mode&8 != 0 {
				times[i] -= 8 // negative times: general path
			}
		}
		if mode&16 != 0 {
			// Unsorted times break the contract: counts may be wrong but
			// counting must neither panic nor hang.
			ws, _ := NewWindowSet([]float64{0, 1, 2, 3}, []float64{1, 2, 3, 64})
			ws.Count(nil, times)
			CountWindows(nil, times, []float64{0, 0.5}, []float64{2, 1})
		}
		sort.Float64s(times)
		rest := b[half:]
		n := len(rest) / 2
		st, en := make([]float64, n), make([]float64, n)
		switch mode % 4 {
		case 0: // back to back: rest gives widths
			t0 := 0.0
			for k := 0; k < n; k++ {
				st[k], en[k] = t0, t0+float64(rest[2*k]%16)/4
				t0 = en[k]
			}
		case 1: // sorted starts and ends
			s, e := 0.0, 0.0
			for k := 0; k < n; k++ {
				s += float64(rest[2*k]%8) / 4
				e = math.Max(e, s) + float64(rest[2*k+1]%8)/4
				st[k], en[k] = s, e
			}
		default: // arbitrary
			for k := 0; k < n; k++ {
				st[k], en[k] = float64(rest[2*k])/4, float64(rest[2*k+1])/4
			}
		}
		checkCounts(t, "fuzz", CountWindows(nil, times, st, en), times, st, en)
	})
}
