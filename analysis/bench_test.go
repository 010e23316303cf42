package analysis

import (
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/neurodata/neurodata/internal/cputime"
)

// P5 workload (../shared/bench/p5_tuning.py): 1000 units × 6000 back-to-back
// 2 s presentations of 8 directions (750 each, shuffled); per unit a
// cosine-tuned Poisson rate 10·(1 + a·cos(θ − pref)) Hz, a ~ U(0, 0.8), about
// 120k spikes per unit. Generated with Go's PCG (seed 5), so the spikes are
// statistically, not bitwise, the same as numpy's. P5_UNITS / P5_PRES
// override the size.
type p5Data struct {
	trains        [][]float64
	starts, stops []float64
	cond          Conditions
	dirs          []float64
	nSpikes       int
}

var (
	p5Once sync.Once
	p5     *p5Data
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func p5Make() *p5Data {
	nu, np := envInt("P5_UNITS", 1000), envInt("P5_PRES", 6000)
	const nc, win = 8, 2.0
	r := rand.New(rand.NewPCG(5, 5))
	d := &p5Data{starts: make([]float64, np), stops: make([]float64, np), dirs: make([]float64, nc)}
	dirIdx := make([]int, np)
	for i := range dirIdx {
		dirIdx[i] = i % nc
	}
	r.Shuffle(np, func(i, j int) { dirIdx[i], dirIdx[j] = dirIdx[j], dirIdx[i] })
	val := make([]float64, np)
	for i := range d.starts {
		d.starts[i] = float64(i) * win
		d.stops[i] = d.starts[i] + win
		val[i] = float64(dirIdx[i] * 360 / nc)
	}
	for c := range d.dirs {
		d.dirs[c] = float64(c * 360 / nc)
	}
	d.cond, _ = NumericConditions(val)
	d.trains = make([][]float64, nu)
	rate := make([]float64, nc)
	for u := range d.trains {
		a, pref := r.Float64()*0.8, r.Float64()*2*math.Pi
		for c := range rate {
			rate[c] = 10 * (1 + a*math.Cos(d.dirs[c]*math.Pi/180-pref))
		}
		tr := make([]float64, 0, int(10*win*float64(np)*1.05))
		for i := 0; i < np; i++ {
			k := poisson(r, rate[dirIdx[i]]*win)
			base := len(tr)
			for j := 0; j < k; j++ {
				tr = append(tr, d.starts[i]+r.Float64()*win)
			}
			w := tr[base:]
			for x := 1; x < len(w); x++ { // insertion sort within the window
				for y := x; y > 0 && w[y] < w[y-1]; y-- {
					w[y], w[y-1] = w[y-1], w[y]
				}
			}
		}
		d.trains[u] = tr
		d.nSpikes += len(tr)
	}
	return d
}

// poisson draws by inversion (fine for means ≲ 40).
func poisson(r *rand.Rand, mean float64) int {
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// BenchmarkP5Tuning times what p5_tuning.py's "loop" times: spike counts in
// every presentation window (half-open, like numpy's searchsorted "left" on
// both edges), mean rate per condition, preferred direction and the OSI/DSI
// family per unit. It does a little more than the peer, never less: SEM and
// blank rate per condition, the condition bookkeeping from the raw
// direction column (numpy's one-hot matrix is built outside its timer), and
// the vector-sum, peak and sparseness indices of Direction.
func BenchmarkP5Tuning(b *testing.B) {
	p5Once.Do(func() { p5 = p5Make() })
	d := p5
	var idx []DirectionIndices
	cpu0 := cputime.Now()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		res, err := ConditionTuning(d.trains, d.starts, d.stops, d.cond, nil)
		if err != nil {
			b.Fatal(err)
		}
		idx = make([]DirectionIndices, len(res.Units))
		for u := range res.Units {
			idx[u] = Direction(d.dirs, res.Units[u].RateHz)
		}
		if math.IsNaN(idx[0].GOSI) {
			b.Fatal("NaN gOSI")
		}
	}
	b.StopTimer()
	// Process CPU time (all threads) per op: on a shared machine this is
	// steadier than wall time; compare it with the peer's process_time.
	b.ReportMetric(float64(cputime.Since(cpu0))/float64(b.N), "cpu-ns/op")
	b.ReportMetric(float64(d.nSpikes), "spikes") // after ResetTimer, which drops metrics
	// The peer prints the median OSI and DSI (peak family, as here) of its
	// own simulation: a sanity check that both sides analyse alike data.
	osi, dsi := make([]float64, 0, len(idx)), make([]float64, 0, len(idx))
	for _, x := range idx {
		if !math.IsNaN(x.PeakOSI) {
			osi = append(osi, x.PeakOSI)
		}
		if !math.IsNaN(x.PeakDSI) {
			dsi = append(dsi, x.PeakDSI)
		}
	}
	b.ReportMetric(median(osi), "median-OSI")
	b.ReportMetric(median(dsi), "median-DSI")
}

func median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	y := append([]float64(nil), x...)
	sort.Float64s(y)
	n := len(y)
	if n%2 == 1 {
		return y[n/2]
	}
	return (y[n/2-1] + y[n/2]) / 2
}
