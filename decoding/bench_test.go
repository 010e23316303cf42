package decoding

import (
	"testing"
)

// BenchmarkP6 times fit + predict over the 5 folds of the P6 data, the same
// work as ../shared/bench/p6_decode.py (see bench/p6.sh for the side-by-side
// run).
func BenchmarkP6(b *testing.B) {
	x, y, folds := loadP6(b)
	for _, c := range []struct {
		name string
		mk   func() Classifier
	}{
		{"lda", func() Classifier { return &LDA{} }},
		{"logreg_z", func() Classifier { return &LogisticRegression{Standardize: true} }},
		{"bayes", func() Classifier { return &PoissonBayes{} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var acc float64
			for b.Loop() {
				res, err := CrossValidate(c.mk, x, y, folds, nil)
				if err != nil {
					b.Fatal(err)
				}
				acc = res.Accuracy
			}
			b.ReportMetric(acc, "accuracy")
		})
	}
}
