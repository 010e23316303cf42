package activations

import (
	"encoding/binary"
	"fmt"
	"math"
)

// kind is the element family of a stored numeric array.
type kind byte

const (
	kBool kind = iota
	kInt
	kUint
	kFloat
	kBFloat // bfloat16 (safetensors BF16)
)

// dtype describes one stored element: family, width in bytes and byte order.
type dtype struct {
	kind  kind
	size  int
	order binary.ByteOrder
	name  string // as spelled in the file, for error messages
}

// decodeTo converts n elements of raw (packed, in dt's byte order) to float64.
// len(raw) must be at least n*dt.size.
func (dt dtype) decodeTo(dst []float64, raw []byte) {
	o := dt.order
	switch dt.kind {
	case kBool, kUint:
		switch dt.size {
		case 1:
			for i := range dst {
				dst[i] = float64(raw[i])
			}
		case 2:
			for i := range dst {
				dst[i] = float64(o.Uint16(raw[2*i:]))
			}
		case 4:
			for i := range dst {
				dst[i] = float64(o.Uint32(raw[4*i:]))
			}
		case 8:
			for i := range dst {
				dst[i] = float64(o.Uint64(raw[8*i:]))
			}
		}
	case kInt:
		switch dt.size {
		case 1:
			for i := range dst {
				dst[i] = float64(int8(raw[i]))
			}
		case 2:
			for i := range dst {
				dst[i] = float64(int16(o.Uint16(raw[2*i:])))
			}
		case 4:
			for i := range dst {
				dst[i] = float64(int32(o.Uint32(raw[4*i:])))
			}
		case 8:
			for i := range dst {
				dst[i] = float64(int64(o.Uint64(raw[8*i:])))
			}
		}
	case kFloat:
		switch dt.size {
		case 2:
			for i := range dst {
				dst[i] = float64(halfToFloat32(o.Uint16(raw[2*i:])))
			}
		case 4:
			for i := range dst {
				dst[i] = float64(math.Float32frombits(o.Uint32(raw[4*i:])))
			}
		case 8:
			for i := range dst {
				dst[i] = math.Float64frombits(o.Uint64(raw[8*i:]))
			}
		}
	case kBFloat:
		for i := range dst {
			dst[i] = float64(math.Float32frombits(uint32(o.Uint16(raw[2*i:])) << 16))
		}
	}
}

// halfToFloat32 converts an IEEE 754 binary16 value to float32 exactly.
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | frac<<13)
	case exp == 0:
		if frac == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal half: value = frac * 2^-24.
		v := float32(frac) * (1.0 / (1 << 24))
		if sign != 0 {
			v = -v
		}
		return v
	default:
		return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
	}
}

// elemCount returns the product of shape, or an error on a negative
// dimension or an overflow past maxElems.
func elemCount(shape []int, itemSize int) (int, error) {
	n := 1
	for _, d := range shape {
		if d < 0 {
			return 0, fmt.Errorf("negative dimension %d in shape %v", d, shape)
		}
		if d != 0 && n > math.MaxInt/d {
			return 0, fmt.Errorf("shape %v overflows", shape)
		}
		n *= d
	}
	if itemSize > 0 && n > math.MaxInt/itemSize {
		return 0, fmt.Errorf("shape %v overflows", shape)
	}
	return n, nil
}
