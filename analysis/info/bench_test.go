package info

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/neurodata/neurodata/internal/cputime"
)

// benchData simulates the issue-6 benchmark workload: 300 units × 136
// presentations (8 directions × 17 repeats), von Mises direction tuning,
// Poisson counts in a 2 s window.
func benchData() (stim []int, counts [][]int) {
	r := rand.New(rand.NewPCG(300, 136))
	stim = make([]int, 136)
	for i := range stim {
		stim[i] = i % 8
	}
	counts = make([][]int, 300)
	for u := range counts {
		mu := r.Float64() * 2 * math.Pi
		k := 1 + 3*r.Float64()
		base, peak := 1+5*r.Float64(), 8+22*r.Float64()
		counts[u] = make([]int, len(stim))
		for i, s := range stim {
			th := float64(s) * math.Pi / 4
			rate := base + (peak-base)*math.Exp(k*(math.Cos(th-mu)-1))
			counts[u][i] = poissonDraw(r, 2*rate)
		}
	}
	return
}

// BenchmarkUnits: every estimator with 1000 permutations (default binning)
// on 300 units × 136 presentations, Workers = 1 and 2. bench/info.sh runs it
// and reports the wall times and the parallel speed-up.
func BenchmarkUnits(b *testing.B) {
	stim, counts := benchData()
	for _, workers := range []int{1, 2} {
		for _, est := range Estimators {
			b.Run(fmt.Sprintf("est=%v/workers=%d", est, workers), func(b *testing.B) {
				c0 := cpuSeconds()
				for i := 0; i < b.N; i++ {
					_, err := Units(stim, counts, &Options{Estimator: est, Permutations: 1000},
						&Settings{Workers: workers, Rand: rand.New(rand.NewPCG(1, uint64(i)))})
					if err != nil {
						b.Fatal(err)
					}
				}
				// Process CPU time (user+sys): on a shared machine the wall
				// time of the 2-worker run depends on other load; CPU time
				// shows the parallel overhead.
				b.ReportMetric((cpuSeconds()-c0)/float64(b.N), "cpu-s/op")
			})
		}
	}
}

func cpuSeconds() float64 { return cputime.Now().Seconds() }

// BenchmarkKSG: N = 2000 bivariate samples, k = 3 (KD-tree path).
func BenchmarkKSG(b *testing.B) {
	x, y := gaussPair(2, 2000)
	cx, cy := Column(x), Column(y)
	for i := 0; i < b.N; i++ {
		if _, err := KSG(cx, cy, 0, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGCMI: N = 2000 bivariate samples.
func BenchmarkGCMI(b *testing.B) {
	x, y := gaussPair(2, 2000)
	cx, cy := Column(x), Column(y)
	for i := 0; i < b.N; i++ {
		if _, err := GCMI(cx, cy); err != nil {
			b.Fatal(err)
		}
	}
}
