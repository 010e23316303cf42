package hdf5

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Object is a group, dataset or committed datatype.
type Object interface {
	Name() string
	Path() string
	Kind() Kind
	Addr() uint64
	File() *File
	Attrs() ([]*Attribute, error)
	Attr(name string) (*Attribute, error)
}

type object struct {
	f    *File
	addr uint64
	path string
	kind Kind
	hdr  *objHeader
	err  error // why the header could not be read (Root only); returned by Links and Attrs
}

func (o *object) Name() string {
	if o.path == "/" {
		return "/"
	}
	return path.Base(o.path)
}
func (o *object) Path() string { return o.path }
func (o *object) Kind() Kind   { return o.kind }
func (o *object) Addr() uint64 { return o.addr }
func (o *object) File() *File  { return o.f }

// Group is an HDF5 group.
type Group struct{ object }

// NamedType is a committed (named) datatype stored as an object.
type NamedType struct {
	object
	typ *Datatype
}

// Type returns the committed datatype.
func (t *NamedType) Type() *Datatype { return t.typ }

// Root returns the root group. If the root group's header cannot be
// read, Root returns an empty group whose Links and Attrs return the
// error (as do Walk and Object).
func (f *File) Root() *Group {
	g, err := f.openAddr(f.rootAddr, "/")
	if err != nil {
		return &Group{object{f: f, addr: f.rootAddr, path: "/", kind: KindGroup, hdr: &objHeader{addr: f.rootAddr}, err: err}}
	}
	if gr, ok := g.(*Group); ok {
		return gr
	}
	return &Group{object{f: f, addr: f.rootAddr, path: "/", kind: KindGroup, hdr: &objHeader{addr: f.rootAddr}}}
}

// openAddr builds the Object whose header is at addr.
func (f *File) openAddr(addr uint64, p string) (obj Object, err error) {
	return f.openAddrX(addr, p, true)
}

// openAddrX is openAddr; vds=false leaves virtual datasets unresolved
// (used when opening the sources of a virtual dataset).
func (f *File) openAddrX(addr uint64, p string, vds bool) (obj Object, err error) {
	oh, err := f.header(addr)
	if err != nil {
		return nil, fmt.Errorf("hdf5: %s: %w", p, err)
	}
	o := object{f: f, addr: addr, path: p, hdr: oh}
	var hasLayout, hasSpace, hasType bool
	for _, m := range oh.msgs {
		switch m.typ {
		case msgLayout:
			hasLayout = true
		case msgDataspace:
			hasSpace = true
		case msgDatatype:
			hasType = true
		}
	}
	switch {
	case hasLayout || (hasSpace && hasType):
		o.kind = KindDataset
		ds := &Dataset{object: o}
		if err := ds.init(vds); err != nil {
			return nil, fmt.Errorf("hdf5: dataset %s: %w", p, err)
		}
		return ds, nil
	case hasType:
		o.kind = KindDatatype
		m, err := f.find(oh, msgDatatype)
		if err != nil {
			return nil, err
		}
		t, _, err := f.parseDatatype(m.data, m.addr, 0)
		if err != nil {
			return nil, fmt.Errorf("hdf5: datatype %s: %w", p, err)
		}
		return &NamedType{object: o, typ: t}, nil
	}
	o.kind = KindGroup
	return &Group{o}, nil
}

// Links returns the group's links sorted by name.
func (g *Group) Links() ([]Link, error) {
	if g.err != nil {
		return nil, g.err
	}
	ls, err := g.f.links(g.addr, g.hdr)
	if err != nil {
		return nil, fmt.Errorf("hdf5: group %s: %w", g.path, err)
	}
	out := append([]Link(nil), ls...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// links returns all links of the group header oh (unsorted, cached; the
// result must not be modified).
func (f *File) links(addr uint64, oh *objHeader) ([]Link, error) {
	f.mu.Lock()
	ls, ok := f.linkCache[addr]
	f.mu.Unlock()
	if ok {
		return ls, nil
	}
	ls, err := f.readLinks(oh)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	if f.linkCache == nil || len(f.linkCache) > 1<<14 {
		f.linkCache = map[uint64][]Link{}
	}
	f.linkCache[addr] = ls
	f.mu.Unlock()
	return ls, nil
}

func (f *File) readLinks(oh *objHeader) ([]Link, error) {
	var out []Link
	var linfo *message
	for i := range oh.msgs {
		m := &oh.msgs[i]
		switch m.typ {
		case msgSymbolTable:
			d := f.newBuf(m.data, m.addr, "symbol table message")
			bt := d.addrField()
			hp := d.addrField()
			if d.err != nil {
				return nil, d.err
			}
			ls, err := f.symbolTableLinks(bt, hp)
			if err != nil {
				return nil, err
			}
			out = append(out, ls...)
		case msgLink:
			l, err := f.parseLink(m.data, m.addr)
			if err != nil {
				return nil, err
			}
			out = append(out, l)
		case msgLinkInfo:
			linfo = m
		}
	}
	if linfo != nil {
		d := f.newBuf(linfo.data, linfo.addr, "link info message")
		d.u8()
		fl := d.u8()
		if fl&1 != 0 {
			d.u64()
		}
		heap := d.addrField()
		name := d.addrField()
		if d.err != nil {
			return nil, d.err
		}
		if !f.undef(heap) && !f.undef(name) {
			fh, err := f.fractalHeap(heap)
			if err != nil {
				return nil, err
			}
			err = f.walkBTree2(name, func(rec []byte) error {
				if len(rec) < 5 {
					return f.formatErr(name, "link name index", "short record")
				}
				obj, err := fh.get(rec[4:])
				if err != nil {
					return err
				}
				l, err := f.parseLink(obj, heap)
				if err != nil {
					return err
				}
				out = append(out, l)
				if len(out) > 1<<24 {
					return f.formatErr(name, "link name index", "too many links")
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (f *File) symbolTableLinks(btAddr, heapAddr uint64) ([]Link, error) {
	heap, err := f.localHeap(heapAddr)
	if err != nil {
		return nil, err
	}
	var out []Link
	err = f.walkBTree1(btAddr, 0, 0, func(_ []byte, child uint64) error {
		hdr, err := f.readAt(child, 8, "symbol table node")
		if err != nil {
			return err
		}
		if string(hdr[:4]) != "SNOD" {
			return f.formatErr(child, "symbol table node", "bad signature")
		}
		n := int(hdr[6]) | int(hdr[7])<<8
		es := 2*f.offSize + 8 + 16
		b, err := f.readAt(child+8, int64(n*es), "symbol table node")
		if err != nil {
			return err
		}
		d := f.newBuf(b, child+8, "symbol table entry")
		for i := 0; i < n; i++ {
			e := f.readSymEntry(d)
			if d.err != nil {
				return d.err
			}
			name, err := heap.str(e.nameOff)
			if err != nil {
				return err
			}
			l := Link{Name: name, Type: LinkHard, Addr: e.objAddr, CreationOrder: -1}
			if e.cacheType == 2 {
				t, err := heap.str(uint64(e.softOff))
				if err != nil {
					return err
				}
				l = Link{Name: name, Type: LinkSoft, Target: t, CreationOrder: -1}
			}
			out = append(out, l)
			if len(out) > 1<<24 {
				return f.formatErr(child, "symbol table", "too many entries")
			}
		}
		return nil
	})
	return out, err
}

func (f *File) parseLink(b []byte, addr uint64) (Link, error) {
	d := f.newBuf(b, addr, "link message")
	l := Link{CreationOrder: -1}
	if v := d.u8(); v != 1 {
		return l, f.formatErr(addr, "link message", "version %d", v)
	}
	fl := d.u8()
	typ := uint8(0)
	if fl&0x08 != 0 {
		typ = d.u8()
	}
	if fl&0x04 != 0 {
		l.CreationOrder = int64(d.u64())
	}
	if fl&0x10 != 0 {
		d.u8()
	}
	nl := int(d.uN(1 << (fl & 3)))
	l.Name = string(d.bytes(nl))
	switch typ {
	case 0:
		l.Type = LinkHard
		l.Addr = d.addrField()
	case 1:
		l.Type = LinkSoft
		n := int(d.u16())
		l.Target = string(d.bytes(n))
	case 64:
		l.Type = LinkExternal
		n := int(d.u16())
		v := d.bytes(n)
		if d.err == nil {
			if len(v) < 1 {
				return l, f.formatErr(addr, "external link", "empty value")
			}
			parts := strings.SplitN(string(v[1:]), "\x00", 3)
			if len(parts) < 2 {
				return l, f.formatErr(addr, "external link", "malformed value")
			}
			l.File, l.Target = parts[0], parts[1]
		}
	default:
		l.Type = LinkUserDefined
		n := int(d.u16())
		d.bytes(n)
	}
	if d.err != nil {
		return l, d.err
	}
	return l, nil
}

// Open opens the named member of the group (links followed).
func (g *Group) Open(name string) (Object, error) {
	p := name
	if !strings.HasPrefix(name, "/") {
		p = path.Join(g.path, name)
	}
	return g.f.Object(p)
}

// Group opens a member group.
func (g *Group) Group(name string) (*Group, error) {
	o, err := g.Open(name)
	if err != nil {
		return nil, err
	}
	gr, ok := o.(*Group)
	if !ok {
		return nil, fmt.Errorf("hdf5: %s is not a group: %w", o.Path(), ErrNotFound)
	}
	return gr, nil
}

// Dataset opens a member dataset.
func (g *Group) Dataset(name string) (*Dataset, error) {
	o, err := g.Open(name)
	if err != nil {
		return nil, err
	}
	ds, ok := o.(*Dataset)
	if !ok {
		return nil, fmt.Errorf("hdf5: %s is not a dataset: %w", o.Path(), ErrNotFound)
	}
	return ds, nil
}

// Group opens the group at path.
func (f *File) Group(p string) (*Group, error) { return f.Root().Group(p) }

// Dataset opens the dataset at path.
func (f *File) Dataset(p string) (*Dataset, error) { return f.Root().Dataset(p) }

// Object opens the object at an absolute path, following hard, soft and
// external links.
func (f *File) Object(p string) (Object, error) {
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return f.resolvePath(p, 0, true)
}

const maxLinkDepth = 40

func splitPath(p string) []string {
	var out []string
	for _, s := range strings.Split(p, "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

func (f *File) resolvePath(p string, depth int, vds bool) (Object, error) {
	if depth > maxLinkDepth {
		return nil, fmt.Errorf("hdf5: %s: too many levels of links (cycle?)", p)
	}
	parts := splitPath(p)
	addr := f.rootAddr
	cur := "/"
	for i, name := range parts {
		oh, err := f.header(addr)
		if err != nil {
			return nil, fmt.Errorf("hdf5: %s: %w", cur, err)
		}
		ls, err := f.links(addr, oh)
		if err != nil {
			return nil, fmt.Errorf("hdf5: %s: %w", cur, err)
		}
		var lk *Link
		for j := range ls {
			if ls[j].Name == name {
				lk = &ls[j]
				break
			}
		}
		if lk == nil {
			return nil, fmt.Errorf("hdf5: %s: %w", path.Join(cur, name), ErrNotFound)
		}
		next := path.Join(cur, name)
		rest := strings.Join(parts[i+1:], "/")
		switch lk.Type {
		case LinkHard:
			addr = lk.Addr
			cur = next
		case LinkSoft:
			t := lk.Target
			if !strings.HasPrefix(t, "/") {
				t = path.Join(cur, t)
			}
			if rest != "" {
				t = path.Join(t, rest)
			}
			o, err := f.resolvePath(t, depth+1, vds)
			if err != nil {
				return nil, err
			}
			return withPath(o, path.Join(next, rest)), nil
		case LinkExternal:
			ef, err := f.externalFile(lk.File)
			if err != nil {
				return nil, fmt.Errorf("hdf5: external link %s -> %s:%s: %w", next, lk.File, lk.Target, err)
			}
			t := lk.Target
			if rest != "" {
				t = path.Join(t, rest)
			}
			if !strings.HasPrefix(t, "/") {
				t = "/" + t
			}
			return ef.resolvePath(t, depth+1, vds)
		default:
			return nil, fmt.Errorf("hdf5: %s: user-defined link: %w", next, ErrUnsupported)
		}
	}
	return f.openAddrX(addr, cur, vds)
}

func withPath(o Object, p string) Object {
	switch v := o.(type) {
	case *Group:
		c := *v
		c.path = p
		return &c
	case *Dataset:
		c := *v
		c.path = p
		return &c
	case *NamedType:
		c := *v
		c.path = p
		return &c
	}
	return o
}

// externalFile opens (and caches) the target file of an external link.
func (f *File) externalFile(name string) (*File, error) {
	f.mu.Lock()
	ef, ok := f.external[name]
	f.mu.Unlock()
	if ok {
		return ef, nil
	}
	if f.depth > 8 {
		return nil, errors.New("external links nested too deeply")
	}
	var cands []string
	if filepath.IsAbs(name) {
		cands = append(cands, name)
	}
	if f.opts.extDir != "" {
		cands = append(cands, filepath.Join(f.opts.extDir, name), filepath.Join(f.opts.extDir, filepath.Base(name)))
	} else {
		cands = append(cands, name)
	}
	var lastErr error = fmt.Errorf("target file not found: %w", ErrNotFound)
	for _, c := range cands {
		if _, err := os.Stat(c); err != nil {
			continue
		}
		if f.path != "" {
			if a, b := absPath(c), absPath(f.path); a == b {
				return f, nil
			}
		}
		opts := []Option{WithWorkers(f.opts.workers), WithMaxAlloc(f.opts.maxAlloc), WithExternalDir(filepath.Dir(c))}
		if f.opts.chunkCacheSet {
			opts = append(opts, WithChunkCache(f.opts.chunkCache))
		}
		e, err := Open(c, opts...)
		if err != nil {
			lastErr = err
			continue
		}
		e.depth = f.depth + 1
		f.mu.Lock()
		f.external[name] = e
		f.mu.Unlock()
		return e, nil
	}
	return nil, lastErr
}

func absPath(p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}

// Walk visits every object depth-first, children sorted by name, root
// first. Soft, external and user-defined links are reported with link != nil
// (obj is the target when it resolves inside this file, else nil); each
// object is visited once. fn's error stops the walk.
func (f *File) Walk(fn func(path string, obj Object, link *Link, err error) error) error {
	seen := map[uint64]bool{}
	ro, err := f.openAddr(f.rootAddr, "/")
	if err != nil {
		return fn("/", nil, nil, err)
	}
	root, ok := ro.(*Group)
	if !ok {
		return fn("/", ro, nil, fmt.Errorf("hdf5: root object is not a group"))
	}
	seen[root.addr] = true
	if err := fn("/", root, nil, nil); err != nil {
		return err
	}
	return f.walkGroup(root, seen, fn, 0)
}

func (f *File) walkGroup(g *Group, seen map[uint64]bool, fn func(string, Object, *Link, error) error, depth int) error {
	if depth > 1000 {
		return nil
	}
	ls, err := g.Links()
	if err != nil {
		return fn(g.path, g, nil, err)
	}
	for i := range ls {
		l := ls[i]
		p := path.Join(g.path, l.Name)
		if l.Type != LinkHard {
			var obj Object
			if l.Type == LinkSoft || l.Type == LinkExternal {
				obj, _ = f.Object(p)
			}
			if err := fn(p, obj, &l, nil); err != nil {
				return err
			}
			continue
		}
		if seen[l.Addr] {
			continue
		}
		seen[l.Addr] = true
		obj, oerr := f.openAddr(l.Addr, p)
		if err := fn(p, obj, nil, oerr); err != nil {
			return err
		}
		if sg, ok := obj.(*Group); ok && oerr == nil {
			if err := f.walkGroup(sg, seen, fn, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// PathOf returns the first path (name-sorted depth-first order) of the
// object whose header is at addr.
func (f *File) PathOf(addr uint64) (string, error) {
	f.mu.Lock()
	idx := f.pathIdx
	f.mu.Unlock()
	if idx == nil {
		idx = map[uint64]string{}
		f.Walk(func(p string, obj Object, link *Link, err error) error {
			if obj != nil && link == nil {
				if _, ok := idx[obj.Addr()]; !ok {
					idx[obj.Addr()] = p
				}
			}
			return nil
		})
		f.mu.Lock()
		f.pathIdx = idx
		f.mu.Unlock()
	}
	if p, ok := idx[addr]; ok {
		return p, nil
	}
	return "", fmt.Errorf("hdf5: object at address %d: %w", addr, ErrNotFound)
}

// Resolve opens the object a reference points to.
func (f *File) Resolve(ref Reference) (Object, error) {
	if ref.Addr == 0 || f.undef(ref.Addr) {
		return nil, fmt.Errorf("hdf5: null reference: %w", ErrNotFound)
	}
	p, err := f.PathOf(ref.Addr)
	if err != nil {
		return f.openAddr(ref.Addr, "")
	}
	return f.openAddr(ref.Addr, p)
}
