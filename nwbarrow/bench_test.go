package nwbarrow_test

import (
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
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

// benchUnits times opening the P3 session, streaming its units table as
// Arrow record batches and handing the stream to sink, once per iteration.
func benchUnits(b *testing.B, sink func(memory.Allocator, array.RecordReader) error) {
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
		if err := sink(mem, rr); err != nil {
			b.Fatal(err)
		}
		rr.Release()
		f.Close()
	}
}

// BenchmarkP3UnitsArrow: open, read the units table into one Arrow record
// batch (every column), release.
func BenchmarkP3UnitsArrow(b *testing.B) {
	benchUnits(b, func(mem memory.Allocator, rr array.RecordReader) error {
		rec, err := nwbarrow.ReadAll(mem, rr)
		if err == nil {
			rec.Release()
		}
		return err
	})
}

// benchFile exports the units table to a file in format.
func benchFile(b *testing.B, format nwbarrow.Format) {
	out := filepath.Join(b.TempDir(), "units"+format.Ext())
	benchUnits(b, func(mem memory.Allocator, rr array.RecordReader) error {
		return nwbarrow.WriteFile(out, format, mem, rr)
	})
}

func BenchmarkP3UnitsToIPCFile(b *testing.B)     { benchFile(b, nwbarrow.IPC) }
func BenchmarkP3UnitsToParquetFile(b *testing.B) { benchFile(b, nwbarrow.Parquet) }

// benchDiscard encodes the units table in format into io.Discard: the CPU
// cost of export without the disk (file timings on shared machines are
// dominated by page-cache writeback).
func benchDiscard(b *testing.B, format nwbarrow.Format) {
	benchUnits(b, func(mem memory.Allocator, rr array.RecordReader) error {
		return nwbarrow.Write(io.Discard, format, mem, rr)
	})
}

func BenchmarkP3UnitsEncodeIPC(b *testing.B)     { benchDiscard(b, nwbarrow.IPC) }
func BenchmarkP3UnitsEncodeParquet(b *testing.B) { benchDiscard(b, nwbarrow.Parquet) }

// reportCPU reports the CPU time per iteration since start (all threads:
// on a loaded machine, a fairer figure than wall time; with background
// reads and writes it exceeds wall time on an idle one).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cputime.Since(start))/float64(b.N)/1e6, "cpu-ms/op")
}
