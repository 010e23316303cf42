package parquet_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/compress"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet"
)

// The per-column settings documented at Write are what the file's column
// chunk metadata says: Snappy except for floating-point leaves, and no
// statistics for leaves inside lists.
func TestColumnCodecsAndStats(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "rate", Type: arrow.PrimitiveTypes.Float64},
		{Name: "spike_times", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64)},
		{Name: "electrodes", Type: arrow.ListOf(arrow.PrimitiveTypes.Int64)},
		{Name: "location", Type: arrow.BinaryTypes.String},
		{Name: "wave", Type: arrow.FixedSizeListOf(2, arrow.PrimitiveTypes.Float32)},
	}, nil)
	b := array.NewRecordBuilder(mem, sch)
	defer b.Release()
	for i := range 3 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
		b.Field(1).(*array.Float64Builder).Append(float64(i) / 2)
		lb := b.Field(2).(*array.ListBuilder)
		lb.Append(true)
		lb.ValueBuilder().(*array.Float64Builder).AppendValues([]float64{0.1, 0.2 + float64(i)}, nil)
		eb := b.Field(3).(*array.ListBuilder)
		eb.Append(true)
		eb.ValueBuilder().(*array.Int64Builder).Append(int64(10 + i))
		b.Field(4).(*array.StringBuilder).Append("CA1")
		fb := b.Field(5).(*array.FixedSizeListBuilder)
		fb.Append(true)
		fb.ValueBuilder().(*array.Float32Builder).AppendValues([]float32{1, 2}, nil)
	}
	rec := b.NewRecordBatch()
	defer rec.Release()
	rr, err := array.NewRecordReader(sch, []arrow.RecordBatch{rec})
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	var buf bytes.Buffer
	if err := nwbarrow.Write(&buf, nwbarrow.Parquet, mem, rr); err != nil {
		t.Fatal(err)
	}
	pr, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	if n := pr.NumRows(); n != 3 {
		t.Fatalf("%d rows, want 3", n)
	}
	want := map[string]struct {
		codec compress.Compression
		stats bool
	}{
		"id":                       {compress.Codecs.Snappy, true},
		"rate":                     {compress.Codecs.Uncompressed, true},
		"spike_times.list.element": {compress.Codecs.Uncompressed, false},
		"electrodes.list.element":  {compress.Codecs.Snappy, false},
		"location":                 {compress.Codecs.Snappy, true},
		"wave.list.element":        {compress.Codecs.Uncompressed, false},
	}
	rg := pr.MetaData().RowGroup(0)
	if rg.NumColumns() != len(want) {
		t.Fatalf("%d leaf columns, want %d", rg.NumColumns(), len(want))
	}
	for i := 0; i < rg.NumColumns(); i++ {
		cc, err := rg.ColumnChunk(i)
		if err != nil {
			t.Fatal(err)
		}
		path := cc.PathInSchema().String()
		w, ok := want[path]
		if !ok {
			t.Errorf("unexpected column %q", path)
			continue
		}
		if cc.Compression() != w.codec {
			t.Errorf("%s: codec %v, want %v", path, cc.Compression(), w.codec)
		}
		if set, _ := cc.StatsSet(); set != w.stats {
			t.Errorf("%s: statistics set %v, want %v", path, set, w.stats)
		}
	}
}

// rowGroupRecord: 6 rows; row i has i+1 spike times (21 values), a 3-sample
// waveform and an id.
func rowGroupRecord(mem memory.Allocator) arrow.RecordBatch {
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "spike_times", Type: arrow.ListOf(arrow.PrimitiveTypes.Float64)},
		{Name: "wave", Type: arrow.FixedSizeListOf(3, arrow.PrimitiveTypes.Float32)},
	}, nil)
	b := array.NewRecordBuilder(mem, sch)
	defer b.Release()
	for i := range 6 {
		b.Field(0).(*array.Int64Builder).Append(int64(100 + i))
		lb := b.Field(1).(*array.ListBuilder)
		lb.Append(true)
		for k := 0; k <= i; k++ {
			lb.ValueBuilder().(*array.Float64Builder).Append(float64(i) + float64(k)/10)
		}
		fb := b.Field(2).(*array.FixedSizeListBuilder)
		fb.Append(true)
		fb.ValueBuilder().(*array.Float32Builder).AppendValues([]float32{float32(i), -float32(i), 0.5}, nil)
	}
	return b.NewRecordBatch()
}

// writeRead writes rec as Parquet with opts and reads it back through
// nwbarrow.ReadTypedColumnsFile, returning the columns and the row-group
// sizes (rows) from the file's metadata.
func writeRead(t *testing.T, mem memory.Allocator, rec arrow.RecordBatch, opts ...nwbarrow.Option) ([]nwbarrow.TypedCol, []int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "t.parquet")
	if err := nwbarrow.WriteRecordFile(path, nwbarrow.Parquet, mem, rec, opts...); err != nil {
		t.Fatal(err)
	}
	_, cols, err := nwbarrow.ReadTypedColumnsFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pr, err := file.NewParquetReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer pr.Close()
	var rows []int64
	for i := 0; i < pr.NumRowGroups(); i++ {
		rows = append(rows, pr.MetaData().RowGroup(i).NumRows())
	}
	return cols, rows
}

// TestRowGroupValues: row groups pack whole rows greedily up to the cap
// of leaf values (row i of rowGroupRecord holds 1 id + i+1 spike times + 3
// waveform samples = i+5 values: 5, 6, 7, 8, 9, 10), and every value reads
// back unchanged, including the fixed_size_list column that arrow-go
// misplaces when written from a slice.
func TestRowGroupValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := rowGroupRecord(mem)
	defer rec.Release()
	for _, c := range []struct {
		cap  int
		rows []int64
	}{
		{0, []int64{6}},                // default cap: one row group
		{13, []int64{2, 1, 1, 1, 1}},   // 5+6 | 7 | 8 | 9 | 10
		{8, []int64{1, 1, 1, 1, 1, 1}}, // 5 | 6 | 7 | 8 | 9 > 8 alone | 10 alone
		{1 << 30, []int64{6}},          // no split
		{21, []int64{3, 2, 1}},         // 5+6+7=18 | 8+9=17 | 10
	} {
		cols, rows := writeRead(t, mem, rec, nwbarrow.WithRowGroupValues(c.cap))
		if !slices.Equal(rows, c.rows) {
			t.Errorf("cap %d: row groups of %v rows, want %v", c.cap, rows, c.rows)
		}
		checkRowGroupRecord(t, cols, 0, 6)
	}
	// a slice of the record (fixed_size_list with a nonzero offset) in
	// one row group and in several
	sl := rec.NewSlice(2, 5)
	defer sl.Release()
	for _, capv := range []int{0, 8} {
		cols, _ := writeRead(t, mem, sl, nwbarrow.WithRowGroupValues(capv))
		checkRowGroupRecord(t, cols, 2, 5)
	}
}

// checkRowGroupRecord compares cols with rows [lo, hi) of rowGroupRecord,
// recomputed from its definition.
func checkRowGroupRecord(t *testing.T, cols []nwbarrow.TypedCol, lo, hi int) {
	t.Helper()
	ids := cols[0].Values.([]int64)
	st := cols[1].Values.([][]float64)
	wv := cols[2].Values.([][]float64)
	if len(ids) != hi-lo {
		t.Fatalf("%d rows, want %d", len(ids), hi-lo)
	}
	for r := range ids {
		i := lo + r
		var want []float64
		for k := 0; k <= i; k++ {
			want = append(want, float64(i)+float64(k)/10)
		}
		if ids[r] != int64(100+i) || !slices.Equal(st[r], want) || !slices.Equal(wv[r], []float64{float64(i), -float64(i), 0.5}) {
			t.Fatalf("row %d: id %d, spikes %v, wave %v", i, ids[r], st[r], wv[r])
		}
	}
}

// TestCompressionOption: WithCompression puts the named codec on every
// leaf column (floating-point ones included) and the values read back; an
// unknown codec is an error.
func TestCompressionOption(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := rowGroupRecord(mem)
	defer rec.Release()
	for name, want := range map[string]compress.Compression{
		"zstd": compress.Codecs.Zstd, "gzip": compress.Codecs.Gzip, "none": compress.Codecs.Uncompressed, "lz4": compress.Codecs.Lz4Raw,
	} {
		var buf bytes.Buffer
		rr, _ := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		if err := nwbarrow.Write(&buf, nwbarrow.Parquet, mem, rr, nwbarrow.WithCompression(name, 0)); err != nil {
			t.Fatal(err)
		}
		rr.Release()
		pr, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		rg := pr.MetaData().RowGroup(0)
		for i := 0; i < rg.NumColumns(); i++ {
			cc, _ := rg.ColumnChunk(i)
			if cc.Compression() != want {
				t.Errorf("%s: column %s has codec %v", name, cc.PathInSchema(), cc.Compression())
			}
		}
		pr.Close()
		cols, _ := writeRead(t, mem, rec, nwbarrow.WithCompression(name, 0))
		checkRowGroupRecord(t, cols, 0, 6)
	}
	rr, _ := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	defer rr.Release()
	if err := nwbarrow.Write(io.Discard, nwbarrow.Parquet, mem, rr, nwbarrow.WithCompression("rar", 0)); err == nil || !strings.Contains(err.Error(), "rar") {
		t.Errorf("unknown codec: error %v", err)
	}
}
