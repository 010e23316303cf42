package decoding_test

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/mat"

	"github.com/neurodata/neurodata/decoding"
)

// Decode position from two neurons with the Poisson Bayesian decoder
// (oracle O13 of the analysis reference).
func ExampleBayesDecoder() {
	tuning := mat.NewDense(3, 2, []float64{ // positions × neurons, Hz
		10, 1,
		5, 5,
		1, 10,
	})
	counts := mat.NewDense(1, 2, []float64{2, 0}) // spikes in one 0.1 s bin
	d := &decoding.BayesDecoder{Tuning: tuning, BinSize: 0.1}
	best, err := d.Decode(nil, counts, func(t0 int, logLik, post *mat.Dense) {
		fmt.Printf("posterior %.6f\n", mat.Row(nil, 0, post))
	}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("MAP position bin", best[0])
	// Output:
	// posterior [0.777428 0.214798 0.007774]
	// MAP position bin 0
}

// Cross-validate a classifier with scikit-learn's stratified folds.
func ExampleCrossValidate() {
	// Two classes of trials, three units: class 1 fires more on unit 0.
	rng := rand.New(rand.NewPCG(1, 2))
	x := mat.NewDense(40, 3, nil)
	y := make([]int, 40)
	for i := range y {
		y[i] = i % 2
		for j := 0; j < 3; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
		x.Set(i, 0, x.At(i, 0)+3*float64(y[i]))
	}
	folds, err := decoding.StratifiedKFold(y, 5, nil)
	if err != nil {
		panic(err)
	}
	res, err := decoding.CrossValidate(func() decoding.Classifier { return &decoding.LDA{} }, x, y, folds, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("accuracy %.3f (chance %.2f, significant above %.3f)\n", res.Accuracy, res.Chance, res.ChanceThreshold)
	fmt.Println("confusion", res.Confusion)
	// Output:
	// accuracy 0.975 (chance 0.50, significant above 0.625)
	// confusion [[20 0] [1 19]]
}

// The binomial chance threshold (Combrisson & Jerbi 2015).
func ExampleChanceThreshold() {
	fmt.Println(decoding.ChanceThreshold(100, 2, 0.05), decoding.ChanceThreshold(40, 4, 0.05))
	// Output: 0.58 0.375
}

// Scikit-learn's StratifiedKFold(3) fold assignment (no shuffle).
func ExampleStratifiedKFold() {
	y := []int{0, 0, 0, 0, 0, 0, 1, 1, 1}
	folds, _ := decoding.StratifiedKFold(y, 3, nil)
	fmt.Println(folds)
	// Output: [0 0 1 1 2 2 0 1 2]
}

// Train at every time bin and test at every other (temporal
// generalisation), cross-validated across trials.
func ExampleTemporalGeneralization() {
	rng := rand.New(rand.NewPCG(3, 4))
	const trials, units = 60, 5
	y := make([]int, trials)
	for i := range y {
		y[i] = i % 2
	}
	// Bin 0: noise; bins 1 and 2: the same code (unit 0 up for class 1).
	xs := make([]mat.Matrix, 3)
	for t := range xs {
		x := mat.NewDense(trials, units, nil)
		for i := 0; i < trials; i++ {
			for j := 0; j < units; j++ {
				x.Set(i, j, rng.NormFloat64())
			}
			if t > 0 {
				x.Set(i, 0, x.At(i, 0)+4*float64(y[i]))
			}
		}
		xs[t] = x
	}
	folds, _ := decoding.StratifiedKFold(y, 5, nil)
	res, err := decoding.TemporalGeneralization(func() decoding.Classifier { return &decoding.NearestCentroid{} }, xs, y, folds, nil)
	if err != nil {
		panic(err)
	}
	g := res.Generalization
	fmt.Printf("train bin 1 → test bin 2: %.2f; train bin 1 → test bin 0: above 0.8? %v\n",
		g.At(1, 2), g.At(1, 0) > 0.8)
	// Output:
	// train bin 1 → test bin 2: 1.00; train bin 1 → test bin 0: above 0.8? false
}

// Decode a continuous angle with ridge regression on (cos, sin).
func ExampleRidge() {
	theta := []float64{0, math.Pi / 2, math.Pi, 3 * math.Pi / 2, math.Pi / 4, 5 * math.Pi / 4}
	x := mat.NewDense(len(theta), 2, nil)
	for i, t := range theta { // two "units" tuned to cos and sin
		x.Set(i, 0, 2*math.Cos(t)+5)
		x.Set(i, 1, 3*math.Sin(t)+1)
	}
	m := &decoding.Ridge{}
	if err := m.Fit(x, decoding.AngleTargets(theta)); err != nil {
		panic(err)
	}
	pred := decoding.Angles(nil, m.Predict(nil, x))
	e := decoding.CircularError(nil, pred, theta)
	fmt.Printf("max error %.1e rad\n", math.Max(e[0], math.Max(e[2], e[5])))
	// Output: max error 0.0e+00 rad
}

// Test whether decoding beats chance with a label-permutation test.
func ExamplePermutationTest() {
	rng := rand.New(rand.NewPCG(5, 6))
	x := mat.NewDense(60, 4, nil)
	y := make([]int, 60)
	for i := range y {
		y[i] = i % 3
		for j := 0; j < 4; j++ {
			x.Set(i, j, rng.NormFloat64())
		}
		x.Set(i, y[i], x.At(i, y[i])+2) // unit c prefers class c
	}
	folds, _ := decoding.StratifiedKFold(y, 5, nil)
	res, err := decoding.PermutationTest(func() decoding.Classifier { return &decoding.LDA{} }, x, y, folds, nil, 99,
		&decoding.Settings{Src: rand.NewPCG(1, 1)})
	if err != nil {
		panic(err)
	}
	fmt.Printf("observed %.2f, p = %.2f (smallest possible 1/100)\n", res.Observed, res.P)
	// Output: observed 0.90, p = 0.01 (smallest possible 1/100)
}

// Poisson naive Bayes on spike counts per trial, with class posteriors.
func ExamplePoissonBayes() {
	// Unit 0 fires ~8 spikes for class 10 and ~2 for class 20; unit 1 the reverse.
	x := mat.NewDense(4, 2, []float64{8, 2, 7, 1, 2, 9, 1, 7})
	y := []int{10, 10, 20, 20}
	var m decoding.PoissonBayes
	if err := m.Fit(x, y); err != nil {
		panic(err)
	}
	// Means λ = (7.5, 1.5) and (1.5, 8); for n = (6, 3) the log-likelihood
	// difference is 6·ln 5 + 3·ln(1.5/8) + 0.5 = 5.1347, so P = 0.9941.
	trial := mat.NewDense(1, 2, []float64{6, 3})
	p := m.PredictProba(nil, trial)
	fmt.Println(m.Predict(nil, trial), m.Classes())
	fmt.Printf("P(class 10) = %.4f\n", p.At(0, 0))
	// Output:
	// [10] [10 20]
	// P(class 10) = 0.9941
}

// Decoding accuracy as a function of the number of units.
func ExampleLearningCurveUnits() {
	rng := rand.New(rand.NewPCG(7, 8))
	x := mat.NewDense(80, 8, nil)
	y := make([]int, 80)
	for i := range y {
		y[i] = i % 2
		for j := 0; j < 8; j++ {
			x.Set(i, j, rng.NormFloat64()+0.8*float64(y[i]))
		}
	}
	folds, _ := decoding.StratifiedKFold(y, 4, nil)
	curve, err := decoding.LearningCurveUnits(func() decoding.Classifier { return &decoding.LDA{} }, x, y, folds,
		[]int{1, 8}, 5, &decoding.Settings{Src: rand.NewPCG(1, 1)})
	if err != nil {
		panic(err)
	}
	fmt.Println("more units decode better:", curve[1].Mean > curve[0].Mean)
	// Output: more units decode better: true
}

// Fit 1-D tuning curves on a track and decode position; the bin never
// visited during training is masked instead of winning empty time bins.
func ExampleFitTuning() {
	g := decoding.UniformGrid([]float64{0}, []float64{1}, []int{4}) // 4 bins of 0.25 m
	// Training: 0.5 s time bins at positions in bins 0, 1 and 2 (bin 3 never visited).
	pos := mat.NewDense(6, 1, []float64{0.1, 0.1, 0.4, 0.4, 0.6, 0.6})
	counts := mat.NewDense(6, 2, []float64{ // two units
		5, 0, 4, 1,
		2, 2, 3, 2,
		0, 5, 1, 4,
	})
	tuning, occ, err := decoding.FitTuning(g, pos, counts, 0.5)
	if err != nil {
		panic(err)
	}
	fmt.Println("occupancy (s):", occ)
	fmt.Printf("unit 0 rates (Hz): %.0f\n", mat.Col(nil, 0, tuning))
	d := &decoding.BayesDecoder{Tuning: tuning, BinSize: 0.5}
	test := mat.NewDense(3, 2, []float64{4, 0, 0, 4, 0, 0})
	best, err := d.Decode(nil, test, nil, nil)
	if err != nil {
		panic(err)
	}
	c := make([]float64, 1)
	for _, b := range best {
		fmt.Printf("bin %d (centre %.3f m)\n", b, g.Center(c, b)[0])
	}
	// Output:
	// occupancy (s): [1 1 1 0]
	// unit 0 rates (Hz): [9 5 1 NaN]
	// bin 0 (centre 0.125 m)
	// bin 2 (centre 0.625 m)
	// bin 1 (centre 0.375 m)
}
