package info_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/neurodata/neurodata/analysis/info"
)

// Entropy of one count vector (oracle O19) with three estimators, in bits.
func ExampleEntropy() {
	counts := []int{5, 3, 2, 0, 0, 0, 0, 0, 0, 0} // K = 10 symbols
	for _, est := range []info.Estimator{info.PlugIn, info.MillerMadow, info.NSB} {
		h, _ := info.Entropy(counts, est, nil)
		fmt.Printf("%-3v %.6f bits\n", est, h)
	}
	// Output:
	// plugin 1.485475 bits
	// mm  1.629745 bits
	// nsb 1.830321 bits
}

// Mutual information from a joint count table (oracle O4d) and the
// per-stimulus decomposition (O5).
func ExampleMIFromCounts() {
	counts := [][]int{{30, 10, 0}, {5, 15, 40}} // rows: stimuli, columns: responses
	mi, _ := info.MIFromCounts(counts, info.PlugIn, nil)
	sp, _ := info.SpecificFromCounts(counts)
	fmt.Printf("I = %.6f bits\n", mi)
	fmt.Printf("SSI = %.6f %.6f bits\n", sp.SSI[0], sp.SSI[1])
	fmt.Printf("Isp = %.6f %.6f bits\n", sp.Isp[0], sp.Isp[1])
	// Output:
	// I = 0.521127 bits
	// SSI = 0.284458 0.678907 bits
	// Isp = 0.824652 0.318778 bits
}

// Bias-corrected MI from per-trial stimulus and response codes (the plug-in
// value matches scikit-learn's mutual_info_score / ln 2).
func ExampleMI() {
	stim := []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}
	resp := []int{0, 0, 1, 0, 1, 1, 2, 1, 2, 2, 2, 1}
	pi, _ := info.MI(stim, resp, info.PlugIn, nil)
	pt, _ := info.MI(stim, resp, info.PanzeriTreves, nil)
	fmt.Printf("plug-in %.4f bits, Panzeri–Treves %.4f bits\n", pi, pt)
	// Output:
	// plug-in 0.7433 bits, Panzeri–Treves 0.5029 bits
}

// Per-unit information with a permutation test, SSI and a fixed seed.
func ExampleUnits() {
	r := rand.New(rand.NewPCG(1, 2))
	stim := make([]int, 64)
	tuned, flat := make([]int, 64), make([]int, 64)
	for i := range stim {
		stim[i] = i % 4
		tuned[i] = 2*stim[i] + r.IntN(2) // counts rise with the stimulus
		flat[i] = r.IntN(8)
	}
	res, _ := info.Units(stim, [][]int{tuned, flat},
		&info.Options{Estimator: info.PanzeriTreves, Permutations: 199},
		&info.Settings{Rand: r})
	for u, x := range res {
		fmt.Printf("unit %d: %.3f bits (plug-in %.3f), p = %.3f\n", u, x.Bits, x.PlugInBits, x.P)
	}
	// Output:
	// unit 0: 2.034 bits (plug-in 2.000), p = 0.005
	// unit 1: -0.034 bits (plug-in 0.068), p = 0.790
}

// Gaussian-copula MI between two continuous variables.
func ExampleGCMI() {
	r := rand.New(rand.NewPCG(7, 7))
	x, y := make([]float64, 2000), make([]float64, 2000)
	for i := range x {
		x[i] = r.NormFloat64()
		y[i] = 0.6*x[i] + 0.8*r.NormFloat64() // true I = 0.3219 bits
	}
	g, _ := info.GCMI(info.Column(x), info.Column(y))
	k, _ := info.KSG(info.Column(x), info.Column(y), 0, nil)
	fmt.Printf("GCMI %.2f bits, KSG %.2f bits\n", g, k)
	// Output:
	// GCMI 0.29 bits, KSG 0.30 bits
}

// Sliding-window information over peri-stimulus time for one unit.
func ExampleTimeResolved() {
	// Four stimuli; stimulus s adds s spikes at 0.1 s after onset.
	var stim []int
	var spikes [][]float64
	for rep := 0; rep < 8; rep++ {
		for s := 0; s < 4; s++ {
			tr := []float64{-0.3}
			for j := 0; j < s; j++ {
				tr = append(tr, 0.1)
			}
			stim, spikes = append(stim, s), append(spikes, tr)
		}
	}
	win, _ := info.TimeResolved(stim, spikes, -0.4, 0.4, 0.2, 0.2,
		&info.Options{Estimator: info.PlugIn, Bins: -1}, nil)
	for _, w := range win {
		fmt.Printf("[%+.1f, %+.1f) s: %.2f bits\n", w.Start, w.Stop, w.Bits)
	}
	// Output:
	// [-0.4, -0.2) s: 0.00 bits
	// [-0.2, +0.0) s: 0.00 bits
	// [+0.0, +0.2) s: 2.00 bits
	// [+0.2, +0.4) s: 0.00 bits
}

// Joint information of a pair (XOR code: synergy) versus its members.
func ExamplePopulation() {
	var stim, a, b []int
	for rep := 0; rep < 8; rep++ {
		for _, x := range []int{0, 1} {
			for _, y := range []int{0, 1} {
				stim, a, b = append(stim, x^y), append(a, x), append(b, y)
			}
		}
	}
	g, _ := info.Population(stim, [][]int{a, b}, [][]int{{0, 1}},
		&info.Options{Estimator: info.PlugIn, Bins: -1}, nil)
	fmt.Printf("pair %.2f bits, sum of singles %.2f bits\n", g[0].Bits, g[0].SumSingleBits)
	// Output:
	// pair 1.00 bits, sum of singles 0.00 bits
}

// A permutation test for any statistic: here GCMI between a continuous
// response and a discrete stimulus, labels shuffled within blocks.
func ExamplePermute() {
	r := rand.New(rand.NewPCG(3, 4))
	n := 120
	stim, block := make([]int, n), make([]int, n)
	x := make([][]float64, n)
	for i := range stim {
		stim[i], block[i] = i%3, i/60
		x[i] = []float64{float64(stim[i]) + r.NormFloat64()}
	}
	lab := make([]int, n)
	t, _ := info.Permute(n, block, 999, func(perm []int, _ *rand.Rand) (float64, error) {
		for i, p := range perm {
			lab[i] = stim[p]
		}
		return info.GCMIModelCD(x, lab)
	}, &info.Settings{Rand: r, Workers: 1})
	fmt.Printf("I = %.2f bits, null mean %.3f, p = %.3f\n", t.Observed, t.NullMean, t.P)
	// Output:
	// I = 0.32 bits, null mean -0.002, p = 0.001
}
