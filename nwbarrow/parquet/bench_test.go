package parquet_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
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
			for b.Loop() {
				b.StopTimer()
				os.Remove(filepath.Join(dir, "units"+strconv.Itoa(i-1)+fm.Ext()))
				out := filepath.Join(dir, "units"+strconv.Itoa(i)+fm.Ext())
				i++
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
