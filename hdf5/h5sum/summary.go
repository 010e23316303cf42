package h5sum

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"path"

	"github.com/neurodata/neurodata/hdf5"
)

// Object is one entry of a file summary, with the field names of the
// corpus ground-truth JSON (../shared/corpus/expected_format.py).
type Object struct {
	Path   string `json:"path"`
	Type   string `json:"type"` // group, dataset, datatype, soft_link, external_link, user_link, unresolved
	SameAs string `json:"same_as,omitempty"`
	Target string `json:"target,omitempty"`
	File   string `json:"file,omitempty"`
	Error  string `json:"error,omitempty"`

	Attrs map[string]Attr `json:"attrs,omitempty"`

	Dtype     string    `json:"dtype,omitempty"`
	Shape     *[]uint64 `json:"shape,omitempty"`    // datasets: null for a null dataspace, [] for scalar
	MaxShape  *[]any    `json:"maxshape,omitempty"` // ints, "unlimited"
	Layout    string    `json:"layout,omitempty"`
	Chunks    *[]uint64 `json:"chunks,omitempty"` // datasets: null unless chunked
	Filters   *[]int    `json:"filters,omitempty"`
	External  []string  `json:"external,omitempty"`
	NElements *uint64   `json:"n_elements,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	ReadError string    `json:"read_error,omitempty"`

	// NeurodataType is the NWB neurodata_type attribute, if any (not part
	// of the JSON; the human view shows it).
	NeurodataType string `json:"-"`
	// Obj is the resolved object (nil for links and unresolved entries).
	Obj hdf5.Object `json:"-"`
	// Err is the error behind ReadError or Error.
	Err error `json:"-"`
}

// Attr is one attribute of a summary entry.
type Attr struct {
	Dtype     string    `json:"dtype"`
	Shape     *[]uint64 `json:"shape"` // null for a null dataspace
	Value     any       `json:"value,omitempty"`
	ValueCut  bool      `json:"value_cut,omitempty"`
	SHA256    string    `json:"sha256,omitempty"`
	ReadError string    `json:"read_error,omitempty"`
}

// Options controls Summarize. The zero value probes each dataset by
// reading its first element and computes no checksums.
type Options struct {
	// Checksums reads every dataset and fills SHA256.
	Checksums bool
	// MaxReadBytes skips checksums of larger datasets (0: 64 MiB, the
	// ground truth's limit).
	MaxReadBytes uint64
	// AttrValues fills Attr.Value with JSON-friendly values.
	AttrValues bool
}

// maxAttrValues is how many attribute elements Value holds before it is
// cut (as in the ground truth).
const maxAttrValues = 1000

// Summarize lists every object of f in depth-first order with children
// sorted by name, root first, like the corpus ground truth: extra hard
// links to an object already listed get SameAs, soft and external links
// are listed but not followed. It never stops at a damaged object; the
// entry records the error instead.
func Summarize(f *hdf5.File, opt *Options) []Object {
	var o Options
	if opt != nil {
		o = *opt
	}
	if o.MaxReadBytes == 0 {
		o.MaxReadBytes = 64 << 20
	}
	s := &summarizer{f: f, opt: o, seen: map[uint64]string{}}
	root := f.Root()
	s.one(root, "/")
	s.visit(root, "/", 0)
	return s.out
}

type summarizer struct {
	f    *hdf5.File
	opt  Options
	seen map[uint64]string
	out  []Object
}

func (s *summarizer) visit(g *hdf5.Group, gpath string, depth int) {
	if depth > 256 {
		return
	}
	links, err := g.Links()
	if err != nil {
		s.out = append(s.out, Object{Path: gpath, Type: "members_error", Error: err.Error(), Err: err})
		return
	}
	for i := range links {
		l := links[i]
		p := path.Join(gpath, l.Name)
		switch l.Type {
		case hdf5.LinkSoft:
			s.out = append(s.out, Object{Path: p, Type: "soft_link", Target: l.Target})
			continue
		case hdf5.LinkExternal:
			s.out = append(s.out, Object{Path: p, Type: "external_link", File: l.File, Target: l.Target})
			continue
		case hdf5.LinkUserDefined:
			s.out = append(s.out, Object{Path: p, Type: "user_link"})
			continue
		}
		obj, err := g.Open(l.Name)
		if err != nil {
			s.out = append(s.out, Object{Path: p, Type: "unresolved", Error: err.Error(), Err: err})
			continue
		}
		idx := s.one(obj, p)
		if sg, ok := obj.(*hdf5.Group); ok && s.out[idx].SameAs == "" {
			s.visit(sg, p, depth+1)
		}
	}
}

func kindName(k hdf5.Kind) string {
	switch k {
	case hdf5.KindGroup:
		return "group"
	case hdf5.KindDataset:
		return "dataset"
	case hdf5.KindDatatype:
		return "datatype"
	}
	return "unresolved"
}

// one appends the entry of a resolved object and returns its index.
func (s *summarizer) one(obj hdf5.Object, p string) int {
	e := Object{Path: p, Type: kindName(obj.Kind()), Obj: obj}
	if first, ok := s.seen[obj.Addr()]; ok {
		e.SameAs = first
		e.Obj = nil
		s.out = append(s.out, e)
		return len(s.out) - 1
	}
	s.seen[obj.Addr()] = p
	e.Attrs = s.attrs(obj, &e)
	switch o := obj.(type) {
	case *hdf5.Dataset:
		s.dataset(o, &e)
	case *hdf5.NamedType:
		e.Dtype = o.Type().NumpyDtype()
	}
	s.out = append(s.out, e)
	return len(s.out) - 1
}

func (s *summarizer) attrs(obj hdf5.Object, e *Object) map[string]Attr {
	as, err := obj.Attrs()
	if err != nil {
		return map[string]Attr{"__error__": {ReadError: err.Error()}}
	}
	out := make(map[string]Attr, len(as))
	for _, a := range as {
		ent := Attr{Dtype: a.Type.NumpyDtype()}
		if !a.Null {
			// h5py expands array-typed elements into trailing dimensions
			sh := append([]uint64{}, a.Shape...)
			for at := a.Type; at != nil && at.Class == hdf5.ClassArray; at = at.Base {
				for _, d := range at.Dims {
					sh = append(sh, uint64(d))
				}
			}
			ent.Shape = &sh
			if sum, err := AttrSHA256(a); err != nil {
				ent.ReadError = err.Error()
			} else {
				ent.SHA256 = sum
			}
			if s.opt.AttrValues && ent.ReadError == "" {
				v, cut, err := attrValue(s.f, a)
				if err != nil {
					ent.ReadError = err.Error()
				} else {
					ent.Value, ent.ValueCut = v, cut
				}
			}
		}
		if a.Name == "neurodata_type" {
			if str, err := a.String(); err == nil {
				e.NeurodataType = str
			}
		}
		out[a.Name] = ent
	}
	return out
}

func (s *summarizer) dataset(d *hdf5.Dataset, e *Object) {
	t := d.Type()
	e.Dtype = t.NumpyDtype()
	if d.IsNull() {
		var none []uint64
		e.Shape = &none
	} else {
		sh := append([]uint64{}, d.Shape()...)
		e.Shape = &sh
		ms := []any{}
		for _, m := range d.MaxShape() {
			if m < 0 {
				ms = append(ms, "unlimited")
			} else {
				ms = append(ms, m)
			}
		}
		e.MaxShape = &ms
	}
	switch d.Layout() {
	case hdf5.LayoutCompact:
		e.Layout = "compact"
	case hdf5.LayoutContiguous:
		e.Layout = "contiguous"
	case hdf5.LayoutChunked:
		e.Layout = "chunked"
	case hdf5.LayoutVirtual:
		e.Layout = "virtual"
	}
	var ch []uint64
	if d.Layout() == hdf5.LayoutChunked {
		ch = append([]uint64{}, d.Chunks()...)
	}
	e.Chunks = &ch
	fl := []int{}
	if d.Layout() == hdf5.LayoutChunked {
		for _, x := range d.Filters() {
			fl = append(fl, int(x.ID))
		}
	}
	e.Filters = &fl
	e.External = d.ExternalFiles()
	n := d.NumElements()
	if d.IsNull() {
		n = 0
	}
	e.NElements = &n
	if d.IsNull() {
		return
	}
	if s.opt.Checksums {
		if n*uint64(max(t.Size, 1)) > s.opt.MaxReadBytes {
			e.ReadError = fmt.Sprintf("skipped: larger than %d bytes", s.opt.MaxReadBytes)
			return
		}
		sum, err := DatasetSHA256(d)
		if err != nil {
			e.ReadError, e.Err = err.Error(), err
			return
		}
		e.SHA256 = sum
		return
	}
	if n == 0 {
		return
	}
	// Probe: read the first element, which decodes the first chunk.
	sel := &hdf5.Hyperslab{}
	for range d.Shape() {
		sel.Start = append(sel.Start, 0)
		sel.Count = append(sel.Count, 1)
	}
	if len(d.Shape()) == 0 {
		sel = nil
	}
	if _, err := d.ReadValues(sel); err != nil {
		e.ReadError, e.Err = err.Error(), err
	}
}

// attrValue renders an attribute value as the ground truth does: nested
// lists over the attribute's dimensions, references as "objref:/path",
// opaque as "opaque:<hex>", non-finite floats as "nan"/"inf"/"-inf".
func attrValue(f *hdf5.File, a *hdf5.Attribute) (any, bool, error) {
	v, err := a.Value()
	if err != nil {
		return nil, false, err
	}
	if a.Shape == nil {
		return jsonValue(f, v, a.Type), false, nil
	}
	items, ok := elements(v)
	var flat []any
	if c, isC := v.(*hdf5.Compound); isC {
		for i := 0; i < int(a.NumElements()); i++ {
			m := map[string]any{}
			for j, name := range c.Names {
				if i < len(c.Fields[j]) {
					m[name] = jsonValue(f, c.Fields[j][i], a.Type.Members[j].Type)
				}
			}
			flat = append(flat, m)
		}
	} else if ok {
		for i := 0; i < items.len(); i++ {
			flat = append(flat, jsonValue(f, items.at(i), a.Type))
		}
	} else {
		return nil, false, errors.New("h5sum: unexpected attribute value kind")
	}
	if len(flat) > maxAttrValues {
		return flat[:maxAttrValues], true, nil
	}
	return nest(flat, a.Shape), false, nil
}

func nest(flat []any, shape []uint64) any {
	if len(shape) <= 1 {
		if flat == nil {
			return []any{}
		}
		return flat
	}
	step := 1
	for _, d := range shape[1:] {
		step *= int(d)
	}
	out := make([]any, 0, shape[0])
	for i := 0; i < int(shape[0]); i++ {
		out = append(out, nest(flat[i*step:(i+1)*step], shape[1:]))
	}
	return out
}

// jsonValue converts one decoded element into a JSON-friendly value.
func jsonValue(f *hdf5.File, v any, t *hdf5.Datatype) any {
	switch x := v.(type) {
	case float64:
		switch {
		case math.IsNaN(x):
			return "nan"
		case math.IsInf(x, 1):
			return "inf"
		case math.IsInf(x, -1):
			return "-inf"
		}
		return x
	case hdf5.Reference:
		kind := "objref"
		if x.Region {
			kind = "regionref"
		}
		if x.Addr == 0 {
			return kind + ":null"
		}
		if p, err := f.PathOf(x.Addr); err == nil {
			return kind + ":" + p
		}
		return kind + ":unresolved"
	case []byte:
		return "opaque:" + hex.EncodeToString(x)
	case []any:
		base := t
		if t != nil && t.Base != nil {
			base = t.Base
			for base.Class == hdf5.ClassArray && base.Base != nil {
				base = base.Base
			}
		}
		out := make([]any, 0, min(len(x), 101))
		for i, y := range x {
			if i == 100 {
				out = append(out, "...")
				break
			}
			out = append(out, jsonValue(f, y, base))
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for _, m := range t.Members {
			out[m.Name] = jsonValue(f, x[m.Name], m.Type)
		}
		return out
	case int64:
		if t != nil && isBool(t) {
			return x != 0
		}
		return x
	}
	return v
}
