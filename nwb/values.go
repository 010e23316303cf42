package nwb

import (
	"fmt"
	"math"

	"github.com/neurodata/neurodata/hdf5"
)

// ElemType is the element type of a column or dataset as NWB exposes it.
type ElemType int

const (
	ElemUnknown ElemType = iota
	ElemFloat32
	ElemFloat64
	ElemInt8
	ElemInt16
	ElemInt32
	ElemInt64
	ElemUint8
	ElemUint16
	ElemUint32
	ElemUint64
	ElemBool   // HDF5 enum {FALSE, TRUE} as written by h5py
	ElemString // fixed or variable-length text
	ElemRef    // object reference, resolved to the target's path
	ElemStruct // compound: see Values.Fields
)

var elemNames = [...]string{"unknown", "float32", "float64", "int8", "int16", "int32", "int64",
	"uint8", "uint16", "uint32", "uint64", "bool", "string", "reference", "struct"}

func (e ElemType) String() string {
	if int(e) < len(elemNames) {
		return elemNames[e]
	}
	return fmt.Sprintf("ElemType(%d)", int(e))
}

// IsFloat, IsSigned and IsUnsigned classify numeric element types.
func (e ElemType) IsFloat() bool    { return e == ElemFloat32 || e == ElemFloat64 }
func (e ElemType) IsSigned() bool   { return e >= ElemInt8 && e <= ElemInt64 }
func (e ElemType) IsUnsigned() bool { return e >= ElemUint8 && e <= ElemUint64 }

// Values holds decoded elements of one type, flat in C order. Exactly one of
// the slices is used, chosen by Elem: F64 for floats, I64 for signed
// integers and uint8..uint32, U64 for uint64, Bool, Str for strings and
// references (the referenced object's path; "" for a null reference),
// Fields for compounds.
type Values struct {
	Elem   ElemType
	F64    []float64
	I64    []int64
	U64    []uint64
	Bool   []bool
	Str    []string
	Fields []Field
	// RefTypes holds, for ElemRef, the neurodata type of each referenced
	// object ("" when untyped or null).
	RefTypes []string
}

// Field is one member of a compound column.
type Field struct {
	Name   string
	Values Values
}

// Len returns the number of elements.
func (v *Values) Len() int {
	switch v.Elem {
	case ElemFloat32, ElemFloat64:
		return len(v.F64)
	case ElemUint64:
		return len(v.U64)
	case ElemBool:
		return len(v.Bool)
	case ElemString, ElemRef:
		return len(v.Str)
	case ElemStruct:
		if len(v.Fields) == 0 {
			return 0
		}
		return v.Fields[0].Values.Len()
	case ElemUnknown:
		return 0
	}
	return len(v.I64)
}

// Float64 returns element i as float64 (NaN for non-numeric types).
func (v *Values) Float64(i int) float64 {
	switch {
	case v.Elem.IsFloat():
		return v.F64[i]
	case v.Elem == ElemUint64:
		return float64(v.U64[i])
	case v.Elem.IsSigned() || v.Elem.IsUnsigned():
		return float64(v.I64[i])
	case v.Elem == ElemBool:
		if v.Bool[i] {
			return 1
		}
		return 0
	}
	return math.NaN()
}

// elemOf maps an HDF5 datatype to an ElemType.
func elemOf(t *hdf5.Datatype) (ElemType, error) {
	if t == nil {
		return ElemUnknown, fmt.Errorf("%w: no datatype", ErrFormat)
	}
	switch t.Class {
	case hdf5.ClassFloat:
		switch t.Size {
		case 4, 2:
			return ElemFloat32, nil
		case 8, 16, 10:
			return ElemFloat64, nil
		}
	case hdf5.ClassInteger, hdf5.ClassBitfield:
		signed := t.Signed && t.Class == hdf5.ClassInteger
		switch t.Size {
		case 1:
			if signed {
				return ElemInt8, nil
			}
			return ElemUint8, nil
		case 2:
			if signed {
				return ElemInt16, nil
			}
			return ElemUint16, nil
		case 4:
			if signed {
				return ElemInt32, nil
			}
			return ElemUint32, nil
		case 8:
			if signed {
				return ElemInt64, nil
			}
			return ElemUint64, nil
		}
	case hdf5.ClassString:
		return ElemString, nil
	case hdf5.ClassVlen:
		if t.VlenString {
			return ElemString, nil
		}
	case hdf5.ClassReference:
		if t.RefKind == 0 || t.RefKind == 1 {
			return ElemRef, nil
		}
	case hdf5.ClassEnum:
		if isBoolEnum(t) {
			return ElemBool, nil
		}
		if t.Base != nil {
			return elemOf(t.Base)
		}
	case hdf5.ClassCompound:
		return ElemStruct, nil
	}
	return ElemUnknown, fmt.Errorf("%w: datatype class %d size %d not supported as a column", hdf5.ErrUnsupported, t.Class, t.Size)
}

func isBoolEnum(t *hdf5.Datatype) bool {
	if t.Class != hdf5.ClassEnum || len(t.EnumNames) != 2 || len(t.EnumValues) != 2 {
		return false
	}
	m := map[string]int64{t.EnumNames[0]: t.EnumValues[0], t.EnumNames[1]: t.EnumValues[1]}
	f, okf := m["FALSE"]
	tr, okt := m["TRUE"]
	return okf && okt && f == 0 && tr == 1
}

// readValues reads sel of ds (nil = all) as Values of type elem.
func (f *File) readValues(ds *hdf5.Dataset, elem ElemType, sel *hdf5.Hyperslab) (Values, error) {
	v := Values{Elem: elem}
	var err error
	switch {
	case elem.IsFloat():
		v.F64, err = ds.ReadFloat64s(sel)
	case elem == ElemUint64:
		var raw any
		raw, err = ds.ReadValues(sel)
		if err == nil {
			v.U64, err = toUint64s(raw)
		}
	case elem.IsSigned() || elem.IsUnsigned():
		v.I64, err = ds.ReadInt64s(sel)
	case elem == ElemBool:
		var iv []int64
		iv, err = ds.ReadInt64s(sel)
		if err == nil {
			v.Bool = make([]bool, len(iv))
			for i, x := range iv {
				v.Bool[i] = x != 0
			}
		}
	case elem == ElemString:
		v.Str, err = ds.ReadStrings(sel)
	case elem == ElemRef:
		var refs []hdf5.Reference
		refs, err = ds.ReadReferences(sel)
		if err == nil {
			v.Str, v.RefTypes = f.resolveRefs(refs)
		}
	case elem == ElemStruct:
		v.Fields, err = f.readCompound(ds, sel)
	default:
		err = fmt.Errorf("%w: element type %s", hdf5.ErrUnsupported, elem)
	}
	if err != nil {
		return Values{}, fmt.Errorf("nwb: read %s: %w", ds.Path(), err)
	}
	return v, nil
}

func toUint64s(raw any) ([]uint64, error) {
	switch x := raw.(type) {
	case []uint64:
		return x, nil
	case []int64:
		out := make([]uint64, len(x))
		for i, v := range x {
			out[i] = uint64(v)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: unexpected %T for uint64 data", ErrFormat, raw)
}

// resolveRefs maps references to object paths and neurodata types, caching
// per address.
func (f *File) resolveRefs(refs []hdf5.Reference) (paths, types []string) {
	type res struct{ path, typ string }
	cache := map[uint64]res{}
	paths = make([]string, len(refs))
	types = make([]string, len(refs))
	for i, r := range refs {
		if r.Addr == 0 {
			continue
		}
		c, ok := cache[r.Addr]
		if !ok {
			if o, err := f.h5.Resolve(r); err == nil {
				c.path = o.Path()
				if tn, ok := typeOf(o); ok {
					c.typ = tn.Name
				}
			} else if p, err := f.h5.PathOf(r.Addr); err == nil {
				c.path = p
			}
			cache[r.Addr] = c
		}
		paths[i], types[i] = c.path, c.typ
	}
	return paths, types
}

func (f *File) readCompound(ds *hdf5.Dataset, sel *hdf5.Hyperslab) ([]Field, error) {
	t := ds.Type()
	var out []Field
	for _, m := range t.Members {
		et, err := elemOf(m.Type)
		if err != nil || et == ElemStruct {
			return nil, fmt.Errorf("member %q: %w", m.Name, hdf5.ErrUnsupported)
		}
		raw, err := ds.ReadMember(m.Name, sel)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", m.Name, err)
		}
		v, err := f.valuesFromAny(raw, et)
		if err != nil {
			return nil, fmt.Errorf("member %q: %w", m.Name, err)
		}
		out = append(out, Field{Name: m.Name, Values: v})
	}
	return out, nil
}

// valuesFromAny converts a generic hdf5 value slice to Values of type et.
func (f *File) valuesFromAny(raw any, et ElemType) (Values, error) {
	v := Values{Elem: et}
	switch x := raw.(type) {
	case []float64:
		if et.IsFloat() {
			v.F64 = x
			return v, nil
		}
	case []int64:
		switch {
		case et == ElemBool:
			v.Bool = make([]bool, len(x))
			for i, b := range x {
				v.Bool[i] = b != 0
			}
			return v, nil
		case et == ElemUint64:
			v.U64, _ = toUint64s(x)
			return v, nil
		case et.IsSigned() || et.IsUnsigned():
			v.I64 = x
			return v, nil
		}
	case []uint64:
		if et == ElemUint64 {
			v.U64 = x
			return v, nil
		}
		if et.IsUnsigned() {
			v.I64 = make([]int64, len(x))
			for i, u := range x {
				v.I64[i] = int64(u)
			}
			return v, nil
		}
	case []string:
		if et == ElemString {
			v.Str = x
			return v, nil
		}
	case []hdf5.Reference:
		if et == ElemRef {
			v.Str, v.RefTypes = f.resolveRefs(x)
			return v, nil
		}
	}
	return Values{}, fmt.Errorf("%w: value %T for element type %s", ErrFormat, raw, et)
}

// MarshalText renders the element type name (JSON output).
func (e ElemType) MarshalText() ([]byte, error) { return []byte(e.String()), nil }

// Ints returns integer elements as int64 (uint64 values above MaxInt64 and
// non-integer types give ok == false).
func (v *Values) Ints() (out []int64, ok bool) {
	switch {
	case v.Elem == ElemUint64:
		out = make([]int64, len(v.U64))
		for i, u := range v.U64 {
			if u > math.MaxInt64 {
				return nil, false
			}
			out[i] = int64(u)
		}
		return out, true
	case v.Elem.IsSigned() || v.Elem.IsUnsigned():
		return v.I64, true
	}
	return nil, false
}
