package filter

import (
	"math/rand/v2"
	"testing"
)

// zfpTranspose64 against the definition, bit by bit.
func TestZfpTranspose64(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 20; trial++ {
		var a, b [64]uint64
		for i := range a {
			a[i] = rng.Uint64()
		}
		b = a
		zfpTranspose64(&b)
		for r := 0; r < 64; r++ {
			for c := 0; c < 64; c++ {
				if a[r]>>uint(c)&1 != b[c]>>uint(r)&1 {
					t.Fatalf("bit (%d,%d) not transposed", r, c)
				}
			}
		}
	}
}
