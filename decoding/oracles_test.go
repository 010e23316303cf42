package decoding

import (
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// TestO14aIrisLDA reproduces oracle O14a of
// ../shared/reference/analysis-methods.md (scikit-learn 1.2.1,
// LinearDiscriminantAnalysis() with StratifiedKFold(5), no shuffle).
func TestO14aIrisLDA(t *testing.T) {
	h, rows := loadCSV(t, "../testdata/iris.csv")
	x, y, _ := splitXY(h, rows, "", "label", "")
	folds, err := StratifiedKFold(y, 5, nil)
	if err != nil {
		t.Fatal(err)
	}
	// O14a: fold-0 test indices 0–9, 50–59, 100–109.
	_, test0 := folds.Split(0)
	var want0 []int
	for _, base := range []int{0, 50, 100} {
		for i := 0; i < 10; i++ {
			want0 = append(want0, base+i)
		}
	}
	if !slices.Equal(test0, want0) {
		t.Errorf("fold 0 test = %v, want %v", test0, want0)
	}
	res, err := CrossValidate(func() Classifier { return &LDA{} }, x, y, folds, nil)
	if err != nil {
		t.Fatal(err)
	}
	// O14a: fold accuracies [1, 1, 0.966667, 0.933333, 1] (29/30, 28/30).
	wantAcc := []float64{1, 1, 29.0 / 30, 28.0 / 30, 1}
	for k := range wantAcc {
		if math.Abs(res.FoldAccuracy[k]-wantAcc[k]) > 1e-12 {
			t.Errorf("fold %d accuracy %v, want %v", k, res.FoldAccuracy[k], wantAcc[k])
		}
	}
	if math.Abs(res.Accuracy-0.98) > 1e-12 {
		t.Errorf("mean accuracy %v, want 0.98", res.Accuracy)
	}
	// O14a: confusion [[50,0,0],[0,48,2],[0,1,49]].
	want := [][]int{{50, 0, 0}, {0, 48, 2}, {0, 1, 49}}
	for i := range want {
		if !slices.Equal(res.Confusion[i], want[i]) {
			t.Errorf("confusion = %v, want %v", res.Confusion, want)
			break
		}
	}
	if res.Chance != 1.0/3 {
		t.Errorf("chance %v", res.Chance)
	}
	// balanced accuracy from the confusion: (50/50 + 48/50 + 49/50)/3.
	if math.Abs(res.BalancedAccuracy-(1+0.96+0.98)/3) > 1e-12 {
		t.Errorf("balanced accuracy %v", res.BalancedAccuracy)
	}
}

// TestO14bChanceThreshold: oracle O14b, binom.ppf(0.95, n, 1/K)/n.
func TestO14bChanceThreshold(t *testing.T) {
	for _, c := range []struct {
		n, k int
		want float64
	}{{100, 2, 0.58}, {40, 4, 0.375}, {200, 2, 0.56}} {
		if got := ChanceThreshold(c.n, c.k, 0.05); got != c.want {
			t.Errorf("ChanceThreshold(%d, %d) = %v, want %v", c.n, c.k, got, c.want)
		}
	}
}

// TestO14cPermutationP: oracle O14c, 3 of 100 null ≥ observed → 4/101.
func TestO14cPermutationP(t *testing.T) {
	null := make([]float64, 100)
	for i := range null {
		null[i] = 0.5
	}
	null[3], null[40], null[77] = 0.9, 0.8, 0.8 // ≥ observed 0.8 (ties count)
	if got := PermutationPValue(0.8, null); got != 4.0/101 {
		t.Errorf("p = %v, want %v", got, 4.0/101)
	}
	if math.Abs(4.0/101-0.039604) > 1e-6 {
		t.Fatal("oracle value")
	}
}

// TestO13PoissonBayes: oracle O13 (Zhang et al. 1998 Poisson decoder).
func TestO13PoissonBayes(t *testing.T) {
	f := mat.NewDense(3, 2, []float64{10, 1, 5, 5, 1, 10}) // positions × neurons, Hz
	counts := mat.NewDense(1, 2, []float64{2, 0})
	check := func(name string, got, want []float64) {
		t.Helper()
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-6 {
				t.Errorf("%s = %v, want %v", name, got, want)
				return
			}
		}
	}
	d := &BayesDecoder{Tuning: f, BinSize: 0.1}
	var ll, post []float64
	idx, err := d.Decode(nil, counts, func(t0 int, logLik, p *mat.Dense) {
		ll = mat.Row(nil, 0, logLik)
		post = mat.Row(nil, 0, p)
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	check("log-likelihood", ll, []float64{3.505170, 2.218876, -1.1})
	check("posterior", post, []float64{0.777428, 0.214798, 0.007774})
	if idx[0] != 0 {
		t.Errorf("MAP bin %d, want 0", idx[0])
	}
	d.Prior = []float64{0.5, 0.25, 0.25}
	_, err = d.Decode(nil, counts, func(t0 int, logLik, p *mat.Dense) { post = mat.Row(nil, 0, p) }, nil)
	if err != nil {
		t.Fatal(err)
	}
	check("posterior with prior", post, []float64{0.874779, 0.120847, 0.004374})
}
