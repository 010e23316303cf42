package hdf5

import (
	"math"
)

// Conversion of values stored with a bit offset or a precision narrower
// than their storage (n-bit data and custom HDF5 integer/float types) to
// the plain layout of the same size and byte order, as HDF5 does when it
// converts such a file type to a native memory type.

// needsConv reports whether elements of t (or of a member or array
// element of t) have a non-plain bit layout that readers must convert.
func needsConv(t *Datatype, depth int) bool {
	if t == nil || depth > 32 {
		return false
	}
	switch t.Class {
	case ClassInteger, ClassBitfield:
		return t.Size >= 1 && t.Size <= 8 && t.Precision > 0 && t.BitOffset >= 0 &&
			t.BitOffset+t.Precision <= 8*t.Size && (t.BitOffset != 0 || t.Precision != 8*t.Size)
	case ClassFloat:
		return (t.Size == 2 || t.Size == 4 || t.Size == 8) && t.fi != nil && !t.fi.vax && !t.fi.std(t.Size)
	case ClassCompound:
		for _, m := range t.Members {
			if needsConv(m.Type, depth+1) {
				return true
			}
		}
	case ClassArray:
		return t.Base != nil && t.Base.Size > 0 && needsConv(t.Base, depth+1)
	}
	return false
}

// stdFloat returns the IEEE 754 layout of a float of size bytes.
func stdFloat(size int) *floatInfo {
	switch size {
	case 2:
		return &floatInfo{prec: 16, expLoc: 10, expSize: 5, mantSz: 10, expBias: 15, signLoc: 15}
	case 4:
		return &floatInfo{prec: 32, expLoc: 23, expSize: 8, mantSz: 23, expBias: 127, signLoc: 31}
	}
	return &floatInfo{prec: 64, expLoc: 52, expSize: 11, mantSz: 52, expBias: 1023, signLoc: 63}
}

// plainType returns t with every convertible part replaced by its plain
// layout (t itself when nothing needs conversion).
func plainType(t *Datatype, depth int) *Datatype {
	if !needsConv(t, depth) {
		return t
	}
	c := *t
	switch t.Class {
	case ClassInteger, ClassBitfield:
		c.BitOffset, c.Precision = 0, 8*t.Size
	case ClassFloat:
		c.fi = stdFloat(t.Size)
		c.BitOffset, c.Precision = 0, 8*t.Size
	case ClassCompound:
		c.Members = append([]Member(nil), t.Members...)
		for i := range c.Members {
			c.Members[i].Type = plainType(c.Members[i].Type, depth+1)
		}
	case ClassArray:
		c.Base = plainType(t.Base, depth+1)
	}
	return &c
}

// convertElems rewrites the whole elements of type t in b, in place, from
// t's stored bit layout to the plain one (see needsConv).
func convertElems(b []byte, t *Datatype) {
	es := t.Size
	if es <= 0 {
		return
	}
	for o := 0; o+es <= len(b); o += es {
		convertElem(b[o:o+es], t, 0)
	}
}

func convertElem(e []byte, t *Datatype, depth int) {
	if !needsConv(t, depth) || len(e) < t.Size {
		return
	}
	switch t.Class {
	case ClassInteger, ClassBitfield:
		u := uintBits(e, t.Size, t.BigEndian) >> uint(t.BitOffset)
		mask := ^uint64(0)
		if t.Precision < 64 {
			mask = 1<<uint(t.Precision) - 1
		}
		u &= mask
		if t.Class == ClassInteger && t.Signed && t.Precision < 64 && u>>uint(t.Precision-1)&1 != 0 {
			u |= ^mask
		}
		putUint(e[:t.Size], u, t.BigEndian)
	case ClassFloat:
		v := floatValue(e[:t.Size], t)
		var u uint64
		switch t.Size {
		case 2:
			u = uint64(float16Bits(v))
		case 4:
			u = uint64(math.Float32bits(float32(v)))
		default:
			u = math.Float64bits(v)
		}
		putUint(e[:t.Size], u, t.BigEndian)
	case ClassCompound:
		for _, m := range t.Members {
			if m.Offset >= 0 && m.Type != nil && m.Offset+m.Type.Size <= len(e) {
				convertElem(e[m.Offset:m.Offset+m.Type.Size], m.Type, depth+1)
			}
		}
	case ClassArray:
		bs := t.Base.Size
		for o := 0; o+bs <= t.Size; o += bs {
			convertElem(e[o:o+bs], t.Base, depth+1)
		}
	}
}

// putUint writes the low len(b) bytes of u into b in the given order.
func putUint(b []byte, u uint64, big bool) {
	n := len(b)
	if big {
		for i := n - 1; i >= 0; i-- {
			b[i] = byte(u)
			u >>= 8
		}
		return
	}
	for i := 0; i < n; i++ {
		b[i] = byte(u)
		u >>= 8
	}
}

// float16Bits rounds v to the nearest IEEE binary16 (ties to even).
func float16Bits(v float64) uint16 {
	b := math.Float32bits(float32(v))
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23&0xff) - 127 + 15
	mant := b & 0x7fffff
	switch {
	case b>>23&0xff == 0xff: // Inf, NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	case exp >= 0x1f:
		return sign | 0x7c00
	case exp <= 0:
		if exp < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint(14 - exp)
		h := mant >> shift
		rem := mant & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && h&1 != 0) {
			h++
		}
		return sign | uint16(h)
	}
	h := uint32(exp)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && h&1 != 0) {
		h++ // may carry into the exponent, up to Inf: correct rounding
	}
	return sign | uint16(h)
}
