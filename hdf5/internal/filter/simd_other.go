//go:build !amd64 || purego

package filter

func adlerBlocksAVX2(p []byte, acc *[12]uint64) { panic("filter: no SIMD adler-32") }

func interleave4SSE2(dst, a, b, c, d []byte) { panic("filter: no SIMD interleave") }
