//go:build amd64 && !purego

package filter

import "golang.org/x/sys/cpu"

// adlerBlocksAVX2 sums len(p)/32 whole 32-byte blocks of p (len(p) at most
// adlerMaxRun) into acc: acc[0:4] the byte sums (A), acc[4:8] the running
// totals of A before each block (P), acc[8:12] eight 32-bit lanes of the
// in-block weighted sums Σ (32-j)·b_j (W). See adler32sum.
//
//go:noescape
func adlerBlocksAVX2(p []byte, acc *[12]uint64)

// interleave4SSE2 writes dst[4i+k] = plane k[i] for i < len(a)&^15, with
// a, b, c, d the planes 0..3; dst holds at least 4·(len(a)&^15) bytes and
// the other planes at least len(a)&^15 (checked by the caller).
//
//go:noescape
func interleave4SSE2(dst, a, b, c, d []byte)

func init() {
	haveAdlerSIMD = cpu.X86.HasAVX2
	haveInterleaveSIMD = true // SSE2 is part of amd64
}
