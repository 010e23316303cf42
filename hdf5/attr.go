package hdf5

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Attribute is a small named value attached to an object.
type Attribute struct {
	Name  string
	Type  *Datatype
	Shape []uint64 // nil for scalar (and null)
	Null  bool     // null dataspace: no value

	f             *File
	data          []byte
	n             uint64
	creationOrder int64
}

// NumElements is the number of elements (1 for scalar, 0 for null).
func (a *Attribute) NumElements() uint64 { return a.n }

// Raw returns the stored element bytes (file byte order).
func (a *Attribute) Raw() []byte { return a.data }

func (f *File) parseAttribute(b []byte, addr uint64) (*Attribute, error) {
	d := f.newBuf(b, addr, "attribute message")
	ver := d.u8()
	flags := d.u8()
	nameLen := int(d.u16())
	typeLen := int(d.u16())
	spaceLen := int(d.u16())
	if ver == 3 {
		d.u8()
	}
	if ver < 1 || ver > 3 {
		return nil, f.formatErr(addr, "attribute message", "version %d", ver)
	}
	pad := func(n int) int {
		if ver == 1 {
			return (n + 7) &^ 7
		}
		return n
	}
	nameB := d.bytes(pad(nameLen))
	typeAt := d.pos
	typeB := d.bytes(pad(typeLen))
	spaceAt := d.pos
	spaceB := d.bytes(pad(spaceLen))
	if d.err != nil {
		return nil, d.err
	}
	if nameLen > len(nameB) {
		return nil, f.formatErr(addr, "attribute message", "bad name length")
	}
	name := nameB[:nameLen]
	if i := indexByte(name, 0); i >= 0 {
		name = name[:i]
	}
	a := &Attribute{Name: string(name), f: f, creationOrder: -1}
	var err error
	if flags&1 != 0 { // shared datatype
		m := &message{typ: msgDatatype, flags: 2, data: typeB, addr: addr + uint64(typeAt)}
		m, err = f.unshare(m, 0)
		if err != nil {
			return nil, err
		}
		a.Type, _, err = f.parseDatatype(m.data, m.addr, 0)
	} else {
		a.Type, _, err = f.parseDatatype(typeB, addr+uint64(typeAt), 0)
	}
	if err != nil {
		return nil, fmt.Errorf("hdf5: attribute %q: %w", a.Name, err)
	}
	sb := spaceB
	sAddr := addr + uint64(spaceAt)
	if flags&2 != 0 {
		m, err := f.unshare(&message{typ: msgDataspace, flags: 2, data: spaceB, addr: sAddr}, 0)
		if err != nil {
			return nil, err
		}
		sb, sAddr = m.data, m.addr
	}
	dims, _, null, err := f.parseDataspace(sb, sAddr)
	if err != nil {
		return nil, fmt.Errorf("hdf5: attribute %q: %w", a.Name, err)
	}
	a.Null = null
	a.Shape = dims
	if !null {
		a.n = 1
		for _, v := range dims {
			a.n *= v
		}
	}
	size := a.n * uint64(a.Type.Size)
	if a.Type.Size != 0 && size/uint64(a.Type.Size) != a.n {
		return nil, f.formatErr(addr, "attribute message", "attribute %q too large", a.Name)
	}
	if size > uint64(d.rem()) {
		return nil, f.formatErr(addr, "attribute message", "attribute %q: %d bytes of data, %d present", a.Name, size, d.rem())
	}
	a.data = d.bytes(int(size))
	if d.err == nil && needsConv(a.Type, 0) {
		a.data = append([]byte(nil), a.data...)
		convertElems(a.data, a.Type)
		a.Type = plainType(a.Type, 0)
	}
	return a, d.err
}

func (o *object) attrs() ([]*Attribute, error) {
	if o.err != nil {
		return nil, o.err
	}
	f := o.f
	var out []*Attribute
	var ainfo *message
	for i := range o.hdr.msgs {
		m := &o.hdr.msgs[i]
		switch m.typ {
		case msgAttribute:
			mm, err := f.unshare(m, 0)
			if err != nil {
				return nil, err
			}
			a, err := f.parseAttribute(mm.data, mm.addr)
			if err != nil {
				return nil, err
			}
			out = append(out, a)
		case msgAttrInfo:
			ainfo = m
		}
	}
	if ainfo != nil {
		d := f.newBuf(ainfo.data, ainfo.addr, "attribute info message")
		d.u8()
		fl := d.u8()
		if fl&1 != 0 {
			d.u16()
		}
		heap := d.addrField()
		name := d.addrField()
		var order uint64 = 0
		hasOrder := false
		if fl&2 != 0 {
			order = d.addrField()
			hasOrder = !f.undef(order)
		}
		if d.err != nil {
			return nil, d.err
		}
		if !f.undef(heap) && !f.undef(name) {
			fh, err := f.fractalHeap(heap)
			if err != nil {
				return nil, err
			}
			var dense []*Attribute
			err = f.walkBTree2(name, func(rec []byte) error {
				if len(rec) < 8+1+4 {
					return f.formatErr(name, "attribute name index", "short record")
				}
				var b []byte
				var err error
				if rec[8]&1 != 0 {
					// the attribute message lives in the shared message heap
					m, uerr := f.sohmGet(msgAttribute, rec[:8], name)
					b, err = m, uerr
				} else {
					b, err = fh.get(rec[:8])
				}
				if err != nil {
					return err
				}
				a, err := f.parseAttribute(b, heap)
				if err != nil {
					return err
				}
				a.creationOrder = int64(binary.LittleEndian.Uint32(rec[9:]))
				dense = append(dense, a)
				if len(dense) > 1<<20 {
					return f.formatErr(name, "attribute name index", "too many attributes")
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
			if hasOrder {
				sort.SliceStable(dense, func(i, j int) bool { return dense[i].creationOrder < dense[j].creationOrder })
			} else {
				sort.SliceStable(dense, func(i, j int) bool { return dense[i].Name < dense[j].Name })
			}
			out = append(out, dense...)
		}
	}
	return out, nil
}

// Attrs returns the object's attributes in stored order (creation order
// when tracked).
func (o *object) Attrs() ([]*Attribute, error) {
	f := o.f
	f.mu.Lock()
	as, ok := f.attrCache[o.addr]
	f.mu.Unlock()
	if !ok {
		var err error
		as, err = o.attrs()
		if err != nil {
			return nil, fmt.Errorf("hdf5: attributes of %s: %w", o.path, err)
		}
		f.mu.Lock()
		if f.attrCache == nil || len(f.attrCache) > 4096 {
			f.attrCache = map[uint64][]*Attribute{}
		}
		f.attrCache[o.addr] = as
		f.mu.Unlock()
	}
	// copies, so callers cannot change the cached attributes
	out := make([]*Attribute, len(as))
	for i, a := range as {
		c := *a
		out[i] = &c
	}
	return out, nil
}

// Attr returns the named attribute or ErrNotFound.
func (o *object) Attr(name string) (*Attribute, error) {
	as, err := o.Attrs()
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.Name == name {
			return a, nil
		}
	}
	return nil, fmt.Errorf("hdf5: attribute %q of %s: %w", name, o.path, ErrNotFound)
}

// Value decodes the attribute: a scalar gives one value (int64, uint64,
// float64, string, Reference, []byte, []any, map[string]any), otherwise
// a slice as Dataset.ReadValues returns. Null attributes give nil.
func (a *Attribute) Value() (any, error) {
	if a.Null {
		return nil, nil
	}
	if a.Shape == nil {
		budget := a.f.valueBudget()
		v, err := a.f.decodeValue(a.data, a.Type, 0, &budget)
		if err != nil {
			return nil, fmt.Errorf("hdf5: attribute %q: %w", a.Name, err)
		}
		return v, nil
	}
	v, err := a.f.valuesOf(a.data, int(a.n), a.Type)
	if err != nil {
		return nil, fmt.Errorf("hdf5: attribute %q: %w", a.Name, err)
	}
	return v, nil
}

// Strings returns the string elements (scalar → one element).
func (a *Attribute) Strings() ([]string, error) {
	t := a.Type
	if t.Class != ClassString && !(t.Class == ClassVlen && t.VlenString) {
		return nil, fmt.Errorf("hdf5: attribute %q: %s is not a string type: %w", a.Name, numpyDtype(t), ErrUnsupported)
	}
	out := make([]string, a.n)
	for i := range out {
		s, err := a.f.decodeString(a.data[i*t.Size:(i+1)*t.Size], t)
		if err != nil {
			return nil, fmt.Errorf("hdf5: attribute %q: %w", a.Name, err)
		}
		out[i] = s
	}
	return out, nil
}

// String returns a scalar string or the only element of a 1-element string
// array (as MATLAB writers store them).
func (a *Attribute) String() (string, error) {
	ss, err := a.Strings()
	if err != nil {
		return "", err
	}
	if len(ss) != 1 {
		return "", fmt.Errorf("hdf5: attribute %q holds %d strings, not one", a.Name, len(ss))
	}
	return ss[0], nil
}

// Float64s returns numeric elements as float64.
func (a *Attribute) Float64s() ([]float64, error) {
	if !a.Type.isNumeric() {
		return nil, fmt.Errorf("hdf5: attribute %q: %s is not numeric: %w", a.Name, numpyDtype(a.Type), ErrUnsupported)
	}
	out := make([]float64, a.n)
	if err := numToFloat64(out, a.data, a.Type); err != nil {
		return nil, fmt.Errorf("hdf5: attribute %q: %w", a.Name, err)
	}
	return out, nil
}

// Int64s returns integer/enum elements as int64.
func (a *Attribute) Int64s() ([]int64, error) {
	out := make([]int64, a.n)
	if err := numToInt64(out, a.data, a.Type); err != nil {
		return nil, fmt.Errorf("hdf5: attribute %q: %w", a.Name, err)
	}
	return out, nil
}

// Reference returns the single reference a scalar or 1-element reference
// attribute holds.
func (a *Attribute) Reference() (Reference, error) {
	if a.Type.Class != ClassReference || a.n != 1 {
		return Reference{}, fmt.Errorf("hdf5: attribute %q is not a single reference: %w", a.Name, ErrUnsupported)
	}
	return a.f.decodeRef(a.data, a.Type)
}

// References returns all reference elements.
func (a *Attribute) References() ([]Reference, error) {
	if a.Type.Class != ClassReference {
		return nil, fmt.Errorf("hdf5: attribute %q is not a reference: %w", a.Name, ErrUnsupported)
	}
	v, err := a.f.valuesOf(a.data, int(a.n), a.Type)
	if err != nil {
		return nil, err
	}
	return v.([]Reference), nil
}
