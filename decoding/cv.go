package decoding

import (
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"
)

// CVResult is the outcome of a cross-validated classification.
type CVResult struct {
	// Classes are the labels in confusion-matrix order (sorted).
	Classes []int
	// FoldAccuracy[k] is the accuracy on the test trials of fold k.
	FoldAccuracy []float64
	// Accuracy is the mean of FoldAccuracy (scikit-learn's
	// cross_val_score(...).mean()).
	Accuracy float64
	// BalancedAccuracy is the mean per-class recall of the out-of-fold
	// predictions (balanced_accuracy_score on cross_val_predict).
	BalancedAccuracy float64
	// Predicted holds each trial's out-of-fold prediction.
	Predicted []int
	// Confusion[i][j] counts trials of class Classes[i] predicted as
	// Classes[j].
	Confusion [][]int
	// Chance is 1/K; ChanceThreshold the binomial significance threshold at
	// α = 0.05 for all trials (see ChanceThreshold).
	Chance, ChanceThreshold float64
}

// split is one fold's data, materialised once.
type split struct {
	train, test   []int
	trainX, testX *mat.Dense
}

func makeSplits(x mat.Matrix, folds Folds) []split {
	k := folds.NumFolds()
	out := make([]split, k)
	for f := 0; f < k; f++ {
		tr, te := folds.Split(f)
		out[f] = split{train: tr, test: te, trainX: rowsOf(x, tr), testX: rowsOf(x, te)}
	}
	return out
}

// runFolds fits a fresh model per fold on y and writes out-of-fold
// predictions into pred.
func runFolds(newModel func() Classifier, splits []split, y, pred []int, workers int) error {
	return parallelFor(len(splits), workers, func(f int) error {
		sp := splits[f]
		m := newModel()
		if err := m.Fit(sp.trainX, pick(y, sp.train)); err != nil {
			return fmt.Errorf("fold %d: %w", f, err)
		}
		p := m.Predict(nil, sp.testX)
		for i, t := range sp.test {
			pred[t] = p[i]
		}
		return nil
	})
}

func foldAccuracy(splits []split, y, pred []int) []float64 {
	acc := make([]float64, len(splits))
	for f, sp := range splits {
		var ok int
		for _, t := range sp.test {
			if pred[t] == y[t] {
				ok++
			}
		}
		acc[f] = float64(ok) / float64(len(sp.test))
	}
	return acc
}

// CrossValidate fits newModel() on the training trials of every fold and
// predicts the held-out trials. Folds run in parallel (Settings.Workers).
func CrossValidate(newModel func() Classifier, x mat.Matrix, y []int, folds Folds, s *Settings) (*CVResult, error) {
	n, _, err := checkXY("cross-validation", x, len(y))
	if err != nil {
		return nil, err
	}
	if err := folds.validate(n); err != nil {
		return nil, err
	}
	splits := makeSplits(x, folds)
	pred := make([]int, n)
	if err := runFolds(newModel, splits, y, pred, s.workers()); err != nil {
		return nil, fmt.Errorf("decoding: cross-validation: %w", err)
	}
	fa := foldAccuracy(splits, y, pred)
	classes, _ := encodeLabels(y)
	res := &CVResult{
		Classes:          classes,
		FoldAccuracy:     fa,
		Accuracy:         stat.Mean(fa, nil),
		BalancedAccuracy: BalancedAccuracy(y, pred),
		Predicted:        pred,
		Confusion:        ConfusionMatrix(y, pred, classes),
		Chance:           1 / float64(len(classes)),
		ChanceThreshold:  ChanceThreshold(n, len(classes), 0.05),
	}
	return res, nil
}

// ConfusionMatrix counts trials by true (row) and predicted (column) label,
// in the order of classes. Labels not in classes are ignored.
func ConfusionMatrix(yTrue, yPred []int, classes []int) [][]int {
	if len(yTrue) != len(yPred) {
		panic("decoding: ConfusionMatrix: length mismatch")
	}
	cm := make([][]int, len(classes))
	for i := range cm {
		cm[i] = make([]int, len(classes))
	}
	for i := range yTrue {
		a, ok1 := slices.BinarySearch(classes, yTrue[i])
		b, ok2 := slices.BinarySearch(classes, yPred[i])
		if ok1 && ok2 {
			cm[a][b]++
		}
	}
	return cm
}

// Accuracy is the fraction of equal labels.
func Accuracy(yTrue, yPred []int) float64 {
	if len(yTrue) != len(yPred) {
		panic("decoding: Accuracy: length mismatch")
	}
	var ok int
	for i := range yTrue {
		if yTrue[i] == yPred[i] {
			ok++
		}
	}
	return float64(ok) / float64(len(yTrue))
}

// BalancedAccuracy is the mean recall over the classes present in yTrue
// (scikit-learn's balanced_accuracy_score).
func BalancedAccuracy(yTrue, yPred []int) float64 {
	classes, _ := encodeLabels(yTrue)
	cm := ConfusionMatrix(yTrue, yPred, classes)
	var s float64
	for i, row := range cm {
		// Count trials from yTrue so predictions outside classes are misses.
		var tot int
		for _, t := range yTrue {
			if t == classes[i] {
				tot++
			}
		}
		s += float64(row[i]) / float64(tot)
	}
	return s / float64(len(classes))
}

// ChanceThreshold returns the accuracy that n independent trials guessing
// among k equiprobable classes exceed with probability at most alpha:
// binom.ppf(1−alpha, n, 1/k)/n (Combrisson & Jerbi 2015), the smallest m/n
// with P(X ≤ m) ≥ 1−alpha for X ~ Binomial(n, 1/k).
func ChanceThreshold(n, k int, alpha float64) float64 {
	if n <= 0 || k <= 0 {
		return math.NaN()
	}
	p := 1 / float64(k)
	target := 1 - alpha
	var cdf float64
	lgn, _ := math.Lgamma(float64(n + 1))
	for m := 0; m <= n; m++ {
		lm, _ := math.Lgamma(float64(m + 1))
		lnm, _ := math.Lgamma(float64(n - m + 1))
		lp := lgn - lm - lnm
		if p < 1 {
			lp += float64(m)*math.Log(p) + float64(n-m)*math.Log1p(-p)
		} else if m != n {
			continue
		}
		cdf += math.Exp(lp)
		// Relative slack as scipy's ppf search tolerates rounding at the
		// boundary.
		if cdf >= target*(1-1e-12) {
			return float64(m) / float64(n)
		}
	}
	return 1
}

// PermutationPValue is (#{null ≥ observed} + 1)/(len(null) + 1), the
// p-value of scikit-learn's permutation_test_score.
func PermutationPValue(observed float64, null []float64) float64 {
	var c int
	for _, v := range null {
		if v >= observed {
			c++
		}
	}
	return float64(c+1) / float64(len(null)+1)
}

// PermutationResult is a label-permutation test of a cross-validated score.
type PermutationResult struct {
	Observed float64   // mean fold accuracy with the true labels
	Null     []float64 // mean fold accuracy per permutation
	P        float64   // PermutationPValue(Observed, Null)
}

// PermutationTest re-runs the cross-validation with the labels permuted
// across all trials (or within groups when groups is not nil, to respect a
// session/animal structure) n times, keeping the folds fixed, as
// scikit-learn's permutation_test_score. Permutations run in parallel; all
// permutations are drawn from Settings.Src first.
func PermutationTest(newModel func() Classifier, x mat.Matrix, y []int, folds Folds, groups []int, n int, s *Settings) (*PermutationResult, error) {
	nt, _, err := checkXY("permutation test", x, len(y))
	if err != nil {
		return nil, err
	}
	if err := folds.validate(nt); err != nil {
		return nil, err
	}
	if groups != nil && len(groups) != nt {
		return nil, fmt.Errorf("decoding: permutation test: %d groups for %d trials: %w", len(groups), nt, ErrShape)
	}
	splits := makeSplits(x, folds)
	pred := make([]int, nt)
	if err := runFolds(newModel, splits, y, pred, s.workers()); err != nil {
		return nil, fmt.Errorf("decoding: permutation test: %w", err)
	}
	obs := stat.Mean(foldAccuracy(splits, y, pred), nil)

	rng := s.rng()
	perms := make([][]int, n)
	for i := range perms {
		perms[i] = permuteLabels(y, groups, rng)
	}
	null := make([]float64, n)
	err = parallelFor(n, s.workers(), func(i int) error {
		pr := make([]int, nt)
		if err := runFolds(newModel, splits, perms[i], pr, 1); err != nil {
			return err
		}
		null[i] = stat.Mean(foldAccuracy(splits, perms[i], pr), nil)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decoding: permutation test: %w", err)
	}
	return &PermutationResult{Observed: obs, Null: null, P: PermutationPValue(obs, null)}, nil
}

// permuteLabels shuffles y, within groups when given.
func permuteLabels(y, groups []int, rng interface{ Shuffle(int, func(i, j int)) }) []int {
	out := slices.Clone(y)
	if groups == nil {
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	}
	byGroup := map[int][]int{}
	var order []int
	for i, g := range groups {
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], i)
	}
	for _, g := range order {
		idx := byGroup[g]
		rng.Shuffle(len(idx), func(i, j int) {
			a, b := idx[i], idx[j]
			out[a], out[b] = out[b], out[a]
		})
	}
	return out
}

// CurvePoint is one point of a learning curve: the mean and standard
// deviation (over repeats) of the cross-validated accuracy at Size.
type CurvePoint struct {
	Size     int
	Mean, SD float64
	Scores   []float64
}

// LearningCurveUnits cross-validates on random subsets of sizes[i] features
// (units), repeats times each; subsets are drawn from Settings.Src. Work is
// spread over (size, repeat) pairs.
func LearningCurveUnits(newModel func() Classifier, x mat.Matrix, y []int, folds Folds, sizes []int, repeats int, s *Settings) ([]CurvePoint, error) {
	n, p, repeats, err := checkCurve(x, y, folds, repeats)
	if err != nil {
		return nil, err
	}
	rng := s.rng()
	var jobs [][]int // the columns of each (size, repeat)
	for _, sz := range sizes {
		if sz < 1 || sz > p {
			return nil, fmt.Errorf("decoding: learning curve: %d units requested, have %d", sz, p)
		}
		for r := 0; r < repeats; r++ {
			cols := rng.Perm(p)[:sz]
			slices.Sort(cols)
			jobs = append(jobs, cols)
		}
	}
	return runCurve(sizes, repeats, s, func(i int) (float64, error) {
		splits := makeSplits(colsOf(x, jobs[i]), folds)
		pred := make([]int, n)
		if err := runFolds(newModel, splits, y, pred, 1); err != nil {
			return 0, err
		}
		return stat.Mean(foldAccuracy(splits, y, pred), nil), nil
	})
}

// LearningCurveTrials cross-validates with the training set of every fold
// subsampled to sizes[i] trials (drawn at random without replacement,
// repeats times); the test trials are always the full held-out fold.
func LearningCurveTrials(newModel func() Classifier, x mat.Matrix, y []int, folds Folds, sizes []int, repeats int, s *Settings) ([]CurvePoint, error) {
	_, _, repeats, err := checkCurve(x, y, folds, repeats)
	if err != nil {
		return nil, err
	}
	splits := makeSplits(x, folds)
	rng := s.rng()
	var jobs [][][]int // per (size, repeat), per fold: positions within split.train
	for _, sz := range sizes {
		for r := 0; r < repeats; r++ {
			sub := make([][]int, len(splits))
			for f, sp := range splits {
				if sz < 2 || sz > len(sp.train) {
					return nil, fmt.Errorf("decoding: learning curve: %d training trials requested, fold %d has %d", sz, f, len(sp.train))
				}
				sel := rng.Perm(len(sp.train))[:sz]
				slices.Sort(sel)
				sub[f] = sel
			}
			jobs = append(jobs, sub)
		}
	}
	return runCurve(sizes, repeats, s, func(i int) (float64, error) {
		acc := make([]float64, len(splits))
		for f, sp := range splits {
			sub := jobs[i][f]
			tr := make([]int, len(sub))
			for a, b := range sub {
				tr[a] = sp.train[b]
			}
			m := newModel()
			if err := m.Fit(rowsOf(sp.trainX, sub), pick(y, tr)); err != nil {
				return 0, fmt.Errorf("fold %d: %w", f, err)
			}
			acc[f] = Accuracy(pick(y, sp.test), m.Predict(nil, sp.testX))
		}
		return stat.Mean(acc, nil), nil
	})
}

// checkCurve validates a learning curve's inputs and returns the trials,
// the features and the repeats (at least 1).
func checkCurve(x mat.Matrix, y []int, folds Folds, repeats int) (n, p, reps int, err error) {
	if n, p, err = checkXY("learning curve", x, len(y)); err != nil {
		return 0, 0, 0, err
	}
	if err := folds.validate(n); err != nil {
		return 0, 0, 0, err
	}
	return n, p, max(repeats, 1), nil
}

// runCurve scores the len(sizes)×repeats jobs (job i is size i/repeats,
// repeat i%repeats) in parallel and summarises each size.
func runCurve(sizes []int, repeats int, s *Settings, score func(job int) (float64, error)) ([]CurvePoint, error) {
	scores := make([][]float64, len(sizes))
	for i := range scores {
		scores[i] = make([]float64, repeats)
	}
	err := parallelFor(len(sizes)*repeats, s.workers(), func(i int) error {
		v, err := score(i)
		scores[i/repeats][i%repeats] = v
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("decoding: learning curve: %w", err)
	}
	return curve(sizes, scores), nil
}

func curve(sizes []int, scores [][]float64) []CurvePoint {
	out := make([]CurvePoint, len(sizes))
	for i, sz := range sizes {
		m, sd := stat.MeanStdDev(scores[i], nil)
		if len(scores[i]) < 2 {
			sd = 0
		}
		out[i] = CurvePoint{Size: sz, Mean: m, SD: sd, Scores: scores[i]}
	}
	return out
}
