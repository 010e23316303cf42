package decoding

import (
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// TimeResult is the outcome of time-resolved decoding.
type TimeResult struct {
	// Accuracy[t] is the mean over folds of the test accuracy at time bin t.
	Accuracy []float64
	// FoldAccuracy[t][k] is the accuracy in fold k at time bin t.
	FoldAccuracy [][]float64
	// Generalization[t][t′] (only from TemporalGeneralization) is the mean
	// over folds of the accuracy of the model trained at bin t on the
	// held-out trials at bin t′; its diagonal equals Accuracy.
	Generalization *mat.Dense
}

// TimeResolved trains and tests a decoder separately in every time bin.
// xs[t] holds the trials × features activity at bin t (same trials, same
// order, in every bin); the folds split trials, so a trial's bins are never
// split between training and test. Work runs in parallel over (fold, bin).
func TimeResolved(newModel func() Classifier, xs []mat.Matrix, y []int, folds Folds, s *Settings) (*TimeResult, error) {
	return timeDecode(newModel, xs, y, folds, false, s)
}

// TemporalGeneralization trains at every bin t and tests at every bin t′
// (King & Dehaene 2014), cross-validated across trials: the model fitted on
// the training trials at t predicts the held-out trials at each t′.
func TemporalGeneralization(newModel func() Classifier, xs []mat.Matrix, y []int, folds Folds, s *Settings) (*TimeResult, error) {
	return timeDecode(newModel, xs, y, folds, true, s)
}

func timeDecode(newModel func() Classifier, xs []mat.Matrix, y []int, folds Folds, gen bool, s *Settings) (*TimeResult, error) {
	nt := len(xs)
	if nt == 0 {
		return nil, fmt.Errorf("decoding: time-resolved: no time bins: %w", ErrNoData)
	}
	n, p, err := checkXY("time-resolved", xs[0], len(y))
	if err != nil {
		return nil, err
	}
	for t, x := range xs {
		if r, c := x.Dims(); r != n || c != p {
			return nil, fmt.Errorf("decoding: time-resolved: bin %d is %d×%d, bin 0 is %d×%d: %w", t, r, c, n, p, ErrShape)
		}
	}
	if err := folds.validate(n); err != nil {
		return nil, err
	}
	k := folds.NumFolds()
	train := make([][]int, k)
	test := make([][]int, k)
	for f := 0; f < k; f++ {
		train[f], test[f] = folds.Split(f)
	}
	// testX[t][f] materialised lazily per job would repeat work; build once.
	testX := make([][]*mat.Dense, nt)
	for t := range xs {
		testX[t] = make([]*mat.Dense, k)
		for f := 0; f < k; f++ {
			testX[t][f] = rowsOf(xs[t], test[f])
		}
	}
	width := 1
	if gen {
		width = nt
	}
	// acc[(t*k+f)*width + j]: accuracy of the model trained at t in fold f
	// at test bin t (j = 0) or t′ = j (generalisation).
	acc := make([]float64, nt*k*width)
	err = parallelFor(nt*k, s.workers(), func(job int) error {
		t, f := job/k, job%k
		m := newModel()
		if err := m.Fit(rowsOf(xs[t], train[f]), pick(y, train[f])); err != nil {
			return fmt.Errorf("bin %d fold %d: %w", t, f, err)
		}
		yt := pick(y, test[f])
		if !gen {
			acc[job] = Accuracy(yt, m.Predict(nil, testX[t][f]))
			return nil
		}
		pred := make([]int, len(yt))
		for t2 := 0; t2 < nt; t2++ {
			acc[job*width+t2] = Accuracy(yt, m.Predict(pred, testX[t2][f]))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("decoding: time-resolved: %w", err)
	}
	res := &TimeResult{Accuracy: make([]float64, nt), FoldAccuracy: make([][]float64, nt)}
	if gen {
		res.Generalization = mat.NewDense(nt, nt, nil)
	}
	for t := 0; t < nt; t++ {
		res.FoldAccuracy[t] = make([]float64, k)
		for f := 0; f < k; f++ {
			job := t*k + f
			diag := acc[job*width]
			if gen {
				diag = acc[job*width+t]
				for t2 := 0; t2 < nt; t2++ {
					res.Generalization.Set(t, t2, res.Generalization.At(t, t2)+acc[job*width+t2]/float64(k))
				}
			}
			res.FoldAccuracy[t][f] = diag
			res.Accuracy[t] += diag / float64(k)
		}
	}
	return res, nil
}
