package parquet_test

import (
	"bytes"
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
