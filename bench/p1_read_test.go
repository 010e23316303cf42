// Package bench holds the peer-comparison benchmarks; see the *.sh drivers.
package bench

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/internal/cputime"
)

// P1 (../shared/bench/README.md): a 256 MiB float32 dataset (65536 x 1024)
// written by ../shared/bench/p1_make_h5.py twice, chunked 256 x 256 with
// shuffle + deflate 4 and contiguous. bench/p1.sh makes the files, runs
// h5py's p1_read.py and these benchmarks interleaved and prints ratios.
// ND_P1_DIR names the directory holding p1_chunked.h5 and p1_contig.h5.

func p1Dataset(b *testing.B, name string, opts ...hdf5.Option) *hdf5.Dataset {
	dir := os.Getenv("ND_P1_DIR")
	if dir == "" {
		b.Skip("ND_P1_DIR not set: run bench/p1.sh")
	}
	f, err := hdf5.Open(filepath.Join(dir, name), opts...)
	if err != nil {
		b.Skipf("P1 data missing (run bench/p1.sh): %v", err)
	}
	b.Cleanup(func() { f.Close() })
	ds, err := f.Dataset("/data")
	if err != nil {
		b.Fatal(err)
	}
	return ds
}

// benchRead times ds.ReadFloat32s(sel) the way p1_read.py times h5py: one
// untimed warm-up read (page cache, chunk index), then every read timed on
// its own. Besides the mean (ns/op) it reports the median wall time
// (med-s/op, what p1_read.py reports for h5py), the mean process CPU time
// (cpu-s/op, user+system of all goroutines: steadier than wall time on a
// shared machine; compare with bench/p1_cpu.py) and the median CPU time
// of one read (cpu-med-s/op).
func benchRead(b *testing.B, ds *hdf5.Dataset, sel *hdf5.Hyperslab) {
	n := int64(ds.Type().Size)
	if sel == nil {
		n *= int64(ds.NumElements())
	} else {
		n *= int64(sel.Count[0] * sel.Count[1])
	}
	read := func() {
		v, err := ds.ReadFloat32s(sel)
		if err != nil {
			b.Fatal(err)
		}
		if int64(len(v))*4 != n {
			b.Fatalf("read %d values, want %d", len(v), n/4)
		}
	}
	read() // warm-up, untimed
	b.SetBytes(n)
	var wall, cpu []float64
	cpuAll := 0.0
	b.ResetTimer()
	for b.Loop() {
		c0 := cpuSeconds()
		t0 := time.Now()
		read()
		wall = append(wall, time.Since(t0).Seconds())
		c := cpuSeconds() - c0
		cpu = append(cpu, c)
		cpuAll += c
	}
	b.ReportMetric(median(wall), "med-s/op")
	b.ReportMetric(cpuAll/float64(len(cpu)), "cpu-s/op")
	b.ReportMetric(median(cpu), "cpu-med-s/op")
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func cpuSeconds() float64 { return cputime.Now().Seconds() }

// BenchmarkP1Chunked reads the whole chunked dataset (h5py: ds[...]).
func BenchmarkP1Chunked(b *testing.B) { benchRead(b, p1Dataset(b, "p1_chunked.h5"), nil) }

// BenchmarkP1Chunked1Worker is the same read with one decode goroutine,
// to separate parallel speed-up from per-chunk cost.
func BenchmarkP1Chunked1Worker(b *testing.B) {
	benchRead(b, p1Dataset(b, "p1_chunked.h5", hdf5.WithWorkers(1)), nil)
}

// BenchmarkP1Contiguous reads the whole contiguous dataset.
func BenchmarkP1Contiguous(b *testing.B) { benchRead(b, p1Dataset(b, "p1_contig.h5"), nil) }

// BenchmarkP1Hyperslab reads rows 32256..33279, all columns, of the chunked
// dataset (h5py: ds[32256:33280, :], 16 chunks).
func BenchmarkP1Hyperslab(b *testing.B) {
	benchRead(b, p1Dataset(b, "p1_chunked.h5"), &hdf5.Hyperslab{Start: []uint64{32256, 0}, Count: []uint64{1024, 1024}})
}

// BenchmarkP1Hyperslab1Worker is the slab read with one decode goroutine:
// its CPU time is the per-slab decode cost without parallel overhead.
func BenchmarkP1Hyperslab1Worker(b *testing.B) {
	benchRead(b, p1Dataset(b, "p1_chunked.h5", hdf5.WithWorkers(1)), &hdf5.Hyperslab{Start: []uint64{32256, 0}, Count: []uint64{1024, 1024}})
}
