package hdf5

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"unsafe"
)

// elemDecoder turns stored element bytes into Go values.
type elemDecoder struct {
	f *File
}

func (t *Datatype) isNumeric() bool {
	switch t.Class {
	case ClassInteger, ClassFloat, ClassEnum, ClassBitfield, ClassTime:
		return true
	}
	return false
}

// uintBits reads an unsigned integer of n bytes (n ≤ 8) in the type's order.
func uintBits(b []byte, n int, big bool) uint64 {
	var u uint64
	if n > 8 {
		if big {
			b = b[n-8:]
		}
		n = 8
	}
	if big {
		for i := 0; i < n; i++ {
			u = u<<8 | uint64(b[i])
		}
	} else {
		for i := n - 1; i >= 0; i-- {
			u = u<<8 | uint64(b[i])
		}
	}
	return u
}

// floatValue decodes a float of any size with the type's bit layout.
func floatValue(b []byte, t *Datatype) float64 {
	switch t.Size {
	case 4:
		if t.fi == nil || (t.fi.expSize == 8 && t.fi.mantSz == 23) {
			if t.BigEndian {
				return float64(math.Float32frombits(binary.BigEndian.Uint32(b)))
			}
			return float64(math.Float32frombits(binary.LittleEndian.Uint32(b)))
		}
	case 8:
		if t.fi == nil || (t.fi.expSize == 11 && t.fi.mantSz == 52) {
			if t.BigEndian {
				return math.Float64frombits(binary.BigEndian.Uint64(b))
			}
			return math.Float64frombits(binary.LittleEndian.Uint64(b))
		}
	}
	fi := t.fi
	if fi == nil {
		return math.NaN()
	}
	// general: assemble the bits as a big integer (up to 16 bytes)
	n := t.Size
	var lo, hi uint64
	get := func(i int) byte { // byte i in little-endian significance
		if t.BigEndian {
			return b[n-1-i]
		}
		return b[i]
	}
	for i := n - 1; i >= 0; i-- {
		if i >= 8 {
			hi = hi<<8 | uint64(get(i))
		} else {
			lo = lo<<8 | uint64(get(i))
		}
	}
	field := func(pos, size int) uint64 {
		var v uint64
		for k := size - 1; k >= 0; k-- {
			p := pos + k
			var bit uint64
			if p < 64 {
				bit = (lo >> uint(p)) & 1
			} else if p < 128 {
				bit = (hi >> uint(p-64)) & 1
			}
			v = v<<1 | bit
		}
		return v
	}
	sign := field(fi.signLoc, 1)
	if fi.expSize > 62 || fi.mantSz > 128 || fi.mantSz < 0 {
		return math.NaN()
	}
	exp := field(fi.expLoc, fi.expSize)
	// mantissa: take the top 63 bits at most
	msz := fi.mantSz
	mpos := fi.mantLoc
	if msz > 63 {
		mpos += msz - 63
		msz = 63
	}
	mant := field(mpos, msz)
	expMax := uint64(1)<<uint(fi.expSize) - 1
	var v float64
	frac := float64(mant) / math.Ldexp(1, msz)
	switch {
	case exp == expMax && fi.expSize > 0:
		if mant == 0 {
			v = math.Inf(1)
		} else {
			v = math.NaN()
		}
	case exp == 0:
		v = math.Ldexp(frac, 1-int(fi.expBias))
	default:
		// x87 extended precision stores the integer bit explicitly
		if fi.mantSz == 64 && t.Size >= 10 {
			v = math.Ldexp(frac*2, int(exp)-int(fi.expBias))
		} else {
			v = math.Ldexp(1+frac, int(exp)-int(fi.expBias))
		}
	}
	if sign == 1 {
		v = -v
	}
	return v
}

// numToFloat64 converts n numeric elements of type t from raw into dst.
func numToFloat64(dst []float64, raw []byte, t *Datatype) error {
	es := t.Size
	base := t
	if t.Class == ClassEnum {
		base = t.Base
		if base == nil {
			return fmt.Errorf("hdf5: enum without base type")
		}
	}
	switch base.Class {
	case ClassFloat:
		if es == 8 && !base.BigEndian && (base.fi == nil || base.fi.mantSz == 52) && hostLE {
			copy(dst, unsafe.Slice((*float64)(unsafe.Pointer(unsafe.SliceData(raw))), len(dst)))
			return nil
		}
		if es == 4 && !base.BigEndian && (base.fi == nil || base.fi.mantSz == 23) {
			for i := range dst {
				dst[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(raw[i*4:])))
			}
			return nil
		}
		for i := range dst {
			dst[i] = floatValue(raw[i*es:(i+1)*es], base)
		}
		return nil
	case ClassInteger, ClassBitfield, ClassTime:
		signed := base.Class == ClassInteger && base.Signed
		if es == 4 && !base.BigEndian {
			if signed {
				for i := range dst {
					dst[i] = float64(int32(binary.LittleEndian.Uint32(raw[i*4:])))
				}
			} else {
				for i := range dst {
					dst[i] = float64(binary.LittleEndian.Uint32(raw[i*4:]))
				}
			}
			return nil
		}
		for i := range dst {
			b := raw[i*es : (i+1)*es]
			if signed {
				dst[i] = float64(intValue(b, base))
			} else {
				dst[i] = float64(uintBits(b, es, base.BigEndian))
			}
		}
		return nil
	}
	return fmt.Errorf("hdf5: cannot convert %s to float64: %w", numpyDtype(t), ErrUnsupported)
}

// numToInt64 converts integer-like elements; unsigned values above
// MaxInt64 and floats are errors.
func numToInt64(dst []int64, raw []byte, t *Datatype) error {
	es := t.Size
	base := t
	if t.Class == ClassEnum {
		base = t.Base
	}
	if base == nil || !(base.Class == ClassInteger || base.Class == ClassBitfield || base.Class == ClassTime) {
		return fmt.Errorf("hdf5: cannot convert %s to int64: %w", numpyDtype(t), ErrUnsupported)
	}
	signed := base.Class == ClassInteger && base.Signed
	for i := range dst {
		b := raw[i*es : (i+1)*es]
		if signed {
			dst[i] = intValue(b, base)
		} else {
			u := uintBits(b, es, base.BigEndian)
			if u > math.MaxInt64 {
				return fmt.Errorf("hdf5: value %d overflows int64", u)
			}
			dst[i] = int64(u)
		}
	}
	return nil
}

var hostLE = func() bool {
	x := uint16(1)
	return *(*byte)(unsafe.Pointer(&x)) == 1
}()

// fixedString returns a fixed-length string as h5py does: HDF5 converts
// to a NUL-padded type (text ends at the first NUL; space padding is
// stripped) and numpy drops the trailing NULs.
func fixedString(b []byte, pad StringPad) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	if pad == PadSpace {
		b = bytes.TrimRight(b, " ")
	}
	return string(b)
}

// vlenData reads the bytes a vlen element points to; count is the
// element count stored in the element.
func (f *File) vlenData(raw []byte) (count uint32, data []byte, err error) {
	if len(raw) < 4+f.offSize+4 {
		return 0, nil, fmt.Errorf("hdf5: short variable-length element")
	}
	count = binary.LittleEndian.Uint32(raw)
	addr := le(raw[4:], f.offSize)
	idx := binary.LittleEndian.Uint32(raw[4+f.offSize:])
	if count == 0 || addr == 0 || f.undef(addr) {
		return count, nil, nil
	}
	data, err = f.globalHeapObject(addr, idx)
	return count, data, err
}

// decodeString decodes one string element (fixed or vlen).
func (f *File) decodeString(raw []byte, t *Datatype) (string, error) {
	if t.Class == ClassString {
		return fixedString(raw[:t.Size], t.Pad), nil
	}
	if t.Class == ClassVlen && t.VlenString {
		n, data, err := f.vlenData(raw)
		if err != nil {
			return "", err
		}
		if data == nil {
			return "", nil
		}
		if int(n) < len(data) {
			data = data[:n]
		}
		if i := bytes.IndexByte(data, 0); i >= 0 {
			data = data[:i]
		}
		return string(data), nil
	}
	return "", fmt.Errorf("hdf5: %s is not a string type: %w", numpyDtype(t), ErrUnsupported)
}

// decodeRef decodes one reference element.
func (f *File) decodeRef(raw []byte, t *Datatype) (Reference, error) {
	switch t.RefKind {
	case 0:
		if len(raw) < f.offSize {
			return Reference{}, fmt.Errorf("hdf5: short object reference")
		}
		a := le(raw, f.offSize)
		if f.undef(a) {
			a = 0
		}
		return Reference{Addr: a}, nil
	case 1:
		if len(raw) < f.offSize+4 {
			return Reference{}, fmt.Errorf("hdf5: short region reference")
		}
		ha := le(raw, f.offSize)
		idx := binary.LittleEndian.Uint32(raw[f.offSize:])
		if ha == 0 || f.undef(ha) {
			return Reference{Region: true}, nil
		}
		obj, err := f.globalHeapObject(ha, idx)
		if err != nil {
			return Reference{}, err
		}
		if len(obj) < f.offSize {
			return Reference{}, fmt.Errorf("hdf5: short region reference heap object")
		}
		return Reference{Addr: le(obj, f.offSize), Region: true}, nil
	}
	// HDF5 1.12 references (H5R_ref_t on disk): type byte, flags byte,
	// then for in-file references the object token (length byte +
	// address); region references follow it with their selection, which
	// is not kept.
	if len(raw) >= 3 && raw[0] == 2 && raw[1]&1 == 0 {
		n := int(raw[2])
		if n >= 1 && n <= 8 && 3+n <= len(raw) {
			a := le(raw[3:], n)
			if n == f.offSize && f.undef(a) {
				a = 0
			}
			return Reference{Addr: a}, nil
		}
	}
	// region and attribute references keep their encoding in the global
	// heap: type, flags, blob length (4), heap collection address, index;
	// the blob starts with the token length and the object address.
	if len(raw) >= 2+4+f.offSize+4 && (raw[0] == 3 || raw[0] == 4) && raw[1]&1 == 0 {
		ha := le(raw[6:], f.offSize)
		idx := binary.LittleEndian.Uint32(raw[6+f.offSize:])
		if ha == 0 || f.undef(ha) {
			return Reference{Region: raw[0] == 3}, nil
		}
		blob, err := f.globalHeapObject(ha, idx)
		if err != nil {
			return Reference{}, err
		}
		if len(blob) >= 1 && int(blob[0]) >= 1 && int(blob[0]) <= 8 && 1+int(blob[0]) <= len(blob) {
			return Reference{Addr: le(blob[1:], int(blob[0])), Region: raw[0] == 3}, nil
		}
		return Reference{}, fmt.Errorf("hdf5: malformed reference blob")
	}
	if len(raw) >= 2 && raw[1]&1 != 0 {
		return Reference{}, fmt.Errorf("hdf5: reference to an object in another file: %w", ErrUnsupported)
	}
	if len(raw) >= 1 && raw[0] == 0 {
		return Reference{}, nil
	}
	return Reference{}, fmt.Errorf("hdf5: HDF5 1.12-style reference (kind %d) encoding: %w", t.RefKind, ErrUnsupported)
}

// decodeValue decodes one element into a Go value: int64 (signed ints,
// enums), uint64 (unsigned ints, bitfields), float64, string, Reference,
// []byte (opaque), []any (arrays flattened in C order, vlen sequences),
// map[string]any (compound).
func (f *File) decodeValue(raw []byte, t *Datatype, depth int, budget *int64) (any, error) {
	if depth > 32 {
		return nil, fmt.Errorf("hdf5: value nested too deeply")
	}
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("hdf5: value expands to too many elements: %w", ErrTooLarge)
	}
	if len(raw) < t.Size {
		return nil, fmt.Errorf("hdf5: short element")
	}
	switch t.Class {
	case ClassInteger:
		if t.Signed {
			return intValue(raw[:t.Size], t), nil
		}
		return uintBits(raw, t.Size, t.BigEndian), nil
	case ClassBitfield, ClassTime:
		return uintBits(raw, t.Size, t.BigEndian), nil
	case ClassEnum:
		if t.Base == nil {
			return nil, fmt.Errorf("hdf5: enum without base")
		}
		// enums (h5py's bools included) are their integer values, as in
		// ReadValues
		return intValue(raw[:t.Size], t.Base), nil
	case ClassFloat:
		return floatValue(raw[:t.Size], t), nil
	case ClassString:
		return fixedString(raw[:t.Size], t.Pad), nil
	case ClassOpaque:
		return append([]byte(nil), raw[:t.Size]...), nil
	case ClassReference:
		return f.decodeRef(raw[:t.Size], t)
	case ClassVlen:
		if t.VlenString {
			return f.decodeString(raw, t)
		}
		n, data, err := f.vlenData(raw)
		if err != nil {
			return nil, err
		}
		bs := t.Base.Size
		if bs <= 0 {
			return []any{}, nil
		}
		if int64(n) > *budget {
			return nil, fmt.Errorf("hdf5: value expands to too many elements: %w", ErrTooLarge)
		}
		if uint64(n)*uint64(bs) > uint64(len(data)) {
			if data == nil && n > 0 {
				return nil, fmt.Errorf("hdf5: vlen sequence of %d elements without data", n)
			}
			n = uint32(len(data) / bs)
		}
		out := make([]any, n)
		for i := range out {
			v, err := f.decodeValue(data[i*bs:(i+1)*bs], t.Base, depth+1, budget)
			if err != nil {
				return nil, err
			}
			out[i] = v
		}
		return out, nil
	case ClassArray:
		base := t.Base
		bs := base.Size
		if bs <= 0 {
			return []any{}, nil
		}
		n := t.Size / bs
		out := make([]any, 0, n)
		for i := 0; i < n; i++ {
			v, err := f.decodeValue(raw[i*bs:(i+1)*bs], base, depth+1, budget)
			if err != nil {
				return nil, err
			}
			if sub, ok := v.([]any); ok && base.Class == ClassArray {
				out = append(out, sub...)
			} else {
				out = append(out, v)
			}
		}
		return out, nil
	case ClassCompound:
		m := make(map[string]any, len(t.Members))
		for _, mb := range t.Members {
			v, err := f.decodeValue(raw[mb.Offset:], mb.Type, depth+1, budget)
			if err != nil {
				return nil, err
			}
			m[mb.Name] = v
		}
		return m, nil
	}
	return nil, fmt.Errorf("hdf5: datatype class %d: %w", t.Class, ErrUnsupported)
}

// valueBudget bounds the number of Go values one decode may create (vlen
// elements can point to the same heap object many times).
func (f *File) valueBudget() int64 { return f.opts.maxAlloc / 16 }

// valuesOf converts n raw elements of type t into the typed slice that
// ReadValues returns.
func (f *File) valuesOf(raw []byte, n int, t *Datatype) (any, error) {
	es := t.Size
	budget := f.valueBudget()
	switch t.Class {
	case ClassInteger:
		if t.Signed {
			out := make([]int64, n)
			for i := range out {
				out[i] = intValue(raw[i*es:(i+1)*es], t)
			}
			return out, nil
		}
		out := make([]uint64, n)
		for i := range out {
			out[i] = uintBits(raw[i*es:], es, t.BigEndian)
		}
		return out, nil
	case ClassBitfield, ClassTime:
		out := make([]uint64, n)
		for i := range out {
			out[i] = uintBits(raw[i*es:], es, t.BigEndian)
		}
		return out, nil
	case ClassEnum:
		out := make([]int64, n)
		if err := numToInt64(out, raw, t); err != nil {
			// unsigned 64-bit enum values above MaxInt64 wrap
			for i := range out {
				out[i] = int64(uintBits(raw[i*es:], es, t.Base.BigEndian))
			}
		}
		return out, nil
	case ClassFloat:
		out := make([]float64, n)
		return out, numToFloat64(out, raw, t)
	case ClassString:
		out := make([]string, n)
		for i := range out {
			out[i] = fixedString(raw[i*es:(i+1)*es], t.Pad)
		}
		return out, nil
	case ClassReference:
		out := make([]Reference, n)
		for i := range out {
			r, err := f.decodeRef(raw[i*es:(i+1)*es], t)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	case ClassOpaque:
		out := make([][]byte, n)
		for i := range out {
			out[i] = append([]byte(nil), raw[i*es:(i+1)*es]...)
		}
		return out, nil
	case ClassVlen:
		if t.VlenString {
			out := make([]string, n)
			for i := range out {
				s, err := f.decodeString(raw[i*es:(i+1)*es], t)
				if err != nil {
					return nil, err
				}
				out[i] = s
			}
			return out, nil
		}
		fallthrough
	case ClassArray:
		out := make([][]any, n)
		for i := range out {
			v, err := f.decodeValue(raw[i*es:(i+1)*es], t, 0, &budget)
			if err != nil {
				return nil, err
			}
			out[i], _ = v.([]any)
		}
		return out, nil
	case ClassCompound:
		c := &Compound{Names: make([]string, len(t.Members)), Fields: make([][]any, len(t.Members))}
		for j, mb := range t.Members {
			c.Names[j] = mb.Name
			col := make([]any, n)
			for i := range col {
				v, err := f.decodeValue(raw[i*es+mb.Offset:], mb.Type, 1, &budget)
				if err != nil {
					return nil, err
				}
				col[i] = v
			}
			c.Fields[j] = col
		}
		return c, nil
	}
	return nil, fmt.Errorf("hdf5: datatype %s: %w", numpyDtype(t), ErrUnsupported)
}

// ---- dataset typed reads ----

func (ds *Dataset) readRawSel(sel *Hyperslab) ([]byte, int, error) {
	b, err := ds.ReadRaw(sel)
	if err != nil {
		return nil, 0, err
	}
	if ds.dtype.Size == 0 {
		return b, 0, nil
	}
	return b, len(b) / ds.dtype.Size, nil
}

// ReadFloat64s reads numeric elements (integers, floats, enums, bitfields)
// converted to float64.
func (ds *Dataset) ReadFloat64s(sel *Hyperslab) ([]float64, error) {
	if !ds.dtype.isNumeric() {
		return nil, fmt.Errorf("hdf5: %s: %s is not numeric: %w", ds.path, numpyDtype(ds.dtype), ErrUnsupported)
	}
	s, err := ds.normSel(sel)
	if err != nil {
		return nil, err
	}
	t := ds.dtype
	if s.n > uint64(ds.f.opts.maxAlloc)/8 {
		return nil, fmt.Errorf("hdf5: %s: %w", ds.path, ErrTooLarge)
	}
	out := make([]float64, s.n)
	if t.Class == ClassFloat && t.Size == 8 && !t.BigEndian && hostLE && (t.fi == nil || t.fi.mantSz == 52) {
		if err := ds.readInto(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), len(out)*8), s); err != nil {
			return nil, err
		}
		return out, nil
	}
	if t.Size < 8 && t.Size > 0 {
		// read the stored elements into the tail of out's memory and widen
		// them in place, front to back: element i is read before dst[i]
		// is written, and dst[i] never reaches element i+1's bytes.
		b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), len(out)*8)
		raw := b[len(b)-len(out)*t.Size:]
		if err := ds.readInto(raw, s); err != nil {
			return nil, err
		}
		return out, numToFloat64(out, raw, t)
	}
	raw, _, err := ds.readRawSel(sel)
	if err != nil {
		return nil, err
	}
	return out, numToFloat64(out, raw, t)
}

// lazyAllocMin is the element count from which ReadFloat32s lets the
// chunk workers allocate its result (a variable so tests reach that path).
var lazyAllocMin uint64 = 1 << 16

// readChunkedLazySafe is readChunkedLazy with readInto's panic guard.
func (ds *Dataset) readChunkedLazySafe(dstFn func() []byte, s *selection) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("hdf5: %s: internal error: %v", ds.path, p)
		}
	}()
	if s.n == 0 {
		return nil
	}
	return ds.readChunkedLazy(dstFn, s)
}

// ReadFloat32s reads float32 (or narrower numeric) elements as float32
// without a float64 round trip; it is the fastest way to read float32 data.
func (ds *Dataset) ReadFloat32s(sel *Hyperslab) ([]float32, error) {
	t := ds.dtype
	if t.Class == ClassFloat && t.Size == 4 && hostLE && (t.fi == nil || t.fi.mantSz == 23) {
		s, err := ds.normSel(sel)
		if err != nil {
			return nil, err
		}
		if s.n > uint64(ds.f.opts.maxAlloc)/4 {
			return nil, fmt.Errorf("hdf5: %s: %w", ds.path, ErrTooLarge)
		}
		var out []float32
		var once sync.Once
		alloc := func() []byte {
			once.Do(func() { out = make([]float32, s.n) })
			return unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(out))), len(out)*4)
		}
		if ds.layout == LayoutChunked && len(ds.filters) > 0 && ds.stored == nil && s.n >= lazyAllocMin {
			// a large filtered read: the first worker to finish a chunk
			// allocates (zeroes) out while the others keep decoding
			if err := ds.readChunkedLazySafe(alloc, s); err != nil {
				return nil, err
			}
		} else if err := ds.readInto(alloc(), s); err != nil {
			return nil, err
		}
		b := alloc()
		if t.BigEndian {
			for i := 0; i+4 <= len(b); i += 4 {
				b[i], b[i+1], b[i+2], b[i+3] = b[i+3], b[i+2], b[i+1], b[i]
			}
		}
		return out, nil
	}
	f64, err := ds.ReadFloat64s(sel)
	if err != nil {
		return nil, err
	}
	out := make([]float32, len(f64))
	for i, v := range f64 {
		out[i] = float32(v)
	}
	return out, nil
}

// ReadInt64s reads integer and enum elements as int64. Floats and unsigned
// values above MaxInt64 are errors.
func (ds *Dataset) ReadInt64s(sel *Hyperslab) ([]int64, error) {
	raw, n, err := ds.readRawSel(sel)
	if err != nil {
		return nil, err
	}
	out := make([]int64, n)
	if err := numToInt64(out, raw, ds.dtype); err != nil {
		return nil, fmt.Errorf("hdf5: %s: %w", ds.path, err)
	}
	return out, nil
}

// ReadStrings reads fixed-length strings (trailing NUL padding removed, as
// h5py does) or variable-length strings.
func (ds *Dataset) ReadStrings(sel *Hyperslab) ([]string, error) {
	t := ds.dtype
	if t.Class != ClassString && !(t.Class == ClassVlen && t.VlenString) {
		return nil, fmt.Errorf("hdf5: %s: %s is not a string type: %w", ds.path, numpyDtype(t), ErrUnsupported)
	}
	raw, n, err := ds.readRawSel(sel)
	if err != nil {
		return nil, err
	}
	out := make([]string, n)
	for i := range out {
		s, err := ds.f.decodeString(raw[i*t.Size:(i+1)*t.Size], t)
		if err != nil {
			return nil, fmt.Errorf("hdf5: %s: element %d: %w", ds.path, i, err)
		}
		out[i] = s
	}
	return out, nil
}

// ReadReferences reads object or region references.
func (ds *Dataset) ReadReferences(sel *Hyperslab) ([]Reference, error) {
	if ds.dtype.Class != ClassReference {
		return nil, fmt.Errorf("hdf5: %s: not a reference type: %w", ds.path, ErrUnsupported)
	}
	raw, n, err := ds.readRawSel(sel)
	if err != nil {
		return nil, err
	}
	v, err := ds.f.valuesOf(raw, n, ds.dtype)
	if err != nil {
		return nil, fmt.Errorf("hdf5: %s: %w", ds.path, err)
	}
	return v.([]Reference), nil
}

// ReadValues reads elements into the natural Go slice for the type:
// []int64 (signed integers, enums), []uint64 (unsigned integers,
// bitfields), []float64, []string, []Reference, [][]byte (opaque),
// *Compound (column-wise; nested compound values are map[string]any) and
// [][]any for vlen sequences and arrays (array elements flattened in C
// order).
func (ds *Dataset) ReadValues(sel *Hyperslab) (any, error) {
	raw, n, err := ds.readRawSel(sel)
	if err != nil {
		return nil, err
	}
	v, err := ds.f.valuesOf(raw, n, ds.dtype)
	if err != nil {
		return nil, fmt.Errorf("hdf5: %s: %w", ds.path, err)
	}
	return v, nil
}

// ReadMember reads one compound member by name ("a.b" for nested members),
// returning the same kinds of values as ReadValues.
func (ds *Dataset) ReadMember(name string, sel *Hyperslab) (any, error) {
	t := ds.dtype
	off := 0
	rest := name
	for {
		if t.Class != ClassCompound {
			return nil, fmt.Errorf("hdf5: %s: member %q: not a compound: %w", ds.path, name, ErrNotFound)
		}
		var mb *Member
		// exact member name first (names may contain dots)
		for i := range t.Members {
			if t.Members[i].Name == rest {
				mb = &t.Members[i]
				rest = ""
				break
			}
		}
		if mb == nil {
			for i := range t.Members {
				p := t.Members[i].Name + "."
				if len(rest) > len(p) && rest[:len(p)] == p {
					mb = &t.Members[i]
					rest = rest[len(p):]
					break
				}
			}
		}
		if mb == nil {
			return nil, fmt.Errorf("hdf5: %s: member %q: %w", ds.path, name, ErrNotFound)
		}
		off += mb.Offset
		t = mb.Type
		if rest == "" {
			break
		}
	}
	raw, n, err := ds.readRawSel(sel)
	if err != nil {
		return nil, err
	}
	es := ds.dtype.Size
	sub := make([]byte, n*t.Size)
	for i := 0; i < n; i++ {
		copy(sub[i*t.Size:(i+1)*t.Size], raw[i*es+off:])
	}
	return ds.f.valuesOf(sub, n, t)
}
