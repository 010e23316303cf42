package decoding

import (
	"encoding/json"
	"math"
	"os/exec"
	"slices"
	"sync"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// skRef holds reference values computed by Debian scikit-learn 1.2.1 in
// skRefScript (run once per test binary).
type skRef struct {
	Version         string
	CentroidFoldAcc []float64   `json:"centroid_fold_acc"`
	ShrinkCoef      [][]float64 `json:"shrink_coef"`
	ShrinkIntercept []float64   `json:"shrink_intercept"`
	ShrinkPredSmall []int       `json:"shrink_pred_small"`
	SVDPredSmall    []int       `json:"svd_pred_small"`
	LWCov           [][]float64 `json:"lw_cov"`
	LWShrink        float64     `json:"lw_shrink"`
	RidgeCoef       []float64   `json:"ridge_coef"`
	RidgeIntercept  float64     `json:"ridge_intercept"`
	RidgeDualCoef   []float64   `json:"ridge_dual_coef"`
	RidgeDualInt    float64     `json:"ridge_dual_intercept"`
	LogProba        [][]float64 `json:"log_proba"`
	StratY          []int       `json:"strat_y"`
	StratFolds      []int       `json:"strat_folds"`
	GroupIDs        []int       `json:"group_ids"`
	GroupFolds      []int       `json:"group_folds"`
	KFold           []int       `json:"kfold"`
	BalAcc          float64     `json:"bal_acc"`
	R2              []float64   `json:"r2"`
}

const skRefScript = `
import sys, json, gzip, numpy as np, sklearn, warnings
warnings.simplefilter("ignore")
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis as LDA
from sklearn.neighbors import NearestCentroid
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import StratifiedKFold, GroupKFold, KFold, cross_val_score
from sklearn.covariance import ledoit_wolf
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.metrics import balanced_accuracy_score, r2_score
iris = np.loadtxt(sys.argv[1], delimiter=",", comments="#", skiprows=2)
Xi, yi = iris[:, :4], iris[:, 4].astype(int)
out = {"version": sklearn.__version__}
out["centroid_fold_acc"] = cross_val_score(NearestCentroid(), Xi, yi, cv=StratifiedKFold(5)).tolist()
m = LDA(solver="lsqr", shrinkage="auto").fit(Xi, yi)
out["shrink_coef"], out["shrink_intercept"] = m.coef_.tolist(), m.intercept_.tolist()
with gzip.open(sys.argv[2], "rt") as f:
    head = f.readline().strip().split(",")
    d = np.loadtxt(f, delimiter=",")
X = d[:, [i for i, h in enumerate(head) if h.startswith("u")]]
y = d[:, head.index("label")].astype(int)
out["shrink_pred_small"] = LDA(solver="lsqr", shrinkage="auto").fit(X[:120], y[:120]).predict(X[120:]).tolist()
out["svd_pred_small"] = LDA().fit(X[:120], y[:120]).predict(X[120:]).tolist()
c, s = ledoit_wolf(Xi)
out["lw_cov"], out["lw_shrink"] = c.tolist(), float(s)
r = Ridge(alpha=1.0).fit(Xi[:, :3], Xi[:, 3])
out["ridge_coef"], out["ridge_intercept"] = r.coef_.tolist(), float(r.intercept_)
r = Ridge(alpha=10.0).fit(X[:50], y[:50].astype(float))
out["ridge_dual_coef"], out["ridge_dual_intercept"] = r.coef_.tolist(), float(r.intercept_)
lr = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000)).fit(Xi, yi)
out["log_proba"] = lr.predict_proba(Xi[::10]).tolist()
rng = np.random.default_rng(5)
sy = rng.choice([7, 3, 11], size=53, p=[0.5, 0.3, 0.2])
sf = np.empty(53, int)
for k, (_, te) in enumerate(StratifiedKFold(4).split(np.zeros(53), sy)):
    sf[te] = k
out["strat_y"], out["strat_folds"] = sy.tolist(), sf.tolist()
g = np.repeat([4, 1, 3, 0, 2, 5], [5, 9, 2, 5, 7, 1])
gf = np.empty(len(g), int)
for k, (_, te) in enumerate(GroupKFold(3).split(np.zeros(len(g)), groups=g)):
    gf[te] = k
out["group_ids"], out["group_folds"] = g.tolist(), gf.tolist()
kf = np.empty(10, int)
for k, (_, te) in enumerate(KFold(4).split(np.zeros(10))):
    kf[te] = k
out["kfold"] = kf.tolist()
out["bal_acc"] = balanced_accuracy_score([0, 0, 0, 1, 1, 2, 2, 2, 2], [0, 1, 0, 1, 1, 2, 0, 2, 2])
out["r2"] = r2_score([[1, 2], [2, 4], [3, 5], [4, 9]], [[1.1, 2], [1.9, 5], [3.2, 5], [3.8, 8]], multioutput="raw_values").tolist()
print(json.dumps(out))
`

var (
	skOnce sync.Once
	skVal  *skRef
	skErr  error
)

func sklearnRef(t *testing.T) *skRef {
	t.Helper()
	py := python(t, "numpy", "sklearn")
	p6 := needShared(t, "bench/data/decode_2000x300.csv.gz")
	skOnce.Do(func() {
		out, err := exec.Command(py, "-c", skRefScript, "../testdata/iris.csv", p6).Output()
		if err != nil {
			skErr = err
			return
		}
		skVal = &skRef{}
		skErr = json.Unmarshal(out, skVal)
	})
	if skErr != nil {
		t.Fatalf("sklearn reference helper: %v", skErr)
	}
	return skVal
}

func loadIris(t *testing.T) (*mat.Dense, []int) {
	h, rows := loadCSV(t, "../testdata/iris.csv")
	x, y, _ := splitXY(h, rows, "", "label", "")
	return x, y
}

func near(a, b, tol float64) bool {
	return math.Abs(a-b) <= tol*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// Fold assignments against scikit-learn 1.2.1 (values from skRefScript).
func TestFoldsMatchSklearn(t *testing.T) {
	ref := sklearnRef(t)
	sf, err := StratifiedKFold(ref.StratY, 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(sf, Folds(ref.StratFolds)) {
		t.Errorf("StratifiedKFold(4) = %v\nsklearn            %v", sf, ref.StratFolds)
	}
	gf, err := GroupKFold(ref.GroupIDs, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gf, Folds(ref.GroupFolds)) {
		t.Errorf("GroupKFold(3) = %v\nsklearn        %v", gf, ref.GroupFolds)
	}
	kf, _ := KFold(10, 4, nil)
	if !slices.Equal(kf, Folds(ref.KFold)) {
		t.Errorf("KFold(10, 4) = %v, sklearn %v", kf, ref.KFold)
	}
}

func TestNearestCentroidIris(t *testing.T) {
	ref := sklearnRef(t)
	x, y := loadIris(t)
	folds, _ := StratifiedKFold(y, 5, nil)
	res, err := CrossValidate(func() Classifier { return &NearestCentroid{} }, x, y, folds, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k := range ref.CentroidFoldAcc {
		if math.Abs(res.FoldAccuracy[k]-ref.CentroidFoldAcc[k]) > 1e-12 {
			t.Errorf("fold accuracies %v, sklearn NearestCentroid %v", res.FoldAccuracy, ref.CentroidFoldAcc)
			break
		}
	}
}

func TestLDAShrinkageSklearn(t *testing.T) {
	ref := sklearnRef(t)
	x, y := loadIris(t)
	m := &LDA{Shrinkage: true}
	if err := m.Fit(x, y); err != nil {
		t.Fatal(err)
	}
	coef, b := m.Coef() // features × classes
	for c := range ref.ShrinkCoef {
		for j := range ref.ShrinkCoef[c] {
			if !near(coef.At(j, c), ref.ShrinkCoef[c][j], 1e-8) {
				t.Fatalf("coef[%d][%d] = %v, sklearn %v", c, j, coef.At(j, c), ref.ShrinkCoef[c][j])
			}
		}
		if !near(b[c], ref.ShrinkIntercept[c], 1e-8) {
			t.Fatalf("intercept[%d] = %v, sklearn %v", c, b[c], ref.ShrinkIntercept[c])
		}
	}
	// More units (300) than trials (120): shrinkage and SVD solvers.
	px, py, _ := loadP6(t)
	rows := make([]int, 120)
	rest := make([]int, 0, 1880)
	for i := range 2000 {
		if i < 120 {
			rows[i] = i
		} else {
			rest = append(rest, i)
		}
	}
	for _, c := range []struct {
		name string
		m    *LDA
		want []int
	}{{"lsqr+auto", &LDA{Shrinkage: true}, ref.ShrinkPredSmall}, {"svd", &LDA{}, ref.SVDPredSmall}} {
		if err := c.m.Fit(rowsOf(px, rows), pick(py, rows)); err != nil {
			t.Fatal(err)
		}
		got := c.m.Predict(nil, rowsOf(px, rest))
		var diff int
		for i := range got {
			if got[i] != c.want[i] {
				diff++
			}
		}
		t.Logf("%s, 120 trials × 300 units: %d of %d predictions differ from sklearn", c.name, diff, len(got))
		if diff > len(got)/200 { // ≤ 0.5 % (near-ties under rounding)
			t.Errorf("%s: %d predictions differ from sklearn", c.name, diff)
		}
	}
}

func TestLedoitWolfSklearn(t *testing.T) {
	ref := sklearnRef(t)
	x, _ := loadIris(t)
	c, s := LedoitWolf(x)
	if !near(s, ref.LWShrink, 1e-10) {
		t.Errorf("shrinkage %v, sklearn %v", s, ref.LWShrink)
	}
	for i := range ref.LWCov {
		for j := range ref.LWCov[i] {
			if !near(c.At(i, j), ref.LWCov[i][j], 1e-10) {
				t.Fatalf("cov[%d][%d] %v, sklearn %v", i, j, c.At(i, j), ref.LWCov[i][j])
			}
		}
	}
}

func TestRidgeSklearn(t *testing.T) {
	ref := sklearnRef(t)
	x, _ := loadIris(t)
	xs := colsOf(x, []int{0, 1, 2})
	ys := colsOf(x, []int{3})
	m := &Ridge{Alpha: 1}
	if err := m.Fit(xs, ys); err != nil {
		t.Fatal(err)
	}
	w, b := m.Coef()
	for j, v := range ref.RidgeCoef {
		if !near(w.At(j, 0), v, 1e-9) {
			t.Errorf("coef %d: %v, sklearn %v", j, w.At(j, 0), v)
		}
	}
	if !near(b[0], ref.RidgeIntercept, 1e-9) {
		t.Errorf("intercept %v, sklearn %v", b[0], ref.RidgeIntercept)
	}
	// Dual form: 50 trials × 300 units.
	px, py, _ := loadP6(t)
	rows := make([]int, 50)
	for i := range rows {
		rows[i] = i
	}
	yl := mat.NewDense(50, 1, nil)
	for i := range rows {
		yl.Set(i, 0, float64(py[i]))
	}
	md := &Ridge{Alpha: 10}
	if err := md.Fit(rowsOf(px, rows), yl); err != nil {
		t.Fatal(err)
	}
	w, b = md.Coef()
	for j, v := range ref.RidgeDualCoef {
		if !near(w.At(j, 0), v, 1e-8) {
			t.Fatalf("dual coef %d: %v, sklearn %v", j, w.At(j, 0), v)
		}
	}
	if !near(b[0], ref.RidgeDualInt, 1e-8) {
		t.Errorf("dual intercept %v, sklearn %v", b[0], ref.RidgeDualInt)
	}
}

func TestLogisticProbaSklearn(t *testing.T) {
	ref := sklearnRef(t)
	x, y := loadIris(t)
	m := &LogisticRegression{Standardize: true}
	if err := m.Fit(x, y); err != nil {
		t.Fatal(err)
	}
	rows := make([]int, 0, 15)
	for i := 0; i < 150; i += 10 {
		rows = append(rows, i)
	}
	p := m.PredictProba(nil, rowsOf(x, rows))
	// Both optimisers stop at gradient/objective tolerances, so the optima
	// agree to about 1e-4, not to machine precision.
	for i := range ref.LogProba {
		for c := range ref.LogProba[i] {
			if math.Abs(p.At(i, c)-ref.LogProba[i][c]) > 2e-3 {
				t.Fatalf("proba[%d][%d] = %v, sklearn %v", i, c, p.At(i, c), ref.LogProba[i][c])
			}
		}
	}
}

func TestMetricsSklearn(t *testing.T) {
	ref := sklearnRef(t)
	got := BalancedAccuracy([]int{0, 0, 0, 1, 1, 2, 2, 2, 2}, []int{0, 1, 0, 1, 1, 2, 0, 2, 2})
	if !near(got, ref.BalAcc, 1e-14) {
		t.Errorf("balanced accuracy %v, sklearn %v", got, ref.BalAcc)
	}
	yt := mat.NewDense(4, 2, []float64{1, 2, 2, 4, 3, 5, 4, 9})
	yp := mat.NewDense(4, 2, []float64{1.1, 2, 1.9, 5, 3.2, 5, 3.8, 8})
	r2 := R2(yt, yp)
	for k := range r2 {
		if !near(r2[k], ref.R2[k], 1e-14) {
			t.Errorf("R2 %v, sklearn %v", r2, ref.R2)
		}
	}
}
