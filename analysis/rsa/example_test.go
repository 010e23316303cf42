package rsa_test

import (
	"fmt"
	"math/rand/v2"

	"github.com/neurodata/neurodata/analysis/rsa"
	"gonum.org/v1/gonum/mat"
)

// Correlation RDMs (values checked with numpy: 1 - np.corrcoef) of a neural population and a model layer over the same
// four stimuli, compared by Spearman correlation.
func ExampleComputeRDM() {
	neural := mat.NewDense(4, 3, []float64{
		1, 2, 3,
		2, 4, 7,
		3, 1, 2,
		0, 5, 1,
	})
	r, _ := rsa.ComputeRDM(neural, rsa.Correlation, nil)
	fmt.Printf("%.4f\n", r.Vec)
	model := &rsa.RDM{N: 4, Vec: []float64{0.1, 1.4, 0.9, 1.2, 0.8, 1.9}}
	rho, _ := rsa.CompareRDMs(r, model, rsa.Spearman)
	fmt.Printf("spearman %.4f\n", rho)
	// Output:
	// [0.0066 1.5000 0.8110 1.3974 0.9249 1.9449]
	// spearman 0.9429
}

// Linear and debiased CKA between two representations of 5 stimuli
// (oracle O11e for the linear value).
func ExampleCKA() {
	x := mat.NewDense(5, 2, []float64{1, 0, 0, 1, 1, 1, 2, 0, 0, 3})
	y := mat.NewDense(5, 1, []float64{1, 2, 2, 4, 1})
	lin, deb, _ := rsa.CKA(x, y, nil)
	fmt.Printf("linear %.7f debiased %.4f\n", lin, deb)
	// Output:
	// linear 0.3814929 debiased -0.2485
}

// A permutation test of stimulus labels with an injected, seeded source.
func ExamplePermutationTest() {
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(12, 6, nil)
	for i := 0; i < 12; i++ {
		for j := 0; j < 6; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
	}
	data, _ := rsa.ComputeRDM(x, rsa.Euclidean, nil)
	res, _ := rsa.PermutationTest(data, data, rsa.Spearman, 999, rand.New(rand.NewPCG(3, 4)), nil)
	fmt.Printf("rho %.3f p %.3f\n", res.Observed, res.P)
	// Output:
	// rho 1.000 p 0.001
}

// Crossnobis RDM from two folds (oracle O20: 0.25).
func ExampleCrossnobisRDM() {
	t := &rsa.Trials{
		Data: mat.NewDense(4, 2, []float64{1, 0, 0, 0, .5, .5, 0, .5}),
		Cond: []int{1, 2, 1, 2},
		Fold: []int{0, 0, 1, 1},
	}
	r, _ := rsa.CrossnobisRDM(t, nil, nil)
	fmt.Println(r.Vec)
	// Output:
	// [0.25]
}

// Neural predictivity (Brain-Score style) of a layer that is a noisy linear
// image of the responses.
func ExamplePredictivity() {
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.NewDense(100, 20, nil)
	y := mat.NewDense(100, 3, nil)
	for i := 0; i < 100; i++ {
		for j := 0; j < 20; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
		for c := 0; c < 3; c++ {
			y.Set(i, c, x.At(i, c)+0.1*rng.NormFloat64())
		}
	}
	res, _ := rsa.Predictivity(x, y, &rsa.PredictivitySettings{Rand: rand.New(rand.NewPCG(1, 1))})
	fmt.Printf("median held-out r %.2f over %d splits\n", res.Score, len(res.PerSplit))
	// Output:
	// median held-out r 0.99 over 10 splits
}

// Noise ceiling from RDMs of several subjects (or sessions) measuring the
// same stimuli: the best any model can do, leave-one-out (lower) and
// including the subject itself (upper). Values checked with numpy/scipy
// (average ranks pooled, spearmanr).
func ExampleNoiseCeiling() {
	rdms := []*rsa.RDM{
		{N: 4, Vec: []float64{1, 2, 3, 4, 5, 6}},
		{N: 4, Vec: []float64{1, 3, 2, 4, 6, 5}},
		{N: 4, Vec: []float64{2, 1, 3, 5, 4, 6}},
	}
	c, _ := rsa.NoiseCeiling(rdms, rsa.Spearman)
	fmt.Printf("lower %.3f upper %.3f\n", c.Lower, c.Upper)
	// Output:
	// lower 0.863 upper 0.924
}

// GramFrom streams any ColumnSource (here an in-memory matrix read two
// feature columns at a time, as activations.OpenMapped would be read) into
// the stimulus × stimulus statistics every RDM and CKA needs.
func ExampleGramFrom() {
	x := mat.NewDense(3, 5, []float64{
		1, 0, 2, 0, 1,
		0, 1, 0, 2, 1,
		1, 1, 1, 1, 1,
	})
	g, _ := rsa.GramFrom(rsa.FromMatrix(x), &rsa.Settings{BlockCols: 2})
	fmt.Println(g.K, g.RowSum)
	fmt.Println(rsa.EuclideanRDM(g).Vec)
	// Output:
	// [6 1 4 1 6 4 4 4 5] [4 4 5]
	// [2 0.6 0.6]
}
