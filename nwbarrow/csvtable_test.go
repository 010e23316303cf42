package nwbarrow_test

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"

	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet"
)

// TestTypedColumnsParquetRoundTrip writes nullable typed columns to
// Parquet and reads them back with pqarrow: types, nulls and values must
// survive (the expected values are the inputs).
func TestTypedColumnsParquetRoundTrip(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	t0 := time.Date(2020, 8, 19, 15, 36, 48, 920000000, time.UTC)
	rec, err := nwbarrow.FromTypedColumns(mem, map[string]string{"allen.table": "ecephys_sessions"},
		nwbarrow.TypedCol{Name: "id", Values: []int64{1043752325, 1044385384, 0}, Valid: []bool{true, true, false}},
		nwbarrow.TypedCol{Name: "x", Values: []float64{17, math.NaN(), 0}, Valid: []bool{true, true, false}},
		nwbarrow.TypedCol{Name: "ok", Values: []bool{true, false, true}},
		nwbarrow.TypedCol{Name: "s", Values: []string{"G", "", "H"}, Valid: []bool{true, false, true}},
		nwbarrow.TypedCol{Name: "date", Values: []time.Time{t0, {}, t0.Add(time.Hour)}, Valid: []bool{true, false, true}},
		nwbarrow.TypedCol{Name: "areas", Values: [][]string{{"APN", "CA1"}, {}, nil}, Valid: []bool{true, true, false}},
		nwbarrow.TypedCol{Name: "ids", Values: [][]int64{{1, 2}, nil, {3}}},
		nwbarrow.TypedCol{Name: "fs", Values: [][]float64{{0.5}, {}, {1.5, 2}}},
	)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Release()
	var buf bytes.Buffer
	rr, _ := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err := nwbarrow.Write(&buf, nwbarrow.Parquet, mem, rr); err != nil {
		t.Fatal(err)
	}
	rr.Release()
	pf, err := file.NewParquetReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	ar, err := pqarrow.NewFileReader(pf, pqarrow.ArrowReadProperties{}, mem)
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := ar.ReadTable(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer tbl.Release()
	wantTypes := []arrow.DataType{arrow.PrimitiveTypes.Int64, arrow.PrimitiveTypes.Float64, arrow.FixedWidthTypes.Boolean,
		arrow.BinaryTypes.String, nwbarrow.TimestampUTC, arrow.ListOf(arrow.BinaryTypes.String),
		arrow.ListOf(arrow.PrimitiveTypes.Int64), arrow.ListOf(arrow.PrimitiveTypes.Float64)}
	for i, f := range tbl.Schema().Fields() {
		if !arrow.TypeEqual(f.Type, wantTypes[i]) {
			t.Errorf("%s: type %s, want %s", f.Name, f.Type, wantTypes[i])
		}
	}
	col := func(i int) arrow.Array { return tbl.Column(i).Data().Chunk(0) }
	ids := col(0).(*array.Int64)
	if ids.Value(0) != 1043752325 || ids.Value(1) != 1044385384 || !ids.IsNull(2) {
		t.Errorf("ids %v", ids)
	}
	x := col(1).(*array.Float64)
	if x.Value(0) != 17 || !math.IsNaN(x.Value(1)) || x.IsNull(1) || !x.IsNull(2) {
		t.Errorf("floats %v (NaN must stay a value, not a null)", x)
	}
	d := col(4).(*array.Timestamp)
	if d.Value(0) != arrow.Timestamp(t0.UnixMicro()) || !d.IsNull(1) {
		t.Errorf("timestamps %v", d)
	}
	l := col(5).(*array.List)
	if l.IsNull(0) || l.IsNull(1) || !l.IsNull(2) {
		t.Errorf("list nulls %v", l)
	}
	if s := l.ListValues().(*array.String); s.Len() != 2 || s.Value(0) != "APN" || s.Value(1) != "CA1" {
		t.Errorf("list values %v", s)
	}
	if pf.MetaData().KeyValueMetadata().FindValue("allen.table") == nil && tbl.Schema().Metadata().FindKey("allen.table") < 0 {
		t.Error("schema metadata lost")
	}
}

func TestTypedColumnsErrors(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.DefaultAllocator)
	defer mem.AssertSize(t, 0)
	if _, err := nwbarrow.FromTypedColumns(mem, nil, nwbarrow.TypedCol{Name: "a", Values: []int64{1}}, nwbarrow.TypedCol{Name: "b", Values: []int64{1, 2}}); err == nil {
		t.Error("unequal lengths accepted")
	}
	if _, err := nwbarrow.FromTypedColumns(mem, nil, nwbarrow.TypedCol{Name: "a", Values: []int64{1}, Valid: []bool{true, false}}); err == nil {
		t.Error("validity length mismatch accepted")
	}
	if _, err := nwbarrow.FromTypedColumns(mem, nil, nwbarrow.TypedCol{Name: "a", Values: []uint8{1}}); err == nil {
		t.Error("unsupported type accepted")
	}
}
