package nwbarrow_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/internal/cputime"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet"
)

// P3 benchmarks: export the units table of the medium session written by
// bench/p3_make_nwb.py (path in $ND_P3_FILE; run bench/p3.sh). Compared
// against bench/p3_h5py.py (raw h5py reads of the same datasets).
func p3File(b *testing.B) string {
	p := os.Getenv("ND_P3_FILE")
	if p == "" {
		b.Skip("set ND_P3_FILE (bench/p3.sh generates the file)")
	}
	return p
}

// BenchmarkP3UnitsArrow: open, read the units table into one Arrow record
// batch (every column), release.
func BenchmarkP3UnitsArrow(b *testing.B) {
	p := p3File(b)
	mem := memory.NewGoAllocator()
	defer reportCPU(b, cputime.Now())
	for b.Loop() {
		f, err := nwb.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		u, err := f.Units()
		if err != nil {
			b.Fatal(err)
		}
		rr, err := nwbarrow.Table(mem, u.Table, nwbarrow.WithBatchRows(1<<20))
		if err != nil {
			b.Fatal(err)
		}
		rec, err := nwbarrow.ReadAll(mem, rr)
		if err != nil {
			b.Fatal(err)
		}
		rec.Release()
		f.Close()
	}
}

// benchFile exports the units table to a file in format.
func benchFile(b *testing.B, format nwbarrow.Format) {
	p := p3File(b)
	out := filepath.Join(b.TempDir(), "units"+format.Ext())
	mem := memory.NewGoAllocator()
	defer reportCPU(b, cputime.Now())
	for b.Loop() {
		f, err := nwb.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		u, err := f.Units()
		if err != nil {
			b.Fatal(err)
		}
		rr, err := nwbarrow.Table(mem, u.Table, nwbarrow.WithBatchRows(1<<20))
		if err != nil {
			b.Fatal(err)
		}
		if err := nwbarrow.WriteFile(out, format, mem, rr); err != nil {
			b.Fatal(err)
		}
		rr.Release()
		f.Close()
	}
}

func BenchmarkP3UnitsToIPCFile(b *testing.B)     { benchFile(b, nwbarrow.IPC) }
func BenchmarkP3UnitsToParquetFile(b *testing.B) { benchFile(b, nwbarrow.Parquet) }

// benchDiscard encodes the units table in format into io.Discard: the CPU
// cost of export without the disk (file timings on shared machines are
// dominated by page-cache writeback).
func benchDiscard(b *testing.B, format nwbarrow.Format) {
	p := p3File(b)
	mem := memory.NewGoAllocator()
	defer reportCPU(b, cputime.Now())
	for b.Loop() {
		f, err := nwb.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		u, err := f.Units()
		if err != nil {
			b.Fatal(err)
		}
		rr, err := nwbarrow.Table(mem, u.Table, nwbarrow.WithBatchRows(1<<20))
		if err != nil {
			b.Fatal(err)
		}
		if err := nwbarrow.Write(io.Discard, format, mem, rr); err != nil {
			b.Fatal(err)
		}
		rr.Release()
		f.Close()
	}
}

func BenchmarkP3UnitsEncodeIPC(b *testing.B)     { benchDiscard(b, nwbarrow.IPC) }
func BenchmarkP3UnitsEncodeParquet(b *testing.B) { benchDiscard(b, nwbarrow.Parquet) }

// reportCPU reports the CPU time per iteration since start (all threads:
// on a loaded machine, a fairer figure than wall time; with background
// reads and writes it exceeds wall time on an idle one).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cputime.Since(start))/float64(b.N)/1e6, "cpu-ms/op")
}
