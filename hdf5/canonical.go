package hdf5

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
)

// canonical appends the canonical encoding of one element as ../shared/corpus/expected_format.py does
// for its sha256 (see its docstring): little-endian numbers at stored width,
// strings + NUL, compound members in order, vlen as u64 count + elements,
// references as u64 addresses.
func canonical(f *File, raw []byte, t *Datatype, out []byte, budget *int64) ([]byte, error) {
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("hdf5: value expands to too many elements: %w", ErrTooLarge)
	}
	switch t.Class {
	case ClassInteger, ClassBitfield, ClassTime:
		if t.BigEndian {
			for i := t.Size - 1; i >= 0; i-- {
				out = append(out, raw[i])
			}
			return out, nil
		}
		return append(out, raw[:t.Size]...), nil
	case ClassEnum:
		if isBool(t) {
			b := byte(0)
			if raw[0] != 0 {
				b = 1
			}
			return append(out, b), nil
		}
		return canonical(f, raw, t.Base, out, budget)
	case ClassFloat:
		if t.Size > 8 {
			return binary.LittleEndian.AppendUint64(out, math.Float64bits(floatValue(raw, t))), nil
		}
		if t.BigEndian {
			for i := t.Size - 1; i >= 0; i-- {
				out = append(out, raw[i])
			}
			return out, nil
		}
		return append(out, raw[:t.Size]...), nil
	case ClassString:
		return append(append(out, fixedString(raw[:t.Size], t.Pad)...), 0), nil
	case ClassOpaque:
		if strings.HasPrefix(t.Tag, "NUMPY:|S") {
			return append(append(out, strings.TrimRight(string(raw[:t.Size]), "\x00")...), 0), nil
		}
		return append(out, raw[:t.Size]...), nil
	case ClassReference:
		r, err := f.decodeRef(raw, t)
		if err != nil {
			return nil, err
		}
		return binary.LittleEndian.AppendUint64(out, r.Addr), nil
	case ClassCompound:
		for _, m := range t.Members {
			var err error
			out, err = canonical(f, raw[m.Offset:], m.Type, out, budget)
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	case ClassArray:
		n := t.Size / t.Base.Size
		for i := 0; i < n; i++ {
			var err error
			out, err = canonical(f, raw[i*t.Base.Size:], t.Base, out, budget)
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	case ClassVlen:
		if t.VlenString {
			s, err := f.decodeString(raw, t)
			if err != nil {
				return nil, err
			}
			return append(append(out, s...), 0), nil
		}
		n, data, err := f.vlenData(raw)
		if err != nil {
			return nil, err
		}
		bs := t.Base.Size
		if uint64(n)*uint64(bs) > uint64(len(data)) {
			return nil, fmt.Errorf("vlen sequence of %d elements exceeds its heap object (%d bytes)", n, len(data))
		}
		out = binary.LittleEndian.AppendUint64(out, uint64(n))
		for i := 0; i < int(n); i++ {
			out, err = canonical(f, data[i*bs:], t.Base, out, budget)
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("datatype class %d: %w", t.Class, ErrUnsupported)
}

func canonicalSHA(f *File, raw []byte, n int, t *Datatype) (string, error) {
	h := sha256.New()
	budget := f.valueBudget()
	simple := (t.Class == ClassInteger || t.Class == ClassBitfield || (t.Class == ClassFloat && t.Size <= 8)) ||
		(t.Class == ClassEnum && !isBool(t) && t.Base != nil && t.Base.Class == ClassInteger)
	if simple && len(raw) >= n*t.Size {
		big := t.BigEndian
		if t.Class == ClassEnum {
			big = t.Base.BigEndian
		}
		if !big || t.Size == 1 {
			h.Write(raw[:n*t.Size])
			return hex.EncodeToString(h.Sum(nil)), nil
		}
		buf := make([]byte, 0, 64<<10)
		for i := 0; i < n; i++ {
			e := raw[i*t.Size : (i+1)*t.Size]
			for k := t.Size - 1; k >= 0; k-- {
				buf = append(buf, e[k])
			}
			if len(buf) >= 60<<10 {
				h.Write(buf)
				buf = buf[:0]
			}
		}
		h.Write(buf)
		return hex.EncodeToString(h.Sum(nil)), nil
	}
	var buf []byte
	for i := 0; i < n; i++ {
		var err error
		buf, err = canonical(f, raw[i*t.Size:], t, buf[:0], &budget)
		if err != nil {
			return "", err
		}
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SHA256 returns the hex sha256 of all elements in the canonical encoding
// of the corpus ground truth (../shared/corpus/expected_format.py):
// numbers as little-endian bytes at stored width (floats wider than 8
// bytes as float64, bool as one byte, enums as their base integer),
// strings as their bytes plus one NUL, compound members in order, array
// elements in C order, vlen sequences as a u64 count then elements,
// opaque as raw bytes, references as the u64 address of the target.
func (ds *Dataset) SHA256() (string, error) {
	raw, err := ds.ReadRaw(nil)
	if err != nil {
		return "", err
	}
	s, err := canonicalSHA(ds.f, raw, int(ds.NumElements()), ds.dtype)
	if err != nil {
		return "", fmt.Errorf("hdf5: %s: %w", ds.path, err)
	}
	return s, nil
}

// SHA256 returns the attribute's checksum in the encoding of
// Dataset.SHA256. Null attributes have no checksum (error).
func (a *Attribute) SHA256() (string, error) {
	if a.Null {
		return "", fmt.Errorf("hdf5: attribute %q has a null dataspace", a.Name)
	}
	s, err := canonicalSHA(a.f, a.data, int(a.n), a.Type)
	if err != nil {
		return "", fmt.Errorf("hdf5: attribute %q: %w", a.Name, err)
	}
	return s, nil
}
