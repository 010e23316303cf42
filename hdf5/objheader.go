package hdf5

import (
	"encoding/binary"
	"fmt"
)

// Object header message types.
const (
	msgNil          = 0x0000
	msgDataspace    = 0x0001
	msgLinkInfo     = 0x0002
	msgDatatype     = 0x0003
	msgFillOld      = 0x0004
	msgFill         = 0x0005
	msgLink         = 0x0006
	msgExternal     = 0x0007
	msgLayout       = 0x0008
	msgGroupInfo    = 0x000A
	msgFilters      = 0x000B
	msgAttribute    = 0x000C
	msgContinuation = 0x0010
	msgSymbolTable  = 0x0011
	msgSharedTable  = 0x000F
	msgAttrInfo     = 0x0015
	msgRefCount     = 0x0016
	msgFileSpace    = 0x0017
	msgCacheImage   = 0x0018
)

// maxHeaderMessages bounds the messages of one object header.
const maxHeaderMessages = 1 << 16

type message struct {
	typ   uint16
	flags uint8
	data  []byte
	addr  uint64 // relative address of data
}

type block struct{ addr, size uint64 }

type objHeader struct {
	addr    uint64
	version int
	msgs    []message
}

// lookup3 is Bob Jenkins' hashlittle, used by HDF5 for metadata checksums.
func lookup3(k []byte, initval uint32) uint32 {
	rot := func(x uint32, n uint) uint32 { return x<<n | x>>(32-n) }
	length := len(k)
	a := 0xdeadbeef + uint32(length) + initval
	b, c := a, a
	for length > 12 {
		a += binary.LittleEndian.Uint32(k[0:])
		b += binary.LittleEndian.Uint32(k[4:])
		c += binary.LittleEndian.Uint32(k[8:])
		a -= c
		a ^= rot(c, 4)
		c += b
		b -= a
		b ^= rot(a, 6)
		a += c
		c -= b
		c ^= rot(b, 8)
		b += a
		a -= c
		a ^= rot(c, 16)
		c += b
		b -= a
		b ^= rot(a, 19)
		a += c
		c -= b
		c ^= rot(b, 4)
		b += a
		length -= 12
		k = k[12:]
	}
	if length == 0 {
		return c
	}
	var tail [12]byte
	copy(tail[:], k[:length])
	a += binary.LittleEndian.Uint32(tail[0:])
	b += binary.LittleEndian.Uint32(tail[4:])
	c += binary.LittleEndian.Uint32(tail[8:])
	c ^= b
	c -= rot(b, 14)
	a ^= c
	a -= rot(c, 11)
	b ^= a
	b -= rot(a, 25)
	c ^= b
	c -= rot(b, 16)
	a ^= c
	a -= rot(c, 4)
	b ^= a
	b -= rot(a, 14)
	c ^= b
	c -= rot(b, 24)
	return c
}

// verifyChecksum checks the trailing 4-byte lookup3 checksum of b.
func (f *File) verifyChecksum(b []byte, addr uint64, what string) error {
	if len(b) < 4 {
		return f.formatErr(addr, what, "too short for checksum")
	}
	n := len(b) - 4
	if lookup3(b[:n], 0) != binary.LittleEndian.Uint32(b[n:]) {
		return fmt.Errorf("hdf5: %s at offset %d: %w", what, f.base+addr, ErrChecksum)
	}
	return nil
}

// header returns the parsed object header at addr (cached).
func (f *File) header(addr uint64) (*objHeader, error) {
	f.mu.Lock()
	oh, ok := f.headers[addr]
	f.mu.Unlock()
	if ok {
		return oh, nil
	}
	oh, err := f.parseHeader(addr)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if len(f.headers) > 1<<16 {
		f.headers = map[uint64]*objHeader{}
	}
	f.headers[addr] = oh
	f.mu.Unlock()
	return oh, nil
}

func (f *File) parseHeader(addr uint64) (*objHeader, error) {
	if f.undef(addr) {
		return nil, f.formatErr(addr, "object header", "undefined address")
	}
	pre, err := f.readUpTo(addr, 64, "object header")
	if err != nil {
		return nil, err
	}
	oh := &objHeader{addr: addr}
	var pending []block
	seen := map[uint64]bool{}
	totalBytes := uint64(0)
	if len(pre) >= 4 && string(pre[:4]) == "OHDR" {
		oh.version = 2
		d := f.newBuf(pre, addr, "object header")
		d.skip(4)
		if v := d.u8(); v != 2 {
			return nil, f.formatErr(addr, "object header", "OHDR version %d", v)
		}
		flags := d.u8()
		if flags&0x20 != 0 {
			d.skip(16)
		}
		if flags&0x10 != 0 {
			d.skip(4)
		}
		size := d.uN(1 << (flags & 3))
		if d.err != nil {
			return nil, d.err
		}
		start := uint64(d.pos)
		if size > uint64(f.size) {
			return nil, f.formatErr(addr, "object header", "chunk size %d exceeds file size", size)
		}
		total := start + size + 4
		if err := f.checkRange(addr, total, "object header"); err != nil {
			return nil, err
		}
		b, err := f.readAt(addr, int64(total), "object header")
		if err != nil {
			return nil, err
		}
		if err := f.verifyChecksum(b, addr, "object header"); err != nil {
			return nil, err
		}
		seen[addr] = true
		if err := f.parseMsgsV2(oh, b[start:len(b)-4], addr+start, flags, &pending); err != nil {
			return nil, err
		}
		for len(pending) > 0 {
			c := pending[0]
			pending = pending[1:]
			if seen[c.addr] {
				return nil, f.formatErr(c.addr, "object header continuation", "loop")
			}
			seen[c.addr] = true
			totalBytes += c.size
			if totalBytes > uint64(f.opts.maxAlloc) || c.size < 8 {
				return nil, f.formatErr(c.addr, "object header continuation", "bad size %d", c.size)
			}
			b, err := f.readAt(c.addr, int64(c.size), "object header continuation")
			if err != nil {
				return nil, err
			}
			if string(b[:4]) != "OCHK" {
				return nil, f.formatErr(c.addr, "object header continuation", "bad signature")
			}
			if err := f.verifyChecksum(b, c.addr, "object header continuation"); err != nil {
				return nil, err
			}
			if err := f.parseMsgsV2(oh, b[4:len(b)-4], c.addr+4, flags, &pending); err != nil {
				return nil, err
			}
		}
		return oh, nil
	}
	d := f.newBuf(pre, addr, "object header")
	if v := d.u8(); v != 1 {
		return nil, f.formatErr(addr, "object header", "unknown version %d", v)
	}
	oh.version = 1
	d.skip(1)
	nmsgs := int(d.u16())
	d.u32()
	size := uint64(d.u32())
	if d.err != nil {
		return nil, d.err
	}
	pending = append(pending, block{addr + 16, size})
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		if seen[c.addr] {
			return nil, f.formatErr(c.addr, "object header continuation", "loop")
		}
		seen[c.addr] = true
		totalBytes += c.size
		if totalBytes > uint64(f.opts.maxAlloc) {
			return nil, fmt.Errorf("hdf5: object header at %d: %w", f.base+addr, ErrTooLarge)
		}
		b, err := f.readAt(c.addr, int64(c.size), "object header")
		if err != nil {
			return nil, err
		}
		bd := f.newBuf(b, c.addr, "object header message")
		for bd.rem() >= 8 {
			typ := bd.u16()
			sz := int(bd.u16())
			fl := bd.u8()
			bd.skip(3)
			at := bd.pos
			data := bd.bytes(sz)
			if bd.err != nil {
				return nil, bd.err
			}
			if len(oh.msgs) >= maxHeaderMessages {
				return nil, f.formatErr(c.addr, "object header", "too many messages")
			}
			if typ == msgContinuation {
				cd := f.newBuf(data, c.addr+uint64(at), "continuation message")
				ca, cl := cd.addrField(), cd.length()
				if cd.err != nil {
					return nil, cd.err
				}
				pending = append(pending, block{ca, cl})
				continue
			}
			if typ == msgRefCount {
				return nil, f.formatErr(c.addr+uint64(at), "object header", "reference count message in a version 1 header")
			}
			oh.msgs = append(oh.msgs, message{typ: typ, flags: fl, data: data, addr: c.addr + uint64(at)})
			// v1 messages are 8-byte aligned relative to the header
			if r := bd.pos % 8; r != 0 {
				if bd.rem() < 8-r {
					break
				}
				bd.skip(8 - r)
			}
		}
	}
	_ = nmsgs
	return oh, nil
}

func (f *File) parseMsgsV2(oh *objHeader, b []byte, addr uint64, hflags uint8, pending *[]block) error {
	d := f.newBuf(b, addr, "object header message")
	hsz := 4
	if hflags&0x04 != 0 {
		hsz = 6
	}
	for d.rem() >= hsz {
		typ := uint16(d.u8())
		sz := int(d.u16())
		fl := d.u8()
		if hflags&0x04 != 0 {
			d.u16()
		}
		at := d.pos
		data := d.bytes(sz)
		if d.err != nil {
			return d.err
		}
		if len(oh.msgs) >= maxHeaderMessages {
			return f.formatErr(addr, "object header", "too many messages")
		}
		if typ == msgContinuation {
			cd := f.newBuf(data, addr+uint64(at), "continuation message")
			ca, cl := cd.addrField(), cd.length()
			if cd.err != nil {
				return cd.err
			}
			*pending = append(*pending, block{ca, cl})
			continue
		}
		oh.msgs = append(oh.msgs, message{typ: typ, flags: fl, data: data, addr: addr + uint64(at)})
	}
	return nil
}

// find returns the first message of the given type (shared messages resolved).
func (f *File) find(oh *objHeader, typ uint16) (*message, error) {
	for i := range oh.msgs {
		if oh.msgs[i].typ == typ {
			return f.unshare(&oh.msgs[i], 0)
		}
	}
	return nil, nil
}

// unshare resolves a shared message to the message holding its body.
func (f *File) unshare(m *message, depth int) (*message, error) {
	if m.flags&0x02 == 0 {
		return m, nil
	}
	if depth > 8 {
		return nil, f.formatErr(m.addr, "shared message", "too deeply shared")
	}
	d := f.newBuf(m.data, m.addr, "shared message")
	ver := d.u8()
	typ := d.u8()
	switch ver {
	case 1:
		d.skip(6)
		d.skip(f.lenSize)
	case 2, 3:
	default:
		return nil, f.formatErr(m.addr, "shared message", "version %d", ver)
	}
	if ver == 3 && typ == 1 {
		id := d.bytes(8)
		if d.err != nil {
			return nil, d.err
		}
		data, err := f.sohmGet(m.typ, id, m.addr)
		if err != nil {
			return nil, err
		}
		return &message{typ: m.typ, data: data, addr: m.addr}, nil
	}
	a := d.addrField()
	if d.err != nil {
		return nil, d.err
	}
	oh, err := f.header(a)
	if err != nil {
		return nil, fmt.Errorf("hdf5: shared message target: %w", err)
	}
	for i := range oh.msgs {
		if oh.msgs[i].typ == m.typ {
			return f.unshare(&oh.msgs[i], depth+1)
		}
	}
	return nil, f.formatErr(a, "shared message", "target holds no message of type %d", m.typ)
}

// sohmGet returns the body of a message of type typ stored in the shared
// object header message heap under heap ID id.
func (f *File) sohmGet(typ uint16, id []byte, at uint64) ([]byte, error) {
	for _, ix := range f.sohm {
		if sohmTypeBit(typ)&ix.types != 0 {
			fh, err := f.fractalHeap(ix.heapAddr)
			if err != nil {
				return nil, err
			}
			return fh.get(id)
		}
	}
	return nil, f.formatErr(at, "shared message", "no shared message index for type %d", typ)
}

// sohmTypeBit maps a message type to its bit in the SOHM index type flags.
func sohmTypeBit(typ uint16) uint16 {
	if typ >= 16 {
		return 0
	}
	return 1 << typ
}
