package parquet

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/apache/arrow-go/v18/parquet"
	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
	"github.com/apache/arrow-go/v18/parquet/pqarrow"
	"github.com/apache/arrow-go/v18/parquet/schema"
)

// The direct writer writes tables whose columns are flat, list<flat> or
// fixed_size_list<flat> through arrow-go's column chunk writers
// (file.Writer, pqarrow.WriteArrowToColumn), with repetition and
// definition levels computed here from the list offsets into small reused
// buffers. The Parquet schema, the stored Arrow schema, encodings, pages
// and statistics are those of pqarrow.FileWriter (same library encoder);
// only pqarrow's generic level builder is bypassed: for the 10 M spike
// times of bench/p3.sh it materialised 10 M repetition and 10 M
// definition levels per export in buffers grown by doubling and zeroed on
// release. Other schemas (structs, nested lists, lists of lists or of
// strings are fine, but list-of-struct etc.) go through pqarrow.FileWriter.

// useDirect enables the direct writer (tests switch it off to compare).
var useDirect = true

// leafKind is how a top-level field maps to its single Parquet leaf.
type leafKind uint8

const (
	flatLeaf  leafKind = iota // primitive, string, bool, temporal…
	listLeaf                  // list / large_list of a flat type
	fixedLeaf                 // fixed_size_list of a flat type
)

// directColumn is the plan for one top-level field.
type directColumn struct {
	kind         leafKind
	name         string
	nullable     bool // the field itself (flat leaves only; lists must be non-nullable)
	elemNullable bool // list element field
	maxDef       int16
	fixedLen     int // fixed_size_list length
}

// planDirect returns the per-field plan, ok false when some field is not
// one the direct writer handles (or the Parquet leaf levels are not the
// ones the plan expects).
func planDirect(sc *arrow.Schema, ps *schema.Schema) ([]directColumn, bool) {
	if ps.NumColumns() != sc.NumFields() {
		return nil, false
	}
	plan := make([]directColumn, sc.NumFields())
	for i, f := range sc.Fields() {
		c := ps.Column(i)
		p := directColumn{name: f.Name, nullable: f.Nullable}
		var elem arrow.Field
		switch dt := f.Type.(type) {
		case *arrow.ListType:
			p.kind, elem = listLeaf, dt.ElemField()
		case *arrow.LargeListType:
			p.kind, elem = listLeaf, dt.ElemField()
		case *arrow.FixedSizeListType:
			p.kind, elem, p.fixedLen = fixedLeaf, dt.ElemField(), int(dt.Len())
		default:
			if !flatType(f.Type) {
				return nil, false
			}
			want := int16(0)
			if f.Nullable {
				want = 1
			}
			if c.MaxRepetitionLevel() != 0 || c.MaxDefinitionLevel() != want {
				return nil, false
			}
			p.maxDef = want
			plan[i] = p
			continue
		}
		// a list: only non-nullable ones (a null list slot may cover
		// child values that must be skipped; pqarrow handles that)
		if f.Nullable || !flatType(elem.Type) {
			return nil, false
		}
		p.elemNullable = elem.Nullable
		want := int16(1)
		if elem.Nullable {
			want = 2
		}
		if c.MaxRepetitionLevel() != 1 || c.MaxDefinitionLevel() != want {
			return nil, false
		}
		p.maxDef = want
		plan[i] = p
	}
	return plan, true
}

// flatType reports whether WriteArrowToColumn writes t as one leaf with
// no levels of its own beyond nullability.
func flatType(t arrow.DataType) bool {
	switch t.ID() {
	case arrow.BOOL, arrow.INT8, arrow.INT16, arrow.INT32, arrow.INT64,
		arrow.UINT8, arrow.UINT16, arrow.UINT32, arrow.UINT64,
		arrow.FLOAT32, arrow.FLOAT64, arrow.STRING, arrow.LARGE_STRING,
		arrow.BINARY, arrow.LARGE_BINARY, arrow.TIMESTAMP, arrow.DATE32,
		arrow.DATE64, arrow.TIME32, arrow.TIME64:
		return true
	}
	return false
}

// storedSchema is the ARROW:schema value pqarrow.FileWriter stores with
// WithStoreSchema: the IPC-serialised schema, base64, with list element
// fields named "element" (the Parquet group name) for the field kinds
// planDirect accepts.
func storedSchema(sc *arrow.Schema, mem memory.Allocator) (string, error) {
	fields := make([]arrow.Field, sc.NumFields())
	for i, f := range sc.Fields() {
		switch dt := f.Type.(type) {
		case *arrow.ListType:
			e := dt.ElemField()
			e.Name = "element"
			f.Type = arrow.ListOfField(e)
		case *arrow.LargeListType:
			e := dt.ElemField()
			e.Name = "element"
			f.Type = arrow.LargeListOfField(e)
		case *arrow.FixedSizeListType:
			e := dt.ElemField()
			e.Name = "element"
			f.Type = arrow.FixedSizeListOfField(dt.Len(), e)
		}
		fields[i] = f
	}
	md := sc.Metadata()
	var buf bytes.Buffer
	w := ipc.NewWriter(&buf, ipc.WithSchema(arrow.NewSchema(fields, &md)), ipc.WithAllocator(mem))
	if err := w.Close(); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// writeDirect is Write for schemas planDirect accepts.
func writeDirect(w io.Writer, mem memory.Allocator, rr array.RecordReader, props *parquet.WriterProperties, ps *schema.Schema, plan []directColumn, target int) error {
	sc := rr.Schema()
	meta := make(metadata.KeyValueMetadata, 0, sc.Metadata().Len()+1)
	for i, k := range sc.Metadata().Keys() {
		meta.Append(k, sc.Metadata().Values()[i])
	}
	stored, err := storedSchema(sc, props.Allocator())
	if err != nil {
		return err
	}
	meta.Append("ARROW:schema", stored)
	fw, err := file.NewParquetWriterWithError(w, ps.Root(), file.WithWriterProps(props), file.WithWriteMetadata(meta))
	if err != nil {
		return err
	}
	aprops := arrowProps(mem)
	dw := &directWriter{fw: fw, plan: plan, ctx: pqarrow.NewArrowWriteContext(context.Background(), &aprops)}
	maxRows := int(min(props.MaxRowGroupLength(), 1<<62))
	for rr.Next() {
		rec := rr.RecordBatch()
		n := int(rec.NumRows())
		if n == 0 {
			if err := dw.rowGroup(rec, 0, 0); err != nil {
				fw.Close()
				return err
			}
		}
		for lo := 0; lo < n; {
			hi := rowGroupEnd(rec, lo, target)
			hi = min(hi, lo+maxRows)
			if err := dw.rowGroup(rec, lo, hi); err != nil {
				fw.Close()
				return err
			}
			lo = hi
		}
	}
	if err := rr.Err(); err != nil {
		fw.Close()
		return err
	}
	return fw.Close()
}

// directWriter holds the level buffers reused across columns and row
// groups: rep holds 1 and def holds defFill everywhere except at the
// positions listed in pokes while a batch is built (restored after it).
type directWriter struct {
	fw       *file.Writer
	plan     []directColumn
	ctx      context.Context
	rep, def []int16
	defFill  int16
	pokes    []int
}

// levelChunk is the number of levels (values, plus one per empty list)
// handed to the column writer per call: small enough for the level
// buffers to stay in cache, large enough to amortise the call.
const levelChunk = 1 << 16

func (d *directWriter) rowGroup(rec arrow.RecordBatch, lo, hi int) error {
	rg, err := d.fw.AppendRowGroupChecked()
	if err != nil {
		return err
	}
	for i, p := range d.plan {
		cw, err := rg.NextColumn()
		if err != nil {
			return err
		}
		if hi == lo {
			continue // an empty column chunk, as pqarrow writes for no rows
		}
		if err := d.column(cw, p, rec.Column(i), lo, hi); err != nil {
			return fmt.Errorf("column %q: %w", p.name, err)
		}
	}
	return rg.Close()
}

// levels makes sure the level buffers hold at least n entries, rep all 1
// and def all defFill.
func (d *directWriter) levels(n int, defFill int16) {
	if len(d.rep) < n {
		n = max(n, levelChunk)
		d.rep, d.def = make([]int16, n), make([]int16, n)
		for i := range d.rep {
			d.rep[i] = 1
		}
		d.defFill = 0
	}
	if d.defFill != defFill {
		for i := range d.def {
			d.def[i] = defFill
		}
		d.defFill = defFill
	}
}

// restore undoes the pokes.
func (d *directWriter) restore() {
	for _, i := range d.pokes {
		d.rep[i], d.def[i] = 1, d.defFill
	}
	d.pokes = d.pokes[:0]
}

func (d *directWriter) column(cw file.ColumnChunkWriter, p directColumn, a arrow.Array, lo, hi int) error {
	switch p.kind {
	case flatLeaf:
		return d.flat(cw, p, a, lo, hi)
	case listLeaf:
		l := a.(array.ListLike)
		if a.NullN() > 0 {
			for r := lo; r < hi; r++ {
				if a.IsNull(r) {
					return fmt.Errorf("non-nullable list column holds a null at row %d", r)
				}
			}
		}
		return d.lists(cw, p, l.ListValues(), l.ValueOffsets, lo, hi)
	case fixedLeaf:
		x := a.(*array.FixedSizeList)
		if a.NullN() > 0 {
			for r := lo; r < hi; r++ {
				if a.IsNull(r) {
					return fmt.Errorf("non-nullable fixed_size_list column holds a null at row %d", r)
				}
			}
		}
		k, off := int64(p.fixedLen), int64(x.Data().Offset())
		return d.lists(cw, p, x.ListValues(), func(r int) (int64, int64) {
			return (off + int64(r)) * k, (off + int64(r) + 1) * k
		}, lo, hi)
	}
	return fmt.Errorf("unknown leaf kind %d", p.kind)
}

// flat writes rows [lo, hi) of a flat column: without levels when the
// field is required, else with definition levels from the validity bitmap.
func (d *directWriter) flat(cw file.ColumnChunkWriter, p directColumn, a arrow.Array, lo, hi int) error {
	sl := array.NewSlice(a, int64(lo), int64(hi))
	defer sl.Release()
	if !p.nullable {
		if sl.NullN() > 0 {
			return fmt.Errorf("non-nullable column holds %d nulls", sl.NullN())
		}
		return pqarrow.WriteArrowToColumn(d.ctx, cw, sl, nil, nil, false)
	}
	n := sl.Len()
	for s := 0; s < n; s += levelChunk {
		e := min(s+levelChunk, n)
		part := array.NewSlice(sl, int64(s), int64(e))
		d.levels(e-s, 1)
		if part.NullN() > 0 {
			for j := 0; j < e-s; j++ {
				if part.IsNull(j) {
					d.def[j] = 0
					d.pokes = append(d.pokes, j)
				}
			}
		}
		err := pqarrow.WriteArrowToColumn(d.ctx, cw, part, d.def[:e-s], nil, true)
		d.restore()
		part.Release()
		if err != nil {
			return err
		}
	}
	return nil
}

// lists writes rows [lo, hi) of a list or fixed_size_list column whose
// row r covers child values [offsets(r)) of values, in calls of about
// levelChunk levels at row boundaries. Levels (max repetition 1): the
// first value of a row has repetition 0, the others 1; an empty row is one
// entry with repetition 0 and definition 0 and no value; a value has
// definition p.maxDef, a null element p.maxDef-1.
func (d *directWriter) lists(cw file.ColumnChunkWriter, p directColumn, values arrow.Array, offsets func(int) (int64, int64), lo, hi int) error {
	for r := lo; r < hi; {
		first, _ := offsets(r)
		n, end, e := 0, first, r // levels in this call, end of its values, next row
		for ; e < hi; e++ {
			s, t := offsets(e)
			if s != end || t < s {
				return fmt.Errorf("row %d: list offsets [%d, %d) do not follow %d", e, s, t, end)
			}
			lv := max(int(t-s), 1)
			if n > 0 && n+lv > levelChunk {
				break
			}
			d.levels(n+lv, p.maxDef)
			d.rep[n] = 0
			d.pokes = append(d.pokes, n)
			if t == s {
				d.def[n] = 0
			}
			n += lv
			end = t
		}
		leaf := array.NewSlice(values, first, end)
		if p.elemNullable && leaf.NullN() > 0 {
			i, j := 0, 0 // level, value
			for row := r; row < e; row++ {
				s, t := offsets(row)
				if t == s {
					i++
					continue
				}
				for ; s < t; s++ {
					if leaf.IsNull(j) {
						d.def[i] = p.maxDef - 1
						d.pokes = append(d.pokes, i)
					}
					i, j = i+1, j+1
				}
			}
		}
		err := pqarrow.WriteArrowToColumn(d.ctx, cw, leaf, d.def[:n], d.rep[:n], p.elemNullable)
		leaf.Release()
		d.restore()
		if err != nil {
			return err
		}
		r = e
	}
	return nil
}

// rowGroupEnd is the end of the row group starting at row lo, as
// writeRowGroups cuts them: the largest hi with at most target leaf
// values in rows [lo, hi), at least lo+1.
func rowGroupEnd(rec arrow.RecordBatch, lo, target int) int {
	n := int(rec.NumRows())
	if recLeaves(rec, lo, n) <= target {
		return n
	}
	hi := lo + sort.Search(n-lo, func(k int) bool { return recLeaves(rec, lo, lo+k+1) > target })
	return max(hi, lo+1)
}
