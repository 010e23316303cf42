package nwb

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/nwb/internal/spec"
)

// Errors; test with errors.Is.
var (
	// ErrNotNWB reports an HDF5 file that is not an NWB (or HDMF) file.
	ErrNotNWB = errors.New("nwb: not an NWB file")
	// ErrZarrStore reports a Zarr store (a directory, e.g. a DANDI
	// .nwb.zarr asset): NWB written with hdmf-zarr, which this package,
	// built on the HDF5 reader, does not read.
	ErrZarrStore = errors.New("nwb: a Zarr store (NWB Zarr), not an HDF5 NWB file")
	// ErrNotFound reports a missing object, table or column.
	ErrNotFound = errors.New("nwb: not found")
	// ErrFormat reports NWB content that breaks the schema (wrong shape,
	// index out of range, ...).
	ErrFormat = errors.New("nwb: malformed content")
)

// File is an open NWB file. Methods are safe for concurrent use when the
// underlying hdf5.File is.
type File struct {
	h5     *hdf5.File
	closer io.Closer

	// Version is the NWB version ("2.6.0", "1.0.5"); empty for HDMF-only files.
	Version string

	typesOnce sync.Once
	types     *Types
	typesErr  error

	indexOnce sync.Once
	index     []Object
	indexErr  error
}

// Open opens the NWB file at path.
func Open(path string, opts ...hdf5.Option) (*File, error) {
	if IsZarrStore(path) {
		return nil, ZarrStoreError(path)
	}
	h, err := hdf5.Open(path, opts...)
	if err != nil {
		return nil, fmt.Errorf("nwb: open %s: %w", path, err)
	}
	f, err := newFile(h)
	if err != nil {
		h.Close()
		return nil, err
	}
	f.closer = h
	return f, nil
}

// NewReader reads an NWB file from r (size bytes), e.g. a remote reader of
// a DANDI asset. Close releases the hdf5 file; r is not closed.
func NewReader(r io.ReaderAt, size int64, opts ...hdf5.Option) (*File, error) {
	h, err := hdf5.NewReader(r, size, opts...)
	if err != nil {
		return nil, fmt.Errorf("nwb: %w", err)
	}
	f, err := newFile(h)
	if err != nil {
		h.Close()
		return nil, err
	}
	f.closer = h
	return f, nil
}

// FromHDF5 wraps an already open hdf5 file; closing the File closes h.
func FromHDF5(h *hdf5.File) (*File, error) {
	f, err := newFile(h)
	if err != nil {
		return nil, err
	}
	f.closer = h
	return f, nil
}

func newFile(h *hdf5.File) (*File, error) {
	f := &File{h5: h}
	root := h.Root()
	if a, err := root.Attr("nwb_version"); err == nil {
		f.Version, _ = a.String()
	} else if ds, err := root.Dataset("nwb_version"); err == nil {
		// NWB 1.x: a root dataset "NWB-1.0.5".
		if s, err := readScalarString(ds); err == nil {
			f.Version = strings.TrimPrefix(strings.TrimSpace(s), "NWB-")
		}
	}
	if f.Version == "" {
		// HDMF-only files carry a namespace/data_type on the root or a
		// /specifications group; accept them so their tables export.
		if _, err := root.Attr("data_type"); err == nil {
			return f, nil
		}
		if _, err := root.Attr("neurodata_type"); err == nil {
			return f, nil
		}
		if _, err := root.Group("specifications"); err == nil {
			return f, nil
		}
		return nil, fmt.Errorf("%w: no nwb_version attribute or dataset on /", ErrNotNWB)
	}
	return f, nil
}

// Close closes the underlying HDF5 file.
func (f *File) Close() error {
	if f.closer != nil {
		return f.closer.Close()
	}
	return nil
}

// HDF5 returns the underlying HDF5 file for raw access.
func (f *File) HDF5() *hdf5.File { return f.h5 }

// Major returns the NWB major version (1 or 2; 0 when unknown).
func (f *File) Major() int {
	switch {
	case strings.HasPrefix(f.Version, "1."):
		return 1
	case strings.HasPrefix(f.Version, "2."):
		return 2
	}
	return 0
}

// Types returns the file's type system: cached /specifications merged over
// the bundled schema. A malformed cached spec is skipped (the bundled
// tables still apply); the first such problem is returned with the types.
func (f *File) Types() (*Types, error) {
	f.typesOnce.Do(func() { f.types, f.typesErr = loadTypes(f.h5) })
	return f.types, f.typesErr
}

func loadTypes(h *hdf5.File) (*Types, error) {
	t := BuiltinTypes()
	g, err := h.Group("/specifications")
	if err != nil {
		return t, nil
	}
	var firstErr error
	note := func(err error) {
		if firstErr == nil {
			firstErr = err
		}
	}
	nsLinks, err := g.Links()
	if err != nil {
		return t, fmt.Errorf("nwb: /specifications: %w", err)
	}
	type cached struct {
		nss  []spec.Namespace
		defs []spec.TypeDef
	}
	var all []cached
	for _, nl := range nsLinks {
		ng, err := g.Group(nl.Name)
		if err != nil {
			continue
		}
		vLinks, err := ng.Links()
		if err != nil || len(vLinks) == 0 {
			continue
		}
		// Several cached versions are possible; take the highest.
		sort.Slice(vLinks, func(i, j int) bool { return versionLess(vLinks[i].Name, vLinks[j].Name) })
		vg, err := ng.Group(vLinks[len(vLinks)-1].Name)
		if err != nil {
			continue
		}
		nsDS, err := vg.Dataset("namespace")
		if err != nil {
			note(fmt.Errorf("nwb: /specifications/%s: no namespace document", nl.Name))
			continue
		}
		txt, err := readScalarString(nsDS)
		if err != nil {
			note(fmt.Errorf("nwb: %s: %w", nsDS.Path(), err))
			continue
		}
		nss, err := spec.ParseNamespaces([]byte(txt))
		if err != nil {
			note(fmt.Errorf("nwb: %s: %w", nsDS.Path(), err))
			continue
		}
		c := cached{nss: nss}
		for _, ns := range nss {
			if len(nss) > 1 && ns.Name != nl.Name {
				// A namespace document may describe several namespaces
				// (hdmf-common + hdmf-experimental); each one's sources
				// are cached under its own group.
				continue
			}
			for _, src := range ns.Sources {
				// Cached names drop the .yaml extension.
				name := strings.TrimSuffix(strings.TrimSuffix(src, ".yaml"), ".yml")
				ds, err := vg.Dataset(name)
				if err != nil {
					ds, err = vg.Dataset(src)
				}
				if err != nil {
					note(fmt.Errorf("nwb: %s: schema source %q missing", vg.Path(), src))
					continue
				}
				txt, err := readScalarString(ds)
				if err != nil {
					note(fmt.Errorf("nwb: %s: %w", ds.Path(), err))
					continue
				}
				defs, err := spec.ParseSchema(ns.Name, []byte(txt))
				if err != nil {
					note(fmt.Errorf("nwb: %s: %w", ds.Path(), err))
					continue
				}
				c.defs = append(c.defs, defs...)
			}
		}
		all = append(all, c)
	}
	if len(all) > 0 {
		t.Source = "cached"
		// Namespaces first (so includes resolve), then types.
		for _, c := range all {
			t.add(c.nss, nil, true)
		}
		for _, c := range all {
			t.add(c.nss, c.defs, true)
		}
	}
	return t, firstErr
}

// versionLess compares dotted versions numerically where possible.
func versionLess(a, b string) bool {
	pa, pb := strings.FieldsFunc(a, isSep), strings.FieldsFunc(b, isSep)
	for i := 0; i < len(pa) && i < len(pb); i++ {
		var na, nb int
		_, ea := fmt.Sscanf(pa[i], "%d", &na)
		_, eb := fmt.Sscanf(pb[i], "%d", &nb)
		if ea == nil && eb == nil {
			if na != nb {
				return na < nb
			}
			continue
		}
		if pa[i] != pb[i] {
			return pa[i] < pb[i]
		}
	}
	return len(pa) < len(pb)
}

func isSep(r rune) bool { return r == '.' || r == '-' }

// Object is one typed object of the file.
type Object struct {
	Path string
	Type TypeName
	// Kind is hdf5.KindGroup or hdf5.KindDataset.
	Kind hdf5.Kind
}

// typeOf reads an object's neurodata type attributes. NWB 2 uses
// neurodata_type + namespace; HDMF uses data_type; NWB 1.x has
// neurodata_type ("TimeSeries", "Module", "Interface") and an ancestry
// attribute whose last element is the most derived type.
func typeOf(o hdf5.Object) (TypeName, bool) {
	name := attrString(o, "neurodata_type")
	if name == "" {
		name = attrString(o, "data_type")
	}
	if name == "" {
		return TypeName{}, false
	}
	ns := attrString(o, "namespace")
	if ns == "" {
		if anc, err := attrStrings(o, "ancestry"); err == nil && len(anc) > 0 {
			return TypeName{Namespace: "core", Name: anc[len(anc)-1]}, true
		}
	}
	return TypeName{Namespace: ns, Name: name}, true
}

// Objects returns every typed object in the file (outside /specifications),
// in depth-first name order. The index is built once.
func (f *File) Objects() ([]Object, error) {
	f.indexOnce.Do(func() {
		var out []Object
		err := f.h5.Walk(func(path string, obj hdf5.Object, link *hdf5.Link, err error) error {
			if err != nil || obj == nil || link != nil {
				// unreadable, dangling, or a soft/external link to an
				// object listed at its own path: skip, Walk continues
				return nil
			}
			if path == "/specifications" || strings.HasPrefix(path, "/specifications/") {
				return nil
			}
			if tn, ok := typeOf(obj); ok {
				out = append(out, Object{Path: path, Type: tn, Kind: obj.Kind()})
			}
			return nil
		})
		f.index, f.indexErr = out, err
	})
	return f.index, f.indexErr
}

// FindAll returns every object whose type is base or derives from it, e.g.
// FindAll("Units"), FindAll("TimeSeries"), FindAll("hdmf-common.DynamicTable").
func (f *File) FindAll(base string) ([]Object, error) {
	objs, err := f.Objects()
	if err != nil {
		return nil, err
	}
	types, _ := f.Types()
	var out []Object
	for _, o := range objs {
		if types.IsA(o.Type, base) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Find returns the first object (depth-first name order) of type base or a
// subtype; ErrNotFound when there is none.
func (f *File) Find(base string) (Object, error) {
	all, err := f.FindAll(base)
	if err != nil {
		return Object{}, err
	}
	if len(all) == 0 {
		return Object{}, fmt.Errorf("%w: no object of type %s", ErrNotFound, base)
	}
	return all[0], nil
}

// TypeOf returns the neurodata type of the object at path.
func (f *File) TypeOf(path string) (TypeName, error) {
	o, err := f.h5.Object(path)
	if err != nil {
		return TypeName{}, fmt.Errorf("nwb: %s: %w", path, err)
	}
	tn, ok := typeOf(o)
	if !ok {
		return TypeName{}, fmt.Errorf("%w: %s has no neurodata_type", ErrNotFound, path)
	}
	return tn, nil
}

// IsA reports whether the object at path is of type base or a subtype.
func (f *File) IsA(path, base string) bool {
	tn, err := f.TypeOf(path)
	if err != nil {
		return false
	}
	if bns, bname := splitType(base); tn.Name == bname && (bns == "" || bns == tn.Namespace) {
		return true // exact type: no need to load the specifications
	}
	t, _ := f.Types()
	return t.IsA(tn, base)
}

// CloseWith registers c to be closed by Close after the HDF5 file, e.g. the
// remote reader given to NewReader.
func (f *File) CloseWith(c io.Closer) {
	prev := f.closer
	f.closer = closerFunc(func() error {
		var err error
		if prev != nil {
			err = prev.Close()
		}
		if cerr := c.Close(); err == nil {
			err = cerr
		}
		return err
	})
}

type closerFunc func() error

func (c closerFunc) Close() error { return c() }

// ZarrStoreError is the error for a Zarr store at path: it wraps
// ErrZarrStore and says what can read it.
func ZarrStoreError(path string) error {
	return fmt.Errorf("%w: %s (neurodata reads HDF5 NWB only; open it with hdmf-zarr's NWBZarrIO in pynwb)", ErrZarrStore, path)
}

// IsZarrStore reports whether path is a directory holding Zarr v2 or v3
// metadata at its root (.zgroup, .zattrs or zarr.json).
func IsZarrStore(path string) bool {
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		return false
	}
	for _, m := range []string{".zgroup", ".zattrs", "zarr.json"} {
		if _, err := os.Stat(filepath.Join(path, m)); err == nil {
			return true
		}
	}
	return false
}
