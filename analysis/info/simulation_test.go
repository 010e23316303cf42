package info

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// poissonPMF returns P(N = n) for n = 0..nmax.
func poissonPMF(lambda float64, nmax int) []float64 {
	p := make([]float64, nmax+1)
	for n := range p {
		lg, _ := math.Lgamma(float64(n) + 1)
		p[n] = math.Exp(float64(n)*math.Log(lambda) - lambda - lg)
	}
	return p
}

// trueMIPoisson is the exact I(S; N_1..N_U) in bits for equiprobable
// stimuli and conditionally independent Poisson counts with means
// rates[u][s], by direct summation over count vectors up to nmax (tail
// mass < 1e-12 for the rates used here).
func trueMIPoisson(rates [][]float64, nmax int) float64 {
	ns := len(rates[0])
	pmf := make([][][]float64, len(rates))
	for u := range rates {
		pmf[u] = make([][]float64, ns)
		for s := range pmf[u] {
			pmf[u][s] = poissonPMF(rates[u][s], nmax)
		}
	}
	idx := make([]int, len(rates))
	mi := 0.0
	for {
		ps := make([]float64, ns)
		pr := 0.0
		for s := 0; s < ns; s++ {
			p := 1.0
			for u := range rates {
				p *= pmf[u][s][idx[u]]
			}
			ps[s] = p
			pr += p / float64(ns)
		}
		for s := 0; s < ns; s++ {
			if ps[s] > 0 {
				mi += ps[s] / float64(ns) * math.Log2(ps[s]/pr)
			}
		}
		u := 0
		for ; u < len(idx); u++ {
			idx[u]++
			if idx[u] <= nmax {
				break
			}
			idx[u] = 0
		}
		if u == len(idx) {
			return mi
		}
	}
}

func poissonDraw(r *rand.Rand, lambda float64) int {
	// Knuth's multiplication method; fine for the small means used here.
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// simRow is one line of the simulation table.
type simRow struct {
	trials int
	bias   map[Estimator]float64 // mean(estimate) − truth, bits
	se     map[Estimator]float64 // standard error of that mean
}

// simulate draws reps data sets with `trials` trials per stimulus from
// Poisson neurons with means rates[u][s] and returns each estimator's bias
// on the raw-count response.
func simulate(rates [][]float64, truth float64, trials, reps int, seed uint64) simRow {
	r := rand.New(rand.NewPCG(seed, uint64(trials)))
	set := &Settings{Rand: r, Workers: 1}
	ns := len(rates[0])
	row := simRow{trials: trials, bias: map[Estimator]float64{}, se: map[Estimator]float64{}}
	sum, sum2 := map[Estimator]float64{}, map[Estimator]float64{}
	stim := make([]int, ns*trials)
	resp := make([][]int, len(rates))
	for u := range resp {
		resp[u] = make([]int, len(stim))
	}
	for rep := 0; rep < reps; rep++ {
		for i := range stim {
			stim[i] = i % ns
			for u := range rates {
				resp[u][i] = poissonDraw(r, rates[u][stim[i]])
			}
		}
		for _, est := range Estimators {
			v, err := MIMulti(stim, resp, est, set)
			if err != nil {
				panic(err)
			}
			sum[est] += v - truth
			sum2[est] += (v - truth) * (v - truth)
		}
	}
	for _, est := range Estimators {
		m := sum[est] / float64(reps)
		row.bias[est] = m
		row.se[est] = math.Sqrt((sum2[est]/float64(reps) - m*m) / float64(reps-1))
	}
	return row
}

// TestSimulationBias is issue 6 acceptance point 3: Poisson populations with
// known MI (exact summation), 10 to 500 trials per stimulus; the absolute
// bias of every estimator must shrink as trials grow: |bias(500)| <
// |bias(10)|, |bias| non-increasing along the ladder from 20 trials on
// within 3 standard errors (NSB changes sign between 10 and 20), and for
// the bias-corrected estimators (pt, qe, shuffle, nsb) |bias(500)| < 0.03
// bits. The table printed here is the one in
// doc.go (go test -run SimulationBias -v).
func TestSimulationBias(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation study skipped in -short mode")
	}
	cases := []struct {
		name  string
		rates [][]float64
	}{
		{"one neuron, 4 stimuli, means 1,3,5,8 spikes", [][]float64{{1, 3, 5, 8}}},
		{"two independent neurons, means 1,3,5,8 and 6,4,2,1", [][]float64{{1, 3, 5, 8}, {6, 4, 2, 1}}},
	}
	ladder := []int{10, 20, 50, 100, 200, 500}
	for ci, c := range cases {
		truth := trueMIPoisson(c.rates, 45)
		var rows []simRow
		for _, n := range ladder {
			reps := 40
			if n >= 200 {
				reps = 20
			}
			rows = append(rows, simulate(c.rates, truth, n, reps, uint64(100+ci)))
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s: I = %.4f bits\n", c.name, truth)
		fmt.Fprintf(&b, "  trials/stim")
		for _, e := range Estimators {
			fmt.Fprintf(&b, " %8s", e)
		}
		b.WriteString("\n")
		for _, row := range rows {
			fmt.Fprintf(&b, "  %11d", row.trials)
			for _, e := range Estimators {
				fmt.Fprintf(&b, " %+8.4f", row.bias[e])
			}
			b.WriteString("\n")
		}
		t.Log("\n" + b.String())
		for _, e := range Estimators {
			first, last := rows[0], rows[len(rows)-1]
			if math.Abs(last.bias[e]) >= math.Abs(first.bias[e]) {
				t.Errorf("%s %v: |bias| at %d trials %.4f not below %.4f at %d", c.name, e, last.trials, math.Abs(last.bias[e]), math.Abs(first.bias[e]), first.trials)
			}
			if e != PlugIn && e != MillerMadow && math.Abs(last.bias[e]) > 0.03 {
				t.Errorf("%s %v: |bias| %.4f bits at %d trials", c.name, e, last.bias[e], last.trials)
			}
			for i := 2; i < len(rows); i++ {
				a, b := math.Abs(rows[i-1].bias[e]), math.Abs(rows[i].bias[e])
				if b > a+3*(rows[i-1].se[e]+rows[i].se[e]) {
					t.Errorf("%s %v: |bias| grows from %.4f (%d) to %.4f (%d)", c.name, e, a, rows[i-1].trials, b, rows[i].trials)
				}
			}
		}
	}
}
