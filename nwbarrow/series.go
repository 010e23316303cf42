package nwbarrow

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/nwb"
)

// ErrNoData reports a time series without numeric samples (data stored in
// an external file, empty, or text).
var ErrNoData = errors.New("nothing to export")

// Series returns a time series as record batches of WithBatchRows samples:
// "timestamp" (float64 seconds) and "data" in physical units (float64;
// fixed_size_list<float64> of Channels values for multi-channel data, in
// C order over the per-sample shape). Schema metadata carries unit,
// conversion, offset, rate and the per-sample shape.
func Series(mem memory.Allocator, s *nwb.TimeSeries, opts ...Option) (array.RecordReader, error) {
	cfg := newConfig(opts)
	ch := s.Channels()
	if len(s.Shape) == 0 || ch <= 0 || ch > math.MaxInt32 || !(s.Elem.IsFloat() || s.Elem.IsSigned() || s.Elem.IsUnsigned() || s.Elem == nwb.ElemBool) {
		return nil, fmt.Errorf("nwbarrow: %s: %w: no numeric data to export (shape %v, %s; external file %v)", s.Path, ErrNoData, s.Shape, s.Elem, s.ExternalFile)
	}
	var dataType arrow.DataType = arrow.PrimitiveTypes.Float64
	multi := len(s.Shape) > 1
	if multi {
		dataType = arrow.FixedSizeListOfNonNullable(int32(ch), arrow.PrimitiveTypes.Float64)
	}
	shape := ""
	for i, d := range s.Shape {
		if i > 0 {
			if i > 1 {
				shape += "x"
			}
			shape += strconv.FormatUint(d, 10)
		}
	}
	md := map[string]string{
		"nwb.path":           s.Path,
		"nwb.neurodata_type": s.Type.String(),
		"nwb.description":    s.Description,
		"unit":               s.Unit,
		"conversion":         strconv.FormatFloat(s.Conversion, 'g', -1, 64),
		"offset":             strconv.FormatFloat(s.Offset, 'g', -1, 64),
		"nwb.version":        s.File().Version,
	}
	if s.Rate > 0 {
		md["rate_hz"] = strconv.FormatFloat(s.Rate, 'g', -1, 64)
		md["starting_time_s"] = strconv.FormatFloat(s.StartingTime, 'g', -1, 64)
	}
	if shape != "" {
		md["sample_shape"] = shape
	}
	sm := metaOf(md)
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "timestamp", Type: arrow.PrimitiveTypes.Float64, Metadata: metaOf(map[string]string{"unit": "seconds"})},
		{Name: "data", Type: dataType, Metadata: metaOf(map[string]string{"unit": s.Unit})},
	}, &sm)
	n := s.Len()
	pos := 0
	first := true
	return newReader(schema, func() (arrow.RecordBatch, error) {
		if pos >= n && !(first && n == 0) {
			return nil, io.EOF
		}
		first = false
		lo, hi := pos, min(pos+cfg.batchRows, n)
		pos = hi
		if n == 0 {
			pos = 1
		}
		smp, err := s.ReadRows(lo, hi)
		if err != nil {
			return nil, fmt.Errorf("nwbarrow: %w", err)
		}
		t := valuesMust(mem, &nwb.Values{Elem: nwb.ElemFloat64, F64: smp.Times})
		d := valuesMust(mem, &nwb.Values{Elem: nwb.ElemFloat64, F64: smp.Data})
		if multi {
			data := array.NewData(dataType, hi-lo, []*memory.Buffer{nil}, []arrow.ArrayData{d.Data()}, 0, 0)
			d.Release()
			d = array.MakeFromData(data)
			data.Release()
		}
		rec := array.NewRecordBatch(schema, []arrow.Array{t, d}, int64(hi-lo))
		t.Release()
		d.Release()
		return rec, nil
	}), nil
}

// Spikes returns spike trains in long format: one row per spike with
// "unit_id" (int64, the Units id) and "spike_time" (float64 seconds), unit
// by unit in table order. Batches hold whole units, about WithBatchRows
// spikes each (a unit larger than that is one batch).
func Spikes(mem memory.Allocator, u *nwb.Units, opts ...Option) (array.RecordReader, error) {
	cfg := newConfig(opts)
	ids, err := u.IDs()
	if err != nil {
		return nil, fmt.Errorf("nwbarrow: %w", err)
	}
	sm := metaOf(map[string]string{"nwb.path": u.Path, "nwb.neurodata_type": u.Type.String(), "nwb.version": u.File().Version})
	schema := arrow.NewSchema([]arrow.Field{
		{Name: "unit_id", Type: arrow.PrimitiveTypes.Int64},
		{Name: "spike_time", Type: arrow.PrimitiveTypes.Float64, Metadata: metaOf(map[string]string{"unit": "seconds"})},
	}, &sm)
	row := 0
	return newReader(schema, func() (arrow.RecordBatch, error) {
		if row >= len(ids) {
			return nil, io.EOF
		}
		// whole units, about batchRows spikes, one read
		lo, total := row, 0
		for row < len(ids) {
			c, err := u.SpikeCount(row)
			if err != nil {
				return nil, fmt.Errorf("nwbarrow: %w", err)
			}
			if row > lo && total+c > cfg.batchRows {
				break
			}
			total += c
			row++
		}
		st, off, err := u.SpikeTimesRows(lo, row)
		if err != nil {
			return nil, fmt.Errorf("nwbarrow: %w", err)
		}
		uid := make([]int64, len(st))
		for k := range off[:len(off)-1] {
			for j := off[k]; j < off[k+1]; j++ {
				uid[j] = ids[lo+k]
			}
		}
		a := valuesMust(mem, &nwb.Values{Elem: nwb.ElemInt64, I64: uid})
		b := valuesMust(mem, &nwb.Values{Elem: nwb.ElemFloat64, F64: st})
		rec := array.NewRecordBatch(schema, []arrow.Array{a, b}, int64(len(st)))
		a.Release()
		b.Release()
		return rec, nil
	}), nil
}

// Col is one named column for FromColumns. Values is one of []float64,
// []float32, []int64, []int, []int32, []string, []bool, [][]float64
// (list<float64>) or [][]int64 (list<int64>).
type Col struct {
	Name        string
	Values      any
	Unit        string
	Description string
}

// FromColumns builds one record batch from equal-length columns: the bridge
// for analysis results (e.g. `--out result.parquet`). meta goes to the
// schema metadata. The caller releases the result.
func FromColumns(mem memory.Allocator, meta map[string]string, cols ...Col) (arrow.RecordBatch, error) {
	return recordOf(meta, len(cols), func(i int) (arrow.Field, arrow.Array, error) {
		c := cols[i]
		md := map[string]string{}
		if c.Unit != "" {
			md["unit"] = c.Unit
		}
		if c.Description != "" {
			md["description"] = c.Description
		}
		a, err := anyArray(mem, c.Values)
		return arrow.Field{Name: c.Name, Metadata: metaOf(md)}, a, err
	})
}

// recordOf builds one record batch of k equal-length columns with schema
// metadata meta. col makes column i: its field (name, nullability,
// metadata; the type is taken from the array) and its array. The arrays are
// released on return, the batch holding its own references.
func recordOf(meta map[string]string, k int, col func(i int) (arrow.Field, arrow.Array, error)) (arrow.RecordBatch, error) {
	fields := make([]arrow.Field, k)
	arrs := make([]arrow.Array, 0, k)
	defer func() {
		for _, a := range arrs {
			a.Release()
		}
	}()
	n := -1
	for i := range k {
		f, a, err := col(i)
		if err != nil {
			return nil, fmt.Errorf("nwbarrow: column %q: %w", f.Name, err)
		}
		arrs = append(arrs, a)
		if n >= 0 && a.Len() != n {
			return nil, fmt.Errorf("nwbarrow: column %q has %d rows, previous columns %d", f.Name, a.Len(), n)
		}
		n = a.Len()
		f.Type = a.DataType()
		fields[i] = f
	}
	if n < 0 {
		n = 0
	}
	sm := metaOf(meta)
	return array.NewRecordBatch(arrow.NewSchema(fields, &sm), arrs, int64(n)), nil
}

func anyArray(mem memory.Allocator, v any) (arrow.Array, error) {
	switch x := v.(type) {
	case []float64:
		return valuesArray(mem, &nwb.Values{Elem: nwb.ElemFloat64, F64: x})
	case []float32:
		f := make([]float64, len(x))
		for i, y := range x {
			f[i] = float64(y)
		}
		return valuesArray(mem, &nwb.Values{Elem: nwb.ElemFloat32, F64: f})
	case []int64:
		return valuesArray(mem, &nwb.Values{Elem: nwb.ElemInt64, I64: x})
	case []int:
		iv := make([]int64, len(x))
		for i, y := range x {
			iv[i] = int64(y)
		}
		return valuesArray(mem, &nwb.Values{Elem: nwb.ElemInt64, I64: iv})
	case []int32:
		iv := make([]int64, len(x))
		for i, y := range x {
			iv[i] = int64(y)
		}
		return valuesArray(mem, &nwb.Values{Elem: nwb.ElemInt32, I64: iv})
	case []string:
		return valuesArray(mem, &nwb.Values{Elem: nwb.ElemString, Str: x})
	case []bool:
		return valuesArray(mem, &nwb.Values{Elem: nwb.ElemBool, Bool: x})
	case [][]float64:
		var flat []float64
		off := []int64{0}
		for _, r := range x {
			flat = append(flat, r...)
			off = append(off, int64(len(flat)))
		}
		return columnArray(mem, &nwb.ColumnValues{Column: &nwb.Column{Name: "list"}, Offsets: [][]int64{off}, Values: nwb.Values{Elem: nwb.ElemFloat64, F64: flat}})
	case [][]int64:
		var flat []int64
		off := []int64{0}
		for _, r := range x {
			flat = append(flat, r...)
			off = append(off, int64(len(flat)))
		}
		return columnArray(mem, &nwb.ColumnValues{Column: &nwb.Column{Name: "list"}, Offsets: [][]int64{off}, Values: nwb.Values{Elem: nwb.ElemInt64, I64: flat}})
	}
	return nil, fmt.Errorf("unsupported column type %T", v)
}
