package activations

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
)

// safetensors format (huggingface/safetensors, "Format" section of the
// README):
//
//	offset  size  field
//	0       8     N, header size, unsigned little-endian 64-bit
//	8       N     UTF-8 JSON object: {"NAME": {"dtype": "F32", "shape": [2, 3],
//	              "data_offsets": [BEGIN, END]}, ..., "__metadata__": {str: str}}
//	8+N     ...   byte buffer; a tensor's bytes are [8+N+BEGIN, 8+N+END),
//	              little-endian, row-major
//
// The spec caps the header at 100 MB, requires offsets to tile the buffer
// without holes or overlaps, and END-BEGIN = prod(shape)*size.
const maxSafetensorsHeader = 100_000_000

var stDTypes = map[string]dtype{
	"BOOL": {kind: kBool, size: 1},
	"U8":   {kind: kUint, size: 1},
	"I8":   {kind: kInt, size: 1},
	"U16":  {kind: kUint, size: 2},
	"I16":  {kind: kInt, size: 2},
	"F16":  {kind: kFloat, size: 2},
	"BF16": {kind: kBFloat, size: 2},
	"U32":  {kind: kUint, size: 4},
	"I32":  {kind: kInt, size: 4},
	"F32":  {kind: kFloat, size: 4},
	"U64":  {kind: kUint, size: 8},
	"I64":  {kind: kInt, size: 8},
	"F64":  {kind: kFloat, size: 8},
}

// SafetensorsEntry is one tensor's header record.
type SafetensorsEntry struct {
	Name        string
	DType       string
	Shape       []int
	DataOffsets [2]int64 // relative to the byte buffer
	dt          dtype
}

// SafetensorsHeader is the decoded header of a safetensors file.
type SafetensorsHeader struct {
	Tensors    []SafetensorsEntry // sorted by data offset
	Metadata   map[string]string
	BufferBase int64 // absolute offset of the byte buffer (8 + N)
}

// ReadSafetensorsHeader decodes and validates the header of a safetensors
// file of the given size.
func ReadSafetensorsHeader(r io.ReaderAt, size int64) (*SafetensorsHeader, error) {
	var pre [8]byte
	if _, err := r.ReadAt(pre[:], 0); err != nil {
		return nil, fmt.Errorf("%w: safetensors: reading header size at offset 0: %v", ErrFormat, err)
	}
	n := binary.LittleEndian.Uint64(pre[:])
	if n > maxSafetensorsHeader || int64(n) > size-8 {
		return nil, fmt.Errorf("%w: safetensors: header size %d at offset 0 exceeds the file (%d bytes) or the 100 MB limit", ErrFormat, n, size)
	}
	hb := make([]byte, n)
	if _, err := r.ReadAt(hb, 8); err != nil {
		return nil, fmt.Errorf("%w: safetensors: reading %d-byte header at offset 8: %v", ErrFormat, n, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hb, &raw); err != nil {
		return nil, fmt.Errorf("%w: safetensors: header JSON at offset 8: %v", ErrFormat, err)
	}
	h := &SafetensorsHeader{BufferBase: 8 + int64(n)}
	bufLen := size - h.BufferBase
	for name, msg := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(msg, &h.Metadata); err != nil {
				return nil, fmt.Errorf("%w: safetensors: __metadata__ must map strings to strings: %v", ErrFormat, err)
			}
			continue
		}
		var e struct {
			DType       string  `json:"dtype"`
			Shape       []int   `json:"shape"`
			DataOffsets []int64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(msg, &e); err != nil {
			return nil, fmt.Errorf("%w: safetensors: tensor %q: %v", ErrFormat, name, err)
		}
		dt, ok := stDTypes[e.DType]
		if !ok {
			return nil, fmt.Errorf("%w: safetensors: tensor %q has unsupported dtype %q", ErrFormat, name, e.DType)
		}
		dt.order, dt.name = binary.LittleEndian, e.DType
		if len(e.DataOffsets) != 2 || e.Shape == nil {
			return nil, fmt.Errorf("%w: safetensors: tensor %q needs shape and two data_offsets", ErrFormat, name)
		}
		cnt, err := elemCount(e.Shape, dt.size)
		if err != nil {
			return nil, fmt.Errorf("%w: safetensors: tensor %q: %v", ErrFormat, name, err)
		}
		b, en := e.DataOffsets[0], e.DataOffsets[1]
		if b < 0 || en < b || en > bufLen {
			return nil, fmt.Errorf("%w: safetensors: tensor %q data_offsets [%d, %d] outside the %d-byte buffer at offset %d",
				ErrFormat, name, b, en, bufLen, h.BufferBase)
		}
		if en-b != int64(cnt)*int64(dt.size) {
			return nil, fmt.Errorf("%w: safetensors: tensor %q shape %v of %s needs %d bytes, data_offsets give %d",
				ErrFormat, name, e.Shape, e.DType, int64(cnt)*int64(dt.size), en-b)
		}
		h.Tensors = append(h.Tensors, SafetensorsEntry{Name: name, DType: e.DType, Shape: e.Shape, DataOffsets: [2]int64{b, en}, dt: dt})
	}
	sort.Slice(h.Tensors, func(i, j int) bool {
		a, b := h.Tensors[i].DataOffsets, h.Tensors[j].DataOffsets
		if a[0] != b[0] {
			return a[0] < b[0]
		}
		return a[1] < b[1]
	})
	var end int64
	for _, t := range h.Tensors {
		if t.DataOffsets[0] != end {
			return nil, fmt.Errorf("%w: safetensors: tensor %q starts at buffer offset %d, expected %d (holes and overlaps are invalid)",
				ErrFormat, t.Name, t.DataOffsets[0], end)
		}
		end = t.DataOffsets[1]
	}
	if end != bufLen {
		return nil, fmt.Errorf("%w: safetensors: tensors cover %d of the %d buffer bytes", ErrFormat, end, bufLen)
	}
	return h, nil
}

// ReadSafetensors decodes every tensor of a safetensors file, in buffer
// order.
func ReadSafetensors(r io.ReaderAt, size int64) ([]*Array, error) {
	h, err := ReadSafetensorsHeader(r, size)
	if err != nil {
		return nil, err
	}
	out := make([]*Array, 0, len(h.Tensors))
	for _, t := range h.Tensors {
		nb := t.DataOffsets[1] - t.DataOffsets[0]
		raw := make([]byte, nb)
		if _, err := r.ReadAt(raw, h.BufferBase+t.DataOffsets[0]); err != nil {
			return nil, fmt.Errorf("%w: safetensors: tensor %q: reading %d bytes at offset %d: %v",
				ErrFormat, t.Name, nb, h.BufferBase+t.DataOffsets[0], err)
		}
		a := &Array{Name: t.Name, DType: t.DType, Shape: append([]int{}, t.Shape...), Data: make([]float64, nb/int64(t.dt.size))}
		t.dt.decodeTo(a.Data, raw)
		out = append(out, a)
	}
	return out, nil
}

// OpenSafetensors reads a safetensors file from disk.
func OpenSafetensors(path string) ([]*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("activations: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("activations: %w", err)
	}
	arrs, err := ReadSafetensors(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return arrs, nil
}
