package rsa

import (
	"bufio"
	"encoding/binary"
	"fmt"
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

// BenchmarkGramMapped streams a float32 .npy layer (500 stimuli ×
// $GRAM_FEATURES features, default 20,000) from a memory map through
// GramFrom. B/op shows the memory used: n² + n·BlockCols float64 values
// (about 10 MB), whatever the number of features — decoding the layer to
// float64 first would take 8·500·features bytes (80 MB at the default).
func BenchmarkGramMapped(b *testing.B) {
	p := 20000
	if v := os.Getenv("GRAM_FEATURES"); v != "" {
		fmt.Sscan(v, &p)
	}
	n := 500
	path := filepath.Join(b.TempDir(), "layer.npy")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	hdr := fmt.Sprintf("{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }", n, p)
	for (10+len(hdr)+1)%64 != 0 {
		hdr += " "
	}
	hdr += "\n"
	w := bufio.NewWriter(f)
	w.WriteString("\x93NUMPY\x01\x00")
	binary.Write(w, binary.LittleEndian, uint16(len(hdr)))
	w.WriteString(hdr)
	rng := rand.New(rand.NewPCG(1, 1))
	for i := 0; i < n*p; i++ {
		binary.Write(w, binary.LittleEndian, float32(rng.NormFloat64()))
	}
	w.Flush()
	f.Close()
	m, err := activations.OpenMapped(path)
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	b.ReportAllocs()
	b.SetBytes(int64(n) * int64(p) * 4)
	for b.Loop() {
		if _, err := GramFrom(m, nil); err != nil {
			b.Fatal(err)
		}
	}
}
