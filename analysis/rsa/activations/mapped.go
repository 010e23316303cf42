package activations

import (
	"fmt"
	"io"
	"os"
)

// Mapped is a 2-D view (first axis × flattened trailing axes) of an
// on-disk .npy array that is decoded on demand, so a layer far larger than
// RAM in float64 can be streamed through blocked Gram computations. On unix
// the file is memory-mapped; elsewhere (or if mapping fails) column blocks
// are read with ReadAt.
//
// Mapped implements the ColumnSource interface of package rsa. It is safe
// for concurrent ReadColumns calls.
type Mapped struct {
	Name   string
	Header *NPYHeader
	rows   int
	cols   int
	data   []byte      // mapped data section, or nil
	ra     io.ReaderAt // fallback
	off    int64       // data offset for ra
	closer func() error
}

// OpenMapped opens a .npy file for streamed access.
func OpenMapped(path string) (*Mapped, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("activations: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("activations: %w", err)
	}
	h, err := ReadNPYHeader(io.NewSectionReader(f, 0, fi.Size()))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	need := h.DataBytes()
	if h.DataOffset+need > fi.Size() {
		f.Close()
		return nil, fmt.Errorf("%w: %s: shape %v of %s needs %d data bytes at offset %d, file has %d",
			ErrFormat, path, h.Shape, h.Descr, need, h.DataOffset, fi.Size()-h.DataOffset)
	}
	m := &Mapped{Name: layerName(path), Header: h}
	m.rows, m.cols = dims2(h.Shape)
	if b, unmap, ok := mapFile(f, fi.Size()); ok {
		f.Close()
		m.data = b[h.DataOffset : h.DataOffset+need]
		m.closer = unmap
	} else {
		m.ra, m.off, m.closer = f, h.DataOffset, f.Close
	}
	return m, nil
}

func dims2(shape []int) (r, c int) {
	if len(shape) == 0 {
		return 1, 1
	}
	r = shape[0]
	c = 1
	for _, d := range shape[1:] {
		c *= d
	}
	return r, c
}

// Dims returns the number of rows (stimuli) and columns (features).
func (m *Mapped) Dims() (rows, cols int) { return m.rows, m.cols }

// Close releases the mapping or file.
func (m *Mapped) Close() error {
	if m.closer == nil {
		return nil
	}
	err := m.closer()
	m.closer, m.data, m.ra = nil, nil, nil
	return err
}

// ReadColumns fills dst (rows × (hi-lo), row-major) with columns [lo, hi)
// converted to float64.
func (m *Mapped) ReadColumns(dst []float64, lo, hi int) error {
	if lo < 0 || hi > m.cols || lo > hi {
		return fmt.Errorf("activations: %s: column range [%d, %d) outside [0, %d)", m.Name, lo, hi, m.cols)
	}
	w := hi - lo
	if len(dst) < m.rows*w {
		return fmt.Errorf("activations: %s: destination holds %d values, need %d", m.Name, len(dst), m.rows*w)
	}
	dt := m.Header.dt
	sz := dt.size
	if !m.Header.Fortran || len(m.Header.Shape) < 2 {
		// Row i's columns [lo,hi) are contiguous at (i*cols+lo)*sz.
		var buf []byte
		if m.data == nil {
			buf = make([]byte, w*sz)
		}
		for i := 0; i < m.rows; i++ {
			start := int64(i*m.cols+lo) * int64(sz)
			var raw []byte
			if m.data != nil {
				raw = m.data[start : start+int64(w*sz)]
			} else {
				if _, err := m.ra.ReadAt(buf, m.off+start); err != nil {
					return fmt.Errorf("activations: %s: reading row %d at offset %d: %w", m.Name, i, m.off+start, err)
				}
				raw = buf
			}
			dt.decodeTo(dst[i*w:(i+1)*w], raw)
		}
		return nil
	}
	// Fortran order, 2-D view: a flattened trailing index c maps to a
	// Fortran offset rows*foff(c); column c of the view is contiguous.
	shape := m.Header.Shape
	col := make([]float64, m.rows)
	var buf []byte
	if m.data == nil {
		buf = make([]byte, m.rows*sz)
	}
	for c := lo; c < hi; c++ {
		start := int64(m.rows) * int64(fortranTrailingOffset(c, shape)) * int64(sz)
		var raw []byte
		if m.data != nil {
			raw = m.data[start : start+int64(m.rows*sz)]
		} else {
			if _, err := m.ra.ReadAt(buf, m.off+start); err != nil {
				return fmt.Errorf("activations: %s: reading column %d at offset %d: %w", m.Name, c, m.off+start, err)
			}
			raw = buf
		}
		dt.decodeTo(col, raw)
		for i, v := range col {
			dst[i*w+c-lo] = v
		}
	}
	return nil
}

// fortranTrailingOffset converts a C-order flat index over shape[1:] into
// the Fortran-order flat index over the same axes.
func fortranTrailingOffset(c int, shape []int) int {
	t := shape[1:]
	off, stride := 0, 1
	// C-order: last axis varies fastest; decompose from the end.
	idx := make([]int, len(t))
	for k := len(t) - 1; k >= 0; k-- {
		idx[k] = c % t[k]
		c /= t[k]
	}
	for k := 0; k < len(t); k++ {
		off += idx[k] * stride
		stride *= t[k]
	}
	return off
}

// Load decodes the whole mapped array into memory.
func (m *Mapped) Load() (*Array, error) {
	a := &Array{Name: m.Name, DType: m.Header.Descr, Shape: append([]int(nil), m.Header.Shape...)}
	a.Data = make([]float64, m.rows*m.cols)
	if err := m.ReadColumns(a.Data, 0, m.cols); err != nil {
		return nil, err
	}
	return a, nil
}
