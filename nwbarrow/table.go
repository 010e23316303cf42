package nwbarrow

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/nwb"
)

// Option configures conversions.
type Option func(*config)

type config struct {
	batchRows   int
	batchValues int
	columns     []string
	write       WriteSettings
}

// WithBatchRows sets the maximum number of table rows (or series samples)
// per record batch; default 65536. Ragged columns are cut at row
// boundaries.
func WithBatchRows(n int) Option { return func(c *config) { c.batchRows = n } }

// WithBatchValues caps the values a table's record batch holds, counting
// every element of ragged columns and every entry of multi-dimensional
// ones (default DefaultBatchValues; n <= 0 removes the cap). A batch holds
// at least one row. The next batch is read while the caller handles the
// current one (see Table).
func WithBatchValues(n int) Option { return func(c *config) { c.batchValues = n } }

// DefaultBatchValues is the default WithBatchValues cap: 16 Mi values
// (128 MiB of float64). It bounds memory for sessions with hundreds of
// millions of spikes but keeps a 10 M-spike units table (bench/p3.sh) in
// one batch. Smaller caps were measured after package hdf5 learned to read
// a batch's contiguous range straight into its destination (six
// interleaved rounds, load ~1.2): the Parquet export's wall time was the
// same for 1 Mi, 4 Mi and 16 Mi values (82-84 ms: reading one batch ahead
// did not shorten it on the two shared cores), its CPU time was 10-20%
// higher with smaller batches (each batch is fresh memory: ~40% more
// page faults per export), and a table collected with ReadAll pays a
// concatenation per extra batch (in-memory units table 24 → 58-76 ms).
// Those runs used 1 Mi-value Parquet row groups; a row group never spans
// two batches, so smaller batches would now also cut the 16 Mi-value
// row groups of package nwbarrow/parquet (one row group instead of ten
// cut that export's CPU time by a quarter). Row groups are capped separately
// (WithRowGroupValues).
const DefaultBatchValues = 1 << 24

// WithColumns restricts a table conversion to the named columns (in that
// order); "id" is always first.
func WithColumns(names ...string) Option { return func(c *config) { c.columns = names } }

func newConfig(opts []Option) *config {
	c := &config{batchRows: 1 << 16, batchValues: DefaultBatchValues}
	for _, o := range opts {
		o(c)
	}
	if c.batchRows <= 0 {
		c.batchRows = 1 << 16
	}
	return c
}

// Skipped returns the reasons columns were left out of a table's schema
// (unsupported storage such as NWB 2.0 beta region-reference indexes,
// scalar datasets listed in colnames, or an index inconsistent with its
// data), from the schema metadata key nwb.skipped_columns. Columns named
// with WithColumns are never skipped: they fail instead.
func Skipped(s *arrow.Schema) []string {
	v, ok := s.Metadata().GetValue("nwb.skipped_columns")
	if !ok || v == "" {
		return nil
	}
	return strings.Split(v, "\n")
}

// TableSchema returns the Arrow schema of a table's conversion.
func TableSchema(t *nwb.Table, opts ...Option) (*arrow.Schema, error) {
	_, sch, err := tableColumns(t, newConfig(opts))
	return sch, err
}

func tableColumns(t *nwb.Table, cfg *config) ([]*nwb.Column, *arrow.Schema, error) {
	names := cfg.columns
	if names == nil {
		names = t.ColumnNames()
	}
	fields := []arrow.Field{{Name: "id", Type: arrow.PrimitiveTypes.Int64,
		Metadata: arrow.NewMetadata([]string{"neurodata_type"}, []string{"ElementIdentifiers"})}}
	var cols []*nwb.Column
	var skipped []string
	seen := map[string]bool{"id": true}
	for _, name := range names {
		if seen[name] {
			continue // "id" listed as a column, or duplicates in colnames
		}
		seen[name] = true
		c, err := t.Column(name)
		if err != nil {
			if cfg.columns == nil && (errors.Is(err, hdf5.ErrUnsupported) || errors.Is(err, nwb.ErrFormat)) {
				skipped = append(skipped, err.Error())
				continue
			}
			return nil, nil, fmt.Errorf("nwbarrow: %s: %w", t.Path, err)
		}
		if c.Rows() != t.Len() {
			err := fmt.Errorf("nwbarrow: %s: column %q has %d rows, table has %d", t.Path, name, c.Rows(), t.Len())
			if cfg.columns == nil {
				skipped = append(skipped, err.Error())
				continue
			}
			return nil, nil, err
		}
		dt, err := columnType(c, c.Members)
		if err != nil {
			if cfg.columns == nil && errors.Is(err, nwb.ErrFormat) {
				skipped = append(skipped, err.Error())
				continue
			}
			return nil, nil, fmt.Errorf("nwbarrow: %s: %w", t.Path, err)
		}
		fields = append(fields, arrow.Field{Name: name, Type: dt, Nullable: false, Metadata: columnMeta(c)})
		cols = append(cols, c)
	}
	md := map[string]string{
		"nwb.path":           t.Path,
		"nwb.neurodata_type": t.Type.String(),
		"nwb.description":    t.Description,
		"nwb.version":        t.File().Version,
	}
	if len(skipped) > 0 {
		md["nwb.skipped_columns"] = strings.Join(skipped, "\n")
	}
	sm := metaOf(md)
	return cols, arrow.NewSchema(fields, &sm), nil
}

func columnMeta(c *nwb.Column) arrow.Metadata {
	md := map[string]string{}
	for k, v := range c.Attrs {
		md[k] = v
	}
	if c.Description != "" {
		md["description"] = c.Description
	}
	if c.Type.Name != "" {
		md["neurodata_type"] = c.Type.String()
	}
	switch c.Kind {
	case nwb.ColumnRegion:
		md["nwb.target"] = c.Target
	case nwb.ColumnReference:
		md["nwb.reference"] = "true"
	}
	if p := c.DataPath(); p != "" {
		md["nwb.hdf5_path"] = p
	}
	return metaOf(md)
}

func metaOf(m map[string]string) arrow.Metadata {
	keys := sortedKeys(m)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = m[k]
	}
	md := arrow.NewMetadata(keys, vals)
	return md
}

// recordReader is an array.RecordReader over row batches produced on
// demand. With prefetch set, the batch after the current one is produced
// in a goroutine while the caller works on the current one (the file
// reads overlap, e.g., Parquet encoding); next is never run concurrently
// with itself.
type recordReader struct {
	refs     int64
	schema   *arrow.Schema
	next     func() (arrow.RecordBatch, error) // io.EOF at the end
	cur      arrow.RecordBatch
	err      error
	prefetch bool
	ahead    chan fetched // the batch being produced, nil if none
}

type fetched struct {
	rec arrow.RecordBatch
	err error
}

func (r *recordReader) Retain() { atomic.AddInt64(&r.refs, 1) }
func (r *recordReader) Release() {
	if atomic.AddInt64(&r.refs, -1) == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		if r.ahead != nil {
			if f := <-r.ahead; f.rec != nil {
				f.rec.Release()
			}
			r.ahead = nil
		}
	}
}
func (r *recordReader) Schema() *arrow.Schema { return r.schema }

func (r *recordReader) fetch() {
	ch := make(chan fetched, 1)
	r.ahead = ch
	go func() {
		rec, err := r.next()
		ch <- fetched{rec, err}
	}()
}

func (r *recordReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.err != nil {
		return false
	}
	var rec arrow.RecordBatch
	var err error
	if r.prefetch {
		if r.ahead == nil {
			r.fetch()
		}
		f := <-r.ahead
		r.ahead = nil
		rec, err = f.rec, f.err
		if err == nil {
			r.fetch()
		}
	} else {
		rec, err = r.next()
	}
	if err != nil {
		if err == io.EOF {
			err = errDone
		}
		r.err = err
		return false
	}
	r.cur = rec
	return true
}
func (r *recordReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *recordReader) Record() arrow.RecordBatch      { return r.cur }
func (r *recordReader) Err() error {
	if r.err == errDone {
		return nil
	}
	return r.err
}

// errDone marks a reader that reached the end.
var errDone = errors.New("nwbarrow: end of stream")

func newReader(schema *arrow.Schema, next func() (arrow.RecordBatch, error)) array.RecordReader {
	return &recordReader{refs: 1, schema: schema, next: next, prefetch: true}
}

// Table returns a stream of record batches holding a table: the id column
// then every column in colnames order (see the package doc for the
// mapping). Columns are read batch by batch (row ranges of at most
// WithBatchRows rows and WithBatchValues values), so a large table never
// sits in memory twice; the next batch is read in the background while the
// caller handles the current one. Release the reader when done.
func Table(mem memory.Allocator, t *nwb.Table, opts ...Option) (array.RecordReader, error) {
	cfg := newConfig(opts)
	cols, schema, err := tableColumns(t, cfg)
	if err != nil {
		return nil, err
	}
	ids, err := t.IDs()
	if err != nil {
		return nil, fmt.Errorf("nwbarrow: %w", err)
	}
	n := t.Len()
	if len(ids) != n {
		return nil, fmt.Errorf("nwbarrow: %s: %d ids for %d rows", t.Path, len(ids), n)
	}
	cuts := batchCuts(t, cols, cfg)
	pos := 0
	done := false
	return newReader(schema, func() (arrow.RecordBatch, error) {
		if done || (pos >= n && n > 0) {
			return nil, io.EOF
		}
		lo, hi := pos, min(pos+cfg.batchRows, n)
		if cuts != nil {
			hi = min(hi, cuts(lo))
		}
		pos = hi
		if n == 0 {
			done = true
		}
		arrs := make([]arrow.Array, 0, len(cols)+1)
		release := func() {
			for _, a := range arrs {
				a.Release()
			}
		}
		arrs = append(arrs, valuesMust(mem, &nwb.Values{Elem: nwb.ElemInt64, I64: ids[lo:hi]}))
		for _, c := range cols {
			cv, err := c.ReadRows(lo, hi)
			if err != nil {
				release()
				return nil, fmt.Errorf("nwbarrow: %w", err)
			}
			a, err := columnArray(mem, cv)
			if err != nil {
				release()
				return nil, err
			}
			if a.Len() != hi-lo {
				a.Release()
				release()
				return nil, fmt.Errorf("nwbarrow: %s: column %q gave %d rows for rows [%d, %d)", t.Path, c.Name, a.Len(), lo, hi)
			}
			arrs = append(arrs, a)
		}
		rec := array.NewRecordBatch(schema, arrs, int64(hi-lo))
		release()
		return rec, nil
	}), nil
}

// batchCuts plans batch ends under cfg.batchValues: it returns a function
// giving, for a batch starting at row lo, the largest end row whose
// values (one per row for id, Stride per row for plain columns, elements
// per row of a ragged column's outer index) stay within the cap, at least
// lo+1. It is nil when the cap cannot bind (no cap, or fewer values than
// the cap in the whole table) or a ragged index cannot be read here (the
// batch read reports that error).
func batchCuts(t *nwb.Table, cols []*nwb.Column, cfg *config) func(lo int) int {
	n := t.Len()
	if cfg.batchValues <= 0 || n == 0 {
		return nil
	}
	perRow := int64(1) // id
	var ragged [][]int64
	for _, c := range cols {
		ip := c.IndexPaths()
		if c.Depth == 0 || len(ip) == 0 {
			perRow += int64(c.Stride())
			continue
		}
		ds, err := t.File().HDF5().Dataset(ip[0])
		if err != nil {
			return nil
		}
		ends, err := ds.ReadInt64s(nil)
		if err != nil || len(ends) != n {
			return nil
		}
		for i := 1; i < n; i++ {
			if ends[i] < ends[i-1] {
				return nil
			}
		}
		if ends[0] < 0 {
			return nil
		}
		ragged = append(ragged, ends)
	}
	// cum(i) = values of rows [0, i)
	cum := func(i int) int64 {
		v := perRow * int64(i)
		if i > 0 {
			for _, e := range ragged {
				v += e[i-1]
			}
		}
		return v
	}
	limit := int64(cfg.batchValues)
	if cum(n) <= limit {
		return nil
	}
	return func(lo int) int {
		base := cum(lo)
		k := sort.Search(n-lo, func(k int) bool { return cum(lo+k+1)-base > limit })
		return max(lo+k, lo+1)
	}
}

func valuesMust(mem memory.Allocator, v *nwb.Values) arrow.Array {
	a, err := valuesArray(mem, v)
	if err != nil {
		panic(err) // only used for fixed primitive types
	}
	return a
}

// ReadAll drains a reader into one record batch (concatenating batches).
// The reader is released.
func ReadAll(mem memory.Allocator, rr array.RecordReader) (arrow.RecordBatch, error) {
	defer rr.Release()
	var recs []arrow.RecordBatch
	defer func() {
		for _, r := range recs {
			r.Release()
		}
	}()
	for rr.Next() {
		r := rr.RecordBatch()
		r.Retain()
		recs = append(recs, r)
	}
	if err := rr.Err(); err != nil {
		return nil, err
	}
	if len(recs) == 1 {
		recs[0].Retain()
		return recs[0], nil
	}
	if len(recs) == 0 {
		cols := make([]arrow.Array, rr.Schema().NumFields())
		for i, f := range rr.Schema().Fields() {
			cols[i] = array.MakeArrayOfNull(mem, f.Type, 0)
		}
		rec := array.NewRecordBatch(rr.Schema(), cols, 0)
		for _, c := range cols {
			c.Release()
		}
		return rec, nil
	}
	tbl := array.NewTableFromRecords(rr.Schema(), recs)
	defer tbl.Release()
	cols := make([]arrow.Array, tbl.NumCols())
	for i := range cols {
		a, err := array.Concatenate(tbl.Column(i).Data().Chunks(), mem)
		if err != nil {
			for _, c := range cols[:i] {
				c.Release()
			}
			return nil, err
		}
		cols[i] = a
	}
	rec := array.NewRecordBatch(rr.Schema(), cols, tbl.NumRows())
	for _, c := range cols {
		c.Release()
	}
	return rec, nil
}
