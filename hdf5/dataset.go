package hdf5

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"

	"github.com/neurodata/neurodata/hdf5/internal/filter"
)

// Chunk index types of layout message version 4.
const (
	idxBTree1 = iota
	idxSingle
	idxImplicit
	idxFixedArray
	idxExtArray
	idxBTree2
)

type extFile struct {
	name   string
	offset uint64
	size   uint64
}

// Dataset is an HDF5 dataset.
type Dataset struct {
	object
	dtype   *Datatype // value layout (plainType of the stored type)
	stored  *Datatype // stored type when it needs conversion (n-bit), else nil
	dims    []uint64
	maxdims []int64
	null    bool

	layout     Layout
	layoutVer  int
	dataAddr   uint64
	dataSize   uint64
	compact    []byte
	chunkDims  []uint64 // rank entries (element dimension removed)
	idxType    int
	idxAddr    uint64
	layoutFlag uint8
	singleSize uint64
	singleMask uint32
	faPageBits int
	ea         eaParams
	filters    []Filter
	fill       []byte
	external   []extFile

	vdsHeap     uint64
	vdsIndex    uint32
	vds         []vdsMap
	vdsBlocks   [][]vdsBlock
	vdsErr      error
	committedAt uint64 // header address of the committed datatype, 0 if none
	typeOnce    *sync.Once
	namedType   *Datatype // dtype with Committed set (after typeOnce)

	chunkOnce *sync.Once
	chunkMap  map[uint64]chunkLoc
	chunkErr  error
}

type eaParams struct {
	maxBits, idxElmts, dblkMin, sblkMinPtrs, maxPageBits int
}

type chunkLoc struct {
	addr uint64
	size uint64
	mask uint32
}

func (ds *Dataset) init(vds bool) error {
	f := ds.f
	oh := ds.hdr
	ds.chunkOnce = new(sync.Once)
	ds.typeOnce = new(sync.Once)
	m, err := f.find(oh, msgDatatype)
	if err != nil {
		return err
	}
	if m == nil {
		return f.formatErr(oh.addr, "dataset", "no datatype message")
	}
	t, _, err := f.parseDatatype(m.data, m.addr, 0)
	if err != nil {
		return err
	}
	ds.dtype = t
	if needsConv(t, 0) {
		ds.stored = t
		ds.dtype = plainType(t, 0)
	}
	for i := range oh.msgs {
		if oh.msgs[i].typ == msgDatatype && oh.msgs[i].flags&0x02 != 0 {
			ds.committedAt = committedAddr(f, &oh.msgs[i])
			break
		}
	}
	m, err = f.find(oh, msgDataspace)
	if err != nil {
		return err
	}
	if m == nil {
		return f.formatErr(oh.addr, "dataset", "no dataspace message")
	}
	ds.dims, ds.maxdims, ds.null, err = f.parseDataspace(m.data, m.addr)
	if err != nil {
		return err
	}
	m, err = f.find(oh, msgFilters)
	if err != nil {
		return err
	}
	if m != nil {
		ds.filters, err = f.parseFilters(m.data, m.addr)
		if err != nil {
			return err
		}
	}
	if err := ds.parseFill(); err != nil {
		return err
	}
	m, err = f.find(oh, msgExternal)
	if err != nil {
		return err
	}
	if m != nil {
		if err := ds.parseExternal(m); err != nil {
			return err
		}
	}
	m, err = f.find(oh, msgLayout)
	if err != nil {
		return err
	}
	if m == nil {
		return f.formatErr(oh.addr, "dataset", "no layout message")
	}
	if err := ds.parseLayout(m); err != nil {
		return err
	}
	if ds.layout == LayoutVirtual {
		if !vds {
			ds.vdsErr = fmt.Errorf("hdf5: %s: virtual dataset used as a virtual source: %w", ds.path, ErrUnsupported)
		} else if err := ds.parseVDS(ds.vdsHeap, ds.vdsIndex); err != nil {
			ds.vdsErr = fmt.Errorf("hdf5: %s: virtual dataset: %w", ds.path, err)
		}
	}
	return nil
}

func (f *File) parseDataspace(b []byte, addr uint64) (dims []uint64, maxdims []int64, null bool, err error) {
	d := f.newBuf(b, addr, "dataspace message")
	ver := d.u8()
	rank := int(d.u8())
	flags := d.u8()
	typ := uint8(1)
	switch ver {
	case 1:
		d.skip(5)
		if rank == 0 {
			typ = 0
		}
	case 2:
		typ = d.u8()
	default:
		return nil, nil, false, f.formatErr(addr, "dataspace message", "version %d", ver)
	}
	if rank > 32 {
		return nil, nil, false, f.formatErr(addr, "dataspace message", "rank %d", rank)
	}
	if typ == 2 {
		return nil, nil, true, nil
	}
	dims = make([]uint64, rank)
	for i := range dims {
		dims[i] = d.length()
	}
	maxdims = make([]int64, rank)
	if flags&1 != 0 {
		for i := range maxdims {
			v := d.length()
			if f.undef(v) || v == math.MaxUint64 {
				maxdims[i] = -1
			} else {
				maxdims[i] = int64(v)
			}
		}
	} else {
		for i := range maxdims {
			maxdims[i] = int64(dims[i])
		}
	}
	if d.err != nil {
		return nil, nil, false, d.err
	}
	if rank == 0 {
		return nil, nil, false, nil
	}
	n := uint64(1)
	for _, v := range dims {
		if v != 0 && n > math.MaxUint64/v {
			return nil, nil, false, f.formatErr(addr, "dataspace message", "dimensions overflow")
		}
		n *= v
	}
	return dims, maxdims, false, nil
}

func (f *File) parseFilters(b []byte, addr uint64) ([]Filter, error) {
	d := f.newBuf(b, addr, "filter pipeline message")
	ver := d.u8()
	n := int(d.u8())
	if ver == 1 {
		d.skip(6)
	} else if ver != 2 {
		return nil, f.formatErr(addr, "filter pipeline message", "version %d", ver)
	}
	if n > 32 {
		return nil, f.formatErr(addr, "filter pipeline message", "%d filters", n)
	}
	var out []Filter
	for i := 0; i < n && d.err == nil; i++ {
		var fl Filter
		fl.ID = d.u16()
		nameLen := 0
		if ver == 1 || fl.ID >= 256 {
			nameLen = int(d.u16())
		}
		flags := d.u16()
		fl.Optional = flags&1 != 0
		nv := int(d.u16())
		if nameLen > 0 {
			start := d.pos
			nb := d.bytes(nameLen)
			if i := indexByte(nb, 0); i >= 0 {
				nb = nb[:i]
			}
			fl.Name = string(nb)
			if ver == 1 {
				d.align8(start)
			}
		}
		if nv > 256 {
			d.fail("%d filter parameters", nv)
			break
		}
		for j := 0; j < nv; j++ {
			fl.Params = append(fl.Params, d.u32())
		}
		if ver == 1 && nv%2 == 1 {
			d.skip(4)
		}
		if fl.Name == "" {
			fl.Name = filter.Name(fl.ID)
		}
		out = append(out, fl)
	}
	if d.err != nil {
		return nil, d.err
	}
	return out, nil
}

func indexByte(b []byte, c byte) int {
	for i, v := range b {
		if v == c {
			return i
		}
	}
	return -1
}

func (ds *Dataset) parseFill() error {
	f := ds.f
	m, err := f.find(ds.hdr, msgFill)
	if err != nil {
		return err
	}
	if m != nil {
		d := f.newBuf(m.data, m.addr, "fill value message")
		ver := d.u8()
		switch ver {
		case 1, 2:
			d.u8()
			d.u8()
			defined := d.u8()
			if ver == 1 || defined != 0 {
				n := int(d.u32())
				if d.err == nil && n > 0 {
					ds.fill = append([]byte(nil), d.bytes(n)...)
				}
			}
		case 3:
			fl := d.u8()
			if fl&0x20 != 0 {
				n := int(d.u32())
				if d.err == nil && n > 0 {
					ds.fill = append([]byte(nil), d.bytes(n)...)
				}
			}
		default:
			return f.formatErr(m.addr, "fill value message", "version %d", ver)
		}
		if d.err != nil {
			return d.err
		}
		if ds.fill != nil && len(ds.fill) != ds.dtype.Size {
			ds.fill = nil
		}
		return nil
	}
	m, err = f.find(ds.hdr, msgFillOld)
	if err != nil || m == nil {
		return err
	}
	d := f.newBuf(m.data, m.addr, "fill value message")
	n := int(d.u32())
	if d.err == nil && n > d.rem() {
		return f.formatErr(m.addr, "fill value message", "fill value of %d bytes exceeds the %d-byte message", n, d.rem())
	}
	if d.err == nil && n == ds.dtype.Size && n > 0 {
		ds.fill = append([]byte(nil), d.bytes(n)...)
	}
	return d.err
}

func (ds *Dataset) parseExternal(m *message) error {
	f := ds.f
	d := f.newBuf(m.data, m.addr, "external files message")
	d.u8()
	d.skip(3)
	d.u16()
	n := int(d.u16())
	heapAddr := d.addrField()
	if d.err != nil {
		return d.err
	}
	heap, err := f.localHeap(heapAddr)
	if err != nil {
		return err
	}
	for i := 0; i < n && d.err == nil; i++ {
		nameOff := d.length()
		off := d.length()
		size := d.length()
		name, err := heap.str(nameOff)
		if err != nil {
			return err
		}
		ds.external = append(ds.external, extFile{name: name, offset: off, size: size})
	}
	return d.err
}

func (ds *Dataset) parseLayout(m *message) error {
	f := ds.f
	d := f.newBuf(m.data, m.addr, "layout message")
	ver := int(d.u8())
	ds.layoutVer = ver
	rank := len(ds.dims)
	switch ver {
	case 1, 2:
		nd := int(d.u8())
		class := d.u8()
		d.skip(5)
		if class != 0 {
			ds.dataAddr = d.addrField()
		}
		if nd > 33 {
			return f.formatErr(m.addr, "layout message", "dimensionality %d", nd)
		}
		dims := make([]uint64, nd)
		for i := range dims {
			dims[i] = uint64(d.u32())
		}
		switch class {
		case 0:
			ds.layout = LayoutCompact
			n := int(d.u32())
			ds.compact = d.bytes(n)
		case 1:
			ds.layout = LayoutContiguous
			ds.dataSize = ds.byteSize()
		case 2:
			ds.layout = LayoutChunked
			ds.idxType = idxBTree1
			ds.idxAddr = ds.dataAddr
			if nd < 1 {
				return f.formatErr(m.addr, "layout message", "chunk dimensionality %d", nd)
			}
			ds.chunkDims = dims[:nd-1]
		default:
			return f.formatErr(m.addr, "layout message", "class %d", class)
		}
	case 3, 4:
		class := d.u8()
		switch class {
		case 0:
			ds.layout = LayoutCompact
			n := int(d.u16())
			ds.compact = d.bytes(n)
		case 1:
			ds.layout = LayoutContiguous
			ds.dataAddr = d.addrField()
			ds.dataSize = d.length()
		case 2:
			ds.layout = LayoutChunked
			if ver == 3 {
				nd := int(d.u8())
				ds.idxAddr = d.addrField()
				if nd < 1 || nd > 33 {
					return f.formatErr(m.addr, "layout message", "chunk dimensionality %d", nd)
				}
				dims := make([]uint64, nd)
				for i := range dims {
					dims[i] = uint64(d.u32())
				}
				ds.chunkDims = dims[:nd-1]
				ds.idxType = idxBTree1
			} else {
				ds.layoutFlag = d.u8()
				nd := int(d.u8())
				enc := int(d.u8())
				if nd < 1 || nd > 33 || enc < 1 || enc > 8 {
					return f.formatErr(m.addr, "layout message", "chunk dimensionality %d / encoding %d", nd, enc)
				}
				dims := make([]uint64, nd)
				for i := range dims {
					dims[i] = d.uN(enc)
				}
				ds.chunkDims = dims[:nd-1]
				it := int(d.u8())
				switch it {
				case 1:
					ds.idxType = idxSingle
					if ds.layoutFlag&2 != 0 {
						ds.singleSize = d.length()
						ds.singleMask = d.u32()
					}
				case 2:
					ds.idxType = idxImplicit
				case 3:
					ds.idxType = idxFixedArray
					ds.faPageBits = int(d.u8())
				case 4:
					ds.idxType = idxExtArray
					ds.ea.maxBits = int(d.u8())
					ds.ea.idxElmts = int(d.u8())
					ds.ea.sblkMinPtrs = int(d.u8())
					ds.ea.dblkMin = int(d.u8())
					ds.ea.maxPageBits = int(d.u8())
				case 5:
					ds.idxType = idxBTree2
					d.u32()
					d.u8()
					d.u8()
				default:
					return f.formatErr(m.addr, "layout message", "chunk index type %d", it)
				}
				ds.idxAddr = d.addrField()
			}
		case 3:
			ds.layout = LayoutVirtual
			ds.vdsHeap = d.addrField()
			ds.vdsIndex = d.u32()
		default:
			return f.formatErr(m.addr, "layout message", "class %d", class)
		}
	default:
		return f.formatErr(m.addr, "layout message", "version %d", ver)
	}
	if d.err != nil {
		return d.err
	}
	if ds.layout == LayoutChunked {
		if len(ds.chunkDims) != rank && !(ds.null || rank == 0) {
			return f.formatErr(m.addr, "layout message", "chunk rank %d, dataset rank %d", len(ds.chunkDims), rank)
		}
		cb := uint64(ds.dtype.Size)
		for _, c := range ds.chunkDims {
			if c == 0 {
				return f.formatErr(m.addr, "layout message", "zero chunk dimension")
			}
			if cb > math.MaxInt64/c {
				return f.formatErr(m.addr, "layout message", "chunk too large")
			}
			cb *= c
		}
	}
	if ds.layout == LayoutCompact && ds.compact == nil {
		ds.compact = []byte{}
	}
	return nil
}

// byteSize is the number of bytes of all elements.
func (ds *Dataset) byteSize() uint64 {
	n := ds.NumElements()
	if n != 0 && uint64(ds.dtype.Size) > math.MaxUint64/n {
		return math.MaxUint64
	}
	return n * uint64(ds.dtype.Size)
}

// Shape returns the dimensions (nil for a scalar or null dataspace).
func (ds *Dataset) Shape() []uint64 {
	if ds.dims == nil {
		return nil
	}
	return append([]uint64(nil), ds.dims...)
}

// IsNull reports a null dataspace (no elements, not even a scalar).
func (ds *Dataset) IsNull() bool { return ds.null }

// MaxShape returns the maximum dimensions; -1 means unlimited.
func (ds *Dataset) MaxShape() []int64 {
	if ds.maxdims == nil {
		return nil
	}
	return append([]int64(nil), ds.maxdims...)
}

// Type returns the element datatype. For a committed datatype,
// Type().Committed holds its path.
func (ds *Dataset) Type() *Datatype {
	st := ds.dtype
	if ds.stored != nil {
		st = ds.stored
	}
	if ds.committedAt != 0 {
		ds.typeOnce.Do(func() {
			ds.namedType = st
			if p, err := ds.f.PathOf(ds.committedAt); err == nil {
				t := *st
				t.Committed = p
				ds.namedType = &t
			}
		})
		return ds.namedType
	}
	return st
}

// committedAddr returns the object header address a shared datatype
// message points to (0 when it lives in the shared message heap).
func committedAddr(f *File, m *message) uint64 {
	d := f.newBuf(m.data, m.addr, "shared message")
	ver := d.u8()
	typ := d.u8()
	switch ver {
	case 1:
		d.skip(6 + f.lenSize)
	case 2:
	case 3:
		if typ != 2 {
			return 0
		}
	default:
		return 0
	}
	a := d.addrField()
	if d.err != nil || f.undef(a) {
		return 0
	}
	return a
}

// Layout returns the storage layout.
func (ds *Dataset) Layout() Layout { return ds.layout }

// Chunks returns the chunk dimensions, nil unless chunked.
func (ds *Dataset) Chunks() []uint64 {
	if ds.layout != LayoutChunked {
		return nil
	}
	return append([]uint64(nil), ds.chunkDims...)
}

// Filters returns the filter pipeline.
func (ds *Dataset) Filters() []Filter { return append([]Filter(nil), ds.filters...) }

// NumElements returns the number of elements (1 for scalar, 0 for null).
func (ds *Dataset) NumElements() uint64 {
	if ds.null {
		return 0
	}
	n := uint64(1)
	for _, v := range ds.dims {
		n *= v
	}
	return n
}

// FillValue returns the stored fill value bytes (file byte order), nil
// when undefined.
func (ds *Dataset) FillValue() []byte {
	if ds.fill == nil {
		return nil
	}
	return append([]byte(nil), ds.fill...)
}

// ExternalFiles returns the names of external raw data files, if any.
func (ds *Dataset) ExternalFiles() []string {
	var out []string
	for _, e := range ds.external {
		out = append(out, e.name)
	}
	return out
}

// ---- selections ----

type selection struct {
	start, count, stride []uint64
	n                    uint64
}

func (ds *Dataset) normSel(sel *Hyperslab) (*selection, error) {
	rank := len(ds.dims)
	s := &selection{}
	if ds.null {
		if sel != nil {
			return nil, fmt.Errorf("hdf5: %s: hyperslab on a null dataspace", ds.path)
		}
		return s, nil
	}
	if sel == nil {
		s.start = make([]uint64, rank)
		s.count = append([]uint64(nil), ds.dims...)
		s.stride = make([]uint64, rank)
		for i := range s.stride {
			s.stride[i] = 1
		}
	} else {
		if len(sel.Start) != rank || len(sel.Count) != rank || (sel.Stride != nil && len(sel.Stride) != rank) {
			return nil, fmt.Errorf("hdf5: %s: hyperslab rank does not match dataset rank %d", ds.path, rank)
		}
		s.start = append([]uint64(nil), sel.Start...)
		s.count = append([]uint64(nil), sel.Count...)
		s.stride = make([]uint64, rank)
		for i := range s.stride {
			s.stride[i] = 1
			if sel.Stride != nil {
				s.stride[i] = sel.Stride[i]
			}
			if s.stride[i] == 0 {
				return nil, fmt.Errorf("hdf5: %s: zero stride in dimension %d", ds.path, i)
			}
			if s.count[i] > 0 {
				last := s.start[i] + (s.count[i]-1)*s.stride[i]
				if s.start[i] >= ds.dims[i] || last >= ds.dims[i] || last < s.start[i] || (s.count[i]-1) > math.MaxUint64/s.stride[i] {
					return nil, fmt.Errorf("hdf5: %s: hyperslab exceeds dimension %d (size %d)", ds.path, i, ds.dims[i])
				}
			}
		}
	}
	s.n = 1
	for _, c := range s.count {
		if c != 0 && s.n > math.MaxUint64/c {
			return nil, fmt.Errorf("hdf5: %s: selection too large: %w", ds.path, ErrTooLarge)
		}
		s.n *= c
	}
	return s, nil
}

func (ds *Dataset) isWhole(s *selection) bool {
	for i := range s.count {
		if s.start[i] != 0 || s.count[i] != ds.dims[i] || (s.stride[i] != 1 && s.count[i] > 1) {
			return false
		}
	}
	return true
}

// ReadRaw returns the selected elements' stored bytes in C order, in the
// file's byte order. Variable-length types give their raw heap references.
// Integers and floats with a bit offset or reduced precision (n-bit data,
// see Datatype.Precision) come back converted to the plain layout of the
// same size and byte order.
func (ds *Dataset) ReadRaw(sel *Hyperslab) ([]byte, error) {
	s, err := ds.normSel(sel)
	if err != nil {
		return nil, err
	}
	es := uint64(ds.dtype.Size)
	if s.n != 0 && es > uint64(ds.f.opts.maxAlloc)/s.n {
		return nil, fmt.Errorf("hdf5: %s: reading %d elements of %d bytes: %w", ds.path, s.n, es, ErrTooLarge)
	}
	out := make([]byte, s.n*es)
	if err := ds.readInto(out, s); err != nil {
		return nil, err
	}
	return out, nil
}

// readInto fills dst (len = s.n*size) with the selection's raw bytes.
// dst must be zeroed (freshly allocated): unallocated chunks with a zero
// fill value are skipped.
func (ds *Dataset) readInto(dst []byte, s *selection) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("hdf5: %s: internal error: %v", ds.path, p)
		}
	}()
	if ds.layout == LayoutVirtual && ds.vdsErr != nil {
		return ds.vdsErr
	}
	if s.n == 0 {
		return nil
	}
	if ds.stored != nil && ds.layout != LayoutVirtual {
		// virtual sources convert their own elements
		defer func() {
			if err == nil {
				convertElems(dst, ds.stored)
			}
		}()
	}
	switch ds.layout {
	case LayoutCompact:
		if uint64(len(ds.compact)) < ds.byteSize() {
			return ds.f.formatErr(ds.addr, "compact dataset", "%d bytes of data for %d needed", len(ds.compact), ds.byteSize())
		}
		copySel(dst, ds.compact, ds.dims, make([]uint64, len(ds.dims)), ds.dims, s, ds.dtype.Size)
		return nil
	case LayoutContiguous:
		return ds.readContiguous(dst, s)
	case LayoutChunked:
		return ds.readChunked(dst, s)
	case LayoutVirtual:
		return ds.readVirtual(dst, s)
	}
	return fmt.Errorf("hdf5: %s: unknown layout: %w", ds.path, ErrUnsupported)
}

func (ds *Dataset) fillBytes(dst []byte) {
	es := ds.dtype.Size
	if ds.fill == nil || len(ds.fill) != es {
		clear(dst)
		return
	}
	allZero := true
	for _, b := range ds.fill {
		if b != 0 {
			allZero = false
		}
	}
	if allZero {
		clear(dst)
		return
	}
	if len(dst) >= es {
		copy(dst, ds.fill)
		for filled := es; filled < len(dst); filled *= 2 {
			copy(dst[filled:], dst[:filled])
		}
	}
}

func (ds *Dataset) readContiguous(dst []byte, s *selection) error {
	f := ds.f
	total := ds.byteSize()
	es := uint64(ds.dtype.Size)
	if len(ds.external) > 0 {
		return ds.readExternal(dst, s)
	}
	if f.undef(ds.dataAddr) {
		ds.fillBytes(dst)
		return nil
	}
	if err := f.checkRange(ds.dataAddr, total, "contiguous data"); err != nil {
		return err
	}
	abs := int64(f.base + ds.dataAddr)
	rank := len(ds.dims)
	if rank == 0 || ds.isWhole(s) {
		if err := f.readRun(dst, abs); err != nil {
			return fmt.Errorf("hdf5: %s: reading contiguous data at offset %d: %w", ds.path, abs, err)
		}
		return nil
	}
	// Read the bounding range of the selection when it is not much larger
	// than the selection, else row by row.
	first := linearIndex(s.start, ds.dims)
	last := make([]uint64, rank)
	for i := range last {
		last[i] = s.start[i] + (s.count[i]-1)*s.stride[i]
	}
	lastIdx := linearIndex(last, ds.dims)
	if lastIdx-first+1 == s.n {
		// The selection's s.n distinct elements lie in [first, lastIdx],
		// a range of s.n elements, and C order visits them by increasing
		// linear index: the selection is that range, in file order. Read
		// it straight into dst (no temporary buffer and copy). Stored
		// n-bit elements are converted in dst by readInto afterwards, as
		// on the other paths.
		if err := f.readRun(dst, abs+int64(first*es)); err != nil {
			return fmt.Errorf("hdf5: %s: reading contiguous data at offset %d: %w", ds.path, abs+int64(first*es), err)
		}
		return nil
	}
	span := (lastIdx - first + 1) * es
	if span <= 4*uint64(len(dst))+boundingSlack && span <= uint64(f.opts.maxAlloc) {
		tmp := make([]byte, span)
		if err := f.readFull(tmp, abs+int64(first*es)); err != nil {
			return fmt.Errorf("hdf5: %s: %w", ds.path, err)
		}
		return copySelFlat(dst, tmp, first, ds.dims, s, int(es))
	}
	// row-wise: one read per output row covering its strided span
	n := s.count[rank-1]
	st := s.stride[rank-1]
	rowSpan := ((n-1)*st + 1) * es
	var tmp []byte
	if st != 1 {
		if rowSpan > uint64(f.opts.maxAlloc) {
			return fmt.Errorf("hdf5: %s: row span of %d bytes: %w", ds.path, rowSpan, ErrTooLarge)
		}
		tmp = make([]byte, rowSpan)
	}
	return forEachRow(s, func(outOff uint64, coord []uint64) error {
		li := linearIndex(coord, ds.dims)
		if st == 1 {
			return f.readFull(dst[outOff*es:(outOff+n)*es], abs+int64(li*es))
		}
		if err := f.readFull(tmp, abs+int64(li*es)); err != nil {
			return err
		}
		for k := uint64(0); k < n; k++ {
			copy(dst[(outOff+k)*es:(outOff+k+1)*es], tmp[k*st*es:])
		}
		return nil
	})
}

// parallelReadMin is the size from which readRun splits a read between
// the file's workers, in parts of at least parallelReadPart bytes
// (variables so tests reach that path).
var parallelReadMin, parallelReadPart = 16 << 20, 8 << 20

// splitReads reports whether readRun may split reads on r (a variable so
// tests reach the split path with other readers).
var splitReads = func(r io.ReaderAt) bool { _, local := r.(*os.File); return local }

// readRun fills dst from offset off of the file. Runs of parallelReadMin
// bytes or more are read by up to opts.workers goroutines in parts of at
// least parallelReadPart bytes, so the copy out of the page cache runs on
// several cores: the 80 MB of spike times of bench/p3.sh took ~10 ms
// in one pread, and reading that units table into Arrow went from 26 to
// 17 ms wall on two cores (same CPU time). Only an *os.File is split:
// other readers (HTTP range readers) plan their own parallel requests, and
// splitting here would cost them extra round trips.
func (f *File) readRun(dst []byte, off int64) error {
	parts := min(f.opts.workers, len(dst)/parallelReadPart)
	if !splitReads(f.r) || len(dst) < parallelReadMin || parts < 2 {
		return f.readFull(dst, off)
	}
	step := (len(dst)/parts + 4095) &^ 4095
	errs := make(chan error, parts)
	n := 0
	for lo := 0; lo < len(dst); lo += step {
		hi := min(lo+step, len(dst))
		n++
		go func() { errs <- f.readFull(dst[lo:hi], off+int64(lo)) }()
	}
	var first error
	for range n {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// boundingSlack is how many bytes beyond 4× the selection a contiguous
// hyperslab read may fetch in one piece before reading row by row.
var boundingSlack uint64 = 1 << 20

func isEOF(err error) bool { return errors.Is(err, io.EOF) }

func linearIndex(coord, dims []uint64) uint64 {
	var li uint64
	for i := range dims {
		li = li*dims[i] + coord[i]
	}
	return li
}

// forEachRow calls fn for each output row (all dims but the last fixed):
// outOff is the element index in the output, coord the dataset coordinate
// of the row's first element.
func forEachRow(s *selection, fn func(outOff uint64, coord []uint64) error) error {
	rank := len(s.count)
	idx := make([]uint64, rank)
	coord := make([]uint64, rank)
	n := s.count[rank-1]
	var out uint64
	for {
		for i := range coord {
			coord[i] = s.start[i] + idx[i]*s.stride[i]
		}
		if err := fn(out, coord); err != nil {
			return err
		}
		out += n
		i := rank - 2
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < s.count[i] {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return nil
		}
	}
}

// copySelFlat copies the selection from src, which holds the dataset's
// elements from linear index first on.
func copySelFlat(dst, src []byte, first uint64, dims []uint64, s *selection, es int) error {
	rank := len(dims)
	n := s.count[rank-1]
	st := s.stride[rank-1]
	return forEachRow(s, func(outOff uint64, coord []uint64) error {
		li := linearIndex(coord, dims) - first
		if st == 1 {
			copy(dst[outOff*uint64(es):(outOff+n)*uint64(es)], src[li*uint64(es):])
			return nil
		}
		for k := uint64(0); k < n; k++ {
			o := (outOff + k) * uint64(es)
			p := (li + k*st) * uint64(es)
			copy(dst[o:o+uint64(es)], src[p:p+uint64(es)])
		}
		return nil
	})
}

// copySel copies the part of selection s that falls in a block of the
// dataset (origin, bdims; block stored densely in src with dims bdims)
// into dst (the whole selection's output buffer).
func copySel(dst, src []byte, dsDims, origin, bdims []uint64, s *selection, es int) {
	if len(bdims) == 0 {
		copy(dst[:es], src)
		return
	}
	ues := uint64(es)
	selRows(dsDims, origin, bdims, s, func(o, b, n, st uint64) {
		if st == 1 {
			copy(dst[o*ues:(o+n)*ues], src[b*ues:(b+n)*ues])
		} else if es == 4 {
			for k := uint64(0); k < n; k++ {
				copy(dst[(o+k)*4:(o+k)*4+4], src[(b+k*st)*4:])
			}
		} else {
			for k := uint64(0); k < n; k++ {
				copy(dst[(o+k)*ues:(o+k+1)*ues], src[(b+k*st)*ues:])
			}
		}
	})
}

// copySelShuffled is copySel for a block still in HDF5 shuffle layout:
// byte j of element e is src[j*m+e], m = len(src)/es (the shuffle filter's
// plane length), so unshuffling and copying are one pass.
func copySelShuffled(dst, src []byte, dsDims, origin, bdims []uint64, s *selection, es int) {
	m := uint64(len(src) / es)
	ues := uint64(es)
	if len(bdims) == 0 {
		for j := uint64(0); j < ues; j++ {
			dst[j] = src[j*m]
		}
		return
	}
	selRows(dsDims, origin, bdims, s, func(o, b, n, st uint64) {
		if es == 4 && st == 1 {
			filter.Interleave4(dst[o*4:(o+n)*4], src[b:b+n], src[m+b:m+b+n], src[2*m+b:2*m+b+n], src[3*m+b:3*m+b+n])
			return
		}
		for k := uint64(0); k < n; k++ {
			e := b + k*st
			d := dst[(o+k)*ues : (o+k+1)*ues]
			for j := range d {
				d[j] = src[uint64(j)*m+e]
			}
		}
	})
}

// selRows calls row(o, b, n, st) for each run of the selection inside the
// block at origin (extent bdims, clipped to dsDims): n elements along the
// last dimension, at element offset o of the output and b of the block,
// b stepping by st.
func selRows(dsDims, origin, bdims []uint64, s *selection, row func(o, b, n, st uint64)) {
	rank := len(bdims)
	lo := make([]uint64, rank) // first selected index (in selection count units) inside block
	hi := make([]uint64, rank) // one past last
	for i := 0; i < rank; i++ {
		bEnd := origin[i] + bdims[i]
		if bEnd > dsDims[i] {
			bEnd = dsDims[i]
		}
		if s.count[i] == 0 {
			return
		}
		selLast := s.start[i] + (s.count[i]-1)*s.stride[i]
		if bEnd <= s.start[i] || origin[i] > selLast {
			return
		}
		var l uint64
		if origin[i] > s.start[i] {
			l = (origin[i] - s.start[i] + s.stride[i] - 1) / s.stride[i]
		}
		h := (bEnd-1-s.start[i])/s.stride[i] + 1
		if h > s.count[i] {
			h = s.count[i]
		}
		if l >= h {
			return
		}
		lo[i], hi[i] = l, h
	}
	// output strides (elements) and block strides
	outStride := make([]uint64, rank)
	blkStride := make([]uint64, rank)
	outStride[rank-1], blkStride[rank-1] = 1, 1
	for i := rank - 2; i >= 0; i-- {
		outStride[i] = outStride[i+1] * s.count[i+1]
		blkStride[i] = blkStride[i+1] * bdims[i+1]
	}
	idx := append([]uint64(nil), lo...)
	last := rank - 1
	n := hi[last] - lo[last]
	st := s.stride[last]
	for {
		var o, b uint64
		for i := 0; i < rank; i++ {
			o += idx[i] * outStride[i]
			b += (s.start[i] + idx[i]*s.stride[i] - origin[i]) * blkStride[i]
		}
		row(o, b, n, st)
		i := rank - 2
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < hi[i] {
				break
			}
			idx[i] = lo[i]
		}
		if i < 0 {
			return
		}
	}
}

func (ds *Dataset) readExternal(dst []byte, s *selection) error {
	total := ds.byteSize()
	if total > uint64(ds.f.opts.maxAlloc) {
		return fmt.Errorf("hdf5: %s: %w", ds.path, ErrTooLarge)
	}
	all := make([]byte, total)
	ds.fillBytes(all)
	pos := uint64(0)
	dir := ds.f.opts.extDir
	for _, e := range ds.external {
		if pos >= total {
			break
		}
		n := e.size
		if n > total-pos || ds.f.undef(n) {
			n = total - pos
		}
		p := e.name
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		fh, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("hdf5: %s: external raw data file %q: %w", ds.path, e.name, err)
		}
		_, err = fh.ReadAt(all[pos:pos+n], int64(e.offset))
		fh.Close()
		if err != nil && !isEOF(err) {
			return fmt.Errorf("hdf5: %s: external raw data file %q: %w", ds.path, e.name, err)
		}
		pos += n
	}
	return copySelFlat(dst, all, 0, ds.dims, s, ds.dtype.Size)
}
