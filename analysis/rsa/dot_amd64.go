//go:build amd64 && !purego

package rsa

import "golang.org/x/sys/cpu"

//go:noescape
func dot4x3AVX(a0, a1, a2, a3, b0, b1, b2 *float64, n int, out *[48]float64)

func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		dotTile = dotTileAVX
	}
}

// kcBlock is the feature chunk per micro-kernel call: 7 rows × 256 × 8 B =
// 14 KiB stay in L1.
const kcBlock = 256

// dotTileAVX adds rows [i0,i1) · rows [j0,j1)ᵀ of x into k (stride n) with
// the AVX2/FMA 4×3 micro-kernel; edges and the feature tail (p mod 4) are
// done in scalar Go. On diagonal tiles only column blocks reaching j ≥ i are
// computed (the lower triangle is mirrored by the caller).
func dotTileAVX(k []float64, n int, x []float64, stride, p, i0, i1, j0, j1 int, diag bool) {
	p4 := p &^ 3
	var out [48]float64
	iq := i0 + (i1-i0)&^3
	jt := j0 + ((j1-j0)/3)*3
	for kc := 0; kc < p4; kc += kcBlock {
		w := min(kcBlock, p4-kc)
		for i := i0; i < iq; i += 4 {
			for j := j0; j < jt; j += 3 {
				if diag && j+2 < i {
					continue
				}
				dot4x3AVX(&x[i*stride+kc], &x[(i+1)*stride+kc], &x[(i+2)*stride+kc], &x[(i+3)*stride+kc],
					&x[j*stride+kc], &x[(j+1)*stride+kc], &x[(j+2)*stride+kc], w, &out)
				for r := 0; r < 4; r++ {
					row := k[(i+r)*n+j : (i+r)*n+j+3]
					for c := 0; c < 3; c++ {
						o := out[(r*3+c)*4 : (r*3+c)*4+4]
						row[c] += (o[0] + o[1]) + (o[2] + o[3])
					}
				}
			}
		}
	}
	// Feature tail for the kernel-covered block, and the row/column edges.
	for i := i0; i < i1; i++ {
		ri := x[i*stride : i*stride+p]
		for j := j0; j < j1; j++ {
			if diag && j < i {
				continue
			}
			rj := x[j*stride : j*stride+p]
			lo := 0
			if i < iq && j < jt {
				lo = p4 // covered by the kernel up to p4
			}
			var s float64
			for t := lo; t < p; t++ {
				s += ri[t] * rj[t]
			}
			k[i*n+j] += s
		}
	}
}
