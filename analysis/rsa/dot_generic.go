package rsa

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas64"
)

// dotTileGonum adds rows [i0,i1) · rows [j0,j1)ᵀ of x into k (stride n)
// using gonum's Dgemm. On the diagonal only j ≥ i is needed by the caller,
// but the full tile is computed (and the lower half later overwritten).
func dotTileGonum(k []float64, n int, x []float64, stride, p, i0, i1, j0, j1 int, diag bool) {
	a := blas64.General{Rows: i1 - i0, Cols: p, Stride: stride, Data: x[i0*stride:]}
	b := blas64.General{Rows: j1 - j0, Cols: p, Stride: stride, Data: x[j0*stride:]}
	c := blas64.General{Rows: i1 - i0, Cols: j1 - j0, Stride: n, Data: k[i0*n+j0:]}
	blas64.Gemm(blas.NoTrans, blas.Trans, 1, a, b, 1, c)
}
