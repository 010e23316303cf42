package filter

import (
	"encoding/binary"
)

// szip (filter 4) decoding: the HDF5 szip filter stores the decoded size
// (LE u32) and then a CCSDS 121.0-B adaptive entropy coded (AEC / Rice)
// stream, in the layout of the szip library (and of libaec's szip
// compatibility layer): parameters [0] options mask, [1] pixels per block,
// [2] bits per pixel, [3] pixels per scanline. 32- and 64-bit pixels are
// coded as byte planes of 8-bit samples; scanlines that are not a whole
// number of blocks are padded to one.

// szip option mask bits (szlib.h).
const (
	szMSB = 16
	szNN  = 32
)

func decodeSzip(in []byte, p []uint32, limit int) ([]byte, error) {
	if len(p) < 4 {
		return nil, corruptf("szip needs 4 parameters, have %d", len(p))
	}
	if len(in) < 4 {
		return nil, corruptf("szip chunk of %d bytes has no size header", len(in))
	}
	orig := int64(binary.LittleEndian.Uint32(in))
	if orig > int64(limit) {
		return nil, corruptf("szip decoded size %d exceeds the %d-byte limit", orig, limit)
	}
	mask, ppb, bpp, pps := p[0], int(p[1]), int(p[2]), int(p[3])
	if ppb <= 0 || ppb > 64 || ppb%2 != 0 || pps <= 0 || pps > 1<<16 {
		return nil, corruptf("szip pixels per block %d / per scanline %d invalid", ppb, pps)
	}
	deinterleave := bpp == 32 || bpp == 64
	bits := bpp
	if deinterleave {
		bits = 8
	}
	if bits <= 0 || bits > 32 {
		return nil, corruptf("szip %d bits per pixel unsupported", bpp)
	}
	bytesPS := 1
	switch {
	case bits > 16:
		bytesPS = 4
	case bits > 8:
		bytesPS = 2
	}
	rsi := (pps + ppb - 1) / ppb
	pad := pps%ppb != 0
	bufSize := orig
	var scanlines int64
	if pad {
		scanlines = (orig/int64(bytesPS) + int64(pps) - 1) / int64(pps)
		bufSize = int64(rsi*ppb*bytesPS) * scanlines
		// padding at most doubles a scanline (rsi*ppb < pps+ppb <= 2*pps)
		if bufSize > 2*int64(limit)+int64(rsi*ppb*bytesPS) {
			return nil, corruptf("szip padded size exceeds the limit")
		}
	}
	d := &aecDecoder{
		br: bitReader{b: in[4:]}, bits: bits, block: ppb, rsi: rsi,
		msb: mask&szMSB != 0, pp: mask&szNN != 0, bytesPS: bytesPS,
	}
	out, err := d.decode(int(bufSize))
	if err != nil {
		return nil, err
	}
	if pad {
		line := pps * bytesPS
		padded := rsi * ppb * bytesPS
		j := 0
		for i := 0; i+line <= len(out); i += padded {
			copy(out[j:], out[i:i+line])
			j += line
		}
		out = out[:min(j, int(orig))]
	} else if int64(len(out)) > orig {
		out = out[:orig]
	}
	if deinterleave {
		out = unshuffle(out, bpp/8)
	}
	return out, nil
}

type aecDecoder struct {
	br      bitReader
	bits    int // bits per coded sample
	block   int // samples per block
	rsi     int // blocks per reference sample interval
	msb     bool
	pp      bool // nearest-neighbour preprocessing
	bytesPS int
}

// se table: for second-extension symbol m, the pair sum and its start.
var seTable = func() [182]int {
	var t [182]int
	k := 0
	for i := 0; i < 13; i++ {
		ms := k
		for j := 0; j <= i; j++ {
			t[2*k] = i
			t[2*k+1] = ms
			k++
		}
	}
	return t
}()

func (d *aecDecoder) get(n int) (uint32, bool) {
	if n == 0 {
		return 0, true
	}
	v, ok := d.br.read(uint(n))
	return uint32(v), ok
}

// fs reads a fundamental sequence: the number of 0 bits before a 1.
func (d *aecDecoder) fs() (uint32, bool) {
	var n uint32
	for {
		b, ok := d.br.read(1)
		if !ok {
			return 0, false
		}
		if b == 1 {
			return n, true
		}
		n++
		if n > 1<<20 {
			return 0, false
		}
	}
}

// decode produces up to size bytes (fewer when the input ends).
func (d *aecDecoder) decode(size int) ([]byte, error) {
	out := make([]byte, 0, size)
	want := size / d.bytesPS
	idLen := 3
	switch {
	case d.bits > 16:
		idLen = 5
	case d.bits > 8:
		idLen = 4
	}
	uncomp := uint32(1)<<idLen - 1
	rsiSize := d.rsi * d.block
	buf := make([]uint32, 0, min(rsiSize, want+d.block))
	xmax := uint32(uint64(1)<<d.bits - 1)
	produced := 0
	flush := func() {
		// undo the unit-delay predictor and the mapping of residuals
		var data uint32
		start := 0
		if d.pp && len(buf) > 0 {
			data = buf[0]
			out = d.put(out, data)
			start = 1
		}
		if d.pp {
			med := xmax/2 + 1
			for _, v := range buf[start:] {
				half := (v >> 1) + (v & 1)
				var m uint32
				if data&med != 0 {
					m = xmax
				}
				if half <= m^data {
					if v&1 != 0 {
						data -= (v >> 1) + 1
					} else {
						data += v >> 1
					}
				} else {
					data = m ^ v
				}
				out = d.put(out, data)
			}
		} else {
			for _, v := range buf {
				out = d.put(out, v)
			}
		}
		produced += len(buf)
		buf = buf[:0]
	}
	for produced+len(buf) < want {
		ref := 0
		if d.pp && len(buf) == 0 {
			ref = 1
		}
		id, ok := d.get(idLen)
		if !ok {
			break
		}
		room := rsiSize - len(buf)
		switch {
		case id == 0:
			sub, ok := d.get(1)
			if !ok {
				return nil, corruptf("szip low-entropy block truncated")
			}
			if ref == 1 {
				s, ok := d.get(d.bits)
				if !ok {
					return nil, corruptf("szip reference sample truncated")
				}
				buf = append(buf, s)
			}
			if sub == 1 { // second extension
				for i := ref; i < d.block; {
					m, ok := d.fs()
					if !ok || m > 90 {
						return nil, corruptf("szip second-extension symbol invalid")
					}
					d1 := uint32(int(m) - seTable[2*m+1])
					if i&1 == 0 {
						buf = append(buf, uint32(seTable[2*m])-d1)
						i++
					}
					buf = append(buf, d1)
					i++
				}
			} else { // zero blocks
				f, ok := d.fs()
				if !ok {
					return nil, corruptf("szip zero-block run truncated")
				}
				zb := int(f) + 1
				if zb == 5 { // remainder of segment
					b := (len(buf) - ref) / d.block
					zb = min(d.rsi-b, 64-(b%64))
				} else if zb > 5 {
					zb--
				}
				n := zb*d.block - ref
				if n < 0 || n > rsiSize-len(buf) {
					return nil, corruptf("szip zero run of %d samples overruns the interval", n)
				}
				for k := 0; k < n; k++ {
					buf = append(buf, 0)
				}
			}
		case id == uncomp:
			if room < d.block {
				return nil, corruptf("szip block overruns the interval")
			}
			for k := 0; k < d.block; k++ {
				s, ok := d.get(d.bits)
				if !ok {
					return nil, corruptf("szip uncompressed block truncated")
				}
				buf = append(buf, s)
			}
		default: // split sample with k low bits
			k := int(id) - 1
			if room < d.block {
				return nil, corruptf("szip block overruns the interval")
			}
			if ref == 1 {
				s, ok := d.get(d.bits)
				if !ok {
					return nil, corruptf("szip reference sample truncated")
				}
				buf = append(buf, s)
			}
			n := d.block - ref
			base := len(buf)
			for i := 0; i < n; i++ {
				f, ok := d.fs()
				if !ok {
					return nil, corruptf("szip fundamental sequence truncated")
				}
				buf = append(buf, f<<k)
			}
			for i := 0; i < n && k > 0; i++ {
				lo, ok := d.get(k)
				if !ok {
					return nil, corruptf("szip split bits truncated")
				}
				buf[base+i] += lo
			}
		}
		if len(buf) > rsiSize {
			return nil, corruptf("szip interval overflow")
		}
		if len(buf) == rsiSize {
			flush()
		}
	}
	if len(buf) > 0 {
		flush()
	}
	if len(out) > size {
		out = out[:size]
	}
	return out, nil
}

func (d *aecDecoder) put(out []byte, v uint32) []byte {
	switch d.bytesPS {
	case 1:
		return append(out, byte(v))
	case 2:
		if d.msb {
			return append(out, byte(v>>8), byte(v))
		}
		return append(out, byte(v), byte(v>>8))
	}
	if d.msb {
		return append(out, byte(v>>24), byte(v>>16), byte(v>>8), byte(v))
	}
	return append(out, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
}
