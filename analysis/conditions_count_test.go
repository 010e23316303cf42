package analysis

import (
	"math"
	"math/rand/v2"
	"sort"
	"testing"
)

// conditionReference is the simple, independent definition of what
// ConditionTuning computes: spikes counted by a linear scan with start ≤ t <
// end, rate = count / window length, then per condition (in presentation
// order) mean and SEM with ddof = 1. Summation order equals the library's,
// so the comparison below is exact.
func conditionReference(trains [][]float64, ws, we []float64, cond []int, nc int) (rates, sems [][]float64, blank []float64) {
	rates, sems = make([][]float64, len(trains)), make([][]float64, len(trains))
	blank = make([]float64, len(trains))
	for u, tr := range trains {
		sum, sum2, cnt := make([]float64, nc+1), make([]float64, nc+1), make([]float64, nc+1)
		for i := range ws {
			k := 0
			for _, t := range tr {
				if t >= ws[i] && t < we[i] {
					k++
				}
			}
			r := float64(k) / (we[i] - ws[i])
			c := cond[i]
			if c < 0 {
				c = nc
			}
			sum[c] += r
			sum2[c] += r * r
			cnt[c]++
		}
		rates[u], sems[u] = make([]float64, nc), make([]float64, nc)
		for c := 0; c <= nc; c++ {
			m, s := math.NaN(), math.NaN()
			if cnt[c] > 0 {
				m = sum[c] / cnt[c]
			}
			if cnt[c] > 1 {
				s = math.Sqrt(math.Max(0, (sum2[c]-cnt[c]*m*m)/(cnt[c]-1)) / cnt[c])
			}
			if c == nc {
				blank[u] = m
			} else {
				rates[u][c], sems[u][c] = m, s
			}
		}
	}
	return rates, sems, blank
}

func sameFloat(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

// TestConditionTuningMatchesReference runs ConditionTuning over layouts
// that take each counting path (back-to-back trials, trials with gaps and
// unequal lengths, overlapping response windows, shuffled presentation
// order, a window starting before time 0) with spikes on the window edges,
// an empty train, a unit firing > 255 spikes per window (past the rate
// lookup table) and blank presentations, and requires exact agreement with
// conditionReference.
func TestConditionTuningMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 55))
	layouts := []struct {
		name    string
		gaps    bool
		shuffle bool
		window  [2]float64
	}{
		{"back-to-back", false, false, [2]float64{}},
		{"gaps", true, false, [2]float64{}},
		{"overlapping", false, false, [2]float64{0, 1.5}},
		{"shuffled", false, true, [2]float64{}},
		{"before zero", false, false, [2]float64{-0.25, 0.5}},
	}
	for _, lay := range layouts {
		const np, nc = 150, 4
		starts, stops := make([]float64, np), make([]float64, np)
		t0 := 0.0
		for i := range starts {
			d := 1.0
			if lay.gaps {
				d = 0.25 * float64(1+r.IntN(6))
			}
			starts[i], stops[i] = t0, t0+d
			t0 += d
			if lay.gaps {
				t0 += 0.25 * float64(r.IntN(3))
			}
		}
		if lay.shuffle {
			r.Shuffle(np, func(i, j int) {
				starts[i], starts[j] = starts[j], starts[i]
				stops[i], stops[j] = stops[j], stops[i]
			})
		}
		vals := make([]float64, np)
		for i := range vals {
			vals[i] = float64(90 * r.IntN(nc))
			if i%37 == 5 {
				vals[i] = math.NaN() // blank
			}
		}
		trains := make([][]float64, 6)
		for u := range trains {
			n := []int{0, 40, 400, 3000, 120000, 9000}[u] // u = 4: ≈ 400 spikes per window
			tr := make([]float64, n)
			for i := range tr {
				tr[i] = math.Round(r.Float64()*t0*4) / 4 // on the 0.25 s edge grid
			}
			sort.Float64s(tr)
			trains[u] = tr
		}
		cond, err := NumericConditions(vals)
		if err != nil {
			t.Fatal(err)
		}
		ws, we, err := Windows(starts, stops, lay.window, AlignStart)
		if err != nil {
			t.Fatal(err)
		}
		var rates, sems [][]float64
		var blank []float64
		for _, workers := range []int{1, 3} {
			set := &ConditionSettings{Window: lay.window, Workers: workers}
			res, err := ConditionTuning(trains, starts, stops, cond, set)
			if err != nil {
				t.Fatalf("%s: %v", lay.name, err)
			}
			if rates == nil {
				rates, sems, blank = conditionReference(trains, ws, we, res.Condition, len(res.Conditions))
			}
			for u := range trains {
				got := res.Units[u]
				for c := range rates[u] {
					if !sameFloat(got.RateHz[c], rates[u][c]) || !sameFloat(got.SEMHz[c], sems[u][c]) {
						t.Fatalf("%s workers %d unit %d condition %d: rate %v ± %v, reference %v ± %v",
							lay.name, workers, u, c, got.RateHz[c], got.SEMHz[c], rates[u][c], sems[u][c])
					}
				}
				if !sameFloat(got.BlankRateHz, blank[u]) {
					t.Fatalf("%s unit %d blank rate %v, reference %v", lay.name, u, got.BlankRateHz, blank[u])
				}
			}
			if u := 4; rates[u][0] < 255 {
				t.Fatalf("%s: dense unit only %g Hz; the > 255-count case is not exercised", lay.name, rates[u][0])
			}
		}
	}
}
