package parquet_test

import (
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/internal/cputime"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
	"github.com/neurodata/neurodata/nwbarrow/parquet"
)

// BenchmarkP3UnitsToFileFresh exports the units table of the bench/p3.sh
// session ($ND_P3_FILE) to a new path each iteration (the previous output
// is removed outside the timer). nwbarrow's BenchmarkP3UnitsTo*File
// overwrite one path, and on ext4 replacing an existing file by rename
// forces writeback of the new file's dirty pages (auto_da_alloc), which
// dominates those timings; a first export, the usual case, does not pay it.
func BenchmarkP3UnitsToFileFresh(b *testing.B) {
	p := os.Getenv("ND_P3_FILE")
	if p == "" {
		b.Skip("set ND_P3_FILE (bench/p3.sh generates the file)")
	}
	mem := memory.NewGoAllocator()
	for _, fm := range []nwbarrow.Format{nwbarrow.IPC, nwbarrow.Parquet} {
		b.Run(string(fm), func(b *testing.B) {
			dir := b.TempDir()
			i := 0
			var excluded time.Duration // CPU time spent outside the timer
			start := cputime.Now()
			defer func() { reportCPU(b, start+excluded) }()
			for b.Loop() {
				b.StopTimer()
				c0 := cputime.Now()
				os.Remove(filepath.Join(dir, "units"+strconv.Itoa(i-1)+fm.Ext()))
				out := filepath.Join(dir, "units"+strconv.Itoa(i)+fm.Ext())
				i++
				excluded += cputime.Now() - c0
				b.StartTimer()
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
				if err := nwbarrow.WriteFile(out, fm, mem, rr); err != nil {
					b.Fatal(err)
				}
				rr.Release()
				f.Close()
			}
		})
	}
}

// p3Record reads the units table of $ND_P3_FILE into one record batch.
func p3Record(b *testing.B, mem memory.Allocator) arrow.RecordBatch {
	p := os.Getenv("ND_P3_FILE")
	if p == "" {
		b.Skip("set ND_P3_FILE (bench/p3.sh generates the file)")
	}
	f, err := nwb.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
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
	return rec
}

// BenchmarkP3Encoder encodes the bench/p3.sh units table (read once,
// outside the timer) into io.Discard with the direct column writer and
// with pqarrow.FileWriter (default settings otherwise).
func BenchmarkP3Encoder(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := p3Record(b, mem)
	defer rec.Release()
	for _, direct := range []bool{true, false} {
		name := map[bool]string{true: "direct", false: "pqarrow"}[direct]
		b.Run(name, func(b *testing.B) {
			old := parquet.SetDirect(direct)
			defer parquet.SetDirect(old)
			encodeDiscard(b, mem, rec)
		})
	}
}

// BenchmarkP3RowGroupValues encodes the bench/p3.sh units table into
// io.Discard with several row-group caps (leaf values per row group; 0 =
// the default, RowGroupValues; 1<<30 = one row group for the table). The
// table is read once, outside the timer: this is the Parquet encoder alone.
func BenchmarkP3RowGroupValues(b *testing.B) {
	mem := memory.NewGoAllocator()
	rec := p3Record(b, mem)
	defer rec.Release()
	for _, n := range []int{1 << 18, 1 << 20, 1 << 22, 1 << 30} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { encodeDiscard(b, mem, rec, nwbarrow.WithRowGroupValues(n)) })
	}
}

// encodeDiscard times encoding rec as Parquet into io.Discard.
func encodeDiscard(b *testing.B, mem memory.Allocator, rec arrow.RecordBatch, opts ...nwbarrow.Option) {
	defer reportCPU(b, cputime.Now())
	for b.Loop() {
		rr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		if err != nil {
			b.Fatal(err)
		}
		if err := nwbarrow.Write(io.Discard, nwbarrow.Parquet, mem, rr, opts...); err != nil {
			b.Fatal(err)
		}
		rr.Release()
	}
}

// reportCPU reports the CPU time per iteration since start (all threads:
// on a loaded machine, a fairer figure than wall time; with background
// reads and writes it exceeds wall time on an idle one).
func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cputime.Since(start))/float64(b.N)/1e6, "cpu-ms/op")
}
