package nwb

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/neurodata/neurodata/hdf5"
)

// attrString returns a string attribute ("" when absent or not a string).
// Scalars and 1-element arrays (matnwb) are both accepted; bytes (NWB 1.x
// fixed strings) are decoded as text.
func attrString(o hdf5.Object, name string) string {
	a, err := o.Attr(name)
	if err != nil {
		return ""
	}
	s, err := a.String()
	if err == nil {
		return s
	}
	if v, err := a.Value(); err == nil {
		return valueString(v)
	}
	return ""
}

func attrStrings(o hdf5.Object, name string) ([]string, error) {
	a, err := o.Attr(name)
	if err != nil {
		return nil, err
	}
	if ss, err := a.Strings(); err == nil {
		return ss, nil
	}
	s, err := a.String()
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}

// attrFloat returns a numeric attribute, or def when absent or not numeric.
func attrFloat(o hdf5.Object, name string, def float64) float64 {
	a, err := o.Attr(name)
	if err != nil {
		return def
	}
	v, err := a.Float64s()
	if err != nil || len(v) == 0 {
		if s, err := a.String(); err == nil {
			if x, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				return x
			}
		}
		return def
	}
	return v[0]
}

func valueString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		if len(x) == 1 {
			return x[0]
		}
		return strings.Join(x, ", ")
	case []byte:
		return string(x)
	case [][]byte:
		if len(x) == 1 {
			return string(x[0])
		}
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case uint64:
		return strconv.FormatUint(x, 10)
	case []float64:
		if len(x) == 1 {
			return strconv.FormatFloat(x[0], 'g', -1, 64)
		}
	case []int64:
		if len(x) == 1 {
			return strconv.FormatInt(x[0], 10)
		}
	}
	return fmt.Sprint(v)
}

// readScalarString reads a scalar or 1-element string dataset.
func readScalarString(ds *hdf5.Dataset) (string, error) {
	ss, err := ds.ReadStrings(nil)
	if err != nil {
		return "", err
	}
	if len(ss) == 0 {
		return "", fmt.Errorf("%w: %s is empty", ErrFormat, ds.Path())
	}
	return ss[0], nil
}

// readStringsAny reads a string dataset of any shape (scalar → 1 element).
func readStringsAny(ds *hdf5.Dataset) ([]string, error) {
	return ds.ReadStrings(nil)
}

// readScalarFloat reads a numeric scalar (or the first element).
func readScalarFloat(ds *hdf5.Dataset) (float64, error) {
	v, err := ds.ReadFloat64s(&hdf5.Hyperslab{Start: make([]uint64, len(ds.Shape())), Count: ones(len(ds.Shape()))})
	if len(ds.Shape()) == 0 {
		v, err = ds.ReadFloat64s(nil)
	}
	if err != nil {
		return math.NaN(), err
	}
	if len(v) == 0 {
		return math.NaN(), fmt.Errorf("%w: %s is empty", ErrFormat, ds.Path())
	}
	return v[0], nil
}

func ones(n int) []uint64 {
	o := make([]uint64, n)
	for i := range o {
		o[i] = 1
	}
	return o
}

// rowsSlab selects rows [start, end) of a dataset of the given shape.
func rowsSlab(shape []uint64, start, end uint64) *hdf5.Hyperslab {
	st := make([]uint64, len(shape))
	ct := make([]uint64, len(shape))
	st[0], ct[0] = start, end-start
	for i := 1; i < len(shape); i++ {
		ct[i] = shape[i]
	}
	return &hdf5.Hyperslab{Start: st, Count: ct}
}

// join joins a group path and a child name.
func join(parent, name string) string {
	if parent == "/" || parent == "" {
		return "/" + name
	}
	return parent + "/" + name
}
