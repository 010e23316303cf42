package nwb

import (
	"fmt"
	"math"
	"strings"

	"github.com/neurodata/neurodata/hdf5"
)

// Table is a DynamicTable (Units, electrodes, TimeIntervals,
// PlaneSegmentation, ...). Opening a table reads only its attributes and
// the shapes of its datasets; column values are read on demand.
type Table struct {
	f           *File
	g           *hdf5.Group
	Path        string
	Name        string
	Type        TypeName
	Description string
	colnames    []string
	ids         *hdf5.Dataset
	rows        int
	// mem holds the columns of an in-memory table (NWB 1.x stimulus
	// tables assembled from several series); nil for HDF5-backed tables.
	mem    map[string]*ColumnValues
	memIDs []int64
}

// Table opens the DynamicTable at path.
func (f *File) Table(path string) (*Table, error) {
	g, err := f.h5.Group(path)
	if err != nil {
		return nil, fmt.Errorf("nwb: table %s: %w", path, err)
	}
	return f.tableFromGroup(g)
}

func (f *File) tableFromGroup(g *hdf5.Group) (*Table, error) {
	t := &Table{f: f, g: g, Path: g.Path(), Name: g.Name()}
	t.Type, _ = typeOf(g)
	t.Description = attrString(g, "description")
	if cn, err := attrStrings(g, "colnames"); err == nil {
		for _, c := range cn {
			if c != "" {
				t.colnames = append(t.colnames, c)
			}
		}
	}
	if t.colnames != nil {
		// Old matnwb lists "id" and index datasets in colnames; drop them.
		listed := map[string]bool{}
		for _, c := range t.colnames {
			listed[c] = true
		}
		kept := t.colnames[:0]
		for _, c := range t.colnames {
			if c == "id" || (strings.HasSuffix(c, "_index") && listed[strings.TrimSuffix(c, "_index")]) {
				continue
			}
			kept = append(kept, c)
		}
		t.colnames = kept
	}
	if t.colnames == nil {
		// No colnames (very old writers): every dataset except id and indexes.
		links, err := g.Links()
		if err != nil {
			return nil, fmt.Errorf("nwb: table %s: %w", t.Path, err)
		}
		for _, l := range links {
			if l.Name == "id" || strings.HasSuffix(l.Name, "_index") {
				continue
			}
			if _, err := g.Dataset(l.Name); err == nil {
				t.colnames = append(t.colnames, l.Name)
			}
		}
	}
	if ids, err := g.Dataset("id"); err == nil {
		t.ids = ids
		sh := ids.Shape()
		if len(sh) != 1 {
			return nil, fmt.Errorf("%w: %s/id has shape %v, want 1-D", ErrFormat, t.Path, sh)
		}
		t.rows = int(sh[0])
	} else {
		// Fall back to the first column's row count.
		t.rows = -1
		for _, c := range t.colnames {
			col, err := t.Column(c)
			if err == nil {
				t.rows = col.Rows()
				break
			}
		}
		if t.rows < 0 {
			return nil, fmt.Errorf("%w: %s has no id dataset and no readable column", ErrFormat, t.Path)
		}
	}
	return t, nil
}

// File returns the file the table belongs to.
func (t *Table) File() *File { return t.f }

// Len returns the number of rows.
func (t *Table) Len() int { return t.rows }

// ColumnNames returns the column names in colnames order.
func (t *Table) ColumnNames() []string { return append([]string(nil), t.colnames...) }

// HasColumn reports whether the table lists the column.
func (t *Table) HasColumn(name string) bool {
	for _, c := range t.colnames {
		if c == name {
			return true
		}
	}
	return false
}

// maxSyntheticIDs bounds the row numbers made up for tables without an id
// dataset (the row count then comes from a column's shape).
const maxSyntheticIDs = 1 << 27

// IDs returns the row ids (ElementIdentifiers); 0..n-1 when the table has
// no id dataset.
func (t *Table) IDs() ([]int64, error) {
	if t.memIDs != nil {
		return t.memIDs, nil
	}
	if t.ids == nil {
		if t.rows > maxSyntheticIDs {
			return nil, fmt.Errorf("%w: %s has no id dataset and claims %d rows", ErrFormat, t.Path, t.rows)
		}
		out := make([]int64, t.rows)
		for i := range out {
			out[i] = int64(i)
		}
		return out, nil
	}
	v, err := t.ids.ReadInt64s(nil)
	if err != nil {
		return nil, fmt.Errorf("nwb: %s/id: %w", t.Path, err)
	}
	return v, nil
}

// RowOf returns the row holding id, or -1.
func (t *Table) RowOf(id int64) (int, error) {
	ids, err := t.IDs()
	if err != nil {
		return -1, err
	}
	for i, v := range ids {
		if v == id {
			return i, nil
		}
	}
	return -1, nil
}

// ColumnKind says how a column maps rows to values.
type ColumnKind int

const (
	ColumnData      ColumnKind = iota // VectorData: one element (or fixed-shape block) per row
	ColumnRegion                      // DynamicTableRegion: row indices into Target
	ColumnReference                   // object references, resolved to paths
	ColumnCompound                    // compound (e.g. TimeSeriesReferenceVectorData)
)

// Column is a lazy handle on one column: its metadata and datasets, no
// values until Read.
type Column struct {
	t           *Table
	Name        string
	Description string
	Type        TypeName
	Kind        ColumnKind
	Elem        ElemType
	// ElemShape is the fixed shape of each element beyond the row axis
	// (e.g. [82] for 82-sample waveforms, [48 48] for image masks).
	ElemShape []int
	// Depth is the number of VectorIndex levels: 0 plain, 1 ragged,
	// 2 doubly ragged.
	Depth int
	// Target is the path of the table a DynamicTableRegion points into.
	Target string
	// Members lists, for compound columns, the member names and element
	// types (values empty).
	Members []Field
	// Attrs holds the column's scalar text/number attributes besides the
	// NWB bookkeeping ones (e.g. unit, resolution, sampling_rate).
	Attrs map[string]string

	data  *hdf5.Dataset
	index []*hdf5.Dataset // outermost first
	mem   *ColumnValues   // in-memory column (virtual tables)
}

// Column opens a column by name.
func (t *Table) Column(name string) (*Column, error) {
	if t.mem != nil {
		cv, ok := t.mem[name]
		if !ok {
			return nil, fmt.Errorf("%w: column %q of %s", ErrNotFound, name, t.Path)
		}
		return cv.Column, nil
	}
	ds, err := t.g.Dataset(name)
	if err != nil {
		return nil, fmt.Errorf("%w: column %q of %s (%v)", ErrNotFound, name, t.Path, err)
	}
	c := &Column{t: t, Name: name, data: ds, Attrs: map[string]string{}}
	c.Type, _ = typeOf(ds)
	c.Description = attrString(ds, "description")
	if attrs, err := ds.Attrs(); err == nil {
		for _, a := range attrs {
			switch a.Name {
			case "description", "neurodata_type", "namespace", "object_id", "table", "target", "data_type":
				continue
			}
			if v, err := a.Value(); err == nil {
				switch v.(type) {
				case string, float64, int64, uint64, []string, []float64, []int64:
					c.Attrs[a.Name] = valueString(v)
				}
			}
		}
	}
	c.Elem, err = elemOf(ds.Type())
	if err != nil {
		return nil, fmt.Errorf("nwb: column %q of %s: %w", name, t.Path, err)
	}
	sh := ds.Shape()
	if len(sh) == 0 {
		return nil, fmt.Errorf("nwb: column %q of %s is a scalar dataset, not a column: %w", name, t.Path, hdf5.ErrUnsupported)
	}
	for _, d := range sh[1:] {
		if d > math.MaxInt32 {
			return nil, fmt.Errorf("%w: column %q of %s has shape %v", ErrFormat, name, t.Path, sh)
		}
		c.ElemShape = append(c.ElemShape, int(d))
	}
	isRegion := func() bool {
		switch c.Type.Name {
		case "DynamicTableRegion":
			return true
		case "VectorData", "VectorIndex", "ElementIdentifiers", "":
			return hasAttr(ds, "table")
		}
		// other types: consult the type system (extension subtypes)
		return hasAttr(ds, "table") || t.f.typesOrBuiltin().IsA(c.Type, "DynamicTableRegion")
	}
	switch {
	case c.Elem == ElemStruct:
		c.Kind = ColumnCompound
		for _, m := range ds.Type().Members {
			et, err := elemOf(m.Type)
			if err != nil || et == ElemStruct {
				return nil, fmt.Errorf("nwb: column %q of %s: compound member %q: %w", name, t.Path, m.Name, hdf5.ErrUnsupported)
			}
			c.Members = append(c.Members, Field{Name: m.Name, Values: Values{Elem: et}})
		}
	case c.Elem == ElemRef:
		c.Kind = ColumnReference
	case isRegion():
		c.Kind = ColumnRegion
		if a, err := ds.Attr("table"); err == nil {
			if r, err := a.Reference(); err == nil {
				if o, err := t.f.h5.Resolve(r); err == nil {
					c.Target = o.Path()
				} else if p, err := t.f.h5.PathOf(r.Addr); err == nil {
					c.Target = p
				}
			}
		}
	}
	// Index levels: name_index, name_index_index, ...
	var levels []*hdf5.Dataset
	idxName := name + "_index"
	for i := 0; i < 4; i++ {
		ix, err := t.g.Dataset(idxName)
		if err != nil {
			break
		}
		levels = append(levels, ix)
		idxName += "_index"
	}
	for i := len(levels) - 1; i >= 0; i-- {
		c.index = append(c.index, levels[i])
	}
	c.Depth = len(c.index)
	// Check each index level's last end against the size of the level it
	// indexes (one element read per level), so a truncated or foreign
	// index is reported when the column is opened.
	for k, ix := range c.index {
		it := ix.Type()
		if it == nil || (it.Class != hdf5.ClassInteger) {
			return nil, fmt.Errorf("nwb: column %q of %s: index %s of type %s (region-reference indexes of NWB 2.0 beta files are not decoded): %w",
				name, t.Path, ix.Path(), ix.Type().NumpyDtype(), hdf5.ErrUnsupported)
		}
		ish := ix.Shape()
		if len(ish) != 1 {
			return nil, fmt.Errorf("%w: column %q of %s: index %s is not 1-D", ErrFormat, name, t.Path, ix.Path())
		}
		var next uint64
		if k+1 < len(c.index) {
			next = c.index[k+1].Shape()[0]
		} else {
			next = sh[0]
		}
		if ish[0] == 0 {
			continue
		}
		last, err := ix.ReadInt64s(&hdf5.Hyperslab{Start: []uint64{ish[0] - 1}, Count: []uint64{1}})
		if err != nil {
			return nil, fmt.Errorf("nwb: column %q of %s: %w", name, t.Path, err)
		}
		if len(last) != 1 || last[0] < 0 || uint64(last[0]) > next {
			return nil, fmt.Errorf("%w: column %q of %s: index %s ends at %v but indexes only %d elements (truncated file?)", ErrFormat, name, t.Path, ix.Path(), last, next)
		}
	}
	return c, nil
}

func hasAttr(o hdf5.Object, name string) bool {
	_, err := o.Attr(name)
	return err == nil
}

func (f *File) typesOrBuiltin() *Types {
	t, _ := f.Types()
	if t == nil {
		return BuiltinTypes()
	}
	return t
}

// Rows returns the number of rows the column spans.
func (c *Column) Rows() int {
	if c.mem != nil {
		return c.mem.Len()
	}
	if len(c.index) > 0 {
		return int(c.index[0].Shape()[0])
	}
	return int(c.data.Shape()[0])
}

// Table returns the column's table.
func (c *Column) Table() *Table { return c.t }

// DataPath is the HDF5 path of the column's value dataset ("" for
// in-memory columns).
func (c *Column) DataPath() string {
	if c.data == nil {
		return ""
	}
	return c.data.Path()
}

// IndexPaths are the HDF5 paths of the column's index datasets, outermost first.
func (c *Column) IndexPaths() []string {
	var out []string
	for _, ix := range c.index {
		out = append(out, ix.Path())
	}
	return out
}

// Stride is the number of scalar values per element (product of ElemShape).
func (c *Column) Stride() int {
	s := 1
	for _, d := range c.ElemShape {
		s *= d
	}
	return s
}

// ColumnValues is a column read into memory.
type ColumnValues struct {
	*Column
	// Offsets holds one slice per index level, outermost first; level k
	// has len(rows at that level)+1 entries starting at 0, and element j
	// of level k spans [Offsets[k][j], Offsets[k][j+1]) of the next level
	// (or of the values for the innermost level). Empty for plain columns.
	Offsets [][]int64
	// Values are the elements in C order (Stride() scalars per element).
	Values Values
	// FirstRow is the table row of the first row read.
	FirstRow int
}

// Len is the number of rows held.
func (cv *ColumnValues) Len() int {
	if len(cv.Offsets) > 0 {
		return len(cv.Offsets[0]) - 1
	}
	s := cv.Stride()
	if s == 0 {
		return 0
	}
	return cv.Values.Len() / s
}

// Read reads the whole column.
func (c *Column) Read() (*ColumnValues, error) { return c.ReadRows(0, c.Rows()) }

// ReadRows reads rows [start, end): for ragged columns only the index
// entries of those rows and the value range they cover.
func (c *Column) ReadRows(start, end int) (*ColumnValues, error) {
	n := c.Rows()
	if start < 0 || end > n || start > end {
		return nil, fmt.Errorf("nwb: column %q of %s: rows [%d, %d) outside [0, %d)", c.Name, c.t.Path, start, end, n)
	}
	if c.mem != nil {
		if start == 0 && end == n {
			return c.mem, nil
		}
		return c.mem.slicePlain(start, end), nil
	}
	cv := &ColumnValues{Column: c, FirstRow: start}
	lo, hi := int64(start), int64(end)
	for k, ix := range c.index {
		limit := int64(ix.Shape()[0])
		var next int64
		if k+1 < len(c.index) {
			next = int64(c.index[k+1].Shape()[0])
		} else {
			next = int64(c.data.Shape()[0])
		}
		off, base, last, err := readOffsets(ix, lo, hi, limit, next)
		if err != nil {
			return nil, fmt.Errorf("nwb: column %q of %s: %w", c.Name, c.t.Path, err)
		}
		cv.Offsets = append(cv.Offsets, off)
		lo, hi = base, last
	}
	var sel *hdf5.Hyperslab
	dsh := c.data.Shape()
	if lo != 0 || hi != int64(dsh[0]) {
		sel = rowsSlab(dsh, uint64(lo), uint64(hi))
	}
	if hi == lo {
		cv.Values = Values{Elem: c.Elem}
		if c.Elem == ElemStruct {
			// empty fields with names, so consumers see the schema
			for _, m := range c.data.Type().Members {
				et, _ := elemOf(m.Type)
				cv.Values.Fields = append(cv.Values.Fields, Field{Name: m.Name, Values: Values{Elem: et}})
			}
		}
		return cv, nil
	}
	v, err := c.t.f.readValues(c.data, c.Elem, sel)
	if err != nil {
		return nil, err
	}
	if want := int(hi-lo) * c.Stride(); v.Len() != want {
		return nil, fmt.Errorf("%w: column %q of %s: read %d values, want %d", ErrFormat, c.Name, c.t.Path, v.Len(), want)
	}
	cv.Values = v
	return cv, nil
}

// readOffsets reads VectorIndex entries for rows [lo, hi) (of limit rows)
// and returns 0-based offsets relative to the first covered element, plus
// the covered element range [base, last) of the next level (of size next).
func readOffsets(ix *hdf5.Dataset, lo, hi, limit, next int64) ([]int64, int64, int64, error) {
	if len(ix.Shape()) != 1 {
		return nil, 0, 0, fmt.Errorf("%w: index %s is not 1-D", ErrFormat, ix.Path())
	}
	from := lo
	if from > 0 {
		from--
	}
	var ends []int64
	if hi > from {
		var err error
		ends, err = ix.ReadInt64s(&hdf5.Hyperslab{Start: []uint64{uint64(from)}, Count: []uint64{uint64(hi - from)}})
		if err != nil {
			return nil, 0, 0, fmt.Errorf("index %s: %w", ix.Path(), err)
		}
	}
	var base int64
	if lo > 0 {
		base = ends[0]
		ends = ends[1:]
	}
	off := make([]int64, len(ends)+1)
	prev := base
	for i, e := range ends {
		if e < prev || e > next {
			return nil, 0, 0, fmt.Errorf("%w: index %s row %d: end %d not in [%d, %d]", ErrFormat, ix.Path(), lo+int64(i), e, prev, next)
		}
		off[i+1] = e - base
		prev = e
	}
	if base > next || base < 0 {
		return nil, 0, 0, fmt.Errorf("%w: index %s: start %d beyond %d", ErrFormat, ix.Path(), base, next)
	}
	return off, base, prev, nil
}

// Float64s reads a plain numeric column as float64 (NaN kept).
func (t *Table) Float64s(name string) ([]float64, error) {
	c, err := t.Column(name)
	if err != nil {
		return nil, err
	}
	if c.Depth != 0 || c.Stride() != 1 {
		return nil, fmt.Errorf("nwb: column %q of %s is not a plain scalar column", name, t.Path)
	}
	cv, err := c.Read()
	if err != nil {
		return nil, err
	}
	v := &cv.Values
	if v.Elem.IsFloat() {
		return v.F64, nil
	}
	if !(v.Elem.IsSigned() || v.Elem.IsUnsigned() || v.Elem == ElemUint64 || v.Elem == ElemBool) {
		return nil, fmt.Errorf("nwb: column %q of %s holds %s, not numbers", name, t.Path, v.Elem)
	}
	out := make([]float64, v.Len())
	for i := range out {
		out[i] = v.Float64(i)
	}
	return out, nil
}

// Int64s reads a plain integer column.
func (t *Table) Int64s(name string) ([]int64, error) {
	c, err := t.Column(name)
	if err != nil {
		return nil, err
	}
	if c.Depth != 0 || c.Stride() != 1 || !(c.Elem.IsSigned() || c.Elem.IsUnsigned()) {
		return nil, fmt.Errorf("nwb: column %q of %s is not a plain integer column", name, t.Path)
	}
	cv, err := c.Read()
	if err != nil {
		return nil, err
	}
	v, ok := cv.Values.Ints()
	if !ok {
		return nil, fmt.Errorf("%w: column %q of %s: values beyond int64", ErrFormat, name, t.Path)
	}
	return v, nil
}

// Strings reads a plain text (or reference-path) column.
func (t *Table) Strings(name string) ([]string, error) {
	c, err := t.Column(name)
	if err != nil {
		return nil, err
	}
	if c.Depth != 0 || c.Stride() != 1 || (c.Elem != ElemString && c.Elem != ElemRef) {
		return nil, fmt.Errorf("nwb: column %q of %s is not a plain text column", name, t.Path)
	}
	cv, err := c.Read()
	if err != nil {
		return nil, err
	}
	return cv.Values.Str, nil
}

// Bools reads a boolean (enum FALSE/TRUE) column.
func (t *Table) Bools(name string) ([]bool, error) {
	c, err := t.Column(name)
	if err != nil {
		return nil, err
	}
	if c.Depth != 0 || c.Elem != ElemBool {
		return nil, fmt.Errorf("nwb: column %q of %s is not a boolean column", name, t.Path)
	}
	cv, err := c.Read()
	if err != nil {
		return nil, err
	}
	return cv.Values.Bool, nil
}

// Where returns the rows whose text column name equals value.
func (t *Table) Where(name, value string) ([]int, error) {
	s, err := t.Strings(name)
	if err != nil {
		return nil, err
	}
	var rows []int
	for i, v := range s {
		if v == value {
			rows = append(rows, i)
		}
	}
	return rows, nil
}

// Ragged reads a singly ragged numeric column as one float64 slice per row.
func (t *Table) Ragged(name string) ([][]float64, error) {
	c, err := t.Column(name)
	if err != nil {
		return nil, err
	}
	if c.Depth != 1 {
		return nil, fmt.Errorf("nwb: column %q of %s is not ragged (depth %d)", name, t.Path, c.Depth)
	}
	cv, err := c.Read()
	if err != nil {
		return nil, err
	}
	return splitFloat(cv)
}

func splitFloat(cv *ColumnValues) ([][]float64, error) {
	v := &cv.Values
	var all []float64
	if v.Elem.IsFloat() {
		all = v.F64
	} else {
		all = make([]float64, v.Len())
		for i := range all {
			all[i] = v.Float64(i)
		}
	}
	st := cv.Stride()
	off := cv.Offsets[0]
	out := make([][]float64, len(off)-1)
	for i := range out {
		out[i] = all[off[i]*int64(st) : off[i+1]*int64(st) : off[i+1]*int64(st)]
	}
	return out, nil
}

// TableInfo summarises one table of the file.
type TableInfo struct {
	Path    string
	Type    TypeName
	Rows    int
	Columns []string
}

// Tables lists every DynamicTable of the file (including subtypes such as
// Units, TimeIntervals, PlaneSegmentation and extension types).
func (f *File) Tables() ([]TableInfo, error) {
	objs, err := f.FindAll("DynamicTable")
	if err != nil {
		return nil, err
	}
	var out []TableInfo
	for _, o := range objs {
		if o.Kind != hdf5.KindGroup {
			continue
		}
		t, err := f.Table(o.Path)
		if err != nil {
			out = append(out, TableInfo{Path: o.Path, Type: o.Type, Rows: -1})
			continue
		}
		out = append(out, TableInfo{Path: o.Path, Type: o.Type, Rows: t.Len(), Columns: t.ColumnNames()})
	}
	v1, err := f.NWB1StimulusTables()
	if err != nil {
		return out, err
	}
	for _, t := range v1 {
		out = append(out, TableInfo{Path: t.Path, Type: t.Type, Rows: t.Len(), Columns: t.ColumnNames()})
	}
	return out, nil
}

// TableAt opens a table listed by Tables: an HDF5 DynamicTable or an NWB
// 1.x stimulus table (whose path is its series path).
func (f *File) TableAt(path string) (*Table, error) {
	if f.Major() == 1 {
		v1, err := f.NWB1StimulusTables()
		if err != nil {
			return nil, err
		}
		for _, t := range v1 {
			if t.Path == path {
				return t, nil
			}
		}
	}
	return f.Table(path)
}

// ResolveTable finds a table by a user-facing name: "units", "trials",
// "electrodes", "epochs", a group name anywhere in the file (e.g.
// "drifting_gratings_presentations", "PlaneSegmentation"), or an absolute
// HDF5 path.
func (f *File) ResolveTable(name string) (*Table, error) {
	if strings.HasPrefix(name, "/") {
		return f.TableAt(name)
	}
	switch name {
	case "units":
		u, err := f.Units()
		if err != nil {
			return nil, err
		}
		return u.Table, nil
	case "electrodes":
		return f.Electrodes()
	case "trials", "epochs", "invalid_times":
		if t, err := f.Table("/intervals/" + name); err == nil {
			return t, nil
		}
		if name == "trials" {
			if t, err := f.Table("/trials"); err == nil { // NWB 2.0b
				return t, nil
			}
		}
	}
	tabs, err := f.Tables()
	if err != nil {
		return nil, err
	}
	var match []string
	for _, ti := range tabs {
		base := ti.Path[strings.LastIndexByte(ti.Path, '/')+1:]
		if base == name || ti.Type.Name == name {
			match = append(match, ti.Path)
		}
	}
	switch len(match) {
	case 0:
		return nil, fmt.Errorf("%w: no table named %q", ErrNotFound, name)
	case 1:
		return f.TableAt(match[0])
	}
	return nil, fmt.Errorf("nwb: table name %q is ambiguous: %s", name, strings.Join(match, ", "))
}

// slicePlain returns rows [start, end) of a plain (non-ragged) in-memory column.
func (cv *ColumnValues) slicePlain(start, end int) *ColumnValues {
	st := cv.Stride()
	a, b := start*st, end*st
	v := cv.Values
	switch {
	case v.F64 != nil:
		v.F64 = v.F64[a:b]
	case v.I64 != nil:
		v.I64 = v.I64[a:b]
	case v.U64 != nil:
		v.U64 = v.U64[a:b]
	case v.Bool != nil:
		v.Bool = v.Bool[a:b]
	case v.Str != nil:
		v.Str = v.Str[a:b]
	}
	return &ColumnValues{Column: cv.Column, Values: v, FirstRow: start}
}

// newMemTable builds an in-memory table from plain columns of equal length.
func newMemTable(f *File, path string, tn TypeName, desc string, cols []*ColumnValues) *Table {
	t := &Table{f: f, Path: path, Name: path[strings.LastIndexByte(path, '/')+1:], Type: tn, Description: desc, mem: map[string]*ColumnValues{}}
	for _, cv := range cols {
		cv.Column.t = t
		cv.Column.mem = cv
		t.mem[cv.Name] = cv
		t.colnames = append(t.colnames, cv.Name)
		t.rows = cv.Len()
	}
	t.memIDs = make([]int64, t.rows)
	for i := range t.memIDs {
		t.memIDs[i] = int64(i)
	}
	return t
}
