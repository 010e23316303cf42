package nwbarrow

import (
	"fmt"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/nwb"
)

// elemArrowType maps an NWB element type to an Arrow type.
func elemArrowType(e nwb.ElemType, fields []nwb.Field) (arrow.DataType, error) {
	switch e {
	case nwb.ElemFloat32:
		return arrow.PrimitiveTypes.Float32, nil
	case nwb.ElemFloat64:
		return arrow.PrimitiveTypes.Float64, nil
	case nwb.ElemInt8:
		return arrow.PrimitiveTypes.Int8, nil
	case nwb.ElemInt16:
		return arrow.PrimitiveTypes.Int16, nil
	case nwb.ElemInt32:
		return arrow.PrimitiveTypes.Int32, nil
	case nwb.ElemInt64:
		return arrow.PrimitiveTypes.Int64, nil
	case nwb.ElemUint8:
		return arrow.PrimitiveTypes.Uint8, nil
	case nwb.ElemUint16:
		return arrow.PrimitiveTypes.Uint16, nil
	case nwb.ElemUint32:
		return arrow.PrimitiveTypes.Uint32, nil
	case nwb.ElemUint64:
		return arrow.PrimitiveTypes.Uint64, nil
	case nwb.ElemBool:
		return arrow.FixedWidthTypes.Boolean, nil
	case nwb.ElemString, nwb.ElemRef:
		return arrow.BinaryTypes.String, nil
	case nwb.ElemStruct:
		fs := make([]arrow.Field, len(fields))
		for i, f := range fields {
			dt, err := elemArrowType(f.Values.Elem, f.Values.Fields)
			if err != nil {
				return nil, err
			}
			fs[i] = arrow.Field{Name: f.Name, Type: dt, Nullable: false}
		}
		return arrow.StructOf(fs...), nil
	}
	return nil, fmt.Errorf("nwbarrow: element type %s has no Arrow mapping", e)
}

// valuesArray builds a flat Arrow array from Values.
func valuesArray(mem memory.Allocator, v *nwb.Values) (arrow.Array, error) {
	n := v.Len()
	switch v.Elem {
	case nwb.ElemFloat64:
		// Values read from the file are owned by this conversion: wrap
		// them (no copy) instead of copying into allocator memory.
		return wrapped(arrow.PrimitiveTypes.Float64, n, arrow.Float64Traits.CastToBytes(v.F64)), nil
	case nwb.ElemFloat32:
		return primitive(mem, arrow.PrimitiveTypes.Float32.(arrow.FixedWidthDataType), n, func(b []byte) {
			dst := arrow.Float32Traits.CastFromBytes(b)
			for i, x := range v.F64 {
				dst[i] = float32(x)
			}
		}), nil
	case nwb.ElemInt64:
		return wrapped(arrow.PrimitiveTypes.Int64, n, arrow.Int64Traits.CastToBytes(v.I64)), nil
	case nwb.ElemInt32:
		return primitive(mem, arrow.PrimitiveTypes.Int32.(arrow.FixedWidthDataType), n, func(b []byte) {
			dst := arrow.Int32Traits.CastFromBytes(b)
			for i, x := range v.I64 {
				dst[i] = int32(x)
			}
		}), nil
	case nwb.ElemInt16:
		return primitive(mem, arrow.PrimitiveTypes.Int16.(arrow.FixedWidthDataType), n, func(b []byte) {
			dst := arrow.Int16Traits.CastFromBytes(b)
			for i, x := range v.I64 {
				dst[i] = int16(x)
			}
		}), nil
	case nwb.ElemInt8:
		return primitive(mem, arrow.PrimitiveTypes.Int8.(arrow.FixedWidthDataType), n, func(b []byte) {
			dst := arrow.Int8Traits.CastFromBytes(b)
			for i, x := range v.I64 {
				dst[i] = int8(x)
			}
		}), nil
	case nwb.ElemUint64:
		return primitive(mem, arrow.PrimitiveTypes.Uint64.(arrow.FixedWidthDataType), n, func(b []byte) {
			copy(arrow.Uint64Traits.CastFromBytes(b), v.U64)
		}), nil
	case nwb.ElemUint32:
		return primitive(mem, arrow.PrimitiveTypes.Uint32.(arrow.FixedWidthDataType), n, func(b []byte) {
			dst := arrow.Uint32Traits.CastFromBytes(b)
			for i, x := range v.I64 {
				dst[i] = uint32(x)
			}
		}), nil
	case nwb.ElemUint16:
		return primitive(mem, arrow.PrimitiveTypes.Uint16.(arrow.FixedWidthDataType), n, func(b []byte) {
			dst := arrow.Uint16Traits.CastFromBytes(b)
			for i, x := range v.I64 {
				dst[i] = uint16(x)
			}
		}), nil
	case nwb.ElemUint8:
		return primitive(mem, arrow.PrimitiveTypes.Uint8.(arrow.FixedWidthDataType), n, func(b []byte) {
			dst := arrow.Uint8Traits.CastFromBytes(b)
			for i, x := range v.I64 {
				dst[i] = uint8(x)
			}
		}), nil
	case nwb.ElemBool:
		bb := array.NewBooleanBuilder(mem)
		defer bb.Release()
		bb.AppendValues(v.Bool, nil)
		return bb.NewArray(), nil
	case nwb.ElemString, nwb.ElemRef:
		return stringArray(mem, v.Str)
	case nwb.ElemStruct:
		dt, err := elemArrowType(v.Elem, v.Fields)
		if err != nil {
			return nil, err
		}
		children := make([]arrow.ArrayData, len(v.Fields))
		arrs := make([]arrow.Array, len(v.Fields))
		defer func() {
			for _, a := range arrs {
				if a != nil {
					a.Release()
				}
			}
		}()
		for i := range v.Fields {
			a, err := valuesArray(mem, &v.Fields[i].Values)
			if err != nil {
				return nil, err
			}
			if a.Len() != n {
				return nil, fmt.Errorf("nwbarrow: compound member %q has %d values, want %d", v.Fields[i].Name, a.Len(), n)
			}
			arrs[i] = a
			children[i] = a.Data()
		}
		data := array.NewData(dt, n, []*memory.Buffer{nil}, children, 0, 0)
		defer data.Release()
		return array.MakeFromData(data), nil
	}
	return nil, fmt.Errorf("nwbarrow: element type %s has no Arrow mapping", v.Elem)
}

// wrapped makes an array over Go memory (garbage collected, not counted by
// the allocator).
func wrapped(dt arrow.DataType, n int, b []byte) arrow.Array {
	buf := memory.NewBufferBytes(b)
	data := array.NewData(dt, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	defer data.Release()
	return array.MakeFromData(data)
}

func primitive(mem memory.Allocator, dt arrow.FixedWidthDataType, n int, fill func([]byte)) arrow.Array {
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(n * dt.BitWidth() / 8)
	fill(buf.Bytes())
	data := array.NewData(dt, n, []*memory.Buffer{nil, buf}, nil, 0, 0)
	buf.Release()
	defer data.Release()
	return array.MakeFromData(data)
}

func stringArray(mem memory.Allocator, ss []string) (arrow.Array, error) {
	total := 0
	for _, s := range ss {
		total += len(s)
	}
	if total > math.MaxInt32 {
		// utf8 offsets are int32: the caller must use smaller batches.
		return nil, fmt.Errorf("nwbarrow: %d bytes of text in one batch exceed utf8's int32 offsets; lower WithBatchRows", total)
	}
	sb := array.NewStringBuilder(mem)
	defer sb.Release()
	sb.Reserve(len(ss))
	sb.ReserveData(total)
	for _, s := range ss {
		sb.Append(s)
	}
	return sb.NewArray(), nil
}

// int32Offsets copies 0-based int64 offsets into an Arrow offsets buffer.
func int32Offsets(mem memory.Allocator, off []int64) (*memory.Buffer, error) {
	if len(off) > 0 && off[len(off)-1] > math.MaxInt32 {
		return nil, fmt.Errorf("nwbarrow: list of %d elements exceeds int32 offsets; use smaller batches", off[len(off)-1])
	}
	buf := memory.NewResizableBuffer(mem)
	buf.Resize(len(off) * 4)
	dst := arrow.Int32Traits.CastFromBytes(buf.Bytes())
	for i, o := range off {
		dst[i] = int32(o)
	}
	return buf, nil
}

// columnArray builds the Arrow array of a column read into memory: values,
// wrapped in fixed_size_list for each element axis, then list for each
// index level (innermost first).
func columnArray(mem memory.Allocator, cv *nwb.ColumnValues) (arrow.Array, error) {
	arr, err := valuesArray(mem, &cv.Values)
	if err != nil {
		return nil, fmt.Errorf("nwbarrow: column %q: %w", cv.Name, err)
	}
	for i := len(cv.ElemShape) - 1; i >= 0; i-- {
		k := cv.ElemShape[i]
		if k <= 0 || k > math.MaxInt32 || arr.Len()%k != 0 {
			arr.Release()
			return nil, fmt.Errorf("nwbarrow: column %q: %d values do not split into %d-wide elements", cv.Name, arr.Len(), k)
		}
		dt := arrow.FixedSizeListOfNonNullable(int32(k), arr.DataType())
		data := array.NewData(dt, arr.Len()/k, []*memory.Buffer{nil}, []arrow.ArrayData{arr.Data()}, 0, 0)
		arr.Release()
		arr = array.MakeFromData(data)
		data.Release()
	}
	for lvl := len(cv.Offsets) - 1; lvl >= 0; lvl-- {
		off := cv.Offsets[lvl]
		if len(off) == 0 || off[len(off)-1] != int64(arr.Len()) {
			n := arr.Len()
			arr.Release()
			return nil, fmt.Errorf("nwbarrow: column %q: index level %d ends at %v, values hold %d", cv.Name, lvl, lastOr(off), n)
		}
		buf, err := int32Offsets(mem, off)
		if err != nil {
			arr.Release()
			return nil, fmt.Errorf("nwbarrow: column %q: %w", cv.Name, err)
		}
		dt := arrow.ListOfNonNullable(arr.DataType())
		data := array.NewData(dt, len(off)-1, []*memory.Buffer{nil, buf}, []arrow.ArrayData{arr.Data()}, 0, 0)
		buf.Release()
		arr.Release()
		arr = array.MakeFromData(data)
		data.Release()
	}
	return arr, nil
}

func lastOr(off []int64) any {
	if len(off) == 0 {
		return "nothing"
	}
	return off[len(off)-1]
}

// columnType is the Arrow type columnArray produces for a column handle,
// known before reading (for the schema).
func columnType(c *nwb.Column, fields []nwb.Field) (arrow.DataType, error) {
	dt, err := elemArrowType(c.Elem, fields)
	if err != nil {
		return nil, fmt.Errorf("nwbarrow: column %q: %w", c.Name, err)
	}
	for i := len(c.ElemShape) - 1; i >= 0; i-- {
		k := c.ElemShape[i]
		if k <= 0 || k > math.MaxInt32 {
			return nil, fmt.Errorf("nwbarrow: column %q: element axis %d has length %d: %w", c.Name, i+1, k, nwb.ErrFormat)
		}
		dt = arrow.FixedSizeListOfNonNullable(int32(k), dt)
	}
	for i := 0; i < c.Depth; i++ {
		dt = arrow.ListOfNonNullable(dt)
	}
	return dt, nil
}
