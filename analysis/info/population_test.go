package info

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Time-resolved information: spikes carry the stimulus only in [0.5, 1.0) s
// after onset (4 stimuli, 0..3 spikes placed there = stimulus code; a
// uniform background elsewhere). Windows inside the coding epoch must give
// plug-in I = 2 bits with p = 1/(n+1); windows before it ≈ 0 and not
// significant.
func TestTimeResolved(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 1))
	n := 80
	stim := make([]int, n)
	spikes := make([][]float64, n)
	for i := range stim {
		stim[i] = i % 4
		for j := 0; j < stim[i]; j++ {
			spikes[i] = append(spikes[i], 0.5+0.5*r.Float64())
		}
		for j := 0; j < 3; j++ { // background in [-0.5, 0.5)
			spikes[i] = append(spikes[i], -0.5+r.Float64())
		}
	}
	win, err := TimeResolved(stim, spikes, -0.5, 1.0, 0.5, 0.25, &Options{Estimator: PlugIn, Bins: -1, Permutations: 99}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(win) != 5 {
		t.Fatalf("%d windows, want 5 (−0.5, −0.25, 0, 0.25, 0.5)", len(win))
	}
	near(t, "last window start", win[4].Start, 0.5, 1e-12)
	near(t, "I in [0.5, 1.0)", win[4].Bits, 2, 1e-12)
	near(t, "p in [0.5, 1.0)", win[4].P, 0.01, 1e-12)
	if win[0].P < 0.01 {
		t.Errorf("window [−0.5, 0) p = %v; stimulus-free window looks significant", win[0].P)
	}
	if _, err := TimeResolved(stim, spikes, 0, 1, 2, 0.1, nil, nil); err == nil {
		t.Error("window wider than the range accepted")
	}
}

// Population information with XOR coding (O4c): each neuron alone carries 0
// bits, the pair carries 1 bit (synergy). Also checks that I_sh of two
// conditionally independent Poisson neurons is closer to the exact joint
// MI than the plug-in joint estimate.
func TestPopulationXORAndShuffle(t *testing.T) {
	var stim []int
	a, b := []int{}, []int{}
	for rep := 0; rep < 16; rep++ {
		for _, x := range []int{0, 1} {
			for _, y := range []int{0, 1} {
				stim, a, b = append(stim, x^y), append(a, x), append(b, y)
			}
		}
	}
	g, err := Population(stim, [][]int{a, b}, [][]int{{0, 1}, {0}, {1}}, &Options{Estimator: PlugIn, Bins: -1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "I(A,B;S)", g[0].Bits, 1, 1e-12)
	near(t, "Σ singles", g[0].SumSingleBits, 0, 1e-12)
	near(t, "I(A;S)", g[1].Bits, 0, 1e-12)

	rates := [][]float64{{1, 3, 5, 8}, {6, 4, 2, 1}}
	truth := trueMIPoisson(rates, 45)
	r := rand.New(rand.NewPCG(22, 1))
	var eSh, ePl float64
	for rep := 0; rep < 20; rep++ {
		stim := make([]int, 4*50)
		resp := [][]int{make([]int, len(stim)), make([]int, len(stim))}
		for i := range stim {
			stim[i] = i % 4
			for u := range rates {
				resp[u][i] = poissonDraw(r, rates[u][stim[i]])
			}
		}
		g, err := Population(stim, resp, [][]int{{0, 1}}, &Options{Estimator: ShuffleCorrected, Bins: -1}, &Settings{Rand: r})
		if err != nil {
			t.Fatal(err)
		}
		eSh += math.Abs(g[0].Bits - truth)
		ePl += math.Abs(g[0].PlugInBits - truth)
	}
	if eSh >= ePl/3 {
		t.Errorf("mean |I_sh − I| = %.4f not well below plug-in %.4f", eSh/20, ePl/20)
	}
	if _, err := Population(stim, [][]int{a}, [][]int{{3}}, nil, nil); err == nil {
		t.Error("out-of-range unit index accepted")
	}
}

func TestBinningHelpers(t *testing.T) {
	c, err := SpikeCounts([]float64{0.1, 0.5, 1.0, 1.5, 2.0}, []float64{0, 1, 3}, []float64{1, 2, 4})
	if err != nil {
		t.Fatal(err)
	}
	if c[0] != 2 || c[1] != 2 || c[2] != 0 { // [0,1) has 0.1, 0.5; [1,2) has 1.0, 1.5 (2.0 excluded)
		t.Errorf("counts %v, want [2 2 0]", c)
	}
	codes, k, err := Equipopulated([]float64{5, 1, 3, 2, 4, 6, 8, 7}, 4)
	if err != nil {
		t.Fatal(err)
	}
	want := []int{2, 0, 1, 0, 1, 2, 3, 3}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("codes %v, want %v (k=%d)", codes, want, k)
		}
	}
	// Ties stay together: 0,0,0,0,0,1,2,3 into 4 bins.
	codes, _, _ = EquipopulatedInts([]int{0, 0, 0, 0, 0, 1, 2, 3}, 4)
	for i := 1; i < 5; i++ {
		if codes[i] != codes[0] {
			t.Fatalf("tied zeros split across bins: %v", codes)
		}
	}
	if DefaultBins(make([]int, 16)) != 4 {
		t.Error("DefaultBins(16 trials of one stimulus) != 4")
	}
	if PopulationBins(make([]int, 16), 2) != 2 {
		t.Error("PopulationBins(16 trials, 2 units) != 2")
	}
}
