package filter

import (
	"encoding/binary"
	"math/bits"
	"sync"
	"unsafe"
)

// A whole-buffer zlib/DEFLATE (RFC 1950/1951) decoder that writes straight
// into the output slice. Chunks are decoded whole and their size is known,
// so this avoids the sliding-window copy and per-call state of a streaming
// io.Reader; it is the hot path of chunked reads. Any stream it rejects is
// retried with klauspost/compress (see inflate in codecs.go), and a
// differential fuzz test holds the two to the same output.

const (
	litPrimBits  = 10
	distPrimBits = 8
	clPrimBits   = 7
	maxCodeLen   = 15
)

// huffTable maps the next primBits input bits (LSB first) to an entry.
// A link is subOffset<<8 | 0x80 | subBits, the sub-table at ent[subOffset:]
// being indexed by the next subBits bits. A leaf has its bit count in bits
// 0-5 (0 = invalid code), usable as a shift count as it is:
//   - plain (code-length code): symbol<<8 | length
//   - literal: byte<<8 | litFlag | length; litFlag lets the hot loop tell
//     literals from everything else with one test
//   - length or distance: base<<16 | length<<8 | length+extra, so one
//     shift consumes the code and its extra bits, and no base or extra-bit
//     lookup is needed per match; base 0 is the end-of-block code in a
//     literal/length table and invalid in a distance table (symbols 30,
//     31), base 1 invalid (length symbols 286, 287)
//
// The primary table and all its sub-tables share one fixed array, so a
// lookup needs one base pointer and a masked index (no bounds check): a
// literal/length table has at most 286 codes longer than its 10 primary
// bits, each link owning 1<<5 entries (286·32 + 1024 < tableSize), a
// distance table at most 30 links of 1<<7 entries after its 256.
type huffTable struct {
	ent      [tableSize]uint32
	primBits uint
}

const (
	litFlag   = 0x40
	tableSize = 1 << 14
	tableMask = tableSize - 1
)

// subEntry is the sub-table entry a link entry e selects for bits.
func (h *huffTable) subEntry(e uint32, bits uint64, primBits uint) uint32 {
	return h.ent[(int(e>>8)+int((bits>>primBits)&(1<<(e&0x7f)-1)))&tableMask]
}

var (
	lengthBase  = [29]uint16{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint8{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]uint32{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint8{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
	clOrder     = [19]uint8{16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15}
)

var fixedLit, fixedDist huffTable

func init() {
	var l [288]uint8
	for i := range l {
		switch {
		case i < 144:
			l[i] = 8
		case i < 256:
			l[i] = 9
		case i < 280:
			l[i] = 7
		default:
			l[i] = 8
		}
	}
	fixedLit.build(l[:], litPrimBits, kindLit)
	var d [32]uint8
	for i := range d {
		d[i] = 5
	}
	fixedDist.build(d[:], distPrimBits, kindDist)
}

// build makes the canonical Huffman decoding table for code lengths;
// false when the lengths over-subscribe the code space, or leave it
// incomplete other than with no codes or a single 1-bit code (zlib's rule).
const (
	kindPlain = iota // code-length code
	kindLit          // literal/length table
	kindDist         // distance table
)

// entry is the leaf stored for sym, of code length l, in a table of the
// given kind.
func entry(sym, kind, l int) uint32 {
	// lengths and distances: base<<16 | l<<8 | l+extra, so one shift
	// consumes the code and its extra bits
	lx := func(base uint32, extra uint8) uint32 { return base<<16 | uint32(l)<<8 | uint32(l+int(extra)) }
	switch {
	case kind == kindLit && sym < 256:
		return uint32(sym)<<8 | litFlag | uint32(l)
	case kind == kindLit && sym == 256:
		return lx(0, 0) // end of block: base 0
	case kind == kindLit:
		if s := sym - 257; s < 29 {
			return lx(uint32(lengthBase[s]), lengthExtra[s])
		}
		return lx(1, 0) // symbols 286, 287: invalid
	case kind == kindDist:
		if sym < 30 {
			return lx(distBase[sym], distExtra[sym])
		}
		return lx(0, 0) // symbols 30, 31: invalid
	}
	return uint32(sym)<<8 | uint32(l)
}

func (h *huffTable) build(lengths []uint8, primBits uint, kind int) bool {
	var count [maxCodeLen + 1]int
	maxLen := 0
	for _, l := range lengths {
		count[l]++
		if int(l) > maxLen {
			maxLen = int(l)
		}
	}
	count[0] = 0
	left := 1
	for l := 1; l <= maxCodeLen; l++ {
		left = left<<1 - count[l]
		if left < 0 {
			return false
		}
	}
	if left > 0 && maxLen > 1 { // empty (no codes) and a single 1-bit code are allowed
		return false
	}
	var next [maxCodeLen + 2]int
	code := 0
	for l := 1; l <= maxCodeLen; l++ {
		code = (code + count[l-1]) << 1
		next[l] = code
	}
	h.primBits = primBits
	size := 1 << primBits
	clear(h.ent[:size])
	used := size
	subBits := 0
	if maxLen > int(primBits) {
		subBits = maxLen - int(primBits)
	}
	// symbols grouped by code length (in symbol order within a length, as
	// canonical codes are assigned), so the fill loops below run the same
	// number of times for a whole group
	var start [maxCodeLen + 2]int
	for l := 1; l <= maxCodeLen; l++ {
		start[l+1] = start[l] + count[l]
	}
	var sorted [320]uint16
	if len(lengths) > len(sorted) {
		return false
	}
	pos := start
	for sym, l := range lengths {
		if l != 0 {
			sorted[pos[l]] = uint16(sym)
			pos[l]++
		}
	}
	for l := 1; l <= maxLen; l++ {
		group := sorted[start[l]:start[l+1]]
		c := next[l]
		if l <= int(primBits) {
			step := 1 << l
			for _, sym := range group {
				rev := int(bits.Reverse16(uint16(c)) >> (16 - l))
				c++
				v := entry(int(sym), kind, l)
				for k := rev; k < size; k += step {
					h.ent[k] = v
				}
			}
			continue
		}
		step := 1 << (l - int(primBits))
		for _, sym := range group {
			rev := int(bits.Reverse16(uint16(c)) >> (16 - l))
			c++
			p := rev & (size - 1)
			e := h.ent[p]
			if e&0x80 == 0 {
				if used+1<<subBits > tableSize {
					return false
				}
				e = uint32(used)<<8 | 0x80 | uint32(subBits)
				h.ent[p] = e
				clear(h.ent[used : used+1<<subBits])
				used += 1 << subBits
			}
			off := int(e >> 8)
			v := entry(int(sym), kind, l)
			for k := rev >> primBits; k < 1<<subBits; k += step {
				h.ent[off+k] = v
			}
		}
	}
	return true
}

var inflaterPool sync.Pool

type inflater struct {
	src   []byte
	pos   int // next byte of src to load (may pass len(src): zero padding)
	bits  uint64
	nbits uint
	lit   huffTable
	dist  huffTable
	cl    huffTable
	lens  [320]uint8
}

func (d *inflater) refill() {
	if d.pos+8 <= len(d.src) {
		d.bits |= binary.LittleEndian.Uint64(d.src[d.pos:]) << d.nbits
		d.pos += int((63 - d.nbits) >> 3)
		d.nbits |= 56
		return
	}
	for d.nbits <= 56 {
		var b byte
		if d.pos < len(d.src) {
			b = d.src[d.pos]
		}
		d.pos++
		d.bits |= uint64(b) << d.nbits
		d.nbits += 8
	}
}

// take returns n (<= 32) bits; the caller has refilled.
func (d *inflater) take(n uint) uint32 {
	v := uint32(d.bits & (1<<n - 1))
	d.bits >>= n
	d.nbits -= n
	return v
}

// sym decodes one symbol; needs >= 15 buffered bits.
func (d *inflater) sym(h *huffTable) (int, bool) {
	e := h.ent[d.bits&(1<<h.primBits-1)]
	if e&0x80 != 0 {
		e = h.subEntry(e, d.bits, h.primBits)
	}
	l := uint(e & 0x1f)
	if l == 0 || l > d.nbits {
		return 0, false
	}
	d.bits >>= l
	d.nbits -= l
	return int(e >> 8), true
}

// consumed is the number of input bytes used so far (buffered whole bytes
// handed back); more than len(src) means the stream was truncated.
func (d *inflater) consumed() int { return d.pos - int(d.nbits>>3) }

// zlibInflate decodes a zlib stream into dst[:0:len(dst)], at most len(dst)
// bytes, verifying the Adler-32 trailer.
func zlibInflate(dst, src []byte) (int, error) {
	if len(src) < 6 {
		return 0, corruptf("zlib stream of %d bytes", len(src))
	}
	cmf, flg := src[0], src[1]
	if cmf&0x0f != 8 || cmf>>4 > 7 || (uint16(cmf)<<8|uint16(flg))%31 != 0 || flg&0x20 != 0 {
		return 0, corruptf("bad zlib header %02x %02x", cmf, flg)
	}
	d, _ := inflaterPool.Get().(*inflater)
	if d == nil {
		d = new(inflater)
	}
	defer inflaterPool.Put(d)
	d.src, d.pos, d.bits, d.nbits = src, 2, 0, 0
	n, err := d.inflate(dst)
	if err != nil {
		return 0, err
	}
	// trailer: byte-aligned big-endian Adler-32
	d.take(d.nbits & 7)
	p := d.consumed()
	if p+4 > len(src) {
		return 0, corruptf("zlib stream truncated")
	}
	if binary.BigEndian.Uint32(src[p:]) != adler32sum(dst[:n]) {
		return 0, corruptf("zlib adler-32 mismatch")
	}
	return n, nil
}

func (d *inflater) inflate(dst []byte) (int, error) {
	op := 0
	for {
		d.refill()
		final := d.take(1)
		typ := d.take(2)
		switch typ {
		case 0:
			d.take(d.nbits & 7)
			p := d.consumed()
			d.bits, d.nbits = 0, 0
			if p+4 > len(d.src) {
				return 0, corruptf("deflate stored block header truncated")
			}
			ln := int(binary.LittleEndian.Uint16(d.src[p:]))
			if uint16(ln) != ^binary.LittleEndian.Uint16(d.src[p+2:]) {
				return 0, corruptf("deflate stored block length check failed")
			}
			p += 4
			if p+ln > len(d.src) || op+ln > len(dst) {
				return 0, corruptf("deflate stored block overruns")
			}
			copy(dst[op:], d.src[p:p+ln])
			op += ln
			d.pos = p + ln
		case 1:
			var err error
			if op, err = d.codes(dst, op, &fixedLit, &fixedDist); err != nil {
				return 0, err
			}
		case 2:
			if err := d.dynamic(); err != nil {
				return 0, err
			}
			var err error
			if op, err = d.codes(dst, op, &d.lit, &d.dist); err != nil {
				return 0, err
			}
		default:
			return 0, corruptf("deflate block type 3")
		}
		if d.consumed() > len(d.src) {
			return 0, corruptf("deflate stream truncated")
		}
		if final == 1 {
			return op, nil
		}
	}
}

func (d *inflater) dynamic() error {
	d.refill()
	nlit := int(d.take(5)) + 257
	ndist := int(d.take(5)) + 1
	ncl := int(d.take(4)) + 4
	if nlit > 286 || ndist > 30 {
		return corruptf("deflate: %d literal/%d distance codes", nlit, ndist)
	}
	var cl [19]uint8
	for i := 0; i < ncl; i++ {
		if d.nbits < 3 {
			d.refill()
		}
		cl[clOrder[i]] = uint8(d.take(3))
	}
	if !d.cl.build(cl[:], clPrimBits, kindPlain) {
		return corruptf("deflate: bad code-length code")
	}
	lens := d.lens[:nlit+ndist]
	for i := 0; i < len(lens); {
		if d.nbits < 32 {
			d.refill()
		}
		s, ok := d.sym(&d.cl)
		if !ok {
			return corruptf("deflate: bad code-length symbol")
		}
		switch {
		case s < 16:
			lens[i] = uint8(s)
			i++
		case s == 16:
			if i == 0 {
				return corruptf("deflate: repeat with no previous length")
			}
			r := 3 + int(d.take(2))
			if i+r > len(lens) {
				return corruptf("deflate: code lengths overrun")
			}
			for ; r > 0; r-- {
				lens[i] = lens[i-1]
				i++
			}
		default:
			var r int
			if s == 17 {
				r = 3 + int(d.take(3))
			} else {
				r = 11 + int(d.take(7))
			}
			if i+r > len(lens) {
				return corruptf("deflate: code lengths overrun")
			}
			for ; r > 0; r-- {
				lens[i] = 0
				i++
			}
		}
	}
	if lens[256] == 0 {
		return corruptf("deflate: no end-of-block code")
	}
	if !d.lit.build(lens[:nlit], litPrimBits, kindLit) || !d.dist.build(lens[nlit:], distPrimBits, kindDist) {
		return corruptf("deflate: bad literal/length or distance code")
	}
	return nil
}

// fastRoom is the output room the fast loop needs for one step: four
// literals, or a 258-byte match copied in 16-byte steps (up to 15 bytes
// written past its end, which later output overwrites).
const fastRoom = 258 + 32

// load64 and store64 access 8 bytes at p+i, little-endian. The fast loop
// uses them (and byteAt/setByte) with offsets its loop condition proves in
// range, which keeps the slice lengths out of its registers.
func load64(p unsafe.Pointer, i int) uint64 {
	return binary.LittleEndian.Uint64((*[8]byte)(unsafe.Add(p, i))[:])
}

func store64(p unsafe.Pointer, i int, v uint64) {
	binary.LittleEndian.PutUint64((*[8]byte)(unsafe.Add(p, i))[:], v)
}

func setByte(p unsafe.Pointer, i int, v byte) { *(*byte)(unsafe.Add(p, i)) = v }

func byteAt(p unsafe.Pointer, i int) byte { return *(*byte)(unsafe.Add(p, i)) }

// patternDist[d] is the smallest multiple of d (1 <= d < 8) that is at
// least 8: a match of distance d, once 8 bytes long, repeats with it too.
var patternDist = [8]int{0, 8, 8, 9, 8, 10, 12, 14}

// fast decodes symbols while at least 8 input bytes and fastRoom output
// bytes remain, with the bounds checks that needs hoisted out of the
// per-symbol work: the bit buffer is refilled without branches to at least
// 56 bits once per step, which covers four literals (15 + 3×10 bits) or one
// match (at most 15+5 + 15+13 bits). The next literal/length entry is
// looked up before the refill so the two loads overlap. done reports that
// the block's end-of-block code was decoded; otherwise codes goes on from
// the saved state with its careful loop.
//
// Memory safety: every input read is at pos <= len(src)-8 (loop condition
// and the check before the post-match refill); every output write is below
// op+fastRoom <= len(dst) with op <= len(dst)-fastRoom at the top of the
// step; match reads start at op-dist >= 0 (checked) and stay below op+258.
func (d *inflater) fast(dst []byte, op int, lit, dist *huffTable) (_ int, done bool, _ error) {
	src := d.src
	bitbuf, nbits, pos := d.bits, d.nbits, d.pos
	if pos+8 > len(src) || op+fastRoom > len(dst) || lit.primBits != litPrimBits || dist.primBits != distPrimBits {
		return op, false, nil
	}
	// few live values, so the loop runs without register spills
	lt, dt := &lit.ent, &dist.ent
	sp, dp := unsafe.Pointer(unsafe.SliceData(src)), unsafe.Pointer(unsafe.SliceData(dst))
	inEnd, outEnd := len(src)-8, len(dst)-fastRoom
	const litMask, distMask = 1<<litPrimBits - 1, 1<<distPrimBits - 1
	bitbuf |= load64(sp, pos) << (nbits & 63)
	pos += int((63 - nbits) >> 3)
	nbits |= 56
	e := lt[bitbuf&litMask]
	for pos <= inEnd && op <= outEnd {
		// e is the primary entry for the low bits of bitbuf (nbits >= 10)
		bitbuf |= load64(sp, pos) << (nbits & 63)
		pos += int((63 - nbits) >> 3)
		nbits |= 56
		if e&0x80 != 0 {
			e = lt[(int(e>>8)+int((bitbuf>>litPrimBits)&(1<<(e&63)-1)))&tableMask]
		}
		if e&litFlag != 0 {
			// up to five literals; after the first only primary-table
			// ones (<= 10 bits): four leave >= 11 bits for the next e
			bitbuf >>= e & 63
			nbits -= uint(e & 63)
			setByte(dp, op, byte(e>>8))
			e = lt[bitbuf&litMask]
			if e&litFlag == 0 {
				op++
				continue
			}
			bitbuf >>= e & 63
			nbits -= uint(e & 63)
			setByte(dp, op+1, byte(e>>8))
			e = lt[bitbuf&litMask]
			if e&litFlag == 0 {
				op += 2
				continue
			}
			bitbuf >>= e & 63
			nbits -= uint(e & 63)
			setByte(dp, op+2, byte(e>>8))
			e = lt[bitbuf&litMask]
			if e&litFlag == 0 {
				op += 3
				continue
			}
			bitbuf >>= e & 63
			nbits -= uint(e & 63)
			setByte(dp, op+3, byte(e>>8))
			e = lt[bitbuf&litMask]
			if e&litFlag == 0 {
				op += 4
				continue
			}
			// a fifth literal leaves too few bits for the next lookup
			bitbuf >>= e & 63
			nbits -= uint(e & 63)
			setByte(dp, op+4, byte(e>>8))
			op += 5
			if pos > inEnd {
				break
			}
			bitbuf |= load64(sp, pos) << (nbits & 63)
			pos += int((63 - nbits) >> 3)
			nbits |= 56
			e = lt[bitbuf&litMask]
			continue
		}
		// length, then distance: one shift each consumes the code and
		// its extra bits, which are taken from the saved buffer
		base := int(e >> 16)
		if base < 3 {
			if l := uint(e & 63); base == 0 && l != 0 {
				d.bits, d.nbits, d.pos = bitbuf>>l, nbits-l, pos
				return op, true, nil
			}
			return 0, false, corruptf("deflate: invalid literal/length code")
		}
		saved := bitbuf
		bitbuf >>= e & 63
		nbits -= uint(e & 63)
		length := base + int((saved&(1<<(e&63)-1))>>((e>>8)&63))
		e = dt[bitbuf&distMask]
		if e&0x80 != 0 {
			e = dt[(int(e>>8)+int((bitbuf>>distPrimBits)&(1<<(e&63)-1)))&tableMask]
		}
		dd := int(e >> 16)
		if dd == 0 {
			return 0, false, corruptf("deflate: invalid distance code")
		}
		saved = bitbuf
		bitbuf >>= e & 63
		nbits -= uint(e & 63)
		dd += int((saved & (1<<(e&63) - 1)) >> ((e >> 8) & 63))
		if dd > op {
			return 0, false, corruptf("deflate: distance %d before start of output", dd)
		}
		// the next entry first (the copy does not touch the bit buffer,
		// so the load overlaps it): >= 8 bits are left, usually far more,
		// so refill only if the primary lookup needs it; should the input
		// run short, the loop condition ends the loop before e is used
		if nbits < litPrimBits && pos <= inEnd {
			bitbuf |= load64(sp, pos) << (nbits & 63)
			pos += int((63 - nbits) >> 3)
			nbits |= 56
		}
		e = lt[bitbuf&litMask]
		// copy in 8-byte words, the first two unconditionally (most
		// matches are short); words are loaded after the previous store,
		// so a distance of 8..15 repeats correctly
		end := op + length
		if dd < 8 {
			// a pattern of period dd: the first 8 bytes one at a time,
			// then words from a multiple of dd at least 8 back
			from := op - dd
			setByte(dp, op, byteAt(dp, from))
			setByte(dp, op+1, byteAt(dp, from+1))
			setByte(dp, op+2, byteAt(dp, from+2))
			setByte(dp, op+3, byteAt(dp, from+3))
			setByte(dp, op+4, byteAt(dp, from+4))
			setByte(dp, op+5, byteAt(dp, from+5))
			setByte(dp, op+6, byteAt(dp, from+6))
			setByte(dp, op+7, byteAt(dp, from+7))
			dd = patternDist[dd]
			op += 8
			if op >= end {
				op = end
				continue
			}
		}
		store64(dp, op, load64(dp, op-dd))
		store64(dp, op+8, load64(dp, op+8-dd))
		for op += 16; op < end; op += 8 {
			store64(dp, op, load64(dp, op-dd))
		}
		op = end
	}
	d.bits, d.nbits, d.pos = bitbuf, nbits, pos
	return op, false, nil
}

func (d *inflater) codes(dst []byte, op int, lit, dist *huffTable) (int, error) {
	op, done, err := d.fast(dst, op, lit, dist)
	if err != nil || done {
		return op, err
	}
	return d.careful(dst, op, lit, dist)
}

// careful decodes symbols checking input and output room per symbol: the
// ends of the input and output, which fast leaves to it. The bit buffer
// lives in locals and symbols are decoded inline; d is synchronised around
// refills and on exit.
func (d *inflater) careful(dst []byte, op int, lit, dist *huffTable) (int, error) {
	bitbuf, nbits := d.bits, d.nbits
	litPrim, distPrim := &lit.ent, &dist.ent
	const litMask, distMask = 1<<litPrimBits - 1, 1<<distPrimBits - 1
	src := d.src
	pos := d.pos
	for {
		if nbits < 48 {
			if pos+8 <= len(src) {
				bitbuf |= binary.LittleEndian.Uint64(src[pos:]) << nbits
				pos += int((63 - nbits) >> 3)
				nbits |= 56
			} else {
				d.bits, d.nbits, d.pos = bitbuf, nbits, pos
				d.refill()
				bitbuf, nbits, pos = d.bits, d.nbits, d.pos
				if pos > len(src)+16 {
					return 0, corruptf("deflate stream truncated")
				}
			}
		}
		e := litPrim[bitbuf&litMask]
		if e&0x80 != 0 {
			e = lit.subEntry(e, bitbuf, litPrimBits)
		}
		l := uint(e & 63) // code length (+ extra bits for a length)
		if l == 0 {
			return 0, corruptf("deflate: invalid literal/length code")
		}
		if e&litFlag != 0 {
			bitbuf >>= l
			nbits -= l
			if op >= len(dst) {
				return 0, corruptf("deflate output exceeds the %d-byte limit", len(dst))
			}
			dst[op] = byte(e >> 8)
			op++
			// literals often follow; decode up to three more from the
			// buffered bits while they are primary-table literals (a code
			// is decoded correctly once its own length is buffered)
			for range 3 {
				e = litPrim[bitbuf&litMask]
				l = uint(e & 63)
				if e&litFlag == 0 || l > nbits || op >= len(dst) {
					break
				}
				bitbuf >>= l
				nbits -= l
				dst[op] = byte(e >> 8)
				op++
			}
			continue
		}
		base := int(e >> 16)
		if base == 0 {
			// end of block
			d.bits, d.nbits, d.pos = bitbuf>>l, nbits-l, pos
			return op, nil
		}
		if base < 3 {
			return 0, corruptf("deflate: invalid length symbol")
		}
		saved := bitbuf
		bitbuf >>= l
		nbits -= l
		length := base + int((saved&(1<<l-1))>>((e>>8)&63))
		e = distPrim[bitbuf&distMask]
		if e&0x80 != 0 {
			e = dist.subEntry(e, bitbuf, distPrimBits)
		}
		l = uint(e & 63)
		dbase := int(e >> 16)
		if l == 0 || dbase == 0 {
			return 0, corruptf("deflate: invalid distance code")
		}
		saved = bitbuf
		bitbuf >>= l
		nbits -= l
		dd := dbase + int((saved&(1<<l-1))>>((e>>8)&63))
		if dd > op {
			return 0, corruptf("deflate: distance %d before start of output", dd)
		}
		end := op + length
		if end > len(dst) {
			return 0, corruptf("deflate output exceeds the %d-byte limit", len(dst))
		}
		from := op - dd
		if dd >= 8 && end+8 <= len(dst) {
			// short copies 8 bytes at a time; may write up to 7 bytes past
			// end, which later output overwrites
			for op < end {
				binary.LittleEndian.PutUint64(dst[op:], binary.LittleEndian.Uint64(dst[from:]))
				op += 8
				from += 8
			}
			op = end
		} else if dd >= length {
			copy(dst[op:end], dst[from:from+length])
			op = end
		} else if dd == 1 {
			b := dst[from]
			if end+8 <= len(dst) {
				// a run of one byte, 8 at a time (may write up to 7 bytes
				// past end, which later output overwrites)
				v := uint64(b) * 0x0101010101010101
				for ; op < end; op += 8 {
					binary.LittleEndian.PutUint64(dst[op:], v)
				}
			} else {
				for i := op; i < end; i++ {
					dst[i] = b
				}
			}
			op = end
		} else {
			// overlapping: the pattern repeats every dd bytes
			for op < end {
				op += copy(dst[op:end], dst[from:op])
			}
		}
	}
}

// adler32sum is Adler-32 (RFC 1950), eight bytes per step in SWAR form:
// each 8-byte word is split into four uint64s holding two 32-bit lanes
// (byte positions j and j+4), a[] sums the bytes of each position and c[]
// the running totals of a[] (so c_j = Σ_k b_kj·(n−k) over the n words of
// a block). Per block of n words (L = 8n bytes):
//
//	s1' = s1 + Σ_j a_j
//	s2' = s2 + L·s1 + 8·Σ_j c_j − Σ_j j·a_j
//
// A block has at most 694 words, so a c lane stays below
// 255·694·695/2 < 2^32 and no lane carries into its neighbour.
func adler32sum(p []byte) uint32 {
	s1, s2 := uint64(1), uint64(0)
	if haveAdlerSIMD {
		// whole 32-byte blocks, adlerMaxRun bytes between reductions: with
		// A the byte sums, P the sum of A before each block and W the
		// in-block weighted sums Σ (32-j)·b_j, a run of n bytes adds
		// A to s1 and n·s1 + 32·P + W to s2
		for len(p) >= 32 {
			n := min(len(p), adlerMaxRun) &^ 31
			var acc [12]uint64
			adlerBlocksAVX2(p[:n], &acc)
			a := acc[0] + acc[1] + acc[2] + acc[3]
			pa := acc[4] + acc[5] + acc[6] + acc[7]
			var w uint64
			for _, v := range acc[8:] {
				w += v&0xffffffff + v>>32
			}
			s2 = (s2 + uint64(n)*s1 + 32*pa + w) % adlerMod
			s1 = (s1 + a) % adlerMod
			p = p[n:]
		}
	}
	return adler32SWAR(s1, s2, p)
}

// adlerMod is the Adler-32 modulus; adlerMaxRun is the longest run (a
// multiple of 32) the SIMD kernel sums without reduction: its 32-bit
// weighted-sum lanes stay below 173·4·255·32 < 2^23.
const (
	adlerMod    = 65521
	adlerMaxRun = 5536
)

// haveAdlerSIMD / haveInterleaveSIMD: the amd64 kernels may be used (set
// at init; tests switch them off to cover the portable code).
var haveAdlerSIMD, haveInterleaveSIMD bool

// adler32SWAR continues an Adler-32 from the sums s1, s2 over p.
func adler32SWAR(s1, s2 uint64, p []byte) uint32 {
	const mod = adlerMod
	const lanes = 0x000000ff000000ff
	const blockWords = 694
	for len(p) >= 8 {
		nw := len(p) / 8
		if nw > blockWords {
			nw = blockWords
		}
		blk := p[:8*nw]
		p = p[8*nw:]
		var a0, a1, a2, a3, c0, c1, c2, c3 uint64
		// two words per step: with x, y the lanes of words k and k+1,
		// c gains (a+x) + (a+x+y) = 2a + 2x + y
		for len(blk) >= 16 {
			w, v := binary.LittleEndian.Uint64(blk), binary.LittleEndian.Uint64(blk[8:])
			x0, y0 := w&lanes, v&lanes
			x1, y1 := w>>8&lanes, v>>8&lanes
			x2, y2 := w>>16&lanes, v>>16&lanes
			x3, y3 := w>>24&lanes, v>>24&lanes
			c0 += 2*(a0+x0) + y0
			c1 += 2*(a1+x1) + y1
			c2 += 2*(a2+x2) + y2
			c3 += 2*(a3+x3) + y3
			a0 += x0 + y0
			a1 += x1 + y1
			a2 += x2 + y2
			a3 += x3 + y3
			blk = blk[16:]
		}
		for len(blk) >= 8 {
			w := binary.LittleEndian.Uint64(blk)
			a0 += w & lanes
			a1 += w >> 8 & lanes
			a2 += w >> 16 & lanes
			a3 += w >> 24 & lanes
			c0 += a0
			c1 += a1
			c2 += a2
			c3 += a3
			blk = blk[8:]
		}
		lo := func(v uint64) uint64 { return v & 0xffffffff }
		hi := func(v uint64) uint64 { return v >> 32 }
		sumA := lo(a0) + lo(a1) + lo(a2) + lo(a3) + hi(a0) + hi(a1) + hi(a2) + hi(a3)
		sumC := lo(c0) + lo(c1) + lo(c2) + lo(c3) + hi(c0) + hi(c1) + hi(c2) + hi(c3)
		// position weights: a0 holds 0 and 4, a1 1 and 5, a2 2 and 6, a3 3 and 7
		jA := lo(a1) + 2*lo(a2) + 3*lo(a3) + 4*hi(a0) + 5*hi(a1) + 6*hi(a2) + 7*hi(a3)
		s2 = (s2 + uint64(8*nw)*s1 + 8*sumC - jA) % mod
		s1 = (s1 + sumA) % mod
	}
	for _, x := range p {
		s1 += uint64(x)
		s2 += s1
	}
	s1 %= mod
	s2 %= mod
	return uint32(s2<<16 | s1)
}
