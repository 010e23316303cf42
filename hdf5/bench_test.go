package hdf5

import (
	"os"
	"path/filepath"
	"testing"
)

// The P1 benchmark files are made by ../shared/bench/p1_make_h5.py
// (65536 × 1024 float32, chunks 256 × 256, shuffle + deflate 4, and the
// same data contiguous). Point HDF5_P1_DIR at the directory holding
// chunked.h5 and contig.h5, or ND_P1_DIR at the one bench/p1.sh fills
// (p1_chunked.h5, p1_contig.h5); h5py's times come from
// ../shared/bench/p1_read.py. Each benchmark reads once before timing, as
// p1_read.py does (page cache, chunk index).
func p1File(b *testing.B, name string) *Dataset {
	dir := os.Getenv("HDF5_P1_DIR")
	if dir == "" {
		if dir = os.Getenv("ND_P1_DIR"); dir != "" {
			name = "p1_" + name
		}
	}
	if dir == "" {
		b.Skip("HDF5_P1_DIR / ND_P1_DIR not set (see ../shared/bench/p1_make_h5.py)")
	}
	f, err := Open(filepath.Join(dir, name))
	if err != nil {
		b.Skip(err)
	}
	b.Cleanup(func() { f.Close() })
	ds, err := f.Dataset("data")
	if err != nil {
		b.Fatal(err)
	}
	return ds
}

func BenchmarkP1FullChunked(b *testing.B) {
	ds := p1File(b, "chunked.h5")
	b.SetBytes(int64(ds.NumElements()) * 4)
	if _, err := ds.ReadFloat32s(nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ds.ReadFloat32s(nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkP1FullContig(b *testing.B) {
	ds := p1File(b, "contig.h5")
	b.SetBytes(int64(ds.NumElements()) * 4)
	if _, err := ds.ReadFloat32s(nil); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ds.ReadFloat32s(nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkP1SlabChunked reads ds[32256:33280, :] as p1_read.py slab does.
func BenchmarkP1SlabChunked(b *testing.B) {
	ds := p1File(b, "chunked.h5")
	sel := &Hyperslab{Start: []uint64{32256, 0}, Count: []uint64{1024, 1024}}
	b.SetBytes(1024 * 1024 * 4)
	if _, err := ds.ReadFloat32s(sel); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := ds.ReadFloat32s(sel); err != nil {
			b.Fatal(err)
		}
	}
}
