package rsa

import (
	"fmt"
	"runtime"
	"sync"

	"gonum.org/v1/gonum/mat"
)

// Settings tunes the numerical kernels. A nil *Settings means the defaults.
type Settings struct {
	// Workers is the number of goroutines; 0 means GOMAXPROCS.
	Workers int
	// BlockCols is the number of feature columns read per block when
	// streaming a ColumnSource; 0 means 2048.
	BlockCols int
}

func (s *Settings) workers() int {
	if s == nil || s.Workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return s.Workers
}

func (s *Settings) blockCols() int {
	if s == nil || s.BlockCols <= 0 {
		return 2048
	}
	return s.BlockCols
}

// ColumnSource is a stimuli × features matrix that can be read in blocks of
// feature columns. activations.Mapped implements it for memory-mapped .npy
// files; FromMatrix adapts an in-memory matrix. ReadColumns fills dst
// (rows × (hi−lo), row-major) with columns [lo, hi) and must be safe for
// sequential calls.
type ColumnSource interface {
	Dims() (rows, cols int)
	ReadColumns(dst []float64, lo, hi int) error
}

type denseSource struct{ m mat.Matrix }

// FromMatrix adapts an in-memory matrix (rows = stimuli) to ColumnSource.
func FromMatrix(m mat.Matrix) ColumnSource { return denseSource{m} }

func (d denseSource) Dims() (int, int) { return d.m.Dims() }
func (d denseSource) ReadColumns(dst []float64, lo, hi int) error {
	r, _ := d.m.Dims()
	w := hi - lo
	for i := 0; i < r; i++ {
		for j := lo; j < hi; j++ {
			dst[i*w+j-lo] = d.m.At(i, j)
		}
	}
	return nil
}

// Gram holds the sufficient statistics of a stimuli × features matrix X
// for every Gram-based method: K = X Xᵀ (n × n, row-major, symmetric),
// the row sums of X and the number of features P.
type Gram struct {
	N, P   int
	K      []float64
	RowSum []float64
}

// At returns K[i, j].
func (g *Gram) At(i, j int) float64 { return g.K[i*g.N+j] }

// NewGram computes the Gram statistics of x (stimuli × features).
func NewGram(x mat.Matrix, s *Settings) *Gram {
	if d, ok := x.(*mat.Dense); ok {
		raw := d.RawMatrix()
		n, p := raw.Rows, raw.Cols
		g := &Gram{N: n, P: p, K: make([]float64, n*n), RowSum: make([]float64, n)}
		gramAccumulate(g.K, raw.Data, raw.Stride, n, p, s.workers())
		rowSums(g.RowSum, raw.Data, raw.Stride, n, p)
		return g
	}
	g, err := GramFrom(FromMatrix(x), s)
	if err != nil {
		panic(err) // denseSource never fails
	}
	return g
}

// GramFrom streams src in column blocks and accumulates its Gram
// statistics. Memory use is n² + n·BlockCols float64 values whatever the
// number of features.
func GramFrom(src ColumnSource, s *Settings) (*Gram, error) {
	n, p := src.Dims()
	if n == 0 || p == 0 {
		return nil, fmt.Errorf("rsa: activations are %d × %d, need at least one stimulus and one feature", n, p)
	}
	g := &Gram{N: n, P: p, K: make([]float64, n*n), RowSum: make([]float64, n)}
	bc := min(s.blockCols(), p)
	buf := make([]float64, n*bc)
	part := make([]float64, n)
	for lo := 0; lo < p; lo += bc {
		hi := min(lo+bc, p)
		w := hi - lo
		if err := src.ReadColumns(buf[:n*w], lo, hi); err != nil {
			return nil, fmt.Errorf("rsa: reading feature columns [%d, %d): %w", lo, hi, err)
		}
		gramAccumulate(g.K, buf[:n*w], w, n, w, s.workers())
		rowSums(part, buf[:n*w], w, n, w)
		for i, v := range part {
			g.RowSum[i] += v
		}
	}
	return g, nil
}

func rowSums(dst, x []float64, stride, n, p int) {
	for i := 0; i < n; i++ {
		var s float64
		for _, v := range x[i*stride : i*stride+p] {
			s += v
		}
		dst[i] = s
	}
}

// gramTile is the row-block size of the symmetric tiling.
const gramTile = 64

// gramAccumulate adds X Xᵀ to k (n × n) for x (n × p, row stride), computing
// only tiles on or above the diagonal, in parallel, then mirroring.
func gramAccumulate(k, x []float64, stride, n, p, workers int) {
	nt := (n + gramTile - 1) / gramTile
	type tile struct{ bi, bj int }
	tiles := make(chan tile, nt*(nt+1)/2)
	for bi := 0; bi < nt; bi++ {
		for bj := bi; bj < nt; bj++ {
			tiles <- tile{bi, bj}
		}
	}
	close(tiles)
	var wg sync.WaitGroup
	for w := 0; w < max(1, min(workers, nt*(nt+1)/2)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for t := range tiles {
				i0, i1 := t.bi*gramTile, min((t.bi+1)*gramTile, n)
				j0, j1 := t.bj*gramTile, min((t.bj+1)*gramTile, n)
				dotTile(k, n, x, stride, p, i0, i1, j0, j1, t.bi == t.bj)
			}
		}()
	}
	wg.Wait()
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			k[j*n+i] = k[i*n+j]
		}
	}
}
