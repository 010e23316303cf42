package rsa

import (
	"path/filepath"

	"github.com/neurodata/neurodata/analysis/rsa/activations"
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// The Gram kernels (the architecture-specific one if selected, streamed
// blocks, any worker count) agree with a plain triple loop.
func TestGramKernels(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sz := range [][2]int{{1, 1}, {3, 5}, {7, 4}, {13, 1031}, {70, 9}, {131, 263}} {
		n, p := sz[0], sz[1]
		x := mat.NewDense(n, p, nil)
		for i := 0; i < n; i++ {
			for j := 0; j < p; j++ {
				x.Set(i, j, rng.NormFloat64())
			}
		}
		want := make([]float64, n*n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				var s float64
				for c := 0; c < p; c++ {
					s += x.At(i, c) * x.At(j, c)
				}
				want[i*n+j] = s
			}
		}
		for _, s := range []*Settings{nil, {Workers: 1}, {Workers: 5, BlockCols: 17}} {
			g1 := NewGram(x, s)
			g2, err := GramFrom(FromMatrix(x), s)
			if err != nil {
				t.Fatal(err)
			}
			ref := make([]float64, n*n)
			gramAccumulateWith(dotTileGonum, ref, x.RawMatrix().Data, p, n, p)
			for i := range want {
				tol := 1e-12 * float64(p)
				if math.Abs(g1.K[i]-want[i]) > tol || math.Abs(g2.K[i]-want[i]) > tol || math.Abs(ref[i]-want[i]) > tol {
					t.Fatalf("%d×%d %+v: K[%d] = %g / %g / %g, want %g", n, p, s, i, g1.K[i], g2.K[i], ref[i], want[i])
				}
			}
		}
	}
}

func gramAccumulateWith(f func([]float64, int, []float64, int, int, int, int, int, int, bool), k, x []float64, stride, n, p int) {
	old := dotTile
	dotTile = f
	defer func() { dotTile = old }()
	gramAccumulate(k, x, stride, n, p, 2)
}

// Streaming a memory-mapped .npy (big-endian float32, Fortran order)
// through GramFrom gives the Gram of the decoded array.
func TestGramFromMapped(t *testing.T) {
	m, err := activations.OpenMapped(filepath.Join("..", "..", "testdata", "npy", "f4_be_fortran.npy"))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	a, _ := m.Load()
	x, _ := a.Matrix()
	want := NewGram(x, nil)
	got, err := GramFrom(m, &Settings{BlockCols: 2})
	if err != nil {
		t.Fatal(err)
	}
	nearVec(t, "mapped Gram", got.K, want.K, 1e-12)
	nearVec(t, "mapped row sums", got.RowSum, want.RowSum, 1e-12)
}
