package rsa

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"gonum.org/v1/gonum/mat"
)

// Neural predictivity in the style of Brain-Score's CrossRegressedCorrelation:
// a cross-validated linear map from model features to each neuron, scored
// by the Pearson r between predicted and measured responses on held-out
// stimuli, median over neurons, mean over splits. The regression is ridge
// in dual (kernel) form, so only the stimuli × stimuli Gram of the features
// is used: the cost does not grow with the number of features beyond one
// Gram computation.

// PredictivitySettings configures Predictivity. nil means the defaults.
type PredictivitySettings struct {
	Alpha float64 // ridge penalty; 0 means 1 (Brain-Score's `ridge`, α = 1)
	// AlphaGrid, if set, replaces Alpha: on every training split the
	// penalty is chosen by exact leave-one-out error (as scikit-learn
	// RidgeCV, mean squared error over neurons); BrainScoreAlphas is
	// Brain-Score's grid.
	AlphaGrid []float64
	Splits    int        // train/test splits; 0 means 10
	TestFrac  float64    // held-out fraction; 0 means 0.1 (train_size = 0.9)
	Strata    []int      // optional label per stimulus; splits keep each stratum's proportion
	Rand      *rand.Rand // split source; nil means a PCG seeded with 1
	Workers   int        // 0 means GOMAXPROCS
	BlockCols int
}

// PredictivityResult is the cross-validated score.
type PredictivityResult struct {
	Score     float64   // mean over splits of the median-over-neurons r
	SEM       float64   // standard error of that mean over splits
	PerSplit  []float64 // median r per split
	PerNeuron []float64 // mean over splits of each neuron's held-out r
	Alphas    []float64 // penalty chosen on each split (with AlphaGrid)
}

// BrainScoreAlphas returns the 99 penalties 10^-2 … 10^7, log-spaced
// (Brain-Score's RidgeCV grid, analysis-methods.md B5).
func BrainScoreAlphas() []float64 {
	out := make([]float64, 99)
	for i := range out {
		out[i] = math.Pow(10, -2+9*float64(i)/98)
	}
	return out
}

// RidgeLOOAlpha picks the penalty from grid with the smallest exact
// leave-one-out mean squared error of ridge with an unpenalised intercept
// on the train stimuli (ties: the first). With K̃ = U diag(λ) Uᵀ the
// centred train Gram, the hat matrix is 11ᵀ/n + U diag(λ/(λ+α)) Uᵀ and the
// LOO residual is (y − ŷ)/(1 − h_ii), so one eigendecomposition serves
// every α.
func RidgeLOOAlpha(g *Gram, y mat.Matrix, train []int, grid []float64) (float64, error) {
	if len(grid) == 0 {
		return 0, fmt.Errorf("%w: empty alpha grid", ErrInput)
	}
	nt := len(train)
	_, nNeur := y.Dims()
	kbar := make([]float64, nt)
	for i, a := range train {
		for _, b := range train {
			kbar[i] += g.K[a*g.N+b] / float64(nt)
		}
	}
	var kk float64
	for _, v := range kbar {
		kk += v / float64(nt)
	}
	kc := mat.NewSymDense(nt, nil)
	for i, a := range train {
		for j := i; j < nt; j++ {
			kc.SetSym(i, j, g.K[a*g.N+train[j]]-kbar[i]-kbar[j]+kk)
		}
	}
	var eig mat.EigenSym
	if !eig.Factorize(kc, true) {
		return 0, fmt.Errorf("rsa: eigendecomposition of the train Gram failed")
	}
	lam := eig.Values(nil)
	var u mat.Dense
	eig.VectorsTo(&u)
	yc := mat.NewDense(nt, nNeur, nil)
	for c := 0; c < nNeur; c++ {
		var m float64
		for _, a := range train {
			m += y.At(a, c) / float64(nt)
		}
		for i, a := range train {
			yc.Set(i, c, y.At(a, c)-m)
		}
	}
	var uty mat.Dense
	uty.Mul(u.T(), yc) // nt × neurons
	best, bestErr := grid[0], math.Inf(1)
	shr := make([]float64, nt)
	for _, alpha := range grid {
		for k, l := range lam {
			l = math.Max(l, 0)
			shr[k] = l / (l + alpha)
		}
		var sse float64
		for i := 0; i < nt; i++ {
			h := 1 / float64(nt)
			ui := u.RawRowView(i)
			for k := range lam {
				h += ui[k] * ui[k] * shr[k]
			}
			for c := 0; c < nNeur; c++ {
				var fit float64
				for k := range lam {
					fit += ui[k] * shr[k] * uty.At(k, c)
				}
				e := (yc.At(i, c) - fit) / (1 - h)
				sse += e * e
			}
		}
		if sse < bestErr {
			best, bestErr = alpha, sse
		}
	}
	return best, nil
}

// Predictivity scores how well features x (stimuli × features) linearly
// predict responses y (stimuli × neurons).
func Predictivity(x, y mat.Matrix, ps *PredictivitySettings) (*PredictivityResult, error) {
	n, _ := x.Dims()
	ny, nNeur := y.Dims()
	if n != ny {
		return nil, fmt.Errorf("%w: %d stimuli in the features, %d in the responses", ErrInput, n, ny)
	}
	var cfg PredictivitySettings
	if ps != nil {
		cfg = *ps
	}
	if cfg.Alpha == 0 {
		cfg.Alpha = 1
	}
	if cfg.Splits == 0 {
		cfg.Splits = 10
	}
	if cfg.TestFrac == 0 {
		cfg.TestFrac = 0.1
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(1, 0))
	}
	if cfg.Strata != nil && len(cfg.Strata) != n {
		return nil, fmt.Errorf("%w: %d strata labels for %d stimuli", ErrInput, len(cfg.Strata), n)
	}
	g := NewGram(x, &Settings{Workers: cfg.Workers, BlockCols: cfg.BlockCols})
	res := &PredictivityResult{PerNeuron: make([]float64, nNeur)}
	for s := 0; s < cfg.Splits; s++ {
		train, test := shuffleSplit(n, cfg.TestFrac, cfg.Strata, cfg.Rand)
		if len(test) < 3 || len(train) < 2 {
			return nil, fmt.Errorf("%w: split of %d stimuli leaves %d train / %d test", ErrInput, n, len(train), len(test))
		}
		alpha := cfg.Alpha
		if cfg.AlphaGrid != nil {
			a, err := RidgeLOOAlpha(g, y, train, cfg.AlphaGrid)
			if err != nil {
				return nil, err
			}
			alpha = a
			res.Alphas = append(res.Alphas, a)
		}
		pred, err := RidgePredict(g, y, train, test, alpha)
		if err != nil {
			return nil, err
		}
		rs := make([]float64, nNeur)
		col, obs := make([]float64, len(test)), make([]float64, len(test))
		for c := 0; c < nNeur; c++ {
			for t, i := range test {
				col[t], obs[t] = pred.At(t, c), y.At(i, c)
			}
			rs[c] = pearson(col, obs)
			res.PerNeuron[c] += rs[c] / float64(cfg.Splits)
		}
		res.PerSplit = append(res.PerSplit, nanMedian(rs))
	}
	res.Score, res.SEM = meanSEM(res.PerSplit)
	return res, nil
}

// RidgePredict fits ridge regression with intercept (penalty alpha, as
// scikit-learn Ridge(alpha, fit_intercept=True)) on the train stimuli and
// returns predictions for the test stimuli (len(test) × neurons), using only
// the Gram statistics g of the features.
func RidgePredict(g *Gram, y mat.Matrix, train, test []int, alpha float64) (*mat.Dense, error) {
	nt := len(train)
	_, nNeur := y.Dims()
	kbar := make([]float64, g.N) // mean over train of K[a, t]
	for a := 0; a < g.N; a++ {
		var s float64
		for _, t := range train {
			s += g.K[a*g.N+t]
		}
		kbar[a] = s / float64(nt)
	}
	var kk float64
	for _, t := range train {
		kk += kbar[t]
	}
	kk /= float64(nt)
	kc := func(a, b int) float64 { return g.K[a*g.N+b] - kbar[a] - kbar[b] + kk }
	ktr := mat.NewSymDense(nt, nil)
	for i, a := range train {
		for j := i; j < nt; j++ {
			v := kc(a, train[j])
			if i == j {
				v += alpha
			}
			ktr.SetSym(i, j, v)
		}
	}
	ymean := make([]float64, nNeur)
	ytr := mat.NewDense(nt, nNeur, nil)
	for i, a := range train {
		for c := 0; c < nNeur; c++ {
			ytr.Set(i, c, y.At(a, c))
			ymean[c] += y.At(a, c) / float64(nt)
		}
	}
	for i := 0; i < nt; i++ {
		for c := 0; c < nNeur; c++ {
			ytr.Set(i, c, ytr.At(i, c)-ymean[c])
		}
	}
	var ch mat.Cholesky
	if !ch.Factorize(ktr) {
		return nil, fmt.Errorf("%w: ridge system not positive definite (alpha %g)", ErrInput, alpha)
	}
	var coef mat.Dense
	if err := ch.SolveTo(&coef, ytr); err != nil {
		return nil, fmt.Errorf("rsa: ridge solve: %w", err)
	}
	kte := mat.NewDense(len(test), nt, nil)
	for i, a := range test {
		for j, b := range train {
			kte.Set(i, j, kc(a, b))
		}
	}
	var pred mat.Dense
	pred.Mul(kte, &coef)
	for i := 0; i < len(test); i++ {
		for c := 0; c < nNeur; c++ {
			pred.Set(i, c, pred.At(i, c)+ymean[c])
		}
	}
	return &pred, nil
}

// shuffleSplit draws a random train/test split; with strata, each stratum
// contributes round(testFrac · size) test stimuli.
func shuffleSplit(n int, testFrac float64, strata []int, rng *rand.Rand) (train, test []int) {
	groups := map[int][]int{}
	var keys []int
	for i := 0; i < n; i++ {
		k := 0
		if strata != nil {
			k = strata[i]
		}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], i)
	}
	slices.Sort(keys)
	for _, k := range keys {
		idx := groups[k]
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		nt := int(math.Round(testFrac * float64(len(idx))))
		test = append(test, idx[:nt]...)
		train = append(train, idx[nt:]...)
	}
	slices.Sort(train)
	slices.Sort(test)
	return train, test
}

func nanMedian(x []float64) float64 {
	var v []float64
	for _, t := range x {
		if !math.IsNaN(t) {
			v = append(v, t)
		}
	}
	if len(v) == 0 {
		return math.NaN()
	}
	return median(v)
}

func meanSEM(x []float64) (mean, sem float64) {
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	if len(x) < 2 {
		return mean, math.NaN()
	}
	var ss float64
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return mean, math.Sqrt(ss/float64(len(x)-1)) / math.Sqrt(float64(len(x)))
}

// NeuronReliability is the Brain-Score internal-consistency ceiling:
// repetitions (folds of t) are split in random halves nSplits times, each
// neuron's condition means from the two halves are correlated, corrected
// with Spearman–Brown (2r/(1+r)), and the median over neurons is averaged
// over splits.
func NeuronReliability(t *Trials, nSplits int, rng *rand.Rand) (float64, error) {
	if err := t.check(); err != nil {
		return math.NaN(), err
	}
	folds := t.folds()
	if len(folds) < 2 || nSplits < 1 || rng == nil {
		return math.NaN(), fmt.Errorf("%w: reliability needs ≥ 2 repetitions, ≥ 1 split and a random source", ErrInput)
	}
	var sum float64
	for s := 0; s < nSplits; s++ {
		a, b, err := t.randomHalves(folds, rng)
		if err != nil {
			return math.NaN(), err
		}
		_, p := a.Dims()
		rs := make([]float64, p)
		for c := 0; c < p; c++ {
			rs[c] = SpearmanBrown(pearson(mat.Col(nil, c, a), mat.Col(nil, c, b)), 2)
		}
		sum += nanMedian(rs)
	}
	return sum / float64(nSplits), nil
}
