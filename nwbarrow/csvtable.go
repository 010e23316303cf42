package nwbarrow

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// TypedCol is one nullable column of a table read from text (the Allen
// metadata CSVs, see package allen): FromTypedColumns maps
//
//	[]int64 → int64, []float64 → float64, []bool → bool, []string → utf8,
//	[]time.Time → timestamp[us, UTC], [][]string → list<utf8>,
//	[][]int64 → list<int64>, [][]float64 → list<float64>.
//
// Valid marks non-null rows (nil: all valid); the value at a null row is
// ignored.
type TypedCol struct {
	Name        string
	Values      any
	Valid       []bool
	Description string
}

// TimestampUTC is the Arrow type of []time.Time columns.
var TimestampUTC = &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}

// FromTypedColumns builds one record batch from equal-length nullable
// columns. meta goes to the schema metadata. The caller releases the
// result.
func FromTypedColumns(mem memory.Allocator, meta map[string]string, cols ...TypedCol) (arrow.RecordBatch, error) {
	return recordOf(meta, len(cols), func(i int) (arrow.Field, arrow.Array, error) {
		c := cols[i]
		md := map[string]string{}
		if c.Description != "" {
			md["description"] = c.Description
		}
		a, err := typedArray(mem, c)
		return arrow.Field{Name: c.Name, Nullable: true, Metadata: metaOf(md)}, a, err
	})
}

func typedArray(mem memory.Allocator, c TypedCol) (arrow.Array, error) {
	valid := func(n int) ([]bool, error) {
		if c.Valid == nil {
			return nil, nil
		}
		if len(c.Valid) != n {
			return nil, fmt.Errorf("%d validity flags for %d values", len(c.Valid), n)
		}
		return c.Valid, nil
	}
	ok := func(v []bool, i int) bool { return v == nil || v[i] }
	switch x := c.Values.(type) {
	case []int64:
		v, err := valid(len(x))
		if err != nil {
			return nil, err
		}
		b := array.NewInt64Builder(mem)
		defer b.Release()
		b.AppendValues(x, v)
		return b.NewArray(), nil
	case []float64:
		v, err := valid(len(x))
		if err != nil {
			return nil, err
		}
		b := array.NewFloat64Builder(mem)
		defer b.Release()
		b.AppendValues(x, v)
		return b.NewArray(), nil
	case []bool:
		v, err := valid(len(x))
		if err != nil {
			return nil, err
		}
		b := array.NewBooleanBuilder(mem)
		defer b.Release()
		b.AppendValues(x, v)
		return b.NewArray(), nil
	case []string:
		v, err := valid(len(x))
		if err != nil {
			return nil, err
		}
		b := array.NewStringBuilder(mem)
		defer b.Release()
		b.AppendValues(x, v)
		return b.NewArray(), nil
	case []time.Time:
		v, err := valid(len(x))
		if err != nil {
			return nil, err
		}
		b := array.NewTimestampBuilder(mem, TimestampUTC)
		defer b.Release()
		b.Reserve(len(x))
		for i, t := range x {
			if ok(v, i) {
				b.Append(arrow.Timestamp(t.UnixMicro()))
			} else {
				b.AppendNull()
			}
		}
		return b.NewArray(), nil
	case [][]string:
		return listArray(mem, arrow.BinaryTypes.String, x, c.Valid, func(b array.Builder, e []string) {
			b.(*array.StringBuilder).AppendValues(e, nil)
		})
	case [][]int64:
		return listArray(mem, arrow.PrimitiveTypes.Int64, x, c.Valid, func(b array.Builder, e []int64) {
			b.(*array.Int64Builder).AppendValues(e, nil)
		})
	case [][]float64:
		return listArray(mem, arrow.PrimitiveTypes.Float64, x, c.Valid, func(b array.Builder, e []float64) {
			b.(*array.Float64Builder).AppendValues(e, nil)
		})
	}
	return nil, fmt.Errorf("unsupported values %T", c.Values)
}

func listArray[T any](mem memory.Allocator, elem arrow.DataType, x [][]T, valid []bool, add func(array.Builder, []T)) (arrow.Array, error) {
	if valid != nil && len(valid) != len(x) {
		return nil, fmt.Errorf("%d validity flags for %d values", len(valid), len(x))
	}
	b := array.NewListBuilder(mem, elem)
	defer b.Release()
	vb := b.ValueBuilder()
	for i, e := range x {
		if valid != nil && !valid[i] {
			b.AppendNull()
			continue
		}
		b.Append(true)
		add(vb, e)
	}
	return b.NewArray(), nil
}
