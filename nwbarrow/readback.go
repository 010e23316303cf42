package nwbarrow

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ReaderFunc reads a whole file of one format as an Arrow table (the
// caller releases it).
type ReaderFunc func(r io.ReaderAt, size int64, mem memory.Allocator) (arrow.Table, error)

var readers = map[Format]ReaderFunc{IPC: readIPC}
var readMu sync.RWMutex

// RegisterReader installs the reader of a format (package nwbarrow/parquet
// registers Parquet).
func RegisterReader(f Format, fn ReaderFunc) {
	readMu.Lock()
	defer readMu.Unlock()
	readers[f] = fn
}

// ReadTypedColumnsFile reads a Parquet or Arrow IPC file (for instance one
// written by `neurodata export` or WriteTypedColumnsFile) back into plain
// Go columns, the inverse of WriteTypedColumnsFile: it returns the schema
// metadata and one TypedCol per column, Valid set when the column has
// nulls. It is meant for checks and small tables: everything is read into
// memory. Column types map to Values as
//
//	int8…int64, uint8…uint32        []int64
//	float32, float64                []float64 (float32 widened)
//	bool                            []bool
//	utf8, large_utf8                []string
//	timestamp (any unit and zone)   []time.Time in UTC
//	list, large_list or fixed_size_list of the above
//	                                [][]int64, [][]float64, [][]bool, [][]string
//
// Other types (uint64, nested lists, structs) are an error naming the
// column; null elements inside a list read as zero values. Read only files
// you trust (your own exports): arrow-go's IPC and Parquet decoders
// allocate the sizes a file declares, so a crafted file can exhaust memory
// (a fuzz run found a 345 GB schema allocation in arrow-go v18.8's IPC
// reader, a fatal error no recover catches). Other decoder panics are
// returned as errors.
func ReadTypedColumnsFile(path string) (map[string]string, []TypedCol, error) {
	f, ok := FormatFromPath(path)
	if !ok {
		return nil, nil, fmt.Errorf("nwbarrow: %s: unknown file extension (want .parquet or .arrow)", path)
	}
	readMu.RLock()
	fn := readers[f]
	readMu.RUnlock()
	if fn == nil {
		if f == Parquet {
			return nil, nil, fmt.Errorf("nwbarrow: Parquet reader not linked: import github.com/neurodata/neurodata/nwbarrow/parquet")
		}
		return nil, nil, fmt.Errorf("nwbarrow: no reader for format %q", f)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("nwbarrow: %w", err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("nwbarrow: %w", err)
	}
	tbl, err := readTable(fn, fh, st.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("nwbarrow: read %s: %w", path, err)
	}
	defer tbl.Release()
	meta := map[string]string{}
	md := tbl.Schema().Metadata()
	for i, k := range md.Keys() {
		meta[k] = md.Values()[i]
	}
	cols := make([]TypedCol, tbl.NumCols())
	for i := range cols {
		fld := tbl.Schema().Field(i)
		c, err := typedColumn(fld, tbl.Column(i).Data().Chunks())
		if err != nil {
			return nil, nil, fmt.Errorf("nwbarrow: read %s: column %q: %w", path, fld.Name, err)
		}
		cols[i] = c
	}
	return meta, cols, nil
}

// readTable runs a reader, turning a panic of the Arrow/Parquet decoders
// on malformed bytes into an error.
func readTable(fn ReaderFunc, r io.ReaderAt, size int64) (tbl arrow.Table, err error) {
	defer func() {
		if p := recover(); p != nil {
			tbl, err = nil, fmt.Errorf("malformed file: %v", p)
		}
	}()
	return fn(r, size, memory.NewGoAllocator())
}

func readIPC(r io.ReaderAt, size int64, mem memory.Allocator) (arrow.Table, error) {
	fr, err := ipc.NewFileReader(io.NewSectionReader(r, 0, size), ipc.WithAllocator(mem))
	if err != nil {
		return nil, err
	}
	defer fr.Close()
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for i := 0; i < fr.NumRecords(); i++ {
		rec, err := fr.RecordBatch(i)
		if err != nil {
			return nil, err
		}
		rec.Retain()
		recs = append(recs, rec)
	}
	return array.NewTableFromRecords(fr.Schema(), recs), nil
}

// typedColumn converts the chunks of one column (see ReadTypedColumnsFile).
func typedColumn(fld arrow.Field, chunks []arrow.Array) (TypedCol, error) {
	c := TypedCol{Name: fld.Name}
	if d, ok := fld.Metadata.GetValue("description"); ok {
		c.Description = d
	}
	n, nulls := 0, 0
	for _, a := range chunks {
		n += a.Len()
		nulls += a.NullN()
	}
	valid := make([]bool, 0, n)
	var err error
	switch dt := fld.Type.(type) {
	case *arrow.ListType, *arrow.LargeListType, *arrow.FixedSizeListType:
		elem := dt.(arrow.ListLikeType).Elem()
		switch {
		case isInt(elem):
			c.Values, err = gatherLists(chunks, &valid, scalarInt)
		case isFloat(elem):
			c.Values, err = gatherLists(chunks, &valid, scalarFloat)
		case elem.ID() == arrow.BOOL:
			c.Values, err = gatherLists(chunks, &valid, scalarBool)
		case elem.ID() == arrow.STRING || elem.ID() == arrow.LARGE_STRING:
			c.Values, err = gatherLists(chunks, &valid, scalarString)
		default:
			err = fmt.Errorf("type %s has no Go mapping", fld.Type)
		}
	default:
		switch {
		case isInt(dt):
			c.Values, err = gather(chunks, &valid, scalarInt)
		case isFloat(dt):
			c.Values, err = gather(chunks, &valid, scalarFloat)
		case dt.ID() == arrow.BOOL:
			c.Values, err = gather(chunks, &valid, scalarBool)
		case dt.ID() == arrow.STRING || dt.ID() == arrow.LARGE_STRING:
			c.Values, err = gather(chunks, &valid, scalarString)
		case dt.ID() == arrow.TIMESTAMP:
			c.Values, err = gather(chunks, &valid, scalarTime)
		default:
			err = fmt.Errorf("type %s has no Go mapping", fld.Type)
		}
	}
	if err != nil {
		return c, err
	}
	if nulls > 0 {
		c.Valid = valid
	}
	return c, nil
}

func isInt(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64, arrow.UINT8, arrow.UINT16, arrow.UINT32:
		return true
	}
	return false
}

func isFloat(t arrow.DataType) bool { return t.ID() == arrow.FLOAT32 || t.ID() == arrow.FLOAT64 }

// scalar* read element i of an array of a type the caller checked.
func scalarInt(a arrow.Array, i int) (int64, error) {
	switch x := a.(type) {
	case *array.Int8:
		return int64(x.Value(i)), nil
	case *array.Int16:
		return int64(x.Value(i)), nil
	case *array.Int32:
		return int64(x.Value(i)), nil
	case *array.Int64:
		return x.Value(i), nil
	case *array.Uint8:
		return int64(x.Value(i)), nil
	case *array.Uint16:
		return int64(x.Value(i)), nil
	case *array.Uint32:
		return int64(x.Value(i)), nil
	}
	return 0, fmt.Errorf("type %s is not an integer", a.DataType())
}

func scalarFloat(a arrow.Array, i int) (float64, error) {
	switch x := a.(type) {
	case *array.Float32:
		return float64(x.Value(i)), nil
	case *array.Float64:
		return x.Value(i), nil
	}
	return 0, fmt.Errorf("type %s is not floating-point", a.DataType())
}

func scalarBool(a arrow.Array, i int) (bool, error) {
	if x, ok := a.(*array.Boolean); ok {
		return x.Value(i), nil
	}
	return false, fmt.Errorf("type %s is not bool", a.DataType())
}

func scalarString(a arrow.Array, i int) (string, error) {
	switch x := a.(type) {
	case *array.String:
		return x.Value(i), nil
	case *array.LargeString:
		return x.Value(i), nil
	}
	return "", fmt.Errorf("type %s is not text", a.DataType())
}

func scalarTime(a arrow.Array, i int) (time.Time, error) {
	x, ok := a.(*array.Timestamp)
	if !ok {
		return time.Time{}, fmt.Errorf("type %s is not a timestamp", a.DataType())
	}
	toTime, err := x.DataType().(*arrow.TimestampType).GetToTimeFunc()
	if err != nil {
		return time.Time{}, err
	}
	return toTime(x.Value(i)).UTC(), nil
}

// gather reads every row of chunks with get; null rows hold the zero value.
func gather[T any](chunks []arrow.Array, valid *[]bool, get func(arrow.Array, int) (T, error)) ([]T, error) {
	var out []T
	for _, a := range chunks {
		for i := 0; i < a.Len(); i++ {
			var v T
			ok := a.IsValid(i)
			if ok {
				var err error
				if v, err = get(a, i); err != nil {
					return nil, err
				}
			}
			out = append(out, v)
			*valid = append(*valid, ok)
		}
	}
	return out, nil
}

// gatherLists reads every list of chunks (list, large_list or
// fixed_size_list arrays) with get on their elements; null lists are nil.
func gatherLists[T any](chunks []arrow.Array, valid *[]bool, get func(arrow.Array, int) (T, error)) ([][]T, error) {
	var out [][]T
	for _, a := range chunks {
		la, ok := a.(array.ListLike)
		if !ok {
			return nil, fmt.Errorf("type %s is not a list", a.DataType())
		}
		vals := la.ListValues()
		for i := 0; i < a.Len(); i++ {
			if !a.IsValid(i) {
				out = append(out, nil)
				*valid = append(*valid, false)
				continue
			}
			lo, hi := la.ValueOffsets(i)
			row := make([]T, 0, hi-lo)
			for j := lo; j < hi; j++ {
				v, err := get(vals, int(j))
				if err != nil {
					return nil, err
				}
				row = append(row, v)
			}
			out = append(out, row)
			*valid = append(*valid, true)
		}
	}
	return out, nil
}
