// Package parquet adds Parquet output to package nwbarrow. Importing it
// registers nwbarrow.Parquet; it is separate because the Parquet code
// roughly quintuples binary size and build time of programs that only
// need Arrow IPC.
//
// Defaults, chosen on the units table of bench/p3.sh (480 units, 10 M
// spike times in one list<float64> column; see Write for the numbers):
// Snappy for every column except floating-point ones (uncompressed), no
// dictionaries, PLAIN encoding, statistics only on columns outside lists,
// 1 MiB data pages, row groups of at most 16 Mi leaf values (1 Mi for
// tables written through pqarrow.FileWriter), Arrow schema stored. Files written with these defaults are read by arrow-go, arrow-rs
// (parquet-wasm), hyparquet, pyarrow, polars and DuckDB.
//
// Tables of flat, list<flat> and fixed_size_list<flat> columns (units,
// trials, electrodes…) are written column chunk by column chunk through
// arrow-go's file writer with repetition/definition levels computed from
// the list offsets (see direct.go); other tables go through
// pqarrow.FileWriter. Both give the same Parquet schema, stored Arrow
// schema, pages and statistics.
package parquet

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
	"github.com/neurodata/neurodata/nwbarrow"
)

func init() {
	nwbarrow.Register(nwbarrow.Parquet, Write)
	nwbarrow.RegisterReader(nwbarrow.Parquet, Read)
}

// Read reads a whole Parquet file as an Arrow table (types from the stored
// Arrow schema when present); the caller releases it. It backs
// nwbarrow.ReadTypedColumnsFile.
func Read(r io.ReaderAt, size int64, mem memory.Allocator) (arrow.Table, error) {
	pf, err := file.NewParquetReader(io.NewSectionReader(r, 0, size))
	if err != nil {
		return nil, fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	defer pf.Close()
	rd, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		return nil, fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	tbl, err := rd.ReadTable(context.Background())
	if err != nil {
		return nil, fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	defer tbl.Release()
	// ReadTable's schema lacks the file's key-value metadata; the reader's
	// schema has it.
	sch, err := rd.Schema()
	if err != nil {
		return nil, fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	cols := make([]arrow.Column, tbl.NumCols())
	for i := range cols {
		cols[i] = *arrow.NewColumn(sch.Field(i), tbl.Column(i).Data())
	}
	out := array.NewTable(sch, cols, tbl.NumRows())
	for i := range cols {
		cols[i].Release()
	}
	return out, nil
}

// DataPageSize is the target size of a Parquet data page in bytes
// (arrow-go's default). 64 KiB, 256 KiB and 4 MiB pages were measured on
// the bench/p3.sh units table and none was distinguishably faster.
const DataPageSize = 1 << 20

// RowGroupValues is the default cap on leaf values per row group for
// tables written through pqarrow.FileWriter (nwbarrow.WithRowGroupValues
// changes it). pqarrow builds the repetition and definition levels of a
// whole column chunk in buffers that grow by doubling and are zeroed when
// returned to its pool; one row group for the 10 M spike times of
// bench/p3.sh made that reallocation and zeroing about a third of the
// encode time. Chunks of 1 Mi values (8 MiB of float64) keep those
// buffers small and reused: encoding into io.Discard went from ~60 ms to
// ~45 ms. Readers handle row groups of this size well (pyarrow's own
// default is 1 Mi rows).
const RowGroupValues = 1 << 20

// DirectRowGroupValues is the default cap on leaf values per row group for
// tables the direct writer takes (see Write). It keeps no per-row-group
// level buffers, so the cost that remains per row group is arrow-go's:
// a writer per column chunk, whose page buffer grows from empty by
// doubling and is zeroed on release. On the bench/p3.sh units table
// (10.1 M leaf values; six interleaved rounds, load ~1.2) a Parquet file
// export took 119 ms of CPU and 95 ms wall with 1 Mi-value row groups,
// 91 ms / 70 ms with 4 Mi and 90 ms / 70 ms with 16 Mi (one row group).
// 16 Mi values is 128 MiB of float64, the row-group size Spark and
// parquet-mr default to; the writer streams pages to the file and never
// holds a row group in memory.
const DirectRowGroupValues = 1 << 24

// codecs maps WriteSettings.Compression names to arrow-go codecs.
var codecs = map[string]compress.Compression{
	"none": compress.Codecs.Uncompressed, "uncompressed": compress.Codecs.Uncompressed,
	"snappy": compress.Codecs.Snappy, "zstd": compress.Codecs.Zstd, "gzip": compress.Codecs.Gzip,
	"brotli": compress.Codecs.Brotli, "lz4": compress.Codecs.Lz4Raw, "lz4_raw": compress.Codecs.Lz4Raw,
}

// Codecs lists the accepted WriteSettings.Compression names.
func Codecs() []string {
	var out []string
	for k := range codecs {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Write writes every batch of rr as Parquet (Arrow schema and metadata
// stored so Arrow readers get the same types back), each batch cut into
// row groups of at most s.RowGroupValues leaf values at row boundaries.
// It does not release rr.
//
// Per leaf column, unless s.Compression names a codec for all of them:
//   - Snappy, except floating-point columns, which are stored
//     uncompressed: Snappy finds nothing to remove in float64 measurement
//     data (spike times of bench/p3_make_nwb.py: 80.37 MB uncompressed vs
//     80.35 MB Snappy) and cost ~40% of the encode time;
//   - no dictionary: on unique float64 values (spike times) a dictionary
//     is built and then abandoned, pure cost;
//   - no min/max statistics for leaves inside lists (spike times,
//     electrodes of a unit): readers cannot use them to skip rows of the
//     enclosing table and computing them over millions of values per page
//     was another ~15%. Scalar columns keep their statistics.
//
// Levels: nwbarrow's list columns are non-nullable lists of non-nullable
// elements, so a spike-time leaf has maximum definition level 1 (the
// least a list allows: an empty list must be told apart). With nullable
// elements (level 2, same number of levels) pqarrow's encoder took ~15%
// more CPU on the P3 table (44 → 51 ms, table in memory) and the direct
// writer the same time; the schema says what the data is, so it stays
// non-nullable. Tables the direct writer takes skip pqarrow's generic
// level builder (P3 encoder CPU with 1 Mi-value row groups: 48.9 → 45.7
// ms, median of 12 interleaved runs) and its per-row-group level buffers,
// which is what lets them use one large row group (DirectRowGroupValues:
// 29 ms against pqarrow's 42 ms in the same bench/p3.sh run). What remains
// is arrow-go's column writer: counting and RLE-encoding the 10 M
// repetition and 10 M definition levels (about half of the encode),
// copying values into pages, and zeroing pooled buffers.
// A null in a field declared non-nullable is an error (pqarrow writes the
// bytes under a null of a required flat column as if they were a value).
func Write(w io.Writer, mem memory.Allocator, rr array.RecordReader, s nwbarrow.WriteSettings) error {
	props, ps, err := writerProps(rr.Schema(), mem, s)
	if err != nil {
		return fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	target := s.RowGroupValues
	plan, direct := planDirect(rr.Schema(), ps)
	direct = direct && useDirect
	if target <= 0 {
		target = RowGroupValues
		if direct {
			target = DirectRowGroupValues
		}
	}
	if direct {
		if err := writeDirect(w, mem, rr, props, ps, plan, target); err != nil {
			return fmt.Errorf("nwbarrow/parquet: %w", err)
		}
		return nil
	}
	fw, err := pqarrow.NewFileWriter(rr.Schema(), w, props, arrowProps(mem))
	if err != nil {
		return fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	for rr.Next() {
		if err := writeRowGroups(fw, rr.RecordBatch(), target, mem); err != nil {
			fw.Close()
			return fmt.Errorf("nwbarrow/parquet: %w", err)
		}
	}
	if err := rr.Err(); err != nil {
		fw.Close()
		return err
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("nwbarrow/parquet: %w", err)
	}
	return nil
}

// writeRowGroups writes rec as row groups of at most target leaf values
// each (a single row above target makes a row group of its own).
func writeRowGroups(fw *pqarrow.FileWriter, rec arrow.RecordBatch, target int, mem memory.Allocator) error {
	n := int(rec.NumRows())
	if (n <= 1 || recLeaves(rec, 0, n) <= target) && !slicedFixedSize(rec) {
		return fw.Write(rec)
	}
	cols := make([]*arrow.Chunked, rec.NumCols())
	for i, c := range rec.Columns() {
		cols[i] = arrow.NewChunked(c.DataType(), []arrow.Array{c})
	}
	defer func() {
		for _, c := range cols {
			c.Release()
		}
	}()
	for lo := 0; lo < n; {
		// largest hi in (lo, n] with recLeaves(lo, hi) <= target, at least lo+1
		hi := lo + sort.Search(n-lo, func(k int) bool { return recLeaves(rec, lo, lo+k+1) > target })
		hi = max(hi, lo+1)
		if err := fw.NewRowGroupChecked(); err != nil {
			return err
		}
		for i, c := range cols {
			if err := writeColumnRange(fw, rec.Column(i), c, lo, hi, mem); err != nil {
				return err
			}
		}
		lo = hi
	}
	return nil
}

// writeColumnRange writes rows [lo, hi) of column a (c is a as a chunked
// column) into the current row group. arrow-go v18.8's Parquet writer
// ignores the slice offset of a fixed_size_list array (its range selector
// counts elements from the start of the child array), so a slice of such
// a column is first copied into an array of its own; other types are
// written from the slice.
func writeColumnRange(fw *pqarrow.FileWriter, a arrow.Array, c *arrow.Chunked, lo, hi int, mem memory.Allocator) error {
	if a.DataType().ID() != arrow.FIXED_SIZE_LIST || a.Data().Offset()+lo == 0 {
		return fw.WriteColumnChunked(c, int64(lo), int64(hi-lo))
	}
	sl := array.NewSlice(a, int64(lo), int64(hi))
	defer sl.Release()
	own, err := array.Concatenate([]arrow.Array{sl}, mem)
	if err != nil {
		return err
	}
	defer own.Release()
	return fw.WriteColumnData(own)
}

// slicedFixedSize reports whether a fixed_size_list column of rec is a
// slice (see writeColumnRange).
func slicedFixedSize(rec arrow.RecordBatch) bool {
	for _, c := range rec.Columns() {
		if c.DataType().ID() == arrow.FIXED_SIZE_LIST && c.Data().Offset() != 0 {
			return true
		}
	}
	return false
}

// recLeaves is the number of leaf values rows [lo, hi) of rec hold.
func recLeaves(rec arrow.RecordBatch, lo, hi int) int {
	t := 0
	for _, c := range rec.Columns() {
		t += leaves(c, lo, hi)
	}
	return t
}

// leaves counts the leaf values of rows [lo, hi) of a: list elements
// through every list level, fixed-size lists times their length; other
// types count one per row (an estimate for structs and maps, which only
// size row groups).
func leaves(a arrow.Array, lo, hi int) int {
	if hi <= lo {
		return 0
	}
	switch x := a.(type) {
	case *array.List:
		s, _ := x.ValueOffsets(lo)
		_, e := x.ValueOffsets(hi - 1)
		return leaves(x.ListValues(), int(s), int(e))
	case *array.LargeList:
		s, _ := x.ValueOffsets(lo)
		_, e := x.ValueOffsets(hi - 1)
		return leaves(x.ListValues(), int(s), int(e))
	case *array.FixedSizeList:
		k := int(x.DataType().(*arrow.FixedSizeListType).Len())
		off := x.Data().Offset()
		return leaves(x.ListValues(), (off+lo)*k, (off+hi)*k)
	}
	return hi - lo
}

func arrowProps(mem memory.Allocator) pqarrow.ArrowWriterProperties {
	return pqarrow.NewArrowWriterProperties(pqarrow.WithStoreSchema(), pqarrow.WithAllocator(mem))
}

// writerProps derives the per-column codec and statistics settings
// described at Write from the Parquet schema sc maps to.
func writerProps(sc *arrow.Schema, mem memory.Allocator, s nwbarrow.WriteSettings) (*parquet.WriterProperties, *schema.Schema, error) {
	codec, explicit := compress.Codecs.Snappy, false
	if s.Compression != "" {
		c, ok := codecs[strings.ToLower(s.Compression)]
		if !ok {
			return nil, nil, fmt.Errorf("unknown compression %q (want one of %s)", s.Compression, strings.Join(Codecs(), ", "))
		}
		codec, explicit = c, true
	}
	opts := []parquet.WriterProperty{
		parquet.WithCompression(codec),
		parquet.WithAllocator(mem),
		parquet.WithDictionaryDefault(false),
		parquet.WithDataPageSize(DataPageSize),
	}
	if s.CompressionLevel != 0 {
		opts = append(opts, parquet.WithCompressionLevel(s.CompressionLevel))
	}
	ps, err := pqarrow.ToParquet(sc, parquet.NewWriterProperties(opts...), arrowProps(mem))
	if err != nil {
		return nil, nil, err
	}
	for i := 0; i < ps.NumColumns(); i++ {
		c := ps.Column(i)
		switch c.PhysicalType() {
		case parquet.Types.Double, parquet.Types.Float:
			if !explicit {
				opts = append(opts, parquet.WithCompressionPath(c.ColumnPath(), compress.Codecs.Uncompressed))
			}
		}
		if c.MaxRepetitionLevel() > 0 {
			opts = append(opts, parquet.WithStatsPath(c.ColumnPath(), false))
		}
	}
	return parquet.NewWriterProperties(opts...), ps, nil
}
