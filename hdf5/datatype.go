package hdf5

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// floatInfo keeps the bit layout of a float type (needed for float16 and
// non-IEEE sizes).
type floatInfo struct {
	bitOff, prec    int
	expLoc, expSize int
	mantLoc, mantSz int
	expBias         uint32
	signLoc         int
	vax             bool
}

// std reports whether fi is the IEEE 754 layout of a float of size bytes
// (binary16, binary32 or binary64) at bit offset 0.
func (fi *floatInfo) std(size int) bool {
	if fi == nil {
		return true
	}
	if fi.vax || fi.bitOff != 0 || fi.prec != 8*size || fi.mantLoc != 0 || fi.signLoc != 8*size-1 {
		return false
	}
	switch size {
	case 2:
		return fi.expLoc == 10 && fi.expSize == 5 && fi.mantSz == 10 && fi.expBias == 15
	case 4:
		return fi.expLoc == 23 && fi.expSize == 8 && fi.mantSz == 23 && fi.expBias == 127
	case 8:
		return fi.expLoc == 52 && fi.expSize == 11 && fi.mantSz == 52 && fi.expBias == 1023
	}
	return false
}

// parseDatatype decodes a datatype message body.
func (f *File) parseDatatype(b []byte, addr uint64, depth int) (*Datatype, int, error) {
	if depth > 16 {
		return nil, 0, f.formatErr(addr, "datatype", "nested too deeply")
	}
	d := f.newBuf(b, addr, "datatype")
	t, err := f.decodeType(d, depth)
	if err != nil {
		return nil, 0, err
	}
	if d.err != nil {
		return nil, 0, d.err
	}
	return t, d.pos, nil
}

func (f *File) decodeType(d *buf, depth int) (*Datatype, error) {
	if depth > 16 {
		d.fail("datatype nested too deeply")
		return nil, d.err
	}
	cv := d.u8()
	b0, b1, b2 := d.u8(), d.u8(), d.u8()
	bits := uint32(b0) | uint32(b1)<<8 | uint32(b2)<<16
	size := d.u32()
	if d.err != nil {
		return nil, d.err
	}
	class := int(cv & 0x0f)
	ver := int(cv >> 4)
	if size > 1<<30 {
		d.fail("datatype size %d", size)
		return nil, d.err
	}
	t := &Datatype{Size: int(size)}
	switch class {
	case 0: // fixed point
		t.Class = ClassInteger
		t.BigEndian = bits&1 != 0
		t.Signed = bits&8 != 0
		t.BitOffset = int(d.u16())
		t.Precision = int(d.u16())
		if t.Size < 1 {
			d.fail("integer size %d", t.Size)
		}
	case 1:
		t.Class = ClassFloat
		t.BigEndian = bits&1 != 0
		fi := &floatInfo{vax: bits&0x40 != 0, signLoc: int(bits>>8) & 0xff}
		if fi.vax {
			t.BigEndian = false
		}
		fi.bitOff = int(d.u16())
		fi.prec = int(d.u16())
		fi.expLoc = int(d.u8())
		fi.expSize = int(d.u8())
		fi.mantLoc = int(d.u8())
		fi.mantSz = int(d.u8())
		fi.expBias = d.u32()
		t.fi = fi
		t.BitOffset, t.Precision = fi.bitOff, fi.prec
		if t.Size < 1 {
			d.fail("float size %d", t.Size)
		}
	case 2:
		t.Class = ClassTime
		t.BigEndian = bits&1 != 0
		d.skip(2)
	case 3:
		t.Class = ClassString
		t.Pad = StringPad(bits & 0x0f)
		t.UTF8 = (bits>>4)&0x0f == 1
	case 4:
		t.Class = ClassBitfield
		t.BigEndian = bits&1 != 0
		t.BitOffset = int(d.u16())
		t.Precision = int(d.u16())
	case 5:
		t.Class = ClassOpaque
		n := int(bits & 0xff)
		tag := d.bytes(n)
		t.Tag = strings.TrimRight(string(tag), "\x00")
	case 6:
		t.Class = ClassCompound
		n := int(bits & 0xffff)
		if n == 0 {
			d.fail("compound datatype with no members")
			return nil, d.err
		}
		if n > d.rem() {
			d.fail("compound with %d members", n)
			return nil, d.err
		}
		for i := 0; i < n && d.err == nil; i++ {
			start := d.pos
			name := d.cstring()
			var m Member
			m.Name = name
			switch ver {
			case 1, 2:
				// name padded to a multiple of 8
				d.align8(start)
				m.Offset = int(d.u32())
				if ver == 1 {
					nd := int(d.u8())
					d.skip(3 + 4 + 4)
					var dims []int
					for j := 0; j < 4; j++ {
						v := int(d.u32())
						if j < nd {
							dims = append(dims, v)
						}
					}
					mt, err := f.decodeType(d, depth+1)
					if err != nil {
						return nil, err
					}
					if nd > 0 {
						mt = arrayOf(mt, dims)
					}
					m.Type = mt
				} else {
					mt, err := f.decodeType(d, depth+1)
					if err != nil {
						return nil, err
					}
					m.Type = mt
				}
			default:
				nb := 1
				for s := uint64(size); s > 255; s >>= 8 {
					nb++
				}
				m.Offset = int(d.uN(nb))
				mt, err := f.decodeType(d, depth+1)
				if err != nil {
					return nil, err
				}
				m.Type = mt
			}
			if d.err == nil && (m.Offset < 0 || m.Type == nil || m.Offset+m.Type.Size > t.Size) {
				d.fail("compound member %q at offset %d size %d exceeds compound size %d", m.Name, m.Offset, sizeOf(m.Type), t.Size)
			}
			t.Members = append(t.Members, m)
		}
	case 7:
		t.Class = ClassReference
		t.RefKind = int(bits & 0x0f)
	case 8:
		t.Class = ClassEnum
		n := int(bits & 0xffff)
		base, err := f.decodeType(d, depth+1)
		if err != nil {
			return nil, err
		}
		t.Base = base
		if n > d.rem() {
			d.fail("enum with %d members", n)
			return nil, d.err
		}
		for i := 0; i < n && d.err == nil; i++ {
			start := d.pos
			t.EnumNames = append(t.EnumNames, d.cstring())
			if ver < 3 {
				d.align8(start)
			}
		}
		for i := 0; i < n && d.err == nil; i++ {
			raw := d.bytes(base.Size)
			if d.err == nil {
				t.EnumValues = append(t.EnumValues, intValue(raw, base))
			}
		}
	case 9:
		t.Class = ClassVlen
		t.VlenString = bits&0x0f == 1
		t.Pad = StringPad((bits >> 4) & 0x0f)
		t.UTF8 = (bits>>8)&0x0f == 1
		base, err := f.decodeType(d, depth+1)
		if err != nil {
			return nil, err
		}
		t.Base = base
	case 10:
		t.Class = ClassArray
		nd := int(d.u8())
		if ver < 3 {
			d.skip(3)
		}
		total := 1
		for i := 0; i < nd && d.err == nil; i++ {
			v := int(d.u32())
			t.Dims = append(t.Dims, v)
			total *= v
			if total > 1<<30 || v < 0 {
				d.fail("array dims too large")
			}
		}
		if ver < 3 {
			d.skip(4 * nd)
		}
		base, err := f.decodeType(d, depth+1)
		if err != nil {
			return nil, err
		}
		t.Base = base
		if d.err == nil && base.Size*total != t.Size {
			d.fail("array of %d×%d bytes has size %d", total, base.Size, t.Size)
		}
	default:
		d.fail("unknown datatype class %d", class)
	}
	if d.err != nil {
		return nil, d.err
	}
	return t, nil
}

func sizeOf(t *Datatype) int {
	if t == nil {
		return 0
	}
	return t.Size
}

func arrayOf(base *Datatype, dims []int) *Datatype {
	n := 1
	for _, v := range dims {
		n *= v
	}
	return &Datatype{Class: ClassArray, Size: base.Size * n, Dims: dims, Base: base}
}

// intValue decodes an integer of type t (size ≤ 8) from raw.
func intValue(raw []byte, t *Datatype) int64 {
	n := len(raw)
	if n > 8 {
		n = 8
	}
	var u uint64
	if t.BigEndian {
		for i := 0; i < n; i++ {
			u = u<<8 | uint64(raw[i])
		}
	} else {
		for i := n - 1; i >= 0; i-- {
			u = u<<8 | uint64(raw[i])
		}
	}
	if t.Signed && n < 8 && n > 0 {
		shift := uint(64 - 8*n)
		return int64(u<<shift) >> shift
	}
	return int64(u)
}

// isBool reports whether an enum is h5py's bool mapping (FALSE=0, TRUE=1).
func isBool(t *Datatype) bool {
	if t.Class != ClassEnum || len(t.EnumNames) != 2 || t.Base == nil || t.Base.Size != 1 {
		return false
	}
	return t.EnumNames[0] == "FALSE" && t.EnumValues[0] == 0 && t.EnumNames[1] == "TRUE" && t.EnumValues[1] == 1
}

func orderChar(t *Datatype) string {
	if t.Size == 1 {
		return "|"
	}
	if t.BigEndian {
		return ">"
	}
	return "<"
}

func numpyDtype(t *Datatype) string {
	if t == nil {
		return ""
	}
	switch t.Class {
	case ClassInteger:
		k := "u"
		if t.Signed {
			k = "i"
		}
		return orderChar(t) + k + strconv.Itoa(t.Size)
	case ClassFloat:
		return orderChar(t) + "f" + strconv.Itoa(t.Size)
	case ClassBitfield:
		return orderChar(t) + "u" + strconv.Itoa(t.Size)
	case ClassTime:
		return orderChar(t) + "u" + strconv.Itoa(t.Size)
	case ClassString:
		return fmt.Sprintf("fixed-str[%d](%s)", t.Size, encName(t.UTF8))
	case ClassOpaque:
		if np, ok := strings.CutPrefix(t.Tag, "NUMPY:"); ok {
			// h5py stores numpy types it cannot map as tagged opaque
			if n, ok := strings.CutPrefix(np, "|S"); ok {
				return "fixed-str[" + n + "](ascii)"
			}
			return np
		}
		return "|V" + strconv.Itoa(t.Size)
	case ClassReference:
		if t.RefKind == 1 || t.RefKind == 3 {
			return "regionref"
		}
		return "objref"
	case ClassEnum:
		if isBool(t) {
			return "|b1"
		}
		idx := make([]int, len(t.EnumNames))
		for i := range idx {
			idx[i] = i
		}
		sort.SliceStable(idx, func(a, b int) bool { return t.EnumNames[idx[a]] < t.EnumNames[idx[b]] })
		var sb strings.Builder
		sb.WriteString("enum(")
		sb.WriteString(numpyDtype(t.Base))
		sb.WriteString(",{")
		for i, j := range idx {
			if i > 0 {
				sb.WriteString(", ")
			}
			sb.WriteString(pyJSONString(t.EnumNames[j]))
			sb.WriteString(": ")
			if t.Base != nil && !t.Base.Signed && t.Base.Size == 8 {
				sb.WriteString(strconv.FormatUint(uint64(t.EnumValues[j]), 10))
			} else {
				sb.WriteString(strconv.FormatInt(t.EnumValues[j], 10))
			}
		}
		sb.WriteString("})")
		return sb.String()
	case ClassVlen:
		if t.VlenString {
			return fmt.Sprintf("vlen-str(%s)", encName(t.UTF8))
		}
		return "vlen(" + numpyDtype(t.Base) + ")"
	case ClassCompound:
		if isComplex(t) {
			return orderChar(t.Members[0].Type) + "c" + strconv.Itoa(t.Size)
		}
		var sb strings.Builder
		sb.WriteString("compound{")
		for i, m := range t.Members {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString(m.Name)
			sb.WriteString(":")
			sb.WriteString(numpyDtype(m.Type))
		}
		sb.WriteString("}")
		return sb.String()
	case ClassArray:
		dims := t.Dims
		base := t.Base
		parts := make([]string, len(dims))
		for i, v := range dims {
			parts[i] = strconv.Itoa(v)
		}
		return "array[" + strings.Join(parts, ", ") + "](" + numpyDtype(base) + ")"
	}
	return ""
}

// isComplex reports h5py's complex mapping: compound {r, i} of two equal floats.
func isComplex(t *Datatype) bool {
	if t.Class != ClassCompound || len(t.Members) != 2 {
		return false
	}
	r, i := t.Members[0], t.Members[1]
	return r.Name == "r" && i.Name == "i" && r.Type.Class == ClassFloat && i.Type.Class == ClassFloat &&
		r.Type.Size == i.Type.Size && r.Type.BigEndian == i.Type.BigEndian && r.Offset == 0 && i.Offset == r.Type.Size &&
		t.Size == 2*r.Type.Size && (r.Type.Size == 4 || r.Type.Size == 8)
}

func encName(utf bool) string {
	if utf {
		return "utf-8"
	}
	return "ascii"
}

// pyJSONString quotes s as Python's json.dumps does (ensure_ascii=True).
func pyJSONString(s string) string {
	var sb strings.Builder
	sb.WriteByte('"')
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		switch {
		case r == '"':
			sb.WriteString(`\"`)
		case r == '\\':
			sb.WriteString(`\\`)
		case r == '\n':
			sb.WriteString(`\n`)
		case r == '\r':
			sb.WriteString(`\r`)
		case r == '\t':
			sb.WriteString(`\t`)
		case r == '\b':
			sb.WriteString(`\b`)
		case r == '\f':
			sb.WriteString(`\f`)
		case r < 0x20 || (r >= 0x7f && r < 0x10000):
			if r == 0x7f {
				sb.WriteRune(r)
			} else {
				fmt.Fprintf(&sb, `\u%04x`, r)
			}
		case r >= 0x10000:
			r -= 0x10000
			fmt.Fprintf(&sb, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			sb.WriteRune(r)
		}
	}
	sb.WriteByte('"')
	return sb.String()
}
