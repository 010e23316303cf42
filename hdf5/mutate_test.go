package hdf5

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestMutateHang applies random byte mutations to the fuzz seeds and
// requires each input to finish within 10 s (generous: the machine may be
// loaded) without an internal error (a recovered panic). HDF5_MUTATIONS
// sets the number of inputs, HDF5_MUTATION_SEED the random seed.
func TestMutateHang(t *testing.T) {
	iters := 3000
	if testing.Short() {
		iters = 300
	}
	if v, err := strconv.Atoi(os.Getenv("HDF5_MUTATIONS")); err == nil {
		iters = v
	}
	var seeds [][]byte
	for _, g := range fuzzSeeds {
		ms, _ := filepath.Glob(g)
		for _, m := range ms {
			b, _ := os.ReadFile(m)
			if len(b) > 0 && len(b) <= 256<<10 {
				seeds = append(seeds, b)
			}
		}
	}
	if len(seeds) == 0 {
		t.Skip("no seed files")
	}
	rng := uint64(12345)
	if v, err := strconv.ParseUint(os.Getenv("HDF5_MUTATION_SEED"), 10, 64); err == nil && v != 0 {
		rng = v
	}
	next := func() uint64 { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng }
	for it := 0; it < iters; it++ {
		c := bytes.Clone(seeds[next()%uint64(len(seeds))])
		for k := 0; k < 1+int(next()%4); k++ {
			p := next() % uint64(len(c))
			switch next() % 3 {
			case 0:
				c[p] ^= byte(1 << (next() % 8))
			case 1:
				c[p] = byte(next())
			case 2:
				c[p] = 0xff
			}
		}
		done := make(chan bool)
		go func() {
			r, err := NewReader(bytes.NewReader(c), int64(len(c)), WithMaxAlloc(64<<20), WithWorkers(2))
			if err == nil {
				if e := exercise(r); e != nil {
					p := filepath.Join(os.TempDir(), fmt.Sprintf("hdf5-internal-%d.h5", it))
					os.WriteFile(p, c, 0o644)
					t.Errorf("%v (input saved as %s)", e, p)
				}
			}
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			p := filepath.Join(os.TempDir(), fmt.Sprintf("hdf5-slow-%d.h5", it))
			os.WriteFile(p, c, 0o644)
			t.Fatalf("input %d still running after 10 s (saved as %s)", it, p)
		}
	}
}
