package hdf5

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
)

// ---- local heap ----

type localHeap struct {
	data []byte
	addr uint64
}

func (f *File) localHeap(addr uint64) (*localHeap, error) {
	b, err := f.readAt(addr, int64(8+2*f.lenSize+f.offSize), "local heap")
	if err != nil {
		return nil, err
	}
	d := f.newBuf(b, addr, "local heap")
	if string(d.bytes(4)) != "HEAP" {
		return nil, f.formatErr(addr, "local heap", "bad signature")
	}
	d.skip(4)
	size := d.length()
	d.length()
	da := d.addrField()
	if d.err != nil {
		return nil, d.err
	}
	data, err := f.readAt(da, int64(size), "local heap data")
	if err != nil {
		return nil, err
	}
	return &localHeap{data: data, addr: da}, nil
}

func (h *localHeap) str(off uint64) (string, error) {
	if off >= uint64(len(h.data)) {
		return "", &FormatError{Offset: int64(h.addr), What: "local heap", Msg: fmt.Sprintf("offset %d beyond heap size %d", off, len(h.data))}
	}
	s := h.data[off:]
	if i := bytes.IndexByte(s, 0); i >= 0 {
		s = s[:i]
	}
	return string(s), nil
}

// ---- global heap ----

type globalHeap struct {
	objs map[uint16][]byte
	size int64
}

func (f *File) globalHeapObject(addr uint64, idx uint32) ([]byte, error) {
	f.mu.Lock()
	gh, ok := f.gheaps[addr]
	f.mu.Unlock()
	if !ok {
		// bound the cache by bytes as well as entries
		var err error
		gh, err = f.readGlobalHeap(addr)
		if err != nil {
			return nil, err
		}
		f.mu.Lock()
		if len(f.gheaps) > 4096 || f.gheapBytes > 256<<20 {
			f.gheaps = map[uint64]*globalHeap{}
			f.gheapBytes = 0
		}
		f.gheaps[addr] = gh
		f.gheapBytes += gh.size
		f.mu.Unlock()
	}
	o, ok := gh.objs[uint16(idx)]
	if !ok || idx > 0xffff {
		return nil, f.formatErr(addr, "global heap", "no object %d", idx)
	}
	return o, nil
}

func (f *File) readGlobalHeap(addr uint64) (*globalHeap, error) {
	hdr, err := f.readAt(addr, int64(8+f.lenSize), "global heap")
	if err != nil {
		return nil, err
	}
	if string(hdr[:4]) != "GCOL" {
		return nil, f.formatErr(addr, "global heap", "bad signature")
	}
	size := le(hdr[8:], f.lenSize)
	if size < uint64(len(hdr)) {
		return nil, f.formatErr(addr, "global heap", "bad collection size %d", size)
	}
	if err := f.checkRange(addr, size, "global heap"); err != nil {
		// tolerate collections that claim more than remains (last in file)
		size = uint64(f.size) - (f.base + addr)
	}
	b, err := f.readAt(addr, int64(size), "global heap")
	if err != nil {
		return nil, err
	}
	gh := &globalHeap{objs: map[uint16][]byte{}, size: int64(len(b))}
	d := f.newBuf(b, addr, "global heap")
	d.skip(8 + f.lenSize)
	for d.rem() >= 8+f.lenSize && d.err == nil {
		idx := d.u16()
		d.u16()
		d.skip(4)
		n := d.length()
		if idx == 0 {
			break
		}
		if n > uint64(d.rem()) {
			return nil, f.formatErr(addr+uint64(d.pos), "global heap", "object %d size %d exceeds collection", idx, n)
		}
		start := d.pos
		gh.objs[idx] = d.bytes(int(n))
		d.align8(start - 8 - f.lenSize)
	}
	return gh, nil
}

// ---- fractal heap ----

type fractalHeap struct {
	f            *File
	addr         uint64
	idLen        int
	filterLen    int
	flags        uint8
	maxManaged   uint32
	hugeBtree    uint64
	width        int
	startBlock   uint64
	maxDirect    uint64
	maxHeapBits  int
	rootAddr     uint64
	rootRows     int
	offBytes     int
	lenBytes     int
	filteredRoot uint64
	filters      []Filter
}

func (f *File) fractalHeap(addr uint64) (*fractalHeap, error) {
	f.mu.Lock()
	h, ok := f.fheaps[addr]
	f.mu.Unlock()
	if ok {
		return h, nil
	}
	h, err := f.readFractalHeap(addr)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if f.fheaps == nil || len(f.fheaps) > 4096 {
		f.fheaps = map[uint64]*fractalHeap{}
	}
	f.fheaps[addr] = h
	f.mu.Unlock()
	return h, nil
}

func (f *File) readFractalHeap(addr uint64) (*fractalHeap, error) {
	b, err := f.readUpTo(addr, 512, "fractal heap")
	if err != nil {
		return nil, err
	}
	d := f.newBuf(b, addr, "fractal heap")
	if string(d.bytes(4)) != "FRHP" {
		return nil, f.formatErr(addr, "fractal heap", "bad signature")
	}
	h := &fractalHeap{f: f, addr: addr}
	d.u8()
	h.idLen = int(d.u16())
	h.filterLen = int(d.u16())
	h.flags = d.u8()
	h.maxManaged = d.u32()
	d.length() // next huge id
	h.hugeBtree = d.addrField()
	d.length()
	d.addrField()
	d.length()
	d.length()
	d.length()
	d.length()
	d.length()
	d.length()
	d.length()
	d.length()
	h.width = int(d.u16())
	h.startBlock = d.length()
	h.maxDirect = d.length()
	h.maxHeapBits = int(d.u16())
	d.u16() // starting rows
	h.rootAddr = d.addrField()
	h.rootRows = int(d.u16())
	if h.filterLen > 0 {
		h.filteredRoot = d.length()
		d.u32()
		fb := d.bytes(h.filterLen)
		if d.err == nil {
			fl, err := f.parseFilters(fb, addr)
			if err != nil {
				return nil, err
			}
			h.filters = fl
		}
	}
	end := d.pos
	d.u32()
	if d.err != nil {
		return nil, d.err
	}
	if err := f.verifyChecksum(b[:end+4], addr, "fractal heap"); err != nil {
		return nil, err
	}
	if h.width <= 0 || h.width > 65536 || h.startBlock == 0 || h.maxDirect < h.startBlock ||
		h.maxHeapBits <= 0 || h.maxHeapBits > 64 || bits.OnesCount64(h.startBlock) != 1 || bits.OnesCount64(h.maxDirect) != 1 || h.maxDirect > 1<<40 {
		return nil, f.formatErr(addr, "fractal heap", "bad geometry (width %d, start %d, max direct %d, heap bits %d)", h.width, h.startBlock, h.maxDirect, h.maxHeapBits)
	}
	h.offBytes = (h.maxHeapBits + 7) / 8
	m := h.maxDirect
	if uint64(h.maxManaged) < m {
		m = uint64(h.maxManaged)
	}
	h.lenBytes = (bits.Len64(m) + 7) / 8
	if h.lenBytes == 0 {
		h.lenBytes = 1
	}
	return h, nil
}

// get returns the object with the given heap ID.
func (h *fractalHeap) get(id []byte) ([]byte, error) {
	f := h.f
	if len(id) < 1 {
		return nil, f.formatErr(h.addr, "fractal heap ID", "empty")
	}
	switch (id[0] >> 4) & 3 {
	case 0: // managed
		d := f.newBuf(id, h.addr, "fractal heap ID")
		d.u8()
		off := d.uN(h.offBytes)
		n := d.uN(h.lenBytes)
		if d.err != nil {
			return nil, d.err
		}
		return h.managed(off, n)
	case 2: // tiny
		n := int(id[0]&0x0f) + 1
		start := 1
		if h.idLen > 18 {
			if len(id) < 2 {
				return nil, f.formatErr(h.addr, "fractal heap ID", "short tiny ID")
			}
			n = int(id[0]&0x0f)<<8 | int(id[1]) + 1
			start = 2
		}
		if start+n > len(id) {
			return nil, f.formatErr(h.addr, "fractal heap ID", "tiny object length %d exceeds ID", n)
		}
		return id[start : start+n], nil
	case 1: // huge
		d := f.newBuf(id, h.addr, "fractal heap ID")
		d.u8()
		if len(id) >= 1+f.offSize+f.lenSize && h.filterLen == 0 {
			a := d.addrField()
			n := d.length()
			if d.err != nil {
				return nil, d.err
			}
			return f.readAt(a, int64(n), "fractal heap huge object")
		}
		key := d.uN(len(id) - 1)
		return h.hugeByID(key)
	}
	return nil, f.formatErr(h.addr, "fractal heap ID", "unknown ID type %d", (id[0]>>4)&3)
}

func (h *fractalHeap) hugeByID(key uint64) ([]byte, error) {
	f := h.f
	var out []byte
	found := false
	err := f.walkBTree2(h.hugeBtree, func(rec []byte) error {
		d := f.newBuf(rec, h.hugeBtree, "huge object record")
		a := d.addrField()
		n := d.length()
		var id uint64
		if h.filterLen > 0 {
			d.u32()
			d.length()
		}
		id = d.length()
		if d.err != nil {
			return d.err
		}
		if id == key && !found {
			found = true
			b, err := f.readAt(a, int64(n), "fractal heap huge object")
			if err != nil {
				return err
			}
			out = b
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, f.formatErr(h.addr, "fractal heap", "huge object %d not found", key)
	}
	if len(h.filters) > 0 {
		return nil, fmt.Errorf("hdf5: filtered huge heap objects: %w", ErrUnsupported)
	}
	return out, nil
}

func (h *fractalHeap) rowSize(row int) uint64 {
	if row <= 1 {
		return h.startBlock
	}
	return h.startBlock << uint(row-1)
}

// managed locates an object at heap offset off of length n.
func (h *fractalHeap) managed(off, n uint64) ([]byte, error) {
	f := h.f
	if h.rootRows == 0 {
		return h.fromDirect(h.rootAddr, h.startBlock, off, n, 0)
	}
	addr := h.rootAddr
	rows := h.rootRows
	blockOff := uint64(0)
	for depth := 0; depth < 64; depth++ {
		// walk rows of this indirect block
		pos := blockOff
		found := false
		maxDirectRows := bits.Len64(h.maxDirect/h.startBlock) + 1
		for row := 0; row < rows && !found; row++ {
			rs := h.rowSize(row)
			span := rs * uint64(h.width)
			if off >= pos+span {
				pos += span
				continue
			}
			col := (off - pos) / rs
			childOff := pos + col*rs
			entry := row*h.width + int(col)
			childAddr, err := h.indirectEntry(addr, rows, entry, row < maxDirectRows)
			if err != nil {
				return nil, err
			}
			if f.undef(childAddr) || childAddr == 0 {
				return nil, f.formatErr(addr, "fractal heap", "object at offset %d in unallocated block", off)
			}
			if row < maxDirectRows {
				return h.fromDirect(childAddr, rs, off, n, childOff)
			}
			// child indirect block: rows covering rs bytes
			nr := 0
			for cov := uint64(0); cov < rs && nr < 64; nr++ {
				cov += h.rowSize(nr) * uint64(h.width)
			}
			addr, rows, blockOff = childAddr, nr, childOff
			found = true
		}
		if !found {
			return nil, f.formatErr(h.addr, "fractal heap", "offset %d outside heap", off)
		}
	}
	return nil, f.formatErr(h.addr, "fractal heap", "indirect blocks nested too deeply")
}

func (h *fractalHeap) indirectEntry(addr uint64, rows, entry int, direct bool) (uint64, error) {
	f := h.f
	prefix := uint64(4 + 1 + f.offSize + h.offBytes)
	maxDirectRows := bits.Len64(h.maxDirect/h.startBlock) + 1
	// entries before this one: direct-block entries carry a filtered
	// size and mask when the heap has I/O filters
	pos := prefix + uint64(entry)*uint64(f.offSize)
	if h.filterLen > 0 {
		direct := uint64(entry)
		if lim := uint64(maxDirectRows) * uint64(h.width); direct > lim {
			direct = lim
		}
		pos += direct * uint64(f.lenSize+4)
	}
	b, err := f.readAt(addr+uint64(pos), int64(f.offSize), "fractal heap indirect block")
	if err != nil {
		return 0, err
	}
	if entry == 0 {
		sig, err := f.readAt(addr, 4, "fractal heap indirect block")
		if err != nil {
			return 0, err
		}
		if string(sig) != "FHIB" {
			return 0, f.formatErr(addr, "fractal heap indirect block", "bad signature")
		}
	}
	return le(b, f.offSize), nil
}

func (h *fractalHeap) fromDirect(addr, size, off, n, blockOff uint64) ([]byte, error) {
	f := h.f
	if len(h.filters) > 0 {
		return nil, fmt.Errorf("hdf5: fractal heap with filtered blocks: %w", ErrUnsupported)
	}
	if off < blockOff || off-blockOff+n > size {
		return nil, f.formatErr(addr, "fractal heap direct block", "object [%d,+%d) outside block", off, n)
	}
	hdr, err := f.readAt(addr, 4, "fractal heap direct block")
	if err != nil {
		return nil, err
	}
	if string(hdr) != "FHDB" {
		return nil, f.formatErr(addr, "fractal heap direct block", "bad signature")
	}
	return f.readAt(addr+(off-blockOff), int64(n), "fractal heap object")
}

// ---- version 2 B-tree ----

type btree2 struct {
	typ      uint8
	nodeSize uint32
	recSize  int
	depth    int
	root     uint64
	rootN    int
	maxNrec  []int // per depth
	nrecSize int
	cumSize  []int
}

func encSize(n uint64) int { return bits.Len64(n)/8 + 1 }

func (f *File) readBTree2(addr uint64) (*btree2, error) {
	b, err := f.readAt(addr, int64(4+1+1+4+2+2+1+1+f.offSize+2+f.lenSize+4), "v2 B-tree header")
	if err != nil {
		return nil, err
	}
	d := f.newBuf(b, addr, "v2 B-tree header")
	if string(d.bytes(4)) != "BTHD" {
		return nil, f.formatErr(addr, "v2 B-tree header", "bad signature")
	}
	t := &btree2{}
	d.u8()
	t.typ = d.u8()
	t.nodeSize = d.u32()
	t.recSize = int(d.u16())
	t.depth = int(d.u16())
	d.u8()
	d.u8()
	t.root = d.addrField()
	t.rootN = int(d.u16())
	d.length()
	if d.err != nil {
		return nil, d.err
	}
	if err := f.verifyChecksum(b, addr, "v2 B-tree header"); err != nil {
		return nil, err
	}
	if t.recSize <= 0 || t.nodeSize < 16 || t.nodeSize > 1<<24 || t.depth > 32 {
		return nil, f.formatErr(addr, "v2 B-tree header", "bad geometry")
	}
	t.maxNrec = make([]int, t.depth+1)
	t.cumSize = make([]int, t.depth+1)
	cum := make([]uint64, t.depth+1)
	t.maxNrec[0] = (int(t.nodeSize) - 10) / t.recSize
	if t.maxNrec[0] <= 0 {
		return nil, f.formatErr(addr, "v2 B-tree header", "node too small")
	}
	cum[0] = uint64(t.maxNrec[0])
	t.nrecSize = encSize(uint64(t.maxNrec[0]))
	for u := 1; u <= t.depth; u++ {
		ptr := f.offSize + t.nrecSize
		if u > 1 {
			ptr += t.cumSize[u-1]
		}
		t.maxNrec[u] = (int(t.nodeSize) - 10 - ptr) / (t.recSize + ptr)
		if t.maxNrec[u] <= 0 {
			return nil, f.formatErr(addr, "v2 B-tree header", "node too small")
		}
		cum[u] = uint64(t.maxNrec[u]+1)*cum[u-1] + uint64(t.maxNrec[u])
		t.cumSize[u] = encSize(cum[u])
	}
	return t, nil
}

// walkBTree2 calls fn for every record of the v2 B-tree at addr, in order.
func (f *File) walkBTree2(addr uint64, fn func(rec []byte) error) error {
	t, err := f.readBTree2(addr)
	if err != nil {
		return err
	}
	if f.undef(t.root) || t.rootN == 0 {
		return nil
	}
	budget := 1 << 22
	return f.walkBT2Node(t, t.root, t.rootN, t.depth, fn, &budget)
}

func (f *File) walkBT2Node(t *btree2, addr uint64, nrec, depth int, fn func([]byte) error, budget *int) error {
	*budget--
	if *budget < 0 {
		return f.formatErr(addr, "v2 B-tree", "too many nodes")
	}
	if nrec > t.maxNrec[depth] {
		return f.formatErr(addr, "v2 B-tree node", "%d records exceed maximum %d", nrec, t.maxNrec[depth])
	}
	b, err := f.readAt(addr, int64(t.nodeSize), "v2 B-tree node")
	if err != nil {
		return err
	}
	d := f.newBuf(b, addr, "v2 B-tree node")
	sig := string(d.bytes(4))
	d.u8()
	d.u8()
	if depth == 0 {
		if sig != "BTLF" {
			return f.formatErr(addr, "v2 B-tree leaf", "bad signature")
		}
		recs := d.bytes(nrec * t.recSize)
		end := d.pos
		sum := d.u32()
		if d.err != nil {
			return d.err
		}
		if lookup3(b[:end], 0) != sum {
			return fmt.Errorf("hdf5: v2 B-tree leaf at offset %d: %w", f.base+addr, ErrChecksum)
		}
		for i := 0; i < nrec; i++ {
			if err := fn(recs[i*t.recSize : (i+1)*t.recSize]); err != nil {
				return err
			}
		}
		return nil
	}
	if sig != "BTIN" {
		return f.formatErr(addr, "v2 B-tree internal node", "bad signature")
	}
	recs := d.bytes(nrec * t.recSize)
	type child struct {
		addr uint64
		n    int
	}
	kids := make([]child, nrec+1)
	for i := 0; i <= nrec; i++ {
		kids[i].addr = d.addrField()
		kids[i].n = int(d.uN(t.nrecSize))
		if depth > 1 {
			d.uN(t.cumSize[depth-1])
		}
	}
	end := d.pos
	sum := d.u32()
	if d.err != nil {
		return d.err
	}
	if lookup3(b[:end], 0) != sum {
		return fmt.Errorf("hdf5: v2 B-tree internal node at offset %d: %w", f.base+addr, ErrChecksum)
	}
	for i := 0; i <= nrec; i++ {
		if err := f.walkBT2Node(t, kids[i].addr, kids[i].n, depth-1, fn, budget); err != nil {
			return err
		}
		if i < nrec {
			if err := fn(recs[i*t.recSize : (i+1)*t.recSize]); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- version 1 B-tree ----

// walkBTree1 visits every leaf entry of a v1 B-tree. For group trees
// (type 0) fn gets the child address; for chunk trees (type 1) it also gets
// the key preceding the child.
func (f *File) walkBTree1(addr uint64, typ uint8, ndims int, fn func(key []byte, child uint64) error) error {
	budget := 1 << 22
	seen := map[uint64]bool{}
	return f.walkBT1(addr, typ, ndims, -1, fn, &budget, seen)
}

func (f *File) walkBT1(addr uint64, typ uint8, ndims, wantLevel int, fn func([]byte, uint64) error, budget *int, seen map[uint64]bool) error {
	*budget--
	if *budget < 0 || seen[addr] {
		return f.formatErr(addr, "v1 B-tree", "loop or too many nodes")
	}
	seen[addr] = true
	hdr, err := f.readAt(addr, int64(8+2*f.offSize), "v1 B-tree node")
	if err != nil {
		return err
	}
	if string(hdr[:4]) != "TREE" {
		return f.formatErr(addr, "v1 B-tree node", "bad signature")
	}
	if hdr[4] != typ {
		return f.formatErr(addr, "v1 B-tree node", "node type %d, want %d", hdr[4], typ)
	}
	level := int(hdr[5])
	if wantLevel >= 0 && level != wantLevel {
		return f.formatErr(addr, "v1 B-tree node", "level %d, want %d", level, wantLevel)
	}
	n := int(binary.LittleEndian.Uint16(hdr[6:]))
	var keySize int
	if typ == 0 {
		keySize = f.lenSize
	} else {
		keySize = 8 + 8*(ndims+1)
	}
	size := int64(len(hdr)) + int64(n)*int64(keySize+f.offSize) + int64(keySize)
	b, err := f.readAt(addr, size, "v1 B-tree node")
	if err != nil {
		return err
	}
	d := f.newBuf(b, addr, "v1 B-tree node")
	d.skip(len(hdr))
	for i := 0; i < n; i++ {
		key := d.bytes(keySize)
		child := d.addrField()
		if d.err != nil {
			return d.err
		}
		if level > 0 {
			if err := f.walkBT1(child, typ, ndims, level-1, fn, budget, seen); err != nil {
				return err
			}
		} else if err := fn(key, child); err != nil {
			return err
		}
	}
	return nil
}
