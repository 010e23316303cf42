package hdf5

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fuzzSeeds are small files added to the fuzz corpus at run time: the
// repository's testdata plus a few files of the shared corpus covering
// v0/v2/v3 superblocks, dense groups/attributes and chunk indexes.
var fuzzSeeds = []string{
	"../testdata/hdf5/*.h5",
	"../../shared/corpus/hdf5/h5wasm/*.h5",
	"../../shared/corpus/hdf5/jhdf/test_chunked_dataset_layout_*.hdf5",
	"../../shared/corpus/hdf5/hdfgroup-h5dump/tattr2.h5",
	"../../shared/corpus/hdf5/hdfgroup-h5dump/tvlstr.h5",
	"../../shared/corpus/hdf5/hdfgroup-h5dump/tcompound.h5",
	"../../shared/corpus/hdf5/aqnwb/*.h5",
	"../../shared/corpus/hdf5/pyfive/*.hdf5",
	"../../shared/corpus/hdf5/hdfgroup-h5dump/vds/*vds*.h5",
	"../../shared/corpus/hdf5/hdfgroup-h5dump/trefer_*.h5",
}

// exercise walks every object, reads every attribute and a small slice of
// every dataset; any error is fine, a panic or hang is not.
func exercise(f *File) (internal error) {
	note := func(err error) {
		if err != nil && internal == nil && strings.Contains(err.Error(), "internal error") {
			internal = err
		}
	}
	n := 0
	f.Walk(func(p string, obj Object, link *Link, err error) error {
		n++
		if n > 2000 || obj == nil {
			return nil
		}
		as, err := obj.Attrs()
		note(err)
		for _, a := range as {
			_, err := a.Value()
			note(err)
		}
		ds, ok := obj.(*Dataset)
		if !ok {
			return nil
		}
		ds.Type().NumpyDtype()
		shape := ds.Shape()
		if ds.IsNull() {
			return nil
		}
		sel := &Hyperslab{Start: make([]uint64, len(shape)), Count: make([]uint64, len(shape))}
		for i, d := range shape {
			sel.Count[i] = min(d, 4)
		}
		_, err = ds.ReadValues(sel)
		note(err)
		return nil
	})
	return internal
}

// FuzzOpen opens arbitrary bytes and exercises everything reachable. Run
// it with a short minimisation budget, e.g.
//
//	go test -run XXX -fuzz FuzzOpen -fuzztime 10m -fuzzminimizetime 5s ./hdf5
func FuzzOpen(f *testing.F) {
	added := 0
	for _, g := range fuzzSeeds {
		ms, _ := filepath.Glob(g)
		for _, m := range ms {
			b, err := os.ReadFile(m)
			if err != nil || len(b) > 64<<10 {
				continue
			}
			f.Add(b)
			added++
		}
	}
	if added == 0 {
		f.Add([]byte("\x89HDF\r\n\x1a\n"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), int64(len(data)), WithMaxAlloc(64<<20), WithWorkers(2))
		if err != nil {
			return
		}
		if err := exercise(r); err != nil {
			t.Fatal(err)
		}
	})
}

// TestTruncatedAndFlipped opens truncations and bit flips of seed files:
// every outcome must be an error or success, never a panic.
func TestTruncatedAndFlipped(t *testing.T) {
	var seeds []string
	for _, g := range fuzzSeeds[:4] {
		ms, _ := filepath.Glob(g)
		seeds = append(seeds, ms...)
	}
	if len(seeds) == 0 {
		t.Skip("no seed files")
	}
	if len(seeds) > 6 {
		seeds = seeds[:6]
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, cut := range []int{0, 7, 100, 512, len(b) / 3, len(b) / 2, len(b) - 1} {
			if cut < 0 || cut > len(b) {
				continue
			}
			if f, err := NewReader(bytes.NewReader(b[:cut]), int64(cut)); err == nil {
				exercise(f)
			}
		}
		step := len(b)/97 + 1
		for pos := 0; pos < len(b); pos += step {
			c := bytes.Clone(b)
			c[pos] ^= 0x5a
			if f, err := NewReader(bytes.NewReader(c), int64(len(c)), WithMaxAlloc(64<<20)); err == nil {
				exercise(f)
			}
		}
	}
}
