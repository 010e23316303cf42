package ts

import (
	"math"
	"unsafe"
)

// This file holds the fast path of window counting: the rank (number of
// spikes strictly before a boundary) of a non-decreasing list of boundaries,
// for non-negative spike times. Counting one unit in 6000 trial windows is
// 6000 searches that each land a few tens of spikes after the previous one,
// so the cost is in the dependency chain of the search and in branch
// mispredictions, not in the number of comparisons. The kernel therefore
// (1) compares the IEEE-754 bit patterns as integers (for non-negative
// floats their order is the float order) so that every step of the
// in-block binary search is branch-free (sign-bit arithmetic, no
// conditional jumps), and (2) runs four independent cursors over four
// quarters of the boundary list in lockstep, so the out-of-order core
// overlaps four search chains and four memory streams.

// rankBlock is the block searched branch-free; trial boundaries usually lie
// a few tens of spikes apart (a 2 s trial of an 18 Hz unit holds 36 on
// average), so one block holds the answer almost always.
const rankBlock = 64

// nonNegBits reports whether every element of the non-decreasing slice a
// has its sign bit clear (no negative value, no −0), i.e. whether a's bit
// patterns are ordered like its values. Only the leading run of zeros needs
// checking: after a positive value a sorted slice holds no zero.
func nonNegBits(a []float64) bool {
	for _, x := range a {
		if math.Signbit(x) {
			return false
		}
		if x != 0 {
			return true
		}
	}
	return true
}

// bitsView returns a's IEEE-754 bit patterns (the same memory, read as
// uint64). For sign-clear floats integer order equals float order.
func bitsView(a []float64) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Pointer(unsafe.SliceData(a))), len(a))
}

// lt returns 1 if a < b and 0 otherwise, without a branch, for a and b
// below 2⁶³ (bit patterns of sign-clear floats): then a − b wraps past 2⁶³
// exactly when a < b.
func lt(a, b uint64) int {
	return int((a - b) >> 63)
}

// rankFrom returns the first index i ≥ p with a[i] ≥ x. a and x must have
// their sign bits clear (see nonNegBits) and the answer must be ≥ p.
func rankFrom(a []float64, p int, x float64) int {
	if p+rankBlock <= len(a) {
		b := (*[rankBlock]uint64)(bitsView(a)[p : p+rankBlock])
		k := math.Float64bits(x)
		if b[rankBlock-1] >= k {
			j := lt(b[31], k) << 5
			j += lt(b[(j+15)&63], k) << 4
			j += lt(b[(j+7)&63], k) << 3
			j += lt(b[(j+3)&63], k) << 2
			j += lt(b[(j+1)&63], k) << 1
			j += lt(b[j&63], k)
			return p + j
		}
		return lowerFrom(a, p+rankBlock, x)
	}
	return lowerFrom(a, p, x)
}

// past63 finishes a block search that started at p and found j elements
// < x: below 63 that is the answer; at 63 the answer is p+63 or later.
func past63(a []float64, p, j int, x float64) int {
	if j < 63 {
		return p + j
	}
	return lowerFrom(a, p+63, x)
}

// rankSorted writes dst[k] = the number of elements of a that are < q[k],
// for non-decreasing q, given that every answer is ≥ p0. a and q must pass
// nonNegBits. len(dst) must be ≥ len(q).
func rankSorted(dst []int, a, q []float64, p0 int) {
	n := len(q)
	m := n / 4
	if m < 8 {
		p := p0
		for k, x := range q {
			p = rankFrom(a, p, x)
			dst[k] = p
		}
		return
	}
	// Four cursors, each starting at the rank of the first boundary of its
	// quarter (galloping from the previous cursor's start).
	p0 = lowerFrom(a, p0, q[0])
	p1 := lowerFrom(a, p0, q[m])
	p2 := lowerFrom(a, p1, q[2*m])
	p3 := lowerFrom(a, p2, q[3*m])
	// Read the spike times as their bit patterns directly: an integer load
	// instead of a float load plus a register move on every search step.
	u := bitsView(a)
	q0, q1, q2, q3 := q[:m], q[m:2*m], q[2*m:3*m], q[3*m:4*m]
	d0, d1, d2, d3 := dst[:m], dst[m:2*m], dst[2*m:3*m], dst[3*m:4*m]
	na := len(a)
	for j := 0; j < m; j++ {
		x0, x1, x2, x3 := q0[j], q1[j], q2[j], q3[j]
		if p0+rankBlock <= na && p1+rankBlock <= na && p2+rankBlock <= na && p3+rankBlock <= na {
			b0 := (*[rankBlock]uint64)(u[p0 : p0+rankBlock])
			b1 := (*[rankBlock]uint64)(u[p1 : p1+rankBlock])
			b2 := (*[rankBlock]uint64)(u[p2 : p2+rankBlock])
			b3 := (*[rankBlock]uint64)(u[p3 : p3+rankBlock])
			k0, k1, k2, k3 := math.Float64bits(x0), math.Float64bits(x1), math.Float64bits(x2), math.Float64bits(x3)
			{
				// Interleaved branch-free binary search (steps 32, 16, 8,
				// 4, 2, 1): j = the number of block elements < x, capped at
				// 63. Only j == 63 can mean that the answer lies beyond
				// the block; that rare case is settled afterwards, so the
				// block's last cache line is not touched up front.
				j0 := lt(b0[31], k0) << 5
				j1 := lt(b1[31], k1) << 5
				j2 := lt(b2[31], k2) << 5
				j3 := lt(b3[31], k3) << 5
				j0 += lt(b0[(j0+15)&63], k0) << 4
				j1 += lt(b1[(j1+15)&63], k1) << 4
				j2 += lt(b2[(j2+15)&63], k2) << 4
				j3 += lt(b3[(j3+15)&63], k3) << 4
				j0 += lt(b0[(j0+7)&63], k0) << 3
				j1 += lt(b1[(j1+7)&63], k1) << 3
				j2 += lt(b2[(j2+7)&63], k2) << 3
				j3 += lt(b3[(j3+7)&63], k3) << 3
				j0 += lt(b0[(j0+3)&63], k0) << 2
				j1 += lt(b1[(j1+3)&63], k1) << 2
				j2 += lt(b2[(j2+3)&63], k2) << 2
				j3 += lt(b3[(j3+3)&63], k3) << 2
				j0 += lt(b0[(j0+1)&63], k0) << 1
				j1 += lt(b1[(j1+1)&63], k1) << 1
				j2 += lt(b2[(j2+1)&63], k2) << 1
				j3 += lt(b3[(j3+1)&63], k3) << 1
				j0 += lt(b0[j0&63], k0)
				j1 += lt(b1[j1&63], k1)
				j2 += lt(b2[j2&63], k2)
				j3 += lt(b3[j3&63], k3)
				if j0 == 63 || j1 == 63 || j2 == 63 || j3 == 63 {
					p0, p1, p2, p3 = past63(a, p0, j0, x0), past63(a, p1, j1, x1), past63(a, p2, j2, x2), past63(a, p3, j3, x3)
				} else {
					p0, p1, p2, p3 = p0+j0, p1+j1, p2+j2, p3+j3
				}
				d0[j], d1[j], d2[j], d3[j] = p0, p1, p2, p3
				continue
			}
		}
		p0 = rankFrom(a, p0, x0)
		p1 = rankFrom(a, p1, x1)
		p2 = rankFrom(a, p2, x2)
		p3 = rankFrom(a, p3, x3)
		d0[j], d1[j], d2[j], d3[j] = p0, p1, p2, p3
	}
	for k := 4 * m; k < n; k++ {
		p3 = rankFrom(a, p3, q[k])
		dst[k] = p3
	}
}
