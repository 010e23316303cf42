package ts

import (
	"math"
	"math/rand/v2"
	"reflect"
	"sort"
	"testing"
)

func TestNewIntervalSetRepairs(t *testing.T) {
	set, warns, err := NewIntervalSet(
		[]float64{5, 0, 2, math.NaN(), 9},
		[]float64{6, 3, 4, 1, 8}) // [9,8] reversed, NaN dropped, [0,3]+[2,4] merge
	if err != nil {
		t.Fatal(err)
	}
	want := MustIntervals(0, 4, 5, 6)
	if !set.Equal(want) {
		t.Fatalf("got %v want %v", set, want)
	}
	if len(warns) != 3 { // dropped, sorted, merged
		t.Fatalf("want 3 warnings, got %q", warns)
	}
	if _, _, err := NewIntervalSet([]float64{1}, nil); err == nil {
		t.Fatal("length mismatch accepted")
	}
}

func TestIntersectUnion(t *testing.T) {
	a := MustIntervals(0, 2, 4, 6, 8, 10)
	b := MustIntervals(1, 5, 9, 12)
	if got, want := a.Intersect(b), MustIntervals(1, 2, 4, 5, 9, 10); !got.Equal(want) {
		t.Fatalf("intersect %v want %v", got, want)
	}
	if got, want := a.Union(b), MustIntervals(0, 6, 8, 12); !got.Equal(want) {
		t.Fatalf("union %v want %v", got, want)
	}
	if a.Duration() != 6 || a.Find(4) != 1 || a.Find(3) != -1 || a.Find(10) != 2 {
		t.Fatal("duration/find")
	}
}

// naive references written directly from the B1 rules.
func naiveCount(times []float64, s, e float64) int {
	n := 0
	for _, t := range times {
		if t >= s && t < e {
			n++
		}
	}
	return n
}

func randomTimes(r *rand.Rand, n int, span float64) []float64 {
	x := make([]float64, n)
	for i := range x {
		x[i] = math.Round(r.Float64()*span*100) / 100 // ties on purpose
	}
	sort.Float64s(x)
	return x
}

func TestCountWindowsMatchesNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		times := randomTimes(r, r.IntN(500), 100)
		nw := r.IntN(60)
		st, en := make([]float64, nw), make([]float64, nw)
		for k := range st {
			st[k] = math.Round(r.Float64()*110*100)/100 - 5
			en[k] = st[k] + math.Round(r.Float64()*10*100)/100
		}
		if trial%2 == 0 {
			sort.Float64s(st) // sorted fast path; ends stay random widths
		}
		got := CountWindows(nil, times, st, en)
		f, l := WindowIndex(times, st, en)
		for k := range st {
			want := naiveCount(times, st[k], en[k])
			if got[k] != want || l[k]-f[k] != want {
				t.Fatalf("window [%g,%g): got %d/%d want %d", st[k], en[k], got[k], l[k]-f[k], want)
			}
		}
	}
}

func TestRestrictClosed(t *testing.T) {
	times := []float64{0, 1, 2, 3, 4, 5, 6}
	got := RestrictTimes(nil, times, MustIntervals(1, 2, 4, 4, 5.5, 9))
	if want := []float64{1, 2, 4, 6}; !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v want %v", got, want)
	}
	st := SpikeTrain{Times: times, Support: Span(0, 6)}.Restrict(Span(2, 10))
	if !st.Support.Equal(Span(2, 6)) || st.Rate() != 5.0/4 {
		t.Fatalf("support %v rate %g", st.Support, st.Rate())
	}
}

// TestBinsPynapple checks the B1 count(bin_size, ep) rules: bins start at each
// epoch start, a bin is kept only if its centre ≤ epoch end, spikes counted
// half-open. Epoch [0, 1.04] with 0.1 s bins: centre of bin 10 is 1.05 > 1.04,
// so 10 bins, and the spike at 1.02 is dropped. Epoch [2, 2.26]: centres 2.05,
// 2.15, 2.25 ≤ 2.26 → 3 bins ([2.2, 2.3) kept although it overhangs).
func TestBinsPynapple(t *testing.T) {
	ep := MustIntervals(0, 1.04, 2, 2.26)
	spikes := []float64{0, 0.0999, 0.1, 0.95, 1.02, 2.0, 2.29, 2.3}
	c, n, err := Bin(spikes, ep, 0.1)
	if err != nil {
		t.Fatal(err)
	}
	if len(c) != 13 {
		t.Fatalf("want 13 bins, got %d: %v", len(c), c)
	}
	wantN := []int{2, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1}
	if !reflect.DeepEqual(n, wantN) {
		t.Fatalf("counts %v want %v", n, wantN)
	}
	if c[0] != 0.05 || c[10] != 2.05 || c[12] != 2.25 {
		t.Fatalf("centres %v", c)
	}
	if _, err := NewBins(ep, 0); err == nil {
		t.Fatal("zero width accepted")
	}
}

func TestSeriesLookup(t *testing.T) {
	// samples at 0, 1, 2 (epoch A) and 10, 11 (epoch B)
	s, err := NewSeries([]float64{0, 1, 2, 10, 11}, []float64{0, 10, 20, 100, 110}, 1, MustIntervals(0, 2.5, 9.5, 11))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		t    float64
		mode Lookup
		want float64
	}{
		{0.4, Nearest, 0}, {0.5, Nearest, 0}, {0.6, Nearest, 10}, {1, Before, 10}, {1, After, 10},
		{1.2, Before, 10}, {1.2, After, 20},
		{2.4, After, math.NaN()}, // next sample (10) is in another epoch
		{2.4, Nearest, 20},
		{9.6, Before, math.NaN()}, {9.6, Nearest, 100},
		{5, Nearest, math.NaN()}, // outside support
	}
	for _, c := range cases {
		got := s.ValueAt(c.t, 0, c.mode)
		if !(got == c.want || (math.IsNaN(got) && math.IsNaN(c.want))) {
			t.Errorf("ValueAt(%g, %d) = %g want %g", c.t, c.mode, got, c.want)
		}
	}
	// A regular series gives the same answers as its explicit timestamps.
	reg, err := NewRegularSeries(0, 10, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, 1, IntervalSet{})
	if err != nil {
		t.Fatal(err)
	}
	exp, _ := NewSeries(reg.Times(), reg.Data, 1, IntervalSet{})
	for _, tt := range []float64{0, 0.04, 0.05, 0.06, 0.3, 0.31, 1.99, 2} {
		for _, m := range []Lookup{Nearest, Before, After} {
			if a, b := reg.ValueAt(tt, 0, m), exp.ValueAt(tt, 0, m); a != b && !(math.IsNaN(a) && math.IsNaN(b)) {
				t.Errorf("regular vs explicit at %g mode %d: %g vs %g", tt, m, a, b)
			}
		}
	}
	rs := s.Restrict(Span(0.5, 10))
	if !reflect.DeepEqual(rs.Timestamps, []float64{1, 2, 10}) || !rs.Support.Equal(MustIntervals(0.5, 2.5, 9.5, 10)) {
		t.Fatalf("restrict: %v %v", rs.Timestamps, rs.Support)
	}
}

func TestDwell(t *testing.T) {
	s, _ := NewSeries([]float64{0, 0.5, 1, 3, 3.5}, make([]float64, 5), 1, MustIntervals(0, 2, 3, 4))
	got := s.Dwell()
	// 0→0.5, 0.5→1, 1→epoch end 2, 3→3.5, 3.5→epoch end 4
	if want := []float64{0.5, 0.5, 1, 0.5, 0.5}; !reflect.DeepEqual(got, want) {
		t.Fatalf("dwell %v want %v", got, want)
	}
}

func TestAlign(t *testing.T) {
	times := []float64{0.9, 1.0, 1.5, 2.0, 2.1, 5}
	got := Align(times, []float64{1, 2}, -0.1, 0.5)
	// 1.5−2 = −0.5 is outside [−0.1, 0.5] for event 2; 0.9−1 is inside (closed).
	want := [][]float64{{-0.1, 0, 0.5}, {0, 0.1}}
	ok := len(got) == 2
	for k := 0; ok && k < 2; k++ {
		ok = len(got[k]) == len(want[k])
		for j := 0; ok && j < len(want[k]); j++ {
			ok = math.Abs(got[k][j]-want[k][j]) < 1e-12
		}
	}
	if !ok {
		t.Fatalf("got %v want %v", got, want)
	}
}

func TestUnitsCountParallel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	trains := make([][]float64, 9)
	for i := range trains {
		trains[i] = randomTimes(r, 200+i, 50)
	}
	u, warns, err := NewUnits(nil, trains, Span(0, 50))
	if err != nil || len(warns) > 0 {
		t.Fatal(err, warns)
	}
	st := []float64{0, 10, 20, 30}
	en := []float64{10, 20, 30, 40}
	got := u.CountWindows(st, en, 4)
	for i := range trains {
		for k := range st {
			if got[i][k] != naiveCount(trains[i], st[k], en[k]) {
				t.Fatalf("unit %d window %d", i, k)
			}
		}
	}
	if err := u.SetString("quality", []string{"good", "noise", "good", "good", "good", "good", "good", "good", "noise"}); err != nil {
		t.Fatal(err)
	}
	g := u.Select(u.Where("quality", "good"))
	if g.Len() != 7 || g.IDs[1] != 2 {
		t.Fatalf("select: %v", g.IDs)
	}
}

func FuzzIntervalsAndCount(f *testing.F) {
	f.Add([]byte{1, 5, 3, 9, 2, 2, 200, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		n := len(b) / 2
		s, e := make([]float64, n), make([]float64, n)
		for i := 0; i < n; i++ {
			s[i], e[i] = float64(b[2*i])/4, float64(b[2*i+1])/4
		}
		set, _, err := NewIntervalSet(s, e)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < set.Len(); i++ {
			if set.At(i).Start <= set.At(i-1).End {
				t.Fatalf("overlap after repair: %v", set)
			}
		}
		times := make([]float64, len(b))
		for i := range b {
			times[i] = float64(b[i]) / 3
		}
		sort.Float64s(times)
		got := CountWindows(nil, times, s, e)
		for k := range s {
			if got[k] != naiveCount(times, s[k], e[k]) {
				t.Fatalf("count mismatch")
			}
		}
		if bins, err := NewBins(set, 0.7); err == nil {
			bins.Count(nil, times)
		}
	})
}

// scanFrom (branch-free block search on integer keys) must agree with a plain
// binary search for negative times, zeros of both signs, ties and long gaps.
func TestScanFromMatchesLower(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for trial := 0; trial < 200; trial++ {
		n := r.IntN(300)
		a := make([]float64, n)
		for i := range a {
			a[i] = math.Round((r.Float64()*20-10)*4) / 4
		}
		if n > 0 {
			a[r.IntN(n)] = math.Copysign(0, -1)
		}
		sort.Float64s(a)
		for q := 0; q < 50; q++ {
			x := math.Round((r.Float64()*24-12)*8) / 8
			lo := 0
			if n > 0 {
				lo = r.IntN(n + 1)
			}
			want := lower(a, x)
			if want < lo {
				want = lo
			}
			if got := scanFrom(a, lo, x); got != want {
				t.Fatalf("scanFrom(lo=%d, x=%g) = %d, want %d", lo, x, got, want)
			}
		}
	}
}

func TestAlignSeriesAndUnitsBin(t *testing.T) {
	s, _ := NewRegularSeries(0, 10, []float64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, IntervalSet{}) // value = 10·t
	got := AlignSeries(s, []float64{0.3, 0.62}, []float64{-0.1, 0, 0.1}, 0, Nearest)
	want := [][]float64{{2, 3, 4}, {5, 6, 7}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("AlignSeries %v want %v", got, want)
	}
	u, _, _ := NewUnits([]int64{7, 9}, [][]float64{{0.05, 0.15, 0.5, 0.95}, {0.99}}, Span(0, 1))
	b, c, err := u.Bin(Span(0, 1), 0.5, 1)
	if err != nil || b.Len() != 2 || !reflect.DeepEqual(c, [][]int{{2, 2}, {0, 1}}) {
		t.Fatalf("Bin: %v %v", c, err)
	}
	r := u.Restrict(Span(0.1, 0.6))
	if !reflect.DeepEqual(r.Trains[0], []float64{0.15, 0.5}) || len(r.Trains[1]) != 0 || !r.Support.Equal(Span(0.1, 0.6)) {
		t.Fatalf("Restrict: %v %v", r.Trains, r.Support)
	}
	if rates := r.Rates(); math.Abs(rates[0]-4) > 1e-12 {
		t.Fatalf("rates %v", rates)
	}
}
