package activations

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// NPY format (numpy.lib.format, versions 1.0, 2.0 and 3.0):
//
//	offset  size  field
//	0       6     magic "\x93NUMPY"
//	6       1     major version (1, 2 or 3)
//	7       1     minor version (0)
//	8       2|4   header length HLEN, little-endian (uint16 in 1.0, uint32 in 2.0/3.0)
//	10|12   HLEN  ASCII (UTF-8 in 3.0) Python dict literal
//	              {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//	              padded with spaces and a final '\n'
//	...           data: prod(shape) elements, C or Fortran order
const npyMagic = "\x93NUMPY"

// maxNPYHeader bounds the header dictionary (numpy itself refuses > 10000
// bytes by default for safety; we allow more for very high-rank shapes).
const maxNPYHeader = 1 << 20

// NPYHeader is the decoded header of a .npy file.
type NPYHeader struct {
	Major, Minor int
	Descr        string // numpy dtype string, e.g. "<f4", ">i8", "|u1"
	Fortran      bool   // data stored in column-major order
	Shape        []int
	DataOffset   int64 // byte offset of the first element
	dt           dtype
}

// DataBytes is the size of the data section in bytes.
func (h *NPYHeader) DataBytes() int64 {
	n, _ := elemCount(h.Shape, h.dt.size)
	return int64(n) * int64(h.dt.size)
}

// ReadNPYHeader decodes the header at the start of r.
func ReadNPYHeader(r io.Reader) (*NPYHeader, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:]); err != nil {
		return nil, fmt.Errorf("%w: npy: reading preamble at offset 0: %v", ErrFormat, err)
	}
	if string(pre[:6]) != npyMagic {
		return nil, fmt.Errorf("%w: npy: bad magic %q at offset 0", ErrFormat, pre[:6])
	}
	h := &NPYHeader{Major: int(pre[6]), Minor: int(pre[7])}
	var hlen int
	switch h.Major {
	case 1:
		hlen = int(binary.LittleEndian.Uint16(pre[8:]))
		h.DataOffset = 10
	case 2, 3:
		var ext [2]byte
		if _, err := io.ReadFull(r, ext[:]); err != nil {
			return nil, fmt.Errorf("%w: npy: reading header length at offset 8: %v", ErrFormat, err)
		}
		hlen = int(binary.LittleEndian.Uint32(append(pre[8:10:10], ext[:]...)))
		h.DataOffset = 12
	default:
		return nil, fmt.Errorf("%w: npy: unsupported format version %d.%d at offset 6", ErrFormat, h.Major, h.Minor)
	}
	if hlen > maxNPYHeader {
		return nil, fmt.Errorf("%w: npy: header length %d at offset 8 exceeds %d", ErrFormat, hlen, maxNPYHeader)
	}
	buf := make([]byte, hlen)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, fmt.Errorf("%w: npy: reading %d-byte header at offset %d: %v", ErrFormat, hlen, h.DataOffset, err)
	}
	if err := h.parseDict(string(buf)); err != nil {
		return nil, fmt.Errorf("%w: npy: header at offset %d: %v", ErrFormat, h.DataOffset, err)
	}
	h.DataOffset += int64(hlen)
	return h, nil
}

func (h *NPYHeader) parseDict(s string) error {
	p := &pyParser{s: strings.TrimRight(s, " \n\x00")}
	v, err := p.value()
	if err != nil {
		return err
	}
	p.skipSpace()
	if p.i != len(p.s) {
		return fmt.Errorf("trailing text %q after dict", p.rest())
	}
	d, ok := v.(map[string]any)
	if !ok {
		return fmt.Errorf("header is not a dict")
	}
	descr, ok := d["descr"].(string)
	if !ok {
		return fmt.Errorf("'descr' missing or not a simple dtype string (structured dtypes are not supported)")
	}
	fo, ok := d["fortran_order"].(bool)
	if !ok {
		return fmt.Errorf("'fortran_order' missing or not a bool")
	}
	shp, ok := d["shape"].([]int)
	if !ok {
		return fmt.Errorf("'shape' missing or not a tuple of integers")
	}
	dt, err := parseDescr(descr)
	if err != nil {
		return err
	}
	if _, err := elemCount(shp, dt.size); err != nil {
		return err
	}
	h.Descr, h.Fortran, h.Shape, h.dt = descr, fo, shp, dt
	return nil
}

// parseDescr decodes a numpy dtype string of a real numeric type.
func parseDescr(s string) (dtype, error) {
	if len(s) < 3 {
		return dtype{}, fmt.Errorf("unsupported dtype %q", s)
	}
	dt := dtype{name: s, order: binary.LittleEndian}
	switch s[0] {
	case '<', '|', '=': // '=' is native; every platform numpy writes for here is little-endian
	case '>':
		dt.order = binary.BigEndian
	default:
		return dtype{}, fmt.Errorf("unsupported dtype %q (no byte-order prefix)", s)
	}
	size, err := strconv.Atoi(s[2:])
	if err != nil {
		return dtype{}, fmt.Errorf("unsupported dtype %q", s)
	}
	dt.size = size
	switch s[1] {
	case 'b':
		dt.kind = kBool
		if size != 1 {
			return dtype{}, fmt.Errorf("unsupported dtype %q", s)
		}
	case 'i':
		dt.kind = kInt
	case 'u':
		dt.kind = kUint
	case 'f':
		dt.kind = kFloat
		if size != 2 && size != 4 && size != 8 {
			return dtype{}, fmt.Errorf("unsupported float dtype %q (float16, float32, float64 are supported)", s)
		}
	case 'c':
		return dtype{}, fmt.Errorf("complex dtype %q is not supported for activations", s)
	default:
		return dtype{}, fmt.Errorf("unsupported dtype %q", s)
	}
	if dt.kind == kInt || dt.kind == kUint {
		if size != 1 && size != 2 && size != 4 && size != 8 {
			return dtype{}, fmt.Errorf("unsupported integer dtype %q", s)
		}
	}
	return dt, nil
}

// pyParser parses the subset of Python literals numpy writes in headers:
// dicts with string keys, strings, True/False, ints and tuples of ints.
type pyParser struct {
	s     string
	i     int
	depth int
}

func (p *pyParser) rest() string {
	r := p.s[p.i:]
	if len(r) > 20 {
		r = r[:20] + "…"
	}
	return r
}

func (p *pyParser) skipSpace() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *pyParser) value() (any, error) {
	p.skipSpace()
	if p.i >= len(p.s) {
		return nil, fmt.Errorf("unexpected end of header")
	}
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > 8 {
		return nil, fmt.Errorf("header nested too deeply")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		p.i++
		d := map[string]any{}
		for {
			p.skipSpace()
			if p.i < len(p.s) && p.s[p.i] == '}' {
				p.i++
				return d, nil
			}
			k, err := p.value()
			if err != nil {
				return nil, err
			}
			ks, ok := k.(string)
			if !ok {
				return nil, fmt.Errorf("dict key is not a string")
			}
			p.skipSpace()
			if p.i >= len(p.s) || p.s[p.i] != ':' {
				return nil, fmt.Errorf("expected ':' near %q", p.rest())
			}
			p.i++
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			d[ks] = v
			p.skipSpace()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
			}
		}
	case c == '(':
		p.i++
		var t []int
		for {
			p.skipSpace()
			if p.i < len(p.s) && p.s[p.i] == ')' {
				p.i++
				if t == nil {
					t = []int{}
				}
				return t, nil
			}
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			n, ok := v.(int)
			if !ok {
				return nil, fmt.Errorf("tuple element is not an integer")
			}
			t = append(t, n)
			if len(t) > 64 {
				return nil, fmt.Errorf("shape has more than 64 dimensions")
			}
			p.skipSpace()
			if p.i < len(p.s) && p.s[p.i] == ',' {
				p.i++
			}
		}
	case c == '\'' || c == '"':
		end := strings.IndexByte(p.s[p.i+1:], c)
		if end < 0 {
			return nil, fmt.Errorf("unterminated string")
		}
		v := p.s[p.i+1 : p.i+1+end]
		p.i += end + 2
		return v, nil
	case c == '[':
		return nil, fmt.Errorf("list values (structured dtypes) are not supported")
	case strings.HasPrefix(p.s[p.i:], "True"):
		p.i += 4
		return true, nil
	case strings.HasPrefix(p.s[p.i:], "False"):
		p.i += 5
		return false, nil
	case c >= '0' && c <= '9':
		j := p.i
		for j < len(p.s) && p.s[j] >= '0' && p.s[j] <= '9' {
			j++
		}
		n, err := strconv.Atoi(p.s[p.i:j])
		if err != nil {
			return nil, fmt.Errorf("integer %q: %v", p.s[p.i:j], err)
		}
		// numpy 1.x on some platforms wrote "3L"
		if j < len(p.s) && p.s[j] == 'L' {
			j++
		}
		p.i = j
		return n, nil
	default:
		return nil, fmt.Errorf("unexpected %q in header", p.rest())
	}
}

// readChunk bounds a single allocation while reading data whose claimed
// size comes from the file.
const readChunk = 8 << 20

// ReadNPY decodes a whole .npy stream. The data section is read in bounded
// chunks, so a header claiming more data than the stream holds fails with
// an error rather than a huge allocation.
func ReadNPY(r io.Reader) (*Array, error) {
	h, err := ReadNPYHeader(r)
	if err != nil {
		return nil, err
	}
	return readNPYData(r, h, -1)
}

// readNPYData reads the data section following h. If limit >= 0 it is the
// number of bytes known to remain, checked before allocating.
func readNPYData(r io.Reader, h *NPYHeader, limit int64) (*Array, error) {
	n, _ := elemCount(h.Shape, h.dt.size)
	need := int64(n) * int64(h.dt.size)
	if limit >= 0 && need > limit {
		return nil, fmt.Errorf("%w: npy: shape %v of %s needs %d data bytes at offset %d, only %d present",
			ErrFormat, h.Shape, h.Descr, need, h.DataOffset, limit)
	}
	var raw []byte
	if limit >= 0 {
		raw = make([]byte, need)
		if _, err := io.ReadFull(r, raw); err != nil {
			return nil, fmt.Errorf("%w: npy: reading %d data bytes at offset %d: %v", ErrFormat, need, h.DataOffset, err)
		}
	} else {
		var b bytes.Buffer
		for int64(b.Len()) < need {
			c := min(need-int64(b.Len()), readChunk)
			if _, err := io.CopyN(&b, r, c); err != nil {
				return nil, fmt.Errorf("%w: npy: shape %v of %s needs %d data bytes at offset %d, stream ended after %d: %v",
					ErrFormat, h.Shape, h.Descr, need, h.DataOffset, b.Len(), err)
			}
		}
		raw = b.Bytes()
	}
	return decodeNPYData(h, raw), nil
}

// decodeNPYData converts raw (exactly the data section) to a C-order Array.
func decodeNPYData(h *NPYHeader, raw []byte) *Array {
	n, _ := elemCount(h.Shape, h.dt.size)
	a := &Array{DType: h.Descr, Shape: append([]int(nil), h.Shape...), Data: make([]float64, n)}
	if !h.Fortran || len(h.Shape) < 2 {
		h.dt.decodeTo(a.Data, raw)
		return a
	}
	tmp := make([]float64, n)
	h.dt.decodeTo(tmp, raw)
	fortranToC(a.Data, tmp, h.Shape)
	return a
}

// fortranToC reorders src (column-major) into dst (row-major) for shape.
func fortranToC(dst, src []float64, shape []int) {
	nd := len(shape)
	// Fortran strides (in elements).
	fs := make([]int, nd)
	s := 1
	for k := 0; k < nd; k++ {
		fs[k] = s
		s *= shape[k]
	}
	idx := make([]int, nd)
	off := 0
	for i := range dst {
		dst[i] = src[off]
		// advance C-order multi-index, keeping the Fortran offset in step
		for k := nd - 1; k >= 0; k-- {
			idx[k]++
			off += fs[k]
			if idx[k] < shape[k] {
				break
			}
			off -= fs[k] * shape[k]
			idx[k] = 0
		}
	}
}

// DecodeNPY decodes a complete .npy file held in memory.
func DecodeNPY(b []byte) (*Array, error) {
	br := bytes.NewReader(b)
	h, err := ReadNPYHeader(br)
	if err != nil {
		return nil, err
	}
	rest := b[h.DataOffset:]
	need := h.DataBytes()
	if need > int64(len(rest)) {
		return nil, fmt.Errorf("%w: npy: shape %v of %s needs %d data bytes at offset %d, only %d present",
			ErrFormat, h.Shape, h.Descr, need, h.DataOffset, len(rest))
	}
	return decodeNPYData(h, rest[:need]), nil
}
