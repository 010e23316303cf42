package decoding

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Classifier predicts a discrete label per trial from a trials × features
// matrix. Fit may be called again; it replaces the previous fit.
type Classifier interface {
	// Fit learns from x (trials × features) and labels y (len = trials).
	Fit(x mat.Matrix, y []int) error
	// Predict writes one label per row of x into dst (allocated when nil or
	// too short) and returns it. It panics if called before a successful Fit
	// or if x has the wrong number of columns.
	Predict(dst []int, x mat.Matrix) []int
	// Classes returns the sorted labels seen by Fit; posterior columns use
	// this order.
	Classes() []int
}

// ProbClassifier is a Classifier that also returns posterior probabilities.
type ProbClassifier interface {
	Classifier
	// PredictProba stores P(class | row) in dst (trials × len(Classes()),
	// resized when empty) and returns it.
	PredictProba(dst *mat.Dense, x mat.Matrix) *mat.Dense
}

// Regressor predicts continuous targets (trials × outputs).
type Regressor interface {
	Fit(x mat.Matrix, y mat.Matrix) error
	Predict(dst *mat.Dense, x mat.Matrix) *mat.Dense
}

// Settings configures the numerical routines of this package. A nil
// *Settings means the documented defaults.
type Settings struct {
	// Workers is the number of goroutines used for folds, permutations and
	// time bins; 0 or less means runtime.GOMAXPROCS(0).
	Workers int
	// Src is the random source for label permutations and the subsets of
	// learning curves; nil means rand.NewPCG(1, 2). (Shuffled folds take a
	// *rand.Rand argument directly.) Routines draw every random
	// number they need from Src before fanning out, so results do not depend
	// on Workers.
	Src rand.Source
}

func (s *Settings) workers() int {
	if s == nil || s.Workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return s.Workers
}

func (s *Settings) rng() *rand.Rand {
	if s == nil || s.Src == nil {
		return rand.New(rand.NewPCG(1, 2))
	}
	return rand.New(s.Src)
}

// Errors returned by the decoders.
var (
	ErrShape      = errors.New("decoding: shape mismatch")
	ErrFewClasses = errors.New("decoding: need at least two classes")
	ErrNoData     = errors.New("decoding: no trials")
	ErrNotFitted  = errors.New("decoding: model not fitted")
)

// parallelFor calls fn(i) for i in [0, n) on up to workers goroutines and
// returns the first error (in index order).
func parallelFor(n, workers int, fn func(i int) error) error {
	if workers > n {
		workers = n
	}
	errs := make([]error, n)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			errs[i] = fn(i)
		}
		return firstErr(errs)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				errs[i] = fn(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return firstErr(errs)
}

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// encodeLabels returns the sorted distinct labels and y mapped to indexes
// into them.
func encodeLabels(y []int) (classes []int, idx []int) {
	classes = slices.Clone(y)
	slices.Sort(classes)
	classes = slices.Compact(classes)
	idx = make([]int, len(y))
	for i, v := range y {
		idx[i], _ = slices.BinarySearch(classes, v)
	}
	return classes, idx
}

// checkXY validates a design matrix and its labels.
func checkXY(name string, x mat.Matrix, ny int) (r, c int, err error) {
	r, c = x.Dims()
	if r == 0 || c == 0 {
		return r, c, fmt.Errorf("%s: %w", name, ErrNoData)
	}
	if ny != r {
		return r, c, fmt.Errorf("%s: %d rows but %d labels: %w", name, r, ny, ErrShape)
	}
	return r, c, nil
}

// dense returns x as a *mat.Dense, copying only when needed.
func dense(x mat.Matrix) *mat.Dense {
	if d, ok := x.(*mat.Dense); ok {
		return d
	}
	return mat.DenseCopyOf(x)
}

// rowsOf copies the listed rows of x into a new matrix.
func rowsOf(x mat.Matrix, rows []int) *mat.Dense {
	_, c := x.Dims()
	out := mat.NewDense(max(len(rows), 1), c, nil)
	if len(rows) == 0 {
		return &mat.Dense{}
	}
	if d, ok := x.(mat.RawRowViewer); ok {
		for i, r := range rows {
			copy(out.RawRowView(i), d.RawRowView(r))
		}
		return out
	}
	for i, r := range rows {
		for j := 0; j < c; j++ {
			out.Set(i, j, x.At(r, j))
		}
	}
	return out
}

// colsOf copies the listed columns of x into a new matrix.
func colsOf(x mat.Matrix, cols []int) *mat.Dense {
	r, _ := x.Dims()
	out := mat.NewDense(r, len(cols), nil)
	for i := 0; i < r; i++ {
		row := out.RawRowView(i)
		for j, c := range cols {
			row[j] = x.At(i, c)
		}
	}
	return out
}

func pick(y []int, idx []int) []int {
	out := make([]int, len(idx))
	for i, j := range idx {
		out[i] = y[j]
	}
	return out
}

func argmax(v []float64) int {
	best, bi := v[0], 0
	for i, x := range v[1:] {
		if x > best {
			best, bi = x, i+1
		}
	}
	return bi
}

func checkCols(name string, x mat.Matrix, want int) {
	if _, c := x.Dims(); c != want {
		panic(fmt.Sprintf("decoding: %s: x has %d columns, fitted with %d", name, c, want))
	}
}
