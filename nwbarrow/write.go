package nwbarrow

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

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

// WriterFunc writes a record stream in one format with the writer
// settings gathered from the Options of Write/WriteFile.
type WriterFunc func(w io.Writer, mem memory.Allocator, rr array.RecordReader, s WriteSettings) error

// WriteSettings are the output settings a WriterFunc receives. Only the
// Parquet writer uses them today; the zero value means its documented
// defaults (see package nwbarrow/parquet).
type WriteSettings struct {
	// Compression is the Parquet codec for every column: "snappy",
	// "zstd", "gzip", "brotli", "lz4" (LZ4_RAW) or "none". "" keeps the
	// default: Snappy, except floating-point columns, left uncompressed.
	Compression string
	// CompressionLevel is the codec's level (zstd 1-22, gzip 1-9,
	// brotli 0-11); 0 is the codec's default.
	CompressionLevel int
	// RowGroupValues caps the number of leaf values (list elements count
	// one each) in a Parquet row group; 0 is the writer's default (16 Mi
	// values for tables of flat and single-level list columns, 1 Mi for
	// others: see package nwbarrow/parquet). Row groups never split a
	// table row.
	RowGroupValues int
}

// WithCompression sets the Parquet codec of every column ("snappy",
// "zstd", "gzip", "brotli", "lz4", "none"), with level 0 for the codec's
// default. Conversions ignore it. The default (Snappy, floats raw) is the
// fastest to write and every Parquet reader reads it; zstd makes smaller
// files of text and integer columns (spike times barely compress) and is
// read by arrow-go, arrow-rs, pyarrow, polars and DuckDB, while the pure-JS
// hyparquet needs its hyparquet-compressors add-on for anything but Snappy.
func WithCompression(codec string, level int) Option {
	return func(c *config) { c.write.Compression, c.write.CompressionLevel = codec, level }
}

// WithRowGroupValues caps Parquet row groups at about n leaf values (see
// WriteSettings.RowGroupValues). Conversions ignore it.
func WithRowGroupValues(n int) Option { return func(c *config) { c.write.RowGroupValues = n } }

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

// Write writes every batch of rr to w in format f; opts may set the
// WriteSettings (WithCompression, WithRowGroupValues). It does not
// release rr.
func Write(w io.Writer, f Format, mem memory.Allocator, rr array.RecordReader, opts ...Option) error {
	regMu.RLock()
	fn := writers[f]
	regMu.RUnlock()
	if fn == nil {
		if f == Parquet {
			return fmt.Errorf("nwbarrow: Parquet writer not linked: import github.com/neurodata/neurodata/nwbarrow/parquet")
		}
		return fmt.Errorf("nwbarrow: no writer for format %q", f)
	}
	return fn(w, mem, rr, newConfig(opts).write)
}

// WriteFile writes rr to path atomically: into a temporary file in the same
// directory, renamed over path only when everything succeeded. The file
// system writes happen in a background goroutine, overlapping the
// encoding. It does not release rr. opts are those of Write.
func WriteFile(path string, f Format, mem memory.Allocator, rr array.RecordReader, opts ...Option) (err error) {
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
	bw := newWriteBehind(tmp)
	err = Write(bw, f, mem, rr, opts...)
	if cerr := bw.Finish(); err == nil && cerr != nil {
		err = fmt.Errorf("nwbarrow: write %s: %w", path, cerr)
	}
	if err != nil {
		return err
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

// writeBehind buffers writes in 1 MiB blocks and writes full blocks to w
// from a goroutine, so the kernel's copy into the page cache (~15 ms for
// the 80 MB of bench/p3.sh) runs on another core than the encoder. The
// first error of w is returned by every later Write and by Finish. It has
// no Close method on purpose: writers such as pqarrow's close an
// io.Closer they are given, and the file must stay open until renamed.
type writeBehind struct {
	buf    []byte
	free   chan []byte
	full   chan []byte
	done   chan struct{}
	failed atomic.Bool
	err    error // set by the goroutine before done is closed
}

const (
	writeBehindBlock  = 1 << 20
	writeBehindBlocks = 4
)

func newWriteBehind(w io.Writer) *writeBehind {
	b := &writeBehind{
		free: make(chan []byte, writeBehindBlocks),
		full: make(chan []byte, writeBehindBlocks),
		done: make(chan struct{}),
	}
	for range writeBehindBlocks - 1 {
		b.free <- make([]byte, 0, writeBehindBlock)
	}
	b.buf = make([]byte, 0, writeBehindBlock)
	go func() {
		defer close(b.done)
		for blk := range b.full {
			if b.err == nil {
				if _, err := w.Write(blk); err != nil {
					b.err = err
					b.failed.Store(true)
				}
			}
			b.free <- blk[:0]
		}
	}()
	return b
}

func (b *writeBehind) Write(p []byte) (int, error) {
	n := 0
	for len(p) > 0 {
		if b.failed.Load() {
			return n, errors.New("earlier write failed")
		}
		k := copy(b.buf[len(b.buf):cap(b.buf)], p)
		b.buf = b.buf[:len(b.buf)+k]
		p = p[k:]
		n += k
		if len(b.buf) == cap(b.buf) {
			b.full <- b.buf
			b.buf = <-b.free
		}
	}
	return n, nil
}

// Finish writes what is buffered, waits for the goroutine and returns the
// first write error. Call it once, after the last Write.
func (b *writeBehind) Finish() error {
	if len(b.buf) > 0 {
		b.full <- b.buf
		b.buf = nil
	}
	close(b.full)
	<-b.done
	return b.err
}

// WriteRecordFile is WriteFile for a single record batch.
func WriteRecordFile(path string, f Format, mem memory.Allocator, rec arrow.RecordBatch, opts ...Option) error {
	rr, err := array.NewRecordReader(rec.Schema(), []arrow.RecordBatch{rec})
	if err != nil {
		return fmt.Errorf("nwbarrow: %w", err)
	}
	defer rr.Release()
	return WriteFile(path, f, mem, rr, opts...)
}

func writeIPC(w io.Writer, mem memory.Allocator, rr array.RecordReader, _ WriteSettings) error {
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

func writeCSV(w io.Writer, mem memory.Allocator, rr array.RecordReader, _ WriteSettings) error {
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

func writeJSONL(w io.Writer, mem memory.Allocator, rr array.RecordReader, _ WriteSettings) error {
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
