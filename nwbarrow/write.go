package nwbarrow

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// Format is an output file format.
type Format string

const (
	Parquet Format = "parquet" // needs package nwbarrow/parquet imported
	IPC     Format = "arrow"   // Arrow IPC file (Feather v2), uncompressed
	CSV     Format = "csv"     // header row; lists and structs as JSON text
	JSONL   Format = "jsonl"   // one JSON object per row
)

// ParseFormat accepts parquet, arrow (also ipc, feather), csv, jsonl (also ndjson).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(s) {
	case "parquet", "pq":
		return Parquet, nil
	case "arrow", "ipc", "feather":
		return IPC, nil
	case "csv":
		return CSV, nil
	case "jsonl", "ndjson", "json":
		return JSONL, nil
	}
	return "", fmt.Errorf("nwbarrow: unknown format %q (want parquet, arrow, csv or jsonl)", s)
}

// Ext is the usual file extension of the format.
func (f Format) Ext() string {
	if f == IPC {
		return ".arrow"
	}
	return "." + string(f)
}

// FormatFromPath guesses the format from a file extension; ok is false when
// the extension is not recognised.
func FormatFromPath(path string) (Format, bool) {
	f, err := ParseFormat(strings.TrimPrefix(filepath.Ext(path), "."))
	return f, err == nil
}

// WriterFunc writes a record stream in one format.
type WriterFunc func(w io.Writer, mem memory.Allocator, rr array.RecordReader) error

var (
	regMu   sync.RWMutex
	writers = map[Format]WriterFunc{IPC: writeIPC, CSV: writeCSV, JSONL: writeJSONL}
)

// Register installs the writer of a format (package nwbarrow/parquet
// registers Parquet in its init, so that programs that only need IPC do not
// link the Parquet code).
func Register(f Format, fn WriterFunc) {
	regMu.Lock()
	defer regMu.Unlock()
	writers[f] = fn
}

// Write writes every batch of rr to w in format f. It does not release rr.
func Write(w io.Writer, f Format, mem memory.Allocator, rr array.RecordReader) error {
	regMu.RLock()
	fn := writers[f]
	regMu.RUnlock()
	if fn == nil {
		if f == Parquet {
			return fmt.Errorf("nwbarrow: Parquet writer not linked: import github.com/neurodata/neurodata/nwbarrow/parquet")
		}
		return fmt.Errorf("nwbarrow: no writer for format %q", f)
	}
	return fn(w, mem, rr)
}

// WriteFile writes rr to path atomically: into a temporary file in the same
// directory, renamed over path only when everything succeeded. It does not
// release rr.
func WriteFile(path string, f Format, mem memory.Allocator, rr array.RecordReader) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("nwbarrow: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<20)
	if err = Write(bw, f, mem, rr); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("nwbarrow: write %s: %w", path, err)
	}
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("nwbarrow: write %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("nwbarrow: write %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("nwbarrow: %w", err)
	}
	return nil
}

// WriteRecordFile is WriteFile for a single record batch.
func WriteRecordFile(path string, f Format, mem memory.Allocator, rec arrow.RecordBatch) error {
	rr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		return fmt.Errorf("nwbarrow: %w", err)
	}
	defer rr.Release()
	return WriteFile(path, f, mem, rr)
}

func writeIPC(w io.Writer, mem memory.Allocator, rr array.RecordReader) error {
	fw, err := ipc.NewFileWriter(w, ipc.WithSchema(rr.Schema()), ipc.WithAllocator(mem))
	if err != nil {
		return fmt.Errorf("nwbarrow: arrow writer: %w", err)
	}
	for rr.Next() {
		if err := fw.Write(rr.RecordBatch()); err != nil {
			fw.Close()
			return fmt.Errorf("nwbarrow: arrow writer: %w", err)
		}
	}
	if err := rr.Err(); err != nil {
		fw.Close()
		return err
	}
	if err := fw.Close(); err != nil {
		return fmt.Errorf("nwbarrow: arrow writer: %w", err)
	}
	return nil
}

func writeCSV(w io.Writer, mem memory.Allocator, rr array.RecordReader) error {
	cw := csv.NewWriter(w)
	sch := rr.Schema()
	head := make([]string, sch.NumFields())
	for i, f := range sch.Fields() {
		head[i] = f.Name
	}
	if err := cw.Write(head); err != nil {
		return fmt.Errorf("nwbarrow: csv: %w", err)
	}
	row := make([]string, len(head))
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			for c := range row {
				row[c] = cellText(rec.Column(c), r)
			}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("nwbarrow: csv: %w", err)
			}
		}
	}
	if err := rr.Err(); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("nwbarrow: csv: %w", err)
	}
	return nil
}

func writeJSONL(w io.Writer, mem memory.Allocator, rr array.RecordReader) error {
	sch := rr.Schema()
	var sb []byte
	for rr.Next() {
		rec := rr.RecordBatch()
		for r := 0; r < int(rec.NumRows()); r++ {
			sb = append(sb[:0], '{')
			for c, f := range sch.Fields() {
				if c > 0 {
					sb = append(sb, ',')
				}
				sb = strconv.AppendQuote(sb, f.Name)
				sb = append(sb, ':')
				sb = appendJSON(sb, rec.Column(c), r)
			}
			sb = append(sb, '}', '\n')
			if _, err := w.Write(sb); err != nil {
				return fmt.Errorf("nwbarrow: jsonl: %w", err)
			}
		}
	}
	return rr.Err()
}

// cellText renders one cell for CSV: numbers in shortest round-trip form,
// text as is, nested values as JSON.
func cellText(a arrow.Array, i int) string {
	if a.IsNull(i) {
		return ""
	}
	switch x := a.(type) {
	case *array.String:
		return x.Value(i)
	case *array.Float64:
		return fmtFloat(x.Value(i), 64)
	case *array.Float32:
		return fmtFloat(float64(x.Value(i)), 32)
	}
	return string(appendJSON(nil, a, i))
}

func fmtFloat(v float64, bits int) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(v, 'g', -1, bits)
}

// appendJSON appends cell i of a as JSON. NaN and infinities (not JSON) are
// written as null.
func appendJSON(b []byte, a arrow.Array, i int) []byte {
	if a.IsNull(i) {
		return append(b, "null"...)
	}
	switch x := a.(type) {
	case *array.Float64:
		return appendJSONFloat(b, x.Value(i), 64)
	case *array.Float32:
		return appendJSONFloat(b, float64(x.Value(i)), 32)
	case *array.Int8:
		return strconv.AppendInt(b, int64(x.Value(i)), 10)
	case *array.Int16:
		return strconv.AppendInt(b, int64(x.Value(i)), 10)
	case *array.Int32:
		return strconv.AppendInt(b, int64(x.Value(i)), 10)
	case *array.Int64:
		return strconv.AppendInt(b, x.Value(i), 10)
	case *array.Uint8:
		return strconv.AppendUint(b, uint64(x.Value(i)), 10)
	case *array.Uint16:
		return strconv.AppendUint(b, uint64(x.Value(i)), 10)
	case *array.Uint32:
		return strconv.AppendUint(b, uint64(x.Value(i)), 10)
	case *array.Uint64:
		return strconv.AppendUint(b, x.Value(i), 10)
	case *array.Boolean:
		return strconv.AppendBool(b, x.Value(i))
	case *array.String:
		q, _ := json.Marshal(x.Value(i))
		return append(b, q...)
	case *array.List:
		lo, hi := x.ValueOffsets(i)
		return appendJSONRange(b, x.ListValues(), int(lo), int(hi))
	case *array.LargeList:
		lo, hi := x.ValueOffsets(i)
		return appendJSONRange(b, x.ListValues(), int(lo), int(hi))
	case *array.FixedSizeList:
		n := int(x.DataType().(*arrow.FixedSizeListType).Len())
		off := x.Data().Offset()
		return appendJSONRange(b, x.ListValues(), (off+i)*n, (off+i+1)*n)
	case *array.Struct:
		st := x.DataType().(*arrow.StructType)
		b = append(b, '{')
		for k := 0; k < x.NumField(); k++ {
			if k > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendQuote(b, st.Field(k).Name)
			b = append(b, ':')
			b = appendJSON(b, x.Field(k), i)
		}
		return append(b, '}')
	}
	q, _ := json.Marshal(a.GetOneForMarshal(i))
	return append(b, q...)
}

func appendJSONFloat(b []byte, v float64, bits int) []byte {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return append(b, "null"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, bits)
}

func appendJSONRange(b []byte, child arrow.Array, lo, hi int) []byte {
	b = append(b, '[')
	for j := lo; j < hi; j++ {
		if j > lo {
			b = append(b, ',')
		}
		b = appendJSON(b, child, j)
	}
	return append(b, ']')
}

// sortedKeys is used for deterministic metadata.
func sortedKeys(m map[string]string) []string {
	k := make([]string, 0, len(m))
	for s := range m {
		k = append(k, s)
	}
	sort.Strings(k)
	return k
}

// WriteColumnsFile builds one record batch from cols (see FromColumns) and
// writes it to path in format f, atomically. It is the whole Arrow round
// trip for callers that only hold plain Go slices (analysis results), so
// they need not import Arrow themselves.
func WriteColumnsFile(path string, f Format, meta map[string]string, cols ...Col) error {
	mem := memory.DefaultAllocator
	rec, err := FromColumns(mem, meta, cols...)
	if err != nil {
		return err
	}
	defer rec.Release()
	return WriteRecordFile(path, f, mem, rec)
}

// WriteTypedColumnsFile is WriteColumnsFile for typed, nullable columns (see
// FromTypedColumns).
func WriteTypedColumnsFile(path string, f Format, meta map[string]string, cols ...TypedCol) error {
	mem := memory.DefaultAllocator
	rec, err := FromTypedColumns(mem, meta, cols...)
	if err != nil {
		return err
	}
	defer rec.Release()
	return WriteRecordFile(path, f, mem, rec)
}
