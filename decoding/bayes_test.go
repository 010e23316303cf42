package decoding

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

// naiveLogLik is the O13 formula written out per bin (the reference for the
// streamed matrix-product implementation).
func naiveLogLik(f *mat.Dense, n []float64, tau float64) []float64 {
	nb, nu := f.Dims()
	ll := make([]float64, nb)
	for b := 0; b < nb; b++ {
		for i := 0; i < nu; i++ {
			ll[b] += n[i]*math.Log(f.At(b, i)+1e-12) - tau*f.At(b, i)
		}
	}
	return ll
}

func TestBayesDecoderMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const nb, nu, nt, tau = 37, 11, 1000, 0.05
	f := mat.NewDense(nb, nu, nil)
	for b := 0; b < nb; b++ {
		for i := 0; i < nu; i++ {
			f.Set(b, i, 40*rng.Float64())
		}
	}
	unvisited := []int{0, 5, 36}
	for _, b := range unvisited {
		f.Set(b, 3, math.NaN())
	}
	prior := make([]float64, nb)
	for b := range prior {
		prior[b] = rng.Float64()
	}
	prior[9] = 0                               // masked too
	for _, scale := range []float64{0.05, 3} { // sparse path, dense path
		counts := mat.NewDense(nt, nu, nil)
		pois := distuv.Poisson{Lambda: scale, Src: rng}
		for i := 0; i < nt; i++ {
			for j := 0; j < nu; j++ {
				counts.Set(i, j, pois.Rand())
			}
		}
		for _, usePrior := range []bool{false, true} {
			d := &BayesDecoder{Tuning: f, BinSize: tau, Chunk: 64}
			if usePrior {
				d.Prior = prior
			}
			for _, workers := range []int{1, 3} {
				seen := 0
				got, err := d.Decode(nil, counts, func(t0 int, ll, post *mat.Dense) {
					r, _ := ll.Dims()
					seen += r
					for k := 0; k < r; k++ {
						n := counts.RawRowView(t0 + k)
						want := naiveLogLik(f, n, tau)
						// reference posterior over unmasked bins
						lp := make([]float64, nb)
						mx := math.Inf(-1)
						for b := range lp {
							lp[b] = want[b]
							if usePrior {
								lp[b] += math.Log(prior[b])
							}
							if math.IsNaN(lp[b]) || (usePrior && prior[b] == 0) {
								lp[b] = math.Inf(-1)
							}
							mx = math.Max(mx, lp[b])
						}
						var s float64
						for b := range lp {
							lp[b] = math.Exp(lp[b] - mx)
							s += lp[b]
						}
						for b := 0; b < nb; b++ {
							masked := slices.Contains(unvisited, b) || (usePrior && b == 9)
							if masked {
								if post.At(k, b) != 0 || !math.IsInf(ll.At(k, b), -1) {
									t.Fatalf("masked bin %d: ll %v post %v", b, ll.At(k, b), post.At(k, b))
								}
								continue
							}
							if math.Abs(ll.At(k, b)-want[b]) > 1e-9*math.Max(1, math.Abs(want[b])) {
								t.Fatalf("t=%d bin %d: ll %v, naive %v", t0+k, b, ll.At(k, b), want[b])
							}
							if math.Abs(post.At(k, b)-lp[b]/s) > 1e-12 {
								t.Fatalf("t=%d bin %d: posterior %v, naive %v", t0+k, b, post.At(k, b), lp[b]/s)
							}
						}
					}
				}, &Settings{Workers: workers})
				if err != nil {
					t.Fatal(err)
				}
				if seen != nt {
					t.Fatalf("callback saw %d rows, want %d", seen, nt)
				}
				for i := 0; i < nt; i++ {
					if slices.Contains(unvisited, got[i]) {
						t.Fatalf("decoded an unvisited bin %d", got[i])
					}
				}
			}
		}
	}
}

// With zero spikes every visited bin has log-likelihood −τΣf < 0, and an
// unvisited bin evaluated as pynapple does (nansum → 0) would win under a
// uniform prior (analysis-methods.md B4 pitfall). It must never be decoded.
func TestBayesUnvisitedBinsMasked(t *testing.T) {
	f := mat.NewDense(4, 2, []float64{5, 1, math.NaN(), math.NaN(), 2, 2, 1, 8})
	counts := mat.NewDense(3, 2, []float64{0, 0, 1, 0, 0, 3})
	d := &BayesDecoder{Tuning: f, BinSize: 0.1}
	got, err := d.Decode(nil, counts, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Zero spikes: the visited bin with the smallest Σf (bin 2, Σf = 4) wins.
	// (1,0): ll = log5−0.6 = 1.009 (bin 0), log2−0.4 = 0.293 (bin 2), −0.9 (bin 3) → bin 0.
	// (0,3): 3log1−0.6=−0.6? bin 0: 3·log1 − 0.6 = −0.6; bin 2: 3log2−0.4 = 1.679; bin 3: 3log8−0.9 = 5.338 → bin 3.
	if want := []int{2, 0, 3}; !slices.Equal(got, want) {
		t.Errorf("decoded %v, want %v", got, want)
	}
	f2 := mat.NewDense(2, 1, []float64{math.NaN(), math.NaN()})
	if _, err := (&BayesDecoder{Tuning: f2, BinSize: 1}).Decode(nil, mat.NewDense(1, 1, nil), nil, nil); err == nil {
		t.Error("all bins unvisited: want an error")
	}
	if _, err := (&BayesDecoder{Tuning: f, BinSize: 0}).Decode(nil, counts, nil, nil); err == nil {
		t.Error("zero bin size: want an error")
	}
	if _, err := (&BayesDecoder{Tuning: f, BinSize: 1}).Decode(nil, mat.NewDense(1, 3, nil), nil, nil); err == nil {
		t.Error("unit count mismatch: want an error")
	}
}

func TestGrid(t *testing.T) {
	g := UniformGrid([]float64{0, 0}, []float64{2, 1}, []int{4, 2})
	if g.NumBins() != 8 {
		t.Fatalf("NumBins %d", g.NumBins())
	}
	for _, c := range []struct {
		x    []float64
		want int
	}{
		{[]float64{0, 0}, 0},
		{[]float64{0.5, 0}, 2},     // x edge 0.5 starts bin 1 → 1*2+0
		{[]float64{0.49, 0.5}, 1},  // y edge 0.5 starts bin 1
		{[]float64{2, 1}, 7},       // top edges fall in the last bins
		{[]float64{1.99, 0.99}, 7}, //
		{[]float64{2.01, 0}, -1},
		{[]float64{math.NaN(), 0}, -1},
	} {
		if got := g.Index(c.x); got != c.want {
			t.Errorf("Index(%v) = %d, want %d", c.x, got, c.want)
		}
	}
	if c := g.Center(nil, 5); !slices.Equal(c, []float64{1.25, 0.75}) {
		t.Errorf("Center(5) = %v, want [1.25 0.75]", c)
	}
}

// placeSim simulates a 2-D arena (1 m × 1 m) with Gaussian place cells.
type placeSim struct {
	centers [][2]float64
	sigma   float64
	peak    float64
	base    float64
}

func newPlaceSim(n int, rng *rand.Rand) placeSim {
	s := placeSim{sigma: 0.12, peak: 15, base: 0.5}
	for i := 0; i < n; i++ {
		s.centers = append(s.centers, [2]float64{rng.Float64(), rng.Float64()})
	}
	return s
}

func (s placeSim) rate(i int, x, y float64) float64 {
	dx, dy := x-s.centers[i][0], y-s.centers[i][1]
	return s.base + (s.peak-s.base)*math.Exp(-(dx*dx+dy*dy)/(2*s.sigma*s.sigma))
}

// path is a deterministic Lissajous trajectory covering the arena.
func path(t float64) (float64, float64) {
	return 0.5 + 0.45*math.Sin(2*math.Pi*t/37), 0.5 + 0.45*math.Sin(2*math.Pi*t/23+0.7)
}

func TestBayesDecode2D(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	sim := newPlaceSim(60, rng)
	const tau, nt = 0.1, 20000 // 100 ms bins, 2000 s
	pos := mat.NewDense(nt, 2, nil)
	counts := mat.NewDense(nt, 60, nil)
	pois := distuv.Poisson{Lambda: 1, Src: rng}
	for k := 0; k < nt; k++ {
		x, y := path(float64(k) * tau)
		pos.Set(k, 0, x)
		pos.Set(k, 1, y)
		for i := 0; i < 60; i++ {
			pois.Lambda = sim.rate(i, x, y) * tau
			counts.Set(k, i, pois.Rand())
		}
	}
	g := UniformGrid([]float64{0, 0}, []float64{1, 1}, []int{20, 20})
	half := nt / 2
	tc, occ, err := FitTuning(g, pos.Slice(0, half, 0, 2), counts.Slice(0, half, 0, 60), tau)
	if err != nil {
		t.Fatal(err)
	}
	var unvisited int
	for _, o := range occ {
		if o == 0 {
			unvisited++
		}
	}
	if unvisited == 0 {
		t.Fatal("the Lissajous path should leave corner bins unvisited")
	}
	d := &BayesDecoder{Tuning: tc, BinSize: tau}
	got, err := d.Decode(nil, counts.Slice(half, nt, 0, 60), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]float64, len(got))
	c := make([]float64, 2)
	for k, b := range got {
		if occ[b] == 0 {
			t.Fatalf("decoded unvisited bin %d", b)
		}
		g.Center(c, b)
		errs[k] = math.Hypot(c[0]-pos.At(half+k, 0), c[1]-pos.At(half+k, 1))
	}
	sort.Float64s(errs)
	med := errs[len(errs)/2]
	t.Logf("median decoding error %.3f m (bin width 0.05 m, %d unvisited bins)", med, unvisited)
	// With 60 cells of σ = 0.12 m, 100 ms windows localise to about a bin.
	if med > 0.1 {
		t.Errorf("median error %.3f m > 0.1 m", med)
	}
}

// lazyCounts generates spike counts row by row (Poisson given the path) so
// the memory test holds no T × units matrix; it implements mat.Matrix.
type lazyCounts struct {
	sim   placeSim
	nt    int
	tau   float64
	calls atomic.Int64
}

func (l *lazyCounts) Dims() (int, int) { return l.nt, len(l.sim.centers) }
func (l *lazyCounts) T() mat.Matrix    { return mat.Transpose{Matrix: l} }
func (l *lazyCounts) At(i, j int) float64 {
	return l.RawRowView(i)[j] // slow path, unused by the decoder
}

// RawRowView returns a freshly generated row (deterministic in i).
func (l *lazyCounts) RawRowView(i int) []float64 {
	l.calls.Add(1)
	rng := rand.New(rand.NewPCG(uint64(i), 99))
	x, y := path(float64(i) * l.tau)
	row := make([]float64, len(l.sim.centers))
	for j := range row {
		// Knuth's method; λ ≤ 0.15 here.
		lim, p, k := math.Exp(-l.sim.rate(j, x, y)*l.tau), rng.Float64(), 0.0
		for p > lim {
			p *= rng.Float64()
			k++
		}
		row[j] = k
	}
	return row
}

// TestBayesMemoryHour is acceptance point 4 of issue 7: a 1-hour,
// 10 ms-bin, 50×50-position, 100-unit Bayesian decode runs in < 1 GB.
// (pynapple's decode_bayes would tile 3.6e5 × 2500 × 100 float64 = 720 GB.)
// Peak heap is sampled every 5 ms; the bound is on runtime.MemStats.Sys,
// all memory the Go runtime obtained from the OS.
func TestBayesMemoryHour(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode: 1-hour decode")
	}
	const tau = 0.01
	nt := int(3600 / tau)
	rng := rand.New(rand.NewPCG(5, 6))
	sim := newPlaceSim(100, rng)
	g := UniformGrid([]float64{0, 0}, []float64{1, 1}, []int{50, 50})
	tc := mat.NewDense(g.NumBins(), 100, nil)
	c := make([]float64, 2)
	for b := 0; b < g.NumBins(); b++ {
		g.Center(c, b)
		for i := 0; i < 100; i++ {
			tc.Set(b, i, sim.rate(i, c[0], c[1]))
		}
	}
	counts := &lazyCounts{sim: sim, nt: nt, tau: tau}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapInuse > peak.Load() {
					peak.Store(ms.HeapInuse)
				}
			}
		}
	}()
	start := time.Now()
	d := &BayesDecoder{Tuning: tc, BinSize: tau}
	var postMass atomic.Int64
	got, err := d.Decode(nil, counts, func(t0 int, _, post *mat.Dense) {
		// Streamed posterior: check normalisation on the first row only.
		var s float64
		for _, v := range post.RawRowView(0) {
			s += v
		}
		if math.Abs(s-1) < 1e-9 {
			postMass.Add(1)
		}
	}, nil)
	elapsed := time.Since(start)
	close(stop)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	if len(got) != nt || counts.calls.Load() != int64(nt) {
		t.Fatalf("decoded %d of %d bins, %d rows read", len(got), nt, counts.calls.Load())
	}
	chunks := (nt + 511) / 512
	if postMass.Load() != int64(chunks) {
		t.Errorf("%d of %d streamed posteriors normalised", postMass.Load(), chunks)
	}
	// The decode must be meaningful: median error over a sample of bins.
	var errs []float64
	for k := 0; k < nt; k += 97 {
		g.Center(c, got[k])
		x, y := path(float64(k) * tau)
		errs = append(errs, math.Hypot(c[0]-x, c[1]-y))
	}
	sort.Float64s(errs)
	const gib = 1 << 30
	t.Logf("1 h @ 10 ms, 2500 bins, 100 units: %v, peak heap in use %.1f MiB, Sys %.1f MiB, median error %.3f m",
		elapsed.Round(time.Millisecond), float64(peak.Load())/(1<<20), float64(after.Sys)/(1<<20), errs[len(errs)/2])
	if after.Sys >= gib || peak.Load() >= gib {
		t.Errorf("memory %d bytes (Sys), peak heap %d: not < 1 GiB", after.Sys, peak.Load())
	}
}

// BenchmarkBayesDecode decodes 10 minutes at 10 ms with a 50×50 map and
// 100 units, reporting bytes allocated per decode.
func BenchmarkBayesDecode(b *testing.B) {
	rng := rand.New(rand.NewPCG(5, 6))
	sim := newPlaceSim(100, rng)
	g := UniformGrid([]float64{0, 0}, []float64{1, 1}, []int{50, 50})
	tc := mat.NewDense(g.NumBins(), 100, nil)
	c := make([]float64, 2)
	for bb := 0; bb < g.NumBins(); bb++ {
		g.Center(c, bb)
		for i := 0; i < 100; i++ {
			tc.Set(bb, i, sim.rate(i, c[0], c[1]))
		}
	}
	lc := &lazyCounts{sim: sim, nt: 60000, tau: 0.01}
	counts := mat.NewDense(lc.nt, 100, nil)
	for i := 0; i < lc.nt; i++ {
		counts.SetRow(i, lc.RawRowView(i))
	}
	d := &BayesDecoder{Tuning: tc, BinSize: 0.01}
	dst := make([]int, lc.nt)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Decode(dst, counts, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
