package filter

import (
	"encoding/binary"
	"math"
)

// unshuffle undoes the HDF5 byte shuffle: byte j of element i was stored at
// j*n + i, for n = len(in)/size elements; trailing bytes that do not make a
// whole element were stored unchanged.
func unshuffle(in []byte, size int) []byte {
	if size <= 1 || len(in) < size {
		return in
	}
	n := len(in) / size
	out := getBuf(len(in)) // every byte is written below
	switch size {
	case 2:
		a, b := in[:n], in[n:2*n]
		for i := range n {
			out[2*i] = a[i]
			out[2*i+1] = b[i]
		}
	case 4:
		Interleave4(out[:4*n], in[:n], in[n:2*n], in[2*n:3*n], in[3*n:4*n])
	case 8:
		var s [8][]byte
		for j := range 8 {
			s[j] = in[j*n : (j+1)*n]
		}
		for i := range n {
			v := uint64(s[0][i]) | uint64(s[1][i])<<8 | uint64(s[2][i])<<16 | uint64(s[3][i])<<24 |
				uint64(s[4][i])<<32 | uint64(s[5][i])<<40 | uint64(s[6][i])<<48 | uint64(s[7][i])<<56
			binary.LittleEndian.PutUint64(out[8*i:], v)
		}
	default:
		for j := range size {
			src := in[j*n : (j+1)*n]
			for i, b := range src {
				out[i*size+j] = b
			}
		}
	}
	copy(out[n*size:], in[n*size:])
	return out
}

// Interleave4 writes dst[4i+k] = pk[i] for every i < len(p0): it undoes
// the shuffle of 4-byte elements for one run of elements whose byte planes
// are p0..p3. The other planes must hold len(p0) bytes and dst 4·len(p0).
func Interleave4(dst, p0, p1, p2, p3 []byte) {
	n := len(p0)
	dst, p1, p2, p3 = dst[:4*n], p1[:n], p2[:n], p3[:n]
	i := 0
	if haveInterleaveSIMD && n >= 16 {
		interleave4SSE2(dst, p0, p1, p2, p3)
		i = n &^ 15
	}
	for ; i+8 <= n; i += 8 {
		a8, b8, c8, d8 := p0[i:i+8:i+8], p1[i:i+8:i+8], p2[i:i+8:i+8], p3[i:i+8:i+8]
		o8 := dst[4*i : 4*i+32 : 4*i+32]
		for k := range 8 {
			binary.LittleEndian.PutUint32(o8[4*k:], uint32(a8[k])|uint32(b8[k])<<8|uint32(c8[k])<<16|uint32(d8[k])<<24)
		}
	}
	for ; i < n; i++ {
		binary.LittleEndian.PutUint32(dst[4*i:], uint32(p0[i])|uint32(p1[i])<<8|uint32(p2[i])<<16|uint32(p3[i])<<24)
	}
}

// checkFletcher32 verifies and strips the trailing fletcher32 checksum. It
// accepts the checksum stored in either half-word byte order, as the HDF5
// library does for files written by old versions.
func checkFletcher32(in []byte) ([]byte, error) {
	if len(in) < 4 {
		return nil, corruptf("fletcher32 chunk of %d bytes has no checksum", len(in))
	}
	data := in[:len(in)-4]
	stored := binary.LittleEndian.Uint32(in[len(in)-4:])
	sum := fletcher32(data)
	swapped := (sum&0x00ff00ff)<<8 | (sum>>8)&0x00ff00ff
	if stored != sum && stored != swapped {
		return nil, &checksumError{stored: stored, computed: sum}
	}
	return data, nil
}

type checksumError struct{ stored, computed uint32 }

func (e *checksumError) Error() string {
	return "hdf5: filter fletcher32 (3): checksum mismatch: stored " + hex32(e.stored) + ", computed " + hex32(e.computed)
}
func (e *checksumError) Unwrap() error { return ErrChecksum }

func hex32(v uint32) string {
	const d = "0123456789abcdef"
	b := []byte("0x00000000")
	for i := 0; i < 8; i++ {
		b[9-i] = d[v>>(4*i)&0xf]
	}
	return string(b)
}

// fletcher32 is HDF5's Fletcher-32 over big-endian 16-bit words (an odd
// final byte is the high byte of a last word).
func fletcher32(data []byte) uint32 {
	var s1, s2 uint32
	n := len(data) / 2
	p := 0
	for n > 0 {
		t := min(n, 360)
		n -= t
		for ; t > 0; t-- {
			s1 += uint32(data[p])<<8 | uint32(data[p+1])
			s2 += s1
			p += 2
		}
		s1 = s1&0xffff + s1>>16
		s2 = s2&0xffff + s2>>16
	}
	if len(data)%2 == 1 {
		s1 += uint32(data[p]) << 8
		s2 += s1
		s1 = s1&0xffff + s1>>16
		s2 = s2&0xffff + s2>>16
	}
	s1 = s1&0xffff + s1>>16
	s2 = s2&0xffff + s2>>16
	return s2<<16 | s1
}

// bitReader reads big-endian (MSB-first) bit fields, the packing used by
// the n-bit and scale-offset filters.
type bitReader struct {
	b    []byte
	pos  int // byte
	left uint
}

func (r *bitReader) read(n uint) (uint64, bool) {
	var v uint64
	for n > 0 {
		if r.pos >= len(r.b) {
			return 0, false
		}
		if r.left == 0 {
			r.left = 8
		}
		take := min(n, r.left)
		cur := uint64(r.b[r.pos]>>(r.left-take)) & (1<<take - 1)
		v = v<<take | cur
		r.left -= take
		n -= take
		if r.left == 0 {
			r.pos++
		}
	}
	return v, true
}

// putUint writes the low size bytes of v in the given byte order.
func putUint(dst []byte, v uint64, size int, bigEndian bool) {
	for k := 0; k < size; k++ {
		b := byte(v >> (8 * k))
		if bigEndian {
			dst[size-1-k] = b
		} else {
			dst[k] = b
		}
	}
}

// nbit parameter walker.
type nbitParams struct {
	p   []uint32
	idx int
	err bool
}

func (q *nbitParams) next() uint32 {
	if q.idx >= len(q.p) {
		q.err = true
		return 0
	}
	v := q.p[q.idx]
	q.idx++
	return v
}

const (
	nbitAtomic   = 1
	nbitArray    = 2
	nbitCompound = 3
	nbitNoop     = 4
)

// decodeNbit undoes the n-bit filter. Parameters: [0] count, [1] "no
// compression needed" flag, [2] elements in the chunk, [3] class of the
// element type, then the type description (atomic: size, order, precision,
// offset; array: size, base class, base description; compound: size,
// member count, then per member offset, class, description; no-op: size).
// Each atomic value's precision bits are packed MSB first, continuously.
func decodeNbit(in []byte, params []uint32, limit int) ([]byte, error) {
	if len(params) < 5 {
		return nil, corruptf("nbit needs at least 5 parameters, have %d", len(params))
	}
	if params[1] != 0 {
		return in, nil
	}
	n, size := uint64(params[2]), uint64(params[4])
	if size == 0 || n*size > uint64(limit) {
		return nil, corruptf("nbit chunk of %d elements of %d bytes exceeds the %d-byte limit", n, size, limit)
	}
	out := make([]byte, n*size)
	r := &bitReader{b: in}
	q := &nbitParams{p: params}
	for i := uint64(0); i < n; i++ {
		q.idx = 3
		cls := q.next()
		if err := nbitOne(out[i*size:(i+1)*size], cls, r, q, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func nbitOne(dst []byte, cls uint32, r *bitReader, q *nbitParams, depth int) error {
	if depth > 16 {
		return corruptf("nbit type nesting too deep")
	}
	size := int(q.next())
	if q.err || size <= 0 || size > len(dst) {
		return corruptf("nbit type size %d does not fit %d bytes", size, len(dst))
	}
	dst = dst[:size]
	switch cls {
	case nbitAtomic:
		order, prec, off := q.next(), q.next(), q.next()
		if q.err || prec > uint32(size*8) || prec+off > uint32(size*8) || prec > 64 {
			return corruptf("nbit precision %d offset %d invalid for %d-byte type", prec, off, size)
		}
		v, ok := r.read(uint(prec))
		if !ok {
			return corruptf("nbit data truncated")
		}
		if off >= 64 {
			v = 0
		} else {
			v <<= off
		}
		clear(dst)
		if size <= 8 {
			putUint(dst, v, size, order == 1)
		} else if order == 1 {
			putUint(dst[size-8:], v, 8, true)
		} else {
			putUint(dst[:8], v, 8, false)
		}
	case nbitArray:
		baseCls := q.next()
		if q.err {
			return corruptf("nbit parameters truncated")
		}
		start := q.idx
		bsize := int(q.next())
		q.idx = start
		if bsize <= 0 || bsize > size {
			return corruptf("nbit array base size %d invalid", bsize)
		}
		for k := 0; k+bsize <= size; k += bsize {
			q.idx = start
			if err := nbitOne(dst[k:k+bsize], baseCls, r, q, depth+1); err != nil {
				return err
			}
		}
	case nbitCompound:
		nm := int(q.next())
		if q.err || nm > 1<<16 {
			return corruptf("nbit compound member count invalid")
		}
		for m := 0; m < nm; m++ {
			off, mcls := int(q.next()), q.next()
			if q.err || off < 0 || off >= size {
				return corruptf("nbit compound member offset %d outside %d-byte type", off, size)
			}
			if err := nbitOne(dst[off:], mcls, r, q, depth+1); err != nil {
				return err
			}
		}
	case nbitNoop:
		for k := range dst {
			v, ok := r.read(8)
			if !ok {
				return corruptf("nbit data truncated")
			}
			dst[k] = byte(v)
		}
	default:
		return corruptf("nbit type class %d unknown", cls)
	}
	return nil
}

// decodeScaleOffset undoes the scale-offset filter. Parameters: [0] scale
// type (0 float D-scale, 2 integer), [1] scale factor, [2] elements, [3]
// class (0 integer, 1 float), [4] size, [5] sign, [6] byte order, [7] fill
// value defined, [8..] fill value bytes (little-endian, 4 per parameter).
// The chunk starts with a 21-byte header: minbits (u32 LE), the byte
// length of minval and minval (LE); then minbits-wide values packed MSB
// first.
func decodeScaleOffset(in []byte, p []uint32, limit int) ([]byte, error) {
	if len(p) < 8 {
		return nil, corruptf("scaleoffset needs 20 parameters, have %d", len(p))
	}
	scaleType, scaleFactor := p[0], int32(p[1])
	n, cls, size, sign, order, filavail := uint64(p[2]), p[3], int(p[4]), p[5], p[6], p[7]
	if size != 1 && size != 2 && size != 4 && size != 8 {
		return nil, corruptf("scaleoffset element size %d unsupported", size)
	}
	if n*uint64(size) > uint64(limit) {
		return nil, corruptf("scaleoffset chunk of %d elements exceeds the %d-byte limit", n, limit)
	}
	if cls == 1 && scaleType != 0 {
		return nil, corruptf("scaleoffset float scale type %d unsupported (only D-scale)", scaleType)
	}
	if cls == 0 {
		if scaleFactor < 0 {
			scaleFactor = 0
		}
		if int(scaleFactor) > size*8 {
			return nil, corruptf("scaleoffset minimum bits %d exceed %d-byte type", scaleFactor, size)
		}
		if int(scaleFactor) == size*8 { // stored unprocessed
			return in, nil
		}
	}
	be := order == 1
	if len(in) < 21 {
		return nil, corruptf("scaleoffset header needs 21 bytes, have %d", len(in))
	}
	minbits := binary.LittleEndian.Uint32(in)
	mvLen := min(int(in[4]), 8)
	var minval uint64
	for i := 0; i < mvLen; i++ {
		minval |= uint64(in[5+i]) << (8 * i)
	}
	if minbits > uint32(size*8) {
		return nil, corruptf("scaleoffset minbits %d exceed %d-byte type", minbits, size)
	}
	out := make([]byte, n*uint64(size))
	if int(minbits) == size*8 {
		if len(in)-21 < len(out) {
			return nil, corruptf("scaleoffset data truncated")
		}
		copy(out, in[21:])
		return out, nil
	}
	var fill uint64
	for i := 0; i < size && 8+i/4 < len(p); i++ {
		fill |= uint64(byte(p[8+i/4]>>(8*(i%4)))) << (8 * i)
	}
	mask := uint64(1)<<minbits - 1
	r := &bitReader{b: in[21:]}
	bits := uint(size * 8)
	for i := uint64(0); i < n; i++ {
		var v uint64
		if minbits > 0 {
			var ok bool
			if v, ok = r.read(uint(minbits)); !ok {
				return nil, corruptf("scaleoffset data truncated at element %d", i)
			}
		}
		var w uint64
		switch {
		case filavail == 1 && v == mask:
			w = fill
		case cls == 0:
			w = v + minval // wraps at the type width below; signed and unsigned alike
		case size == 4:
			min := math.Float32frombits(uint32(minval))
			f := float32(int32(uint32(v)))/float32(math.Pow(10, float64(scaleFactor))) + min
			w = uint64(math.Float32bits(f))
		case size == 8:
			min := math.Float64frombits(minval)
			f := float64(int64(v))/math.Pow(10, float64(scaleFactor)) + min
			w = math.Float64bits(f)
		default:
			return nil, corruptf("scaleoffset float of %d bytes unsupported", size)
		}
		_ = sign
		if bits < 64 {
			w &= 1<<bits - 1
		}
		putUint(out[i*uint64(size):], w, size, be)
	}
	return out, nil
}
