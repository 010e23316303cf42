package rsa

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/analysis/rsa/activations"
)

// BenchmarkP7 is the Go side of ../shared/bench/p7_rsa.py numpy: correlation
// RDM of 500 conditions × 10,000 features + Spearman with the model RDM +
// 1000 condition-label permutations, on the same X and model (written by
// bench/p7_make_data.py into $P7_DATA; bench/p7.sh runs both side by side).
// Timed from X in memory, like the peer.
func BenchmarkP7(b *testing.B) {
	dir := os.Getenv("P7_DATA")
	if dir == "" {
		b.Skip("set P7_DATA to a directory made by bench/p7_make_data.py (bench/p7.sh does)")
	}
	xa, err := activations.Open(filepath.Join(dir, "X.npy"))
	if err != nil {
		b.Fatal(err)
	}
	ma, err := activations.Open(filepath.Join(dir, "model.npy"))
	if err != nil {
		b.Fatal(err)
	}
	x, _ := xa[0].Matrix()
	n := ma[0].Rows()
	model := NewRDM(n)
	k := 0
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			model.Vec[k] = ma[0].Data[i*n+j]
			k++
		}
	}
	var res *PermutationResult
	b.ResetTimer()
	for b.Loop() {
		rdm := CorrelationRDM(NewGram(x, nil))
		res, err = PermutationTest(rdm, model, Spearman, 1000, rand.New(rand.NewPCG(7, 1000)), nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(res.Observed, "rho")
	b.ReportMetric(res.P, "p")
}
