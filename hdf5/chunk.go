package hdf5

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"sync"
	"unsafe"

	"github.com/neurodata/neurodata/hdf5/internal/filter"
)

// chunkBytes is the decoded size of one chunk.
func (ds *Dataset) chunkBytes() uint64 {
	n := uint64(ds.dtype.Size)
	for _, c := range ds.chunkDims {
		n *= c
	}
	return n
}

// nChunks returns the number of chunks per dimension for dims.
func (ds *Dataset) nChunks() []uint64 {
	out := make([]uint64, len(ds.dims))
	for i, d := range ds.dims {
		out[i] = (d + ds.chunkDims[i] - 1) / ds.chunkDims[i]
	}
	return out
}

// maxChunks returns chunks per dimension for the maximum dimensions
// (current dims for unlimited ones).
func (ds *Dataset) maxChunks() []uint64 {
	out := make([]uint64, len(ds.dims))
	for i, d := range ds.dims {
		m := d
		if i < len(ds.maxdims) && ds.maxdims[i] >= 0 && uint64(ds.maxdims[i]) > d {
			m = uint64(ds.maxdims[i])
		}
		out[i] = (m + ds.chunkDims[i] - 1) / ds.chunkDims[i]
	}
	return out
}

// key maps scaled chunk coordinates to the chunk map key.
func chunkKey(scaled, n []uint64) (uint64, bool) {
	var k uint64
	for i := range n {
		if scaled[i] >= n[i] {
			return 0, false
		}
		k = k*n[i] + scaled[i]
	}
	return k, true
}

func (ds *Dataset) chunkIndex() (map[uint64]chunkLoc, error) {
	ds.chunkOnce.Do(func() {
		// datasets opened again share the index built the first time
		f := ds.f
		f.mu.Lock()
		m, ok := f.chunkMaps[ds.addr]
		f.mu.Unlock()
		if ok {
			ds.chunkMap = m
			return
		}
		ds.chunkMap, ds.chunkErr = ds.buildChunkMap()
		if ds.chunkErr == nil {
			f.mu.Lock()
			if f.chunkMaps == nil || len(f.chunkMaps) > 1024 {
				f.chunkMaps = map[uint64]map[uint64]chunkLoc{}
			}
			f.chunkMaps[ds.addr] = ds.chunkMap
			f.mu.Unlock()
		}
		if ds.chunkErr != nil {
			ds.chunkErr = fmt.Errorf("hdf5: %s: chunk index: %w", ds.path, ds.chunkErr)
		}
	})
	return ds.chunkMap, ds.chunkErr
}

func (ds *Dataset) buildChunkMap() (map[uint64]chunkLoc, error) {
	f := ds.f
	m := map[uint64]chunkLoc{}
	if f.undef(ds.idxAddr) {
		return m, nil
	}
	rank := len(ds.dims)
	n := ds.nChunks()
	cb := ds.chunkBytes()
	filtered := len(ds.filters) > 0
	add := func(scaled []uint64, loc chunkLoc) error {
		if f.undef(loc.addr) || loc.addr == 0 {
			return nil
		}
		if k, ok := chunkKey(scaled, n); ok {
			m[k] = loc
		}
		if len(m) > 1<<26 {
			return f.formatErr(ds.idxAddr, "chunk index", "too many chunks")
		}
		return nil
	}
	switch ds.idxType {
	case idxBTree1:
		scaled := make([]uint64, rank)
		return m, f.walkBTree1(ds.idxAddr, 1, rank, func(key []byte, child uint64) error {
			size := uint64(binary.LittleEndian.Uint32(key))
			mask := binary.LittleEndian.Uint32(key[4:])
			for i := 0; i < rank; i++ {
				off := binary.LittleEndian.Uint64(key[8+8*i:])
				if off%ds.chunkDims[i] != 0 {
					return f.formatErr(child, "chunk B-tree key", "offset %d not a multiple of chunk size %d", off, ds.chunkDims[i])
				}
				scaled[i] = off / ds.chunkDims[i]
			}
			return add(scaled, chunkLoc{addr: child, size: size, mask: mask})
		})
	case idxSingle:
		loc := chunkLoc{addr: ds.idxAddr, size: cb}
		if ds.layoutFlag&2 != 0 {
			loc.size, loc.mask = ds.singleSize, ds.singleMask
		}
		return m, add(make([]uint64, rank), loc)
	case idxImplicit:
		mc := ds.maxChunks()
		total := uint64(1)
		for _, v := range mc {
			total *= v
		}
		if total > 1<<26 {
			return nil, f.formatErr(ds.idxAddr, "implicit chunk index", "too many chunks")
		}
		if err := f.checkRange(ds.idxAddr, total*cb, "implicit chunk index"); err != nil {
			return nil, err
		}
		scaled := make([]uint64, rank)
		for i := uint64(0); i < total; i++ {
			unravel(i, mc, scaled)
			if err := add(scaled, chunkLoc{addr: ds.idxAddr + i*cb, size: cb}); err != nil {
				return nil, err
			}
		}
		return m, nil
	case idxFixedArray:
		mc := ds.maxChunks()
		scaled := make([]uint64, rank)
		return m, ds.walkFixedArray(filtered, func(i uint64, loc chunkLoc) error {
			unravel(i, mc, scaled)
			return add(scaled, loc)
		})
	case idxExtArray:
		return m, ds.walkExtArray(filtered, add)
	case idxBTree2:
		scaled := make([]uint64, rank)
		return m, f.walkBTree2(ds.idxAddr, func(rec []byte) error {
			d := f.newBuf(rec, ds.idxAddr, "chunk B-tree record")
			loc := chunkLoc{addr: d.addrField(), size: cb}
			if filtered {
				sl := len(rec) - f.offSize - 4 - 8*rank
				if sl < 1 || sl > 8 {
					return f.formatErr(ds.idxAddr, "chunk B-tree record", "bad record size %d", len(rec))
				}
				loc.size = d.uN(sl)
				loc.mask = d.u32()
			}
			for i := range scaled {
				scaled[i] = d.u64()
			}
			if d.err != nil {
				return d.err
			}
			return add(scaled, loc)
		})
	}
	return nil, fmt.Errorf("chunk index type %d: %w", ds.idxType, ErrUnsupported)
}

// unravel converts linear index i into C-order coordinates over dims.
func unravel(i uint64, dims, out []uint64) {
	for k := len(dims) - 1; k >= 0; k-- {
		if dims[k] == 0 {
			out[k] = 0
			continue
		}
		out[k] = i % dims[k]
		i /= dims[k]
	}
}

// filteredEntry decodes a chunk index element: address [, size, mask].
func (f *File) chunkEntry(b []byte, filtered bool, defSize uint64) chunkLoc {
	loc := chunkLoc{addr: le(b, f.offSize), size: defSize}
	if filtered {
		sl := len(b) - f.offSize - 4
		if sl >= 1 && sl <= 8 {
			loc.size = le(b[f.offSize:], sl)
			loc.mask = binary.LittleEndian.Uint32(b[f.offSize+sl:])
		}
	}
	return loc
}

func (ds *Dataset) walkFixedArray(filtered bool, fn func(i uint64, loc chunkLoc) error) error {
	f := ds.f
	addr := ds.idxAddr
	hb, err := f.readAt(addr, int64(4+4+f.lenSize+f.offSize+4), "fixed array header")
	if err != nil {
		return err
	}
	d := f.newBuf(hb, addr, "fixed array header")
	if string(d.bytes(4)) != "FAHD" {
		return f.formatErr(addr, "fixed array header", "bad signature")
	}
	d.u8()
	d.u8()
	esz := int(d.u8())
	pageBits := int(d.u8())
	nent := d.length()
	dblk := d.addrField()
	if d.err != nil {
		return d.err
	}
	if err := f.verifyChecksum(hb, addr, "fixed array header"); err != nil {
		return err
	}
	if esz < f.offSize || pageBits > 32 || nent > 1<<32 {
		return f.formatErr(addr, "fixed array header", "bad geometry")
	}
	if f.undef(dblk) {
		return nil
	}
	cb := ds.chunkBytes()
	pageN := uint64(1) << uint(pageBits)
	prefix := uint64(4 + 1 + 1 + f.offSize)
	if nent <= pageN {
		b, err := f.readAt(dblk, int64(prefix+nent*uint64(esz)+4), "fixed array data block")
		if err != nil {
			return err
		}
		if string(b[:4]) != "FADB" {
			return f.formatErr(dblk, "fixed array data block", "bad signature")
		}
		if err := f.verifyChecksum(b, dblk, "fixed array data block"); err != nil {
			return err
		}
		for i := uint64(0); i < nent; i++ {
			e := b[prefix+i*uint64(esz):]
			if err := fn(i, f.chunkEntry(e[:esz], filtered, cb)); err != nil {
				return err
			}
		}
		return nil
	}
	npages := (nent + pageN - 1) / pageN
	bm := (npages + 7) / 8
	b, err := f.readAt(dblk, int64(prefix+bm+4), "fixed array data block")
	if err != nil {
		return err
	}
	if string(b[:4]) != "FADB" {
		return f.formatErr(dblk, "fixed array data block", "bad signature")
	}
	if err := f.verifyChecksum(b, dblk, "fixed array data block"); err != nil {
		return err
	}
	bitmap := b[prefix : prefix+bm]
	pos := dblk + prefix + bm + 4
	for p := uint64(0); p < npages; p++ {
		cnt := pageN
		if p == npages-1 {
			cnt = nent - p*pageN
		}
		psize := cnt*uint64(esz) + 4
		if bitmap[p/8]&(0x80>>(p%8)) != 0 {
			pb, err := f.readAt(pos, int64(psize), "fixed array page")
			if err != nil {
				return err
			}
			if err := f.verifyChecksum(pb, pos, "fixed array page"); err != nil {
				return err
			}
			for i := uint64(0); i < cnt; i++ {
				e := pb[i*uint64(esz):]
				if err := fn(p*pageN+i, f.chunkEntry(e[:esz], filtered, cb)); err != nil {
					return err
				}
			}
		}
		pos += psize
	}
	return nil
}

func log2(v uint64) int { return bits.Len64(v) - 1 }

func (ds *Dataset) walkExtArray(filtered bool, add func(scaled []uint64, loc chunkLoc) error) error {
	f := ds.f
	addr := ds.idxAddr
	hb, err := f.readAt(addr, int64(4+1+1+6+6*f.lenSize+f.offSize+4), "extensible array header")
	if err != nil {
		return err
	}
	d := f.newBuf(hb, addr, "extensible array header")
	if string(d.bytes(4)) != "EAHD" {
		return f.formatErr(addr, "extensible array header", "bad signature")
	}
	d.u8()
	d.u8()
	esz := int(d.u8())
	maxBits := int(d.u8())
	idxElmts := uint64(d.u8())
	dblkMin := uint64(d.u8())
	sblkMinPtrs := uint64(d.u8())
	maxPageBits := int(d.u8())
	for i := 0; i < 4; i++ {
		d.length()
	}
	maxIdx := d.length()
	d.length()
	iblk := d.addrField()
	if d.err != nil {
		return d.err
	}
	if err := f.verifyChecksum(hb, addr, "extensible array header"); err != nil {
		return err
	}
	if esz < f.offSize || maxBits == 0 || maxBits > 64 || dblkMin == 0 || sblkMinPtrs == 0 ||
		bits.OnesCount64(dblkMin) != 1 || bits.OnesCount64(sblkMinPtrs) != 1 || maxPageBits > 32 || maxIdx > 1<<32 {
		return f.formatErr(addr, "extensible array header", "bad geometry")
	}
	if f.undef(iblk) {
		return nil
	}
	cb := ds.chunkBytes()
	nsblks := 1 + maxBits - log2(dblkMin)
	if nsblks <= 0 || nsblks > 64 {
		return f.formatErr(addr, "extensible array header", "bad geometry")
	}
	type sinfo struct{ ndblks, nelmts, startIdx, startDblk uint64 }
	si := make([]sinfo, nsblks)
	var sIdx, sDblk uint64
	for u := 0; u < nsblks; u++ {
		si[u] = sinfo{ndblks: 1 << uint(u/2), nelmts: (1 << uint((u+1)/2)) * dblkMin, startIdx: sIdx, startDblk: sDblk}
		sIdx += si[u].ndblks * si[u].nelmts
		sDblk += si[u].ndblks
	}
	ibNsblks := 2 * log2(sblkMinPtrs)
	ndblkAddrs := 2 * (sblkMinPtrs - 1)
	nsblkAddrs := uint64(nsblks - ibNsblks)
	if ibNsblks > nsblks {
		nsblkAddrs = 0
	}
	arrOff := (maxBits + 7) / 8
	ibSize := 4 + 1 + 1 + uint64(f.offSize) + idxElmts*uint64(esz) + ndblkAddrs*uint64(f.offSize) + nsblkAddrs*uint64(f.offSize) + 4
	ib, err := f.readAt(iblk, int64(ibSize), "extensible array index block")
	if err != nil {
		return err
	}
	if string(ib[:4]) != "EAIB" {
		return f.formatErr(iblk, "extensible array index block", "bad signature")
	}
	if err := f.verifyChecksum(ib, iblk, "extensible array index block"); err != nil {
		return err
	}
	p := 6 + f.offSize
	elems := ib[p : p+int(idxElmts)*esz]
	p += int(idxElmts) * esz
	dblkAddrs := make([]uint64, ndblkAddrs)
	for i := range dblkAddrs {
		dblkAddrs[i] = le(ib[p:], f.offSize)
		p += f.offSize
	}
	sblkAddrs := make([]uint64, nsblkAddrs)
	for i := range sblkAddrs {
		sblkAddrs[i] = le(ib[p:], f.offSize)
		p += f.offSize
	}

	// geometry of chunk coordinates: unlimited dimension swizzled first
	rank := len(ds.dims)
	unlim := 0
	for i, m := range ds.maxdims {
		if m < 0 {
			unlim = i
			break
		}
	}
	mc := ds.maxChunks()
	order := []int{unlim}
	for i := 0; i < rank; i++ {
		if i != unlim {
			order = append(order, i)
		}
	}
	sw := make([]uint64, rank)
	for i, o := range order {
		sw[i] = mc[o]
	}
	sw[0] = ^uint64(0) >> 1
	scaled := make([]uint64, rank)
	swc := make([]uint64, rank)
	emit := func(idx uint64, e []byte) error {
		loc := f.chunkEntry(e, filtered, cb)
		// unravel over swizzled dims; the first is unbounded
		rem := idx
		for k := rank - 1; k >= 1; k-- {
			if sw[k] == 0 {
				return nil
			}
			swc[k] = rem % sw[k]
			rem /= sw[k]
		}
		swc[0] = rem
		for i, o := range order {
			scaled[o] = swc[i]
		}
		return add(scaled, loc)
	}
	for i := uint64(0); i < idxElmts && i < maxIdx; i++ {
		if err := emit(i, elems[i*uint64(esz):(i+1)*uint64(esz)]); err != nil {
			return err
		}
	}
	readDblk := func(daddr, start, nelmts uint64) error {
		if f.undef(daddr) {
			return nil
		}
		prefix := uint64(4 + 1 + 1 + f.offSize + arrOff)
		pageN := uint64(1) << uint(maxPageBits)
		if nelmts <= pageN {
			b, err := f.readAt(daddr, int64(prefix+nelmts*uint64(esz)+4), "extensible array data block")
			if err != nil {
				return err
			}
			if string(b[:4]) != "EADB" {
				return f.formatErr(daddr, "extensible array data block", "bad signature")
			}
			if err := f.verifyChecksum(b, daddr, "extensible array data block"); err != nil {
				return err
			}
			for i := uint64(0); i < nelmts && start+i < maxIdx; i++ {
				if err := emit(start+i, b[prefix+i*uint64(esz):prefix+(i+1)*uint64(esz)]); err != nil {
					return err
				}
			}
			return nil
		}
		npages := nelmts / pageN
		pos := daddr + prefix + 4
		for pg := uint64(0); pg < npages; pg++ {
			if start+pg*pageN >= maxIdx {
				break
			}
			psize := pageN*uint64(esz) + 4
			pb, err := f.readAt(pos, int64(psize), "extensible array data block page")
			if err != nil {
				return err
			}
			if err := f.verifyChecksum(pb, pos, "extensible array data block page"); err != nil {
				return err
			}
			for i := uint64(0); i < pageN && start+pg*pageN+i < maxIdx; i++ {
				if err := emit(start+pg*pageN+i, pb[i*uint64(esz):(i+1)*uint64(esz)]); err != nil {
					return err
				}
			}
			pos += psize
		}
		return nil
	}
	// data blocks held by the index block
	for u := 0; u < ibNsblks && u < nsblks; u++ {
		for j := uint64(0); j < si[u].ndblks; j++ {
			di := si[u].startDblk + j
			if di >= uint64(len(dblkAddrs)) {
				break
			}
			start := idxElmts + si[u].startIdx + j*si[u].nelmts
			if start >= maxIdx {
				return nil
			}
			if err := readDblk(dblkAddrs[di], start, si[u].nelmts); err != nil {
				return err
			}
		}
	}
	for k, sa := range sblkAddrs {
		u := ibNsblks + k
		if u >= nsblks || f.undef(sa) {
			continue
		}
		if idxElmts+si[u].startIdx >= maxIdx {
			break
		}
		nd := si[u].ndblks
		pageN := uint64(1) << uint(maxPageBits)
		var bmSize uint64
		if si[u].nelmts > pageN {
			bmSize = nd * ((si[u].nelmts/pageN + 7) / 8)
		}
		size := uint64(4+1+1+f.offSize+arrOff) + bmSize + nd*uint64(f.offSize) + 4
		sb, err := f.readAt(sa, int64(size), "extensible array super block")
		if err != nil {
			return err
		}
		if string(sb[:4]) != "EASB" {
			return f.formatErr(sa, "extensible array super block", "bad signature")
		}
		if err := f.verifyChecksum(sb, sa, "extensible array super block"); err != nil {
			return err
		}
		q := uint64(4+1+1+f.offSize+arrOff) + bmSize
		for j := uint64(0); j < nd; j++ {
			da := le(sb[q+j*uint64(f.offSize):], f.offSize)
			start := idxElmts + si[u].startIdx + j*si[u].nelmts
			if start >= maxIdx {
				break
			}
			if err := readDblk(da, start, si[u].nelmts); err != nil {
				return err
			}
		}
	}
	return nil
}

// filterSpecs converts the pipeline to the filter package's form.
func (ds *Dataset) filterSpecs() []filter.Spec {
	out := make([]filter.Spec, len(ds.filters))
	for i, fl := range ds.filters {
		var flags uint16
		if fl.Optional {
			flags = 1
		}
		out[i] = filter.Spec{ID: fl.ID, Name: fl.Name, Flags: flags, Params: fl.Params}
	}
	return out
}

// readChunk returns the decoded bytes of one chunk.
// zeroFill reports whether unwritten elements read as zero bytes.
func (ds *Dataset) zeroFill() bool {
	for _, b := range ds.fill {
		if b != 0 {
			return false
		}
	}
	return true
}

// rawPool recycles buffers for stored (compressed) chunk bytes.
var rawPool sync.Pool

func getRaw(n int) *[]byte {
	if p, ok := rawPool.Get().(*[]byte); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]byte, n)
	return &b
}

// readChunk returns the decoded bytes of one chunk; release must be
// called once the bytes are no longer used. With keep, a decoded buffer
// that the filters allocated (not the pooled raw buffer) is handed to the
// caller instead of being recycled: owned reports that, and release then
// only recycles the raw buffer (the chunk cache keeps data without a copy).
//
// skip adds filter-mask bits: those pipeline stages are not run (the
// fused unshuffle path runs stage 0 itself); data is then not cut to the
// chunk size.
func (ds *Dataset) readChunk(loc chunkLoc, specs []filter.Spec, keep bool, skip uint32) (data []byte, release func(), owned bool, err error) {
	f := ds.f
	cb := ds.chunkBytes()
	if cb > uint64(f.opts.maxAlloc) || loc.size > uint64(f.opts.maxAlloc) {
		return nil, nil, false, fmt.Errorf("hdf5: %s: chunk of %d bytes: %w", ds.path, cb, ErrTooLarge)
	}
	if err := f.checkRange(loc.addr, loc.size, "chunk"); err != nil {
		return nil, nil, false, err
	}
	bp := getRaw(int(loc.size))
	release = func() { rawPool.Put(bp) }
	raw := *bp
	if err := f.readFull(raw, int64(f.base+loc.addr)); err != nil {
		release()
		return nil, nil, false, fmt.Errorf("hdf5: %s: reading chunk at offset %d: %w", ds.path, f.base+loc.addr, err)
	}
	data, err = ds.decodeChunk(loc, specs, raw, skip)
	if err != nil {
		release()
		return nil, nil, false, err
	}
	if len(specs) > 0 {
		if keep && !sharesMemory(data, raw) {
			return data, release, true, nil
		}
		// hand the decoded buffer back to the filter package too
		release = func() {
			filter.Recycle(data, raw)
			rawPool.Put(bp)
		}
	}
	return data, release, false, nil
}

// sharesMemory reports whether a and b share backing memory.
func sharesMemory(a, b []byte) bool {
	if cap(a) == 0 || cap(b) == 0 {
		return false
	}
	ap := uintptr(unsafe.Pointer(unsafe.SliceData(a)))
	bp := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	return ap < bp+uintptr(cap(b)) && bp < ap+uintptr(cap(a))
}

func (ds *Dataset) decodeChunk(loc chunkLoc, specs []filter.Spec, raw []byte, skip uint32) ([]byte, error) {
	f := ds.f
	cb := ds.chunkBytes()
	if len(specs) > 0 {
		out, err := filter.Decode(specs, raw, ds.dtype.Size, int(cb), loc.mask|skip)
		if err != nil {
			if errors.Is(err, filter.ErrChecksum) {
				return nil, fmt.Errorf("hdf5: %s: chunk at offset %d: %w (%v)", ds.path, f.base+loc.addr, ErrChecksum, err)
			}
			if errors.Is(err, filter.ErrUnknownFilter) {
				return nil, fmt.Errorf("hdf5: %s: %w: %v", ds.path, ErrUnsupported, err)
			}
			return nil, fmt.Errorf("hdf5: %s: chunk at offset %d: %w", ds.path, f.base+loc.addr, err)
		}
		raw = out
	}
	if uint64(len(raw)) < cb {
		return nil, f.formatErr(loc.addr, "chunk", "%s: decoded %d bytes, chunk holds %d", ds.path, len(raw), cb)
	}
	if skip != 0 {
		return raw, nil
	}
	return raw[:cb], nil
}

func (ds *Dataset) readChunked(dst []byte, s *selection) error {
	return ds.readChunkedLazy(func() []byte { return dst }, s)
}

// readChunkedLazy is readChunked with the destination obtained from dstFn
// (called at most once per copy, from the workers; it must return the same
// zeroed slice every time): a caller can defer allocating (and zeroing)
// a large destination until the first chunk is decoded, so that the
// zeroing overlaps with the other workers' decoding.
func (ds *Dataset) readChunkedLazy(dstFn func() []byte, s *selection) error {
	rank := len(ds.dims)
	es := ds.dtype.Size
	if rank == 0 {
		return fmt.Errorf("hdf5: %s: chunked scalar dataset", ds.path)
	}
	idx, err := ds.chunkIndex()
	if err != nil {
		return err
	}
	n := ds.nChunks()
	lo := make([]uint64, rank)
	hi := make([]uint64, rank)
	total := uint64(1)
	for i := 0; i < rank; i++ {
		lo[i] = s.start[i] / ds.chunkDims[i]
		hi[i] = (s.start[i]+(s.count[i]-1)*s.stride[i])/ds.chunkDims[i] + 1
		total *= hi[i] - lo[i]
	}
	if total > uint64(ds.f.opts.maxAlloc)/64 {
		return fmt.Errorf("hdf5: %s: read touches %d chunks: %w", ds.path, total, ErrTooLarge)
	}
	type job struct {
		key    uint64
		origin []uint64
	}
	jobs := make([]job, 0, total)
	c := append([]uint64(nil), lo...)
	for {
		// skip chunks that a strided selection does not touch
		touch := true
		for i := 0; i < rank && touch; i++ {
			if s.stride[i] > 1 {
				o := c[i] * ds.chunkDims[i]
				e := o + ds.chunkDims[i]
				var first uint64
				if o > s.start[i] {
					first = (o - s.start[i] + s.stride[i] - 1) / s.stride[i]
				}
				if first >= s.count[i] || s.start[i]+first*s.stride[i] >= e {
					touch = false
				}
			}
		}
		if touch {
			k, _ := chunkKey(c, n)
			o := make([]uint64, rank)
			for i := range o {
				o[i] = c[i] * ds.chunkDims[i]
			}
			jobs = append(jobs, job{key: k, origin: o})
		}
		i := rank - 1
		for ; i >= 0; i-- {
			c[i]++
			if c[i] < hi[i] {
				break
			}
			c[i] = lo[i]
		}
		if i < 0 {
			break
		}
	}
	specs := ds.filterSpecs()
	// small reads of filtered data go through the decoded-chunk cache
	useCache := len(specs) > 0 && len(jobs) <= maxCachedReadChunks && ds.f.chunks != nil
	var fillOnce sync.Once
	var fillChunk []byte
	getFill := func() []byte {
		fillOnce.Do(func() {
			fillChunk = make([]byte, ds.chunkBytes())
			ds.fillBytes(fillChunk)
		})
		return fillChunk
	}
	do := func(j job) error {
		loc, ok := idx[j.key]
		if !ok {
			// unallocated chunk: dst is freshly zeroed, so only a non-zero
			// fill value has to be written
			if !ds.zeroFill() {
				if ds.chunkBytes() > uint64(ds.f.opts.maxAlloc) {
					return fmt.Errorf("hdf5: %s: fill chunk of %d bytes: %w", ds.path, ds.chunkBytes(), ErrTooLarge)
				}
				copySel(dstFn(), getFill(), ds.dims, j.origin, ds.chunkDims, s, es)
			}
			return nil
		}
		sp := specs
		if ds.layoutFlag&1 != 0 && len(specs) > 0 {
			// partial edge chunks are stored unfiltered
			for i, o := range j.origin {
				if o+ds.chunkDims[i] > ds.dims[i] {
					sp = nil
					break
				}
			}
		}
		ck := chunkCacheKey{ds: ds.addr, key: j.key}
		if useCache {
			if b := ds.f.chunks.get(ck); b != nil {
				copySel(dstFn(), b, ds.dims, j.origin, ds.chunkDims, s, es)
				return nil
			}
		}
		if !useCache && fusedShuffle(sp, loc.mask, es, ds.chunkBytes()) {
			// the shuffle stage (last to run) writes straight into dst
			b, release, _, err := ds.readChunk(loc, sp, false, 1)
			if err != nil {
				return err
			}
			copySelShuffled(dstFn(), b, ds.dims, j.origin, ds.chunkDims, s, es)
			release()
			return nil
		}
		b, release, owned, err := ds.readChunk(loc, sp, useCache, 0)
		if err != nil {
			return err
		}
		copySel(dstFn(), b, ds.dims, j.origin, ds.chunkDims, s, es)
		if useCache {
			if !owned {
				// b lives in the pooled raw buffer (no filter ran): copy
				b = append([]byte(nil), b...)
			}
			ds.f.chunks.put(ck, b)
		}
		release()
		return nil
	}
	workers := ds.f.opts.workers
	if workers > len(jobs) {
		workers = len(jobs)
	}
	if workers <= 1 {
		for _, j := range jobs {
			if err := do(j); err != nil {
				return err
			}
		}
		return nil
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	// all jobs are queued up front so the caller's goroutine does not
	// compete with the workers for a P while they decode
	next := make(chan job, len(jobs))
	for _, j := range jobs {
		next <- j
	}
	close(next)
	safeDo := func(j job) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("hdf5: %s: internal error: %v", ds.path, p)
			}
		}()
		return do(j)
	}
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				mu.Lock()
				failed := firstErr != nil
				mu.Unlock()
				if failed {
					continue
				}
				if err := safeDo(j); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return firstErr
}

// fusedShuffle reports whether a chunk's last pipeline stage to run is a
// shuffle of es-byte elements, which copySelShuffled can undo while
// copying into the destination (saving a pass over the chunk).
func fusedShuffle(specs []filter.Spec, mask uint32, es int, cb uint64) bool {
	if len(specs) == 0 || specs[0].ID != filter.Shuffle || mask&1 != 0 || es < 2 || cb%uint64(es) != 0 {
		return false
	}
	size := es
	if p := specs[0].Params; len(p) > 0 && p[0] > 0 {
		size = int(p[0])
	}
	return size == es
}
