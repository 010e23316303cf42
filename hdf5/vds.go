package hdf5

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Virtual datasets: the layout message points to a global heap object
// listing mappings (source file, source dataset, source selection,
// virtual selection). Reads assemble the whole virtual dataset from its
// sources (missing sources read as the fill value) and then cut the
// requested hyperslab. Regular-hyperslab and "all" selections are
// supported, including unlimited counts/blocks and printf-style ("%b")
// source file names; point and irregular selections give ErrUnsupported.

const selUnlimited = math.MaxUint64

type vdsSel struct {
	all                         bool
	start, stride, count, block []uint64
}

type vdsMap struct {
	file, dset string
	src, virt  vdsSel
}

// parseSelection decodes a serialized dataspace selection.
func (f *File) parseSelection(d *buf) (vdsSel, error) {
	var s vdsSel
	typ := d.u32()
	ver := d.u32()
	switch typ {
	case 3: // all
		d.skip(8)
		s.all = true
		return s, d.err
	case 2: // hyperslab
	default:
		if d.err != nil {
			return s, d.err
		}
		return s, fmt.Errorf("hdf5: virtual dataset selection type %d: %w", typ, ErrUnsupported)
	}
	enc := 4
	var flags uint8
	switch ver {
	case 1:
		d.skip(8)
	case 2:
		flags = d.u8()
		d.skip(4)
		enc = 8
	case 3:
		flags = d.u8()
		enc = int(d.u8())
	default:
		d.fail("hyperslab selection version %d", ver)
		return s, d.err
	}
	if enc != 2 && enc != 4 && enc != 8 {
		d.fail("hyperslab selection encoding size %d", enc)
		return s, d.err
	}
	rank := int(d.u32())
	if rank < 1 || rank > 32 {
		d.fail("hyperslab selection rank %d", rank)
		return s, d.err
	}
	all1 := uint64(math.MaxUint64)
	if enc < 8 {
		all1 = 1<<(8*uint(enc)) - 1
	}
	get := func() uint64 {
		v := d.uN(enc)
		if v == all1 {
			return selUnlimited
		}
		return v
	}
	s.start, s.stride, s.count, s.block = make([]uint64, rank), make([]uint64, rank), make([]uint64, rank), make([]uint64, rank)
	if flags&1 == 0 {
		// block list: one block is a regular selection
		nb := d.uN(enc)
		if d.err != nil {
			return s, d.err
		}
		if nb != 1 {
			return s, fmt.Errorf("hdf5: virtual dataset selection of %d blocks: %w", nb, ErrUnsupported)
		}
		for i := 0; i < rank; i++ {
			s.start[i] = d.uN(enc)
		}
		for i := 0; i < rank; i++ {
			end := d.uN(enc)
			if end < s.start[i] {
				d.fail("hyperslab block ends before it starts")
				return s, d.err
			}
			s.stride[i], s.count[i], s.block[i] = 1, 1, end-s.start[i]+1
		}
		return s, d.err
	}
	for i := 0; i < rank; i++ {
		s.start[i], s.stride[i], s.count[i], s.block[i] = get(), get(), get(), get()
	}
	return s, d.err
}

func (ds *Dataset) parseVDS(heapAddr uint64, index uint32) error {
	f := ds.f
	blob, err := f.globalHeapObject(heapAddr, index)
	if err != nil {
		return err
	}
	d := f.newBuf(blob, heapAddr, "virtual dataset mapping")
	ver := d.u8()
	if ver > 1 {
		return f.formatErr(heapAddr, "virtual dataset mapping", "version %d", ver)
	}
	n := d.length()
	if n > uint64(len(blob)) {
		return f.formatErr(heapAddr, "virtual dataset mapping", "%d entries", n)
	}
	var maps []vdsMap
	for i := uint64(0); i < n && d.err == nil; i++ {
		var flags uint8
		if ver >= 1 {
			flags = d.u8()
		}
		var m vdsMap
		switch {
		case flags&4 != 0:
			m.file = "."
		case flags&1 != 0:
			o := d.length()
			if o >= uint64(len(maps)) {
				return f.formatErr(heapAddr, "virtual dataset mapping", "bad shared name index")
			}
			m.file = maps[o].file
		default:
			m.file = d.cstring()
		}
		if flags&2 != 0 {
			o := d.length()
			if o >= uint64(len(maps)) {
				return f.formatErr(heapAddr, "virtual dataset mapping", "bad shared name index")
			}
			m.dset = maps[o].dset
		} else {
			m.dset = d.cstring()
		}
		if m.src, err = f.parseSelection(d); err != nil {
			return err
		}
		if m.virt, err = f.parseSelection(d); err != nil {
			return err
		}
		if m.virt.all || len(m.virt.start) != len(ds.dims) {
			return fmt.Errorf("hdf5: virtual selection of rank %d for a rank-%d dataset: %w", len(m.virt.start), len(ds.dims), ErrUnsupported)
		}
		maps = append(maps, m)
	}
	if d.err != nil {
		return d.err
	}
	ds.vds = maps
	// the extent of unlimited dimensions is what the sources present
	// cover (HDF5's default "last available" view)
	ext := make([]uint64, len(ds.dims))
	for _, m := range ds.vds {
		blocks, err := ds.resolveVDS(m)
		if err != nil {
			return err
		}
		ds.vdsBlocks = append(ds.vdsBlocks, blocks)
		for _, b := range blocks {
			for k := range ds.dims {
				if b.virt.count[k] == 0 || b.virt.block[k] == 0 {
					continue
				}
				end := b.virt.start[k] + (b.virt.count[k]-1)*b.virt.stride[k] + b.virt.block[k]
				ext[k] = max(ext[k], end)
			}
		}
	}
	for k := range ds.dims {
		if ds.maxdims != nil && k < len(ds.maxdims) && ds.maxdims[k] < 0 {
			ds.dims[k] = ext[k]
		}
	}
	return nil
}

// vdsBlock is one resolved mapping: a source dataset (nil when missing)
// with finite selections.
type vdsBlock struct {
	src       *Dataset
	srcSel    vdsSel
	virt      vdsSel
	srcMiss   bool
	srcExtent []uint64
}

func (ds *Dataset) vdsSource(file, dset string) (*Dataset, error) {
	f := ds.f
	var sf *File
	if file == "." {
		sf = f
	} else {
		p := file
		if !filepath.IsAbs(p) {
			p = filepath.Join(f.opts.extDir, file)
		}
		if _, err := os.Stat(p); err != nil {
			return nil, nil // missing source: fill value
		}
		var err error
		sf, err = f.externalFile(file)
		if err != nil {
			return nil, err
		}
	}
	if !strings.HasPrefix(dset, "/") {
		dset = "/" + dset
	}
	o, err := sf.resolvePath(dset, 0, false)
	if err != nil {
		return nil, nil
	}
	src, ok := o.(*Dataset)
	if !ok || src.layout == LayoutVirtual {
		return nil, fmt.Errorf("hdf5: virtual dataset source %s:%s is not a plain dataset: %w", file, dset, ErrUnsupported)
	}
	return src, nil
}

func resolveSel(s vdsSel, extent []uint64) vdsSel {
	if s.all {
		r := vdsSel{start: make([]uint64, len(extent)), stride: make([]uint64, len(extent)), count: make([]uint64, len(extent)), block: append([]uint64(nil), extent...)}
		for i := range extent {
			r.stride[i], r.count[i] = 1, 1
		}
		return r
	}
	r := vdsSel{start: append([]uint64(nil), s.start...), stride: append([]uint64(nil), s.stride...), count: append([]uint64(nil), s.count...), block: append([]uint64(nil), s.block...)}
	for i := range r.start {
		var ext uint64
		if i < len(extent) {
			ext = extent[i]
		}
		if r.block[i] == selUnlimited {
			r.block[i] = 0
			if ext > r.start[i] {
				r.block[i] = ext - r.start[i]
			}
		}
		if r.count[i] == selUnlimited {
			r.count[i] = 0
			if r.stride[i] > 0 && ext >= r.start[i]+r.block[i] {
				r.count[i] = (ext-r.start[i]-r.block[i])/r.stride[i] + 1
			}
		}
	}
	return r
}

func (ds *Dataset) resolveVDS(m vdsMap) ([]vdsBlock, error) {
	unlimCount := -1
	for i, c := range m.virt.count {
		if c == selUnlimited {
			unlimCount = i
		}
	}
	if strings.Contains(m.file, "%b") || strings.Contains(m.dset, "%b") {
		if unlimCount < 0 {
			return nil, fmt.Errorf("hdf5: printf-style virtual source without unlimited count: %w", ErrUnsupported)
		}
		var out []vdsBlock
		for b := uint64(0); b < 1<<16; b++ {
			bs := strconv.FormatUint(b, 10)
			src, err := ds.vdsSource(strings.ReplaceAll(m.file, "%b", bs), strings.ReplaceAll(m.dset, "%b", bs))
			if err != nil {
				return nil, err
			}
			if src == nil {
				break
			}
			v := resolveSel(m.virt, nil)
			v.start[unlimCount] = m.virt.start[unlimCount] + b*m.virt.stride[unlimCount]
			v.count[unlimCount] = 1
			out = append(out, vdsBlock{src: src, srcSel: resolveSel(m.src, src.dims), virt: v})
		}
		return out, nil
	}
	src, err := ds.vdsSource(m.file, m.dset)
	if err != nil {
		return nil, err
	}
	var extent []uint64
	if src != nil {
		extent = src.dims
	}
	ss := resolveSel(m.src, extent)
	v := resolveSel(m.virt, nil)
	// unlimited virtual counts/blocks take the number of source indices
	// selected in the same dimension
	for i := range v.count {
		var nsrc uint64
		if i < len(ss.count) {
			nsrc = ss.count[i] * ss.block[i]
		}
		if m.virt.count[i] == selUnlimited {
			v.count[i] = 0
			if v.block[i] > 0 && v.block[i] != selUnlimited {
				v.count[i] = nsrc / v.block[i]
			}
		}
		if m.virt.block[i] == selUnlimited {
			v.block[i] = 0
			if v.count[i] > 0 {
				v.block[i] = nsrc / v.count[i]
			}
		}
	}
	return []vdsBlock{{src: src, srcSel: ss, virt: v, srcMiss: src == nil}}, nil
}

// selIndices lists the selected indices of dimension i in order.
func selIndices(s vdsSel, i int, limit uint64) ([]uint64, error) {
	n := s.count[i] * s.block[i]
	if s.count[i] != 0 && n/s.count[i] != s.block[i] || n > limit {
		return nil, fmt.Errorf("hdf5: virtual selection too large: %w", ErrTooLarge)
	}
	out := make([]uint64, 0, n)
	for c := uint64(0); c < s.count[i]; c++ {
		for b := uint64(0); b < s.block[i]; b++ {
			out = append(out, s.start[i]+c*s.stride[i]+b)
		}
	}
	return out, nil
}

// readVirtual assembles the whole virtual dataset, then cuts s.
func (ds *Dataset) readVirtual(dst []byte, s *selection) error {
	es := uint64(ds.dtype.Size)
	total := ds.byteSize()
	if total > uint64(ds.f.opts.maxAlloc) {
		return fmt.Errorf("hdf5: %s: virtual dataset of %d bytes: %w", ds.path, total, ErrTooLarge)
	}
	all := make([]byte, total)
	ds.fillBytes(all)
	rank := len(ds.dims)
	for _, blocks := range ds.vdsBlocks {
		for _, b := range blocks {
			if b.src == nil {
				continue
			}
			if len(b.srcSel.start) != len(b.src.dims) || b.src.dtype.Size != ds.dtype.Size || b.src.dtype.Class != ds.dtype.Class {
				return fmt.Errorf("hdf5: %s: virtual source with a different shape or type: %w", ds.path, ErrUnsupported)
			}
			// source elements in C order of the source selection
			srank := len(b.src.dims)
			sidx := make([][]uint64, srank)
			lo := make([]uint64, srank)
			cnt := make([]uint64, srank)
			nsrc := uint64(1)
			for k := 0; k < srank; k++ {
				ix, err := selIndices(b.srcSel, k, b.src.dims[k])
				if err != nil {
					return err
				}
				if len(ix) == 0 {
					nsrc = 0
					break
				}
				if ix[len(ix)-1] >= b.src.dims[k] {
					return fmt.Errorf("hdf5: %s: virtual source selection outside %s", ds.path, b.src.path)
				}
				sidx[k] = ix
				lo[k] = ix[0]
				cnt[k] = ix[len(ix)-1] - ix[0] + 1
				nsrc *= uint64(len(ix))
			}
			if nsrc == 0 {
				continue
			}
			box, err := b.src.ReadRaw(&Hyperslab{Start: lo, Count: cnt})
			if err != nil {
				return err
			}
			vidx := make([][]uint64, rank)
			nv := uint64(1)
			for k := 0; k < rank; k++ {
				ix, err := selIndices(b.virt, k, ds.dims[k])
				if err != nil {
					return err
				}
				vidx[k] = ix
				nv *= uint64(len(ix))
			}
			if nv != nsrc {
				return fmt.Errorf("hdf5: %s: virtual mapping selects %d elements from %d source elements: %w", ds.path, nv, nsrc, ErrUnsupported)
			}
			// walk both selections in C order
			sp := make([]int, srank)
			vp := make([]int, rank)
			for e := uint64(0); e < nsrc; e++ {
				var so, vo uint64
				for k := 0; k < srank; k++ {
					so = so*cnt[k] + (sidx[k][sp[k]] - lo[k])
				}
				ok := true
				for k := 0; k < rank; k++ {
					c := vidx[k][vp[k]]
					if c >= ds.dims[k] {
						ok = false
					}
					vo = vo*ds.dims[k] + c
				}
				if ok {
					copy(all[vo*es:(vo+1)*es], box[so*es:(so+1)*es])
				}
				for k := srank - 1; k >= 0; k-- {
					sp[k]++
					if sp[k] < len(sidx[k]) {
						break
					}
					sp[k] = 0
				}
				for k := rank - 1; k >= 0; k-- {
					vp[k]++
					if vp[k] < len(vidx[k]) {
						break
					}
					vp[k] = 0
				}
			}
		}
	}
	if rank == 0 {
		copy(dst, all)
		return nil
	}
	return copySelFlat(dst, all, 0, ds.dims, s, int(es))
}
