package decoding

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// synthTime builds trials × features activity over 8 time bins for 4
// classes: bins 0–2 carry no information, bins 3–5 the class pattern P_c,
// bins 6–7 the reversed pattern −P_c.
func synthTime(n int, rng *rand.Rand) ([]mat.Matrix, []int) {
	const k, p, nt = 4, 10, 8
	pat := mat.NewDense(k, p, nil)
	for c := 0; c < k; c++ {
		for j := 0; j < p; j++ {
			pat.Set(c, j, 2*rng.NormFloat64())
		}
	}
	y := make([]int, n)
	for i := range y {
		y[i] = i % k
	}
	xs := make([]mat.Matrix, nt)
	for t := 0; t < nt; t++ {
		x := mat.NewDense(n, p, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < p; j++ {
				v := rng.NormFloat64()
				switch {
				case t >= 3 && t <= 5:
					v += pat.At(y[i], j)
				case t >= 6:
					v -= pat.At(y[i], j)
				}
				x.Set(i, j, v)
			}
		}
		xs[t] = x
	}
	return xs, y
}

func TestTemporalGeneralization(t *testing.T) {
	xs, y := synthTime(80, rand.New(rand.NewPCG(1, 1)))
	folds, err := StratifiedKFold(y, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	mk := func() Classifier { return &NearestCentroid{} }
	tr, err := TimeResolved(mk, xs, y, folds, &Settings{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	gen, err := TemporalGeneralization(mk, xs, y, folds, &Settings{Workers: 4})
	if err != nil {
		t.Fatal(err)
	}
	// Significance threshold at α = 0.001 for 80 trials, 4 classes.
	thr := ChanceThreshold(80, 4, 0.001)
	for ti := range xs {
		if gen.Accuracy[ti] != tr.Accuracy[ti] || gen.Generalization.At(ti, ti) != tr.Accuracy[ti] {
			t.Errorf("bin %d: generalisation diagonal %v, time-resolved %v", ti, gen.Generalization.At(ti, ti), tr.Accuracy[ti])
		}
		informative := ti >= 3
		if informative && tr.Accuracy[ti] < 0.9 {
			t.Errorf("bin %d: accuracy %.3f, want ≥ 0.9", ti, tr.Accuracy[ti])
		}
		if !informative && tr.Accuracy[ti] > thr {
			t.Errorf("bin %d: accuracy %.3f above chance threshold %.3f on noise", ti, tr.Accuracy[ti], thr)
		}
	}
	g := gen.Generalization
	if g.At(3, 5) < 0.9 || g.At(5, 3) < 0.9 {
		t.Errorf("same code at bins 3 and 5 should generalise: %.3f %.3f", g.At(3, 5), g.At(5, 3))
	}
	if g.At(3, 0) > thr {
		t.Errorf("train at 3, test at 0 (noise): %.3f", g.At(3, 0))
	}
	if g.At(3, 6) >= 0.25 {
		t.Errorf("reversed code should decode below chance: %.3f", g.At(3, 6))
	}
}

func TestPermutationTest(t *testing.T) {
	xs, y := synthTime(80, rand.New(rand.NewPCG(2, 2)))
	folds, _ := StratifiedKFold(y, 5, nil)
	mk := func() Classifier { return &LDA{} }
	s1 := &Settings{Workers: 1, Src: rand.NewPCG(9, 9)}
	s2 := &Settings{Workers: 3, Src: rand.NewPCG(9, 9)}
	inf1, err := PermutationTest(mk, xs[4], y, folds, nil, 60, s1)
	if err != nil {
		t.Fatal(err)
	}
	inf2, err := PermutationTest(mk, xs[4], y, folds, nil, 60, s2)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(inf1.Null, inf2.Null) {
		t.Error("null distribution depends on the number of workers")
	}
	if inf1.P != 1.0/61 {
		t.Errorf("informative data: p = %v, want 1/61 (observed %.3f, max null %.3f)", inf1.P, inf1.Observed, slices.Max(inf1.Null))
	}
	// Null accuracies centre on chance.
	var m float64
	for _, v := range inf1.Null {
		m += v / float64(len(inf1.Null))
	}
	if math.Abs(m-0.25) > 0.05 {
		t.Errorf("mean null accuracy %.3f, want ≈ 0.25", m)
	}
	noise, err := PermutationTest(mk, xs[0], y, folds, nil, 60, s1)
	if err != nil {
		t.Fatal(err)
	}
	if noise.P < 0.05 {
		t.Errorf("noise: p = %v (observed %.3f)", noise.P, noise.Observed)
	}
	// Within-group permutation keeps each group's labels.
	groups := make([]int, len(y))
	for i := range groups {
		groups[i] = i / 20
	}
	perm := permuteLabels(y, groups, rand.New(rand.NewPCG(1, 2)))
	for gi := 0; gi < 4; gi++ {
		a, b := slices.Clone(y[gi*20:(gi+1)*20]), slices.Clone(perm[gi*20:(gi+1)*20])
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Fatalf("group %d labels changed by within-group permutation", gi)
		}
	}
	if slices.Equal(perm, y) {
		t.Error("permutation left labels unchanged")
	}
}

func TestLearningCurves(t *testing.T) {
	xs, y := synthTime(120, rand.New(rand.NewPCG(3, 3)))
	// Weaken the signal so the curves have room to rise.
	x := mat.DenseCopyOf(xs[0])
	x.Scale(4, x)
	x.Add(x, xs[4])
	folds, _ := StratifiedKFold(y, 4, nil)
	mk := func() Classifier { return &LDA{} }
	s := &Settings{Src: rand.NewPCG(4, 4)}
	cu, err := LearningCurveUnits(mk, x, y, folds, []int{1, 4, 10}, 6, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("units: %.3f %.3f %.3f", cu[0].Mean, cu[1].Mean, cu[2].Mean)
	if !(cu[0].Mean < cu[1].Mean && cu[1].Mean < cu[2].Mean) {
		t.Errorf("accuracy should grow with units: %+v", cu)
	}
	if cu[2].SD != 0 {
		t.Errorf("all 10 units every repeat: SD %v, want 0", cu[2].SD)
	}
	ct, err := LearningCurveTrials(mk, x, y, folds, []int{16, 90}, 6, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("trials: %.3f %.3f", ct[0].Mean, ct[1].Mean)
	if !(ct[0].Mean < ct[1].Mean) {
		t.Errorf("accuracy should grow with training trials: %+v", ct)
	}
	if _, err := LearningCurveUnits(mk, x, y, folds, []int{11}, 1, s); err == nil {
		t.Error("more units than features: want an error")
	}
}

func TestFoldsMisc(t *testing.T) {
	y := []int{2, 2, 2, 2, 2, 2, 0, 0, 0, 1, 1, 1, 1}
	plain, _ := StratifiedKFold(y, 3, nil)
	a, _ := StratifiedKFold(y, 3, rand.New(rand.NewPCG(1, 1)))
	b, _ := StratifiedKFold(y, 3, rand.New(rand.NewPCG(1, 1)))
	if !slices.Equal(a, b) {
		t.Error("shuffled folds not reproducible with the same seed")
	}
	// Shuffling permutes folds within a class: per-class fold counts are kept.
	count := func(f Folds, class int) []int {
		c := make([]int, 3)
		for i, v := range f {
			if y[i] == class {
				c[v]++
			}
		}
		return c
	}
	for _, c := range []int{0, 1, 2} {
		if !slices.Equal(count(plain, c), count(a, c)) {
			t.Errorf("class %d: shuffled fold sizes %v, unshuffled %v", c, count(a, c), count(plain, c))
		}
	}
	if _, err := StratifiedKFold(y, 7, nil); err == nil {
		t.Error("k larger than every class: want an error")
	}
	loo := LeaveOneOut(4)
	if loo.NumFolds() != 4 {
		t.Error("LeaveOneOut")
	}
	if err := (Folds{0, 0, 2}).validate(3); err == nil {
		t.Error("empty fold 1: want an error")
	}
	x := mat.NewDense(3, 1, []float64{1, 2, 3})
	if _, err := CrossValidate(func() Classifier { return &LDA{} }, x, []int{0, 1}, Folds{0, 1, 0}, nil); err == nil {
		t.Error("label/row mismatch: want an error")
	}
	if got := CircularError(nil, []float64{0.1, 6.2, math.Pi}, []float64{6.2, 0.1, 0}); math.Abs(got[0]-(2*math.Pi-6.1)) > 1e-12 || math.Abs(got[1]-(2*math.Pi-6.1)) > 1e-12 || math.Abs(got[2]-math.Pi) > 1e-12 {
		t.Errorf("CircularError = %v", got)
	}
}

// Decoding a circular variable through (cos, sin) ridge targets.
func TestRidgeCircular(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	const n, p = 400, 30
	theta := make([]float64, n)
	x := mat.NewDense(n, p, nil)
	pref := make([]float64, p)
	for j := range pref {
		pref[j] = 2 * math.Pi * rng.Float64()
	}
	for i := range theta {
		theta[i] = 2 * math.Pi * rng.Float64()
		for j := 0; j < p; j++ {
			x.Set(i, j, 5+4*math.Cos(theta[i]-pref[j])+rng.NormFloat64())
		}
	}
	folds, _ := KFold(n, 5, nil)
	res, err := CrossValidateRegression(func() Regressor { return &Ridge{Alpha: 1} }, x, AngleTargets(theta), folds, nil)
	if err != nil {
		t.Fatal(err)
	}
	e := CircularError(nil, Angles(nil, res.Predicted), theta)
	var m float64
	for _, v := range e {
		m += v / n
	}
	t.Logf("R² cos %.3f sin %.3f, mean circular error %.3f rad", res.R2[0], res.R2[1], m)
	if res.R2[0] < 0.9 || res.R2[1] < 0.9 || m > 0.2 {
		t.Errorf("R² %v, mean error %.3f rad", res.R2, m)
	}
}
