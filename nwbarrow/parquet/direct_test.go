package parquet_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/neurodata/neurodata/nwbarrow"
	"github.com/neurodata/neurodata/nwbarrow/parquet"
)

// directRecord builds a table with every field kind the direct writer
// handles: required and nullable flat columns of several physical
// conversions, list<float64> with empty rows, rows longer than one level
// chunk and rows spanning chunk boundaries, list<int16> and
// list<nullable float32> with null elements, and a fixed_size_list.
func directRecord(mem memory.Allocator, rows int) arrow.RecordBatch {
	md := arrow.NewMetadata([]string{"nwb.path", "nwb.neurodata_type"}, []string{"/units", "core.Units"})
	fmd := arrow.NewMetadata([]string{"unit"}, []string{"seconds"})
	sch := arrow.NewSchema([]arrow.Field{
		{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "rate", Type: arrow.PrimitiveTypes.Float64},
		{Name: "ch", Type: arrow.PrimitiveTypes.Uint32},
		{Name: "big", Type: arrow.PrimitiveTypes.Uint64},
		{Name: "small", Type: arrow.PrimitiveTypes.Int16},
		{Name: "good", Type: arrow.FixedWidthTypes.Boolean},
		{Name: "location", Type: arrow.BinaryTypes.String},
		{Name: "start", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
		{Name: "score", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
		{Name: "note", Type: arrow.BinaryTypes.String, Nullable: true},
		{Name: "spike_times", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Float64), Metadata: fmd},
		{Name: "electrodes", Type: arrow.ListOfNonNullable(arrow.PrimitiveTypes.Int16)},
		{Name: "amps", Type: arrow.ListOf(arrow.PrimitiveTypes.Float32)},
		{Name: "wave", Type: arrow.FixedSizeListOfNonNullable(3, arrow.PrimitiveTypes.Float32)},
	}, &md)
	b := array.NewRecordBuilder(mem, sch)
	defer b.Release()
	for i := range rows {
		b.Field(0).(*array.Int64Builder).Append(int64(1000 + i))
		b.Field(1).(*array.Float64Builder).Append(float64(i) / 7)
		b.Field(2).(*array.Uint32Builder).Append(uint32(4000000000 - i))
		b.Field(3).(*array.Uint64Builder).Append(uint64(1<<63) + uint64(i))
		b.Field(4).(*array.Int16Builder).Append(int16(-i))
		b.Field(5).(*array.BooleanBuilder).Append(i%3 == 0)
		b.Field(6).(*array.StringBuilder).Append([]string{"CA1", "", "VISp"}[i%3])
		b.Field(7).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000_000 + int64(i)))
		if i%4 == 1 {
			b.Field(8).AppendNull()
			b.Field(9).AppendNull()
		} else {
			b.Field(8).(*array.Float64Builder).Append(float64(i) * 1.5)
			b.Field(9).(*array.StringBuilder).Append(strings.Repeat("x", i%5))
		}
		// spike times: every 7th row empty, row 3 longer than a level
		// chunk (65536), others 0..3000 values
		n := (i * 997) % 3001
		switch {
		case i%7 == 0:
			n = 0
		case i == 3:
			n = 150000
		}
		lb := b.Field(10).(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.Float64Builder)
		for k := range n {
			vb.Append(float64(i) + float64(k)*1e-4)
		}
		eb := b.Field(11).(*array.ListBuilder)
		eb.Append(true)
		for k := range i % 4 {
			eb.ValueBuilder().(*array.Int16Builder).Append(int16(10*i + k))
		}
		ab := b.Field(12).(*array.ListBuilder)
		ab.Append(true)
		for k := range i % 5 {
			if (i+k)%3 == 0 {
				ab.ValueBuilder().AppendNull()
			} else {
				ab.ValueBuilder().(*array.Float32Builder).Append(float32(k) - 0.5)
			}
		}
		fb := b.Field(13).(*array.FixedSizeListBuilder)
		fb.Append(true)
		fb.ValueBuilder().(*array.Float32Builder).AppendValues([]float32{float32(i), -float32(i), 0.25}, nil)
	}
	return b.NewRecordBatch()
}

// writeBoth writes rec (as one stream) with the direct writer and with
// pqarrow.FileWriter.
func writeBoth(t *testing.T, mem memory.Allocator, rec arrow.RecordBatch, opts ...nwbarrow.Option) (direct, generic []byte) {
	t.Helper()
	for _, on := range []bool{true, false} {
		old := parquet.SetDirect(on)
		var buf bytes.Buffer
		rr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
		if err != nil {
			t.Fatal(err)
		}
		err = nwbarrow.Write(&buf, nwbarrow.Parquet, mem, rr, opts...)
		rr.Release()
		parquet.SetDirect(old)
		if err != nil {
			t.Fatalf("direct %v: %v", on, err)
		}
		if on {
			direct = buf.Bytes()
		} else {
			generic = buf.Bytes()
		}
	}
	return direct, generic
}

// TestDirectMatchesPqarrow: the direct writer's file has the Parquet
// schema, key-value metadata (stored Arrow schema byte for byte), row
// groups, column chunk codecs and statistics settings of
// pqarrow.FileWriter's, and both read back (arrow-go) to the values of the
// input record, for one and several row groups and for a slice.
func TestDirectMatchesPqarrow(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := directRecord(mem, 60)
	defer rec.Release()
	sl := rec.NewSlice(5, 41)
	defer sl.Release()
	for _, c := range []struct {
		name string
		rec  arrow.RecordBatch
		cap  int
	}{
		{"one row group", rec, 1 << 30},
		{"default cap", rec, 0},
		{"small row groups", rec, 20000},
		{"slice", sl, 30000},
	} {
		d, g := writeBoth(t, mem, c.rec, nwbarrow.WithRowGroupValues(c.cap))
		dr, err := file.NewParquetReader(bytes.NewReader(d))
		if err != nil {
			t.Fatalf("%s: direct file: %v", c.name, err)
		}
		gr, err := file.NewParquetReader(bytes.NewReader(g))
		if err != nil {
			t.Fatalf("%s: pqarrow file: %v", c.name, err)
		}
		dm, gm := dr.MetaData(), gr.MetaData()
		if !dm.Schema.Equals(gm.Schema) {
			t.Errorf("%s: Parquet schema\n%s\nwant\n%s", c.name, dm.Schema, gm.Schema)
		}
		for i := 0; i < gm.Schema.NumColumns(); i++ {
			dc, gc := dm.Schema.Column(i), gm.Schema.Column(i)
			if !dc.Equals(gc) || dc.MaxDefinitionLevel() != gc.MaxDefinitionLevel() || dc.MaxRepetitionLevel() != gc.MaxRepetitionLevel() ||
				!dc.LogicalType().Equals(gc.LogicalType()) {
				t.Errorf("%s: column %s differs: %v vs %v", c.name, gc.Path(), dc, gc)
			}
		}
		dkv, gkv := dm.KeyValueMetadata(), gm.KeyValueMetadata()
		if dkv.Len() != gkv.Len() {
			t.Errorf("%s: %d key-value entries, want %d", c.name, dkv.Len(), gkv.Len())
		} else {
			for i, k := range gkv.Keys() {
				if dkv.Keys()[i] != k || dkv.Values()[i] != gkv.Values()[i] {
					t.Errorf("%s: key-value %q differs", c.name, k)
				}
			}
		}
		if dr.NumRowGroups() != gr.NumRowGroups() || dr.NumRows() != c.rec.NumRows() {
			t.Errorf("%s: %d row groups / %d rows, want %d / %d", c.name, dr.NumRowGroups(), dr.NumRows(), gr.NumRowGroups(), c.rec.NumRows())
		} else {
			for g := 0; g < gr.NumRowGroups(); g++ {
				drg, grg := dm.RowGroup(g), gm.RowGroup(g)
				if drg.NumRows() != grg.NumRows() {
					t.Errorf("%s: row group %d has %d rows, want %d", c.name, g, drg.NumRows(), grg.NumRows())
				}
				for i := 0; i < grg.NumColumns(); i++ {
					dcc, _ := drg.ColumnChunk(i)
					gcc, _ := grg.ColumnChunk(i)
					ds, _ := dcc.StatsSet()
					gs, _ := gcc.StatsSet()
					if dcc.Compression() != gcc.Compression() || ds != gs || dcc.NumValues() != gcc.NumValues() {
						t.Errorf("%s: row group %d column %s: codec %v stats %v values %d, want %v %v %d", c.name, g, gcc.PathInSchema(),
							dcc.Compression(), ds, dcc.NumValues(), gcc.Compression(), gs, gcc.NumValues())
					}
				}
			}
		}
		dr.Close()
		gr.Close()
		for _, f := range [][]byte{d, g} {
			tbl, err := parquet.Read(bytes.NewReader(f), int64(len(f)), mem)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if tbl.NumRows() != c.rec.NumRows() {
				t.Fatalf("%s: read %d rows, want %d", c.name, tbl.NumRows(), c.rec.NumRows())
			}
			for i := 0; i < int(tbl.NumCols()); i++ {
				col, err := array.Concatenate(tbl.Column(i).Data().Chunks(), mem)
				if err != nil {
					t.Fatal(err)
				}
				got, _ := col.MarshalJSON()
				want, _ := c.rec.Column(i).MarshalJSON()
				if !bytes.Equal(got, want) {
					t.Errorf("%s: column %s reads back differently", c.name, tbl.Schema().Field(i).Name)
				}
				if f := tbl.Schema().Field(i); f.Nullable != c.rec.Schema().Field(i).Nullable {
					t.Errorf("%s: column %s nullable %v", c.name, f.Name, f.Nullable)
				}
				col.Release()
			}
			if v, _ := tbl.Schema().Metadata().GetValue("nwb.neurodata_type"); v != "core.Units" {
				t.Errorf("%s: schema metadata lost: %v", c.name, tbl.Schema().Metadata())
			}
			// readers get list<double> with non-nullable elements back
			st, _ := tbl.Schema().FieldsByName("spike_times")
			if lt, ok := st[0].Type.(*arrow.ListType); !ok || lt.Elem().ID() != arrow.FLOAT64 || lt.ElemField().Nullable || st[0].Nullable {
				t.Errorf("%s: spike_times read back as %v", c.name, st[0])
			}
			tbl.Release()
		}
	}
}

// TestDirectNullsInRequired: nulls in a column whose field says
// non-nullable are an error naming the column, not silently written.
func TestDirectNullsInRequired(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	for _, c := range []struct {
		name string
		dt   arrow.DataType
		fill func(array.Builder)
	}{
		{"flat", arrow.PrimitiveTypes.Float64, func(b array.Builder) {
			b.(*array.Float64Builder).Append(1)
			b.AppendNull()
		}},
		{"list", arrow.ListOfNonNullable(arrow.PrimitiveTypes.Float64), func(b array.Builder) {
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			lb.ValueBuilder().(*array.Float64Builder).Append(2)
			lb.AppendNull()
		}},
	} {
		sch := arrow.NewSchema([]arrow.Field{{Name: c.name, Type: c.dt}}, nil)
		b := array.NewRecordBuilder(mem, sch)
		c.fill(b.Field(0))
		rec := b.NewRecordBatch()
		b.Release()
		rr, _ := array.NewRecordReader(sch, []arrow.RecordBatch{rec})
		err := nwbarrow.Write(&bytes.Buffer{}, nwbarrow.Parquet, mem, rr)
		rr.Release()
		rec.Release()
		if err == nil || !strings.Contains(err.Error(), c.name) || !strings.Contains(err.Error(), "null") {
			t.Errorf("%s: error %v", c.name, err)
		}
	}
}

// TestDirectEmpty: a stream of one empty batch writes a file with one
// empty row group, as pqarrow does, that reads back with the schema.
func TestDirectEmpty(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	rec := directRecord(mem, 0)
	defer rec.Release()
	d, g := writeBoth(t, mem, rec)
	for _, f := range [][]byte{d, g} {
		pr, err := file.NewParquetReader(bytes.NewReader(f))
		if err != nil {
			t.Fatal(err)
		}
		if pr.NumRows() != 0 || pr.NumRowGroups() != 1 {
			t.Errorf("%d rows in %d row groups", pr.NumRows(), pr.NumRowGroups())
		}
		pr.Close()
		tbl, err := parquet.Read(bytes.NewReader(f), int64(len(f)), mem)
		if err != nil {
			t.Fatal(err)
		}
		if tbl.NumCols() != int64(rec.NumCols()) {
			t.Errorf("%d columns", tbl.NumCols())
		}
		tbl.Release()
	}
}
