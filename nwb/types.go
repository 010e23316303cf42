package nwb

import (
	"slices"
	"strings"

	"github.com/neurodata/neurodata/nwb/internal/spec"
)

// TypeName is a namespaced neurodata type, e.g. {Namespace: "core", Name: "Units"}.
type TypeName struct {
	Namespace string
	Name      string
}

func (t TypeName) String() string {
	if t.Namespace == "" {
		return t.Name
	}
	return t.Namespace + "." + t.Name
}

// Types is the type system of one file: every known neurodata type with its
// parent, built from the file's cached /specifications when present and
// completed by the bundled NWB core / hdmf-common schema.
type Types struct {
	parent   map[TypeName]TypeName
	includes map[string][]string // namespace -> included namespaces
	// Source reports where the definitions came from: "cached" when at
	// least one namespace was read from /specifications, else "builtin".
	Source string
	// Namespaces lists the namespaces known to the file with their versions
	// (from /specifications when cached).
	Namespaces map[string]string
}

func newTypes() *Types {
	t := &Types{
		parent:     map[TypeName]TypeName{},
		includes:   map[string][]string{},
		Source:     "builtin",
		Namespaces: map[string]string{},
	}
	return t
}

// BuiltinTypes returns the type system of the bundled schema alone.
func BuiltinTypes() *Types {
	t := newTypes()
	t.add(builtinNamespaces, builtinTypes, false)
	return t
}

// add merges namespaces and definitions. With override, definitions replace
// existing ones (cached specs win over builtin tables).
func (t *Types) add(nss []spec.Namespace, defs []spec.TypeDef, override bool) {
	for _, ns := range nss {
		if _, ok := t.includes[ns.Name]; !ok || override {
			t.includes[ns.Name] = ns.Includes
		}
		if _, ok := t.Namespaces[ns.Name]; !ok || override {
			t.Namespaces[ns.Name] = ns.Version
		}
	}
	// Resolve parent names within the defining namespace first, then its
	// includes (transitively), then anywhere.
	byName := map[string][]string{} // type name -> namespaces defining it
	for k := range t.parent {
		byName[k.Name] = append(byName[k.Name], k.Namespace)
	}
	for _, d := range defs {
		byName[d.Name] = append(byName[d.Name], d.Namespace)
	}
	for _, d := range defs {
		key := TypeName{d.Namespace, d.Name}
		if _, ok := t.parent[key]; ok && !override {
			continue
		}
		var par TypeName
		if d.Parent != "" {
			par = TypeName{Namespace: t.resolveNS(d.Namespace, d.Parent, byName), Name: d.Parent}
		}
		t.parent[key] = par
	}
}

func (t *Types) resolveNS(from, name string, byName map[string][]string) string {
	cands := byName[name]
	if len(cands) == 0 {
		return ""
	}
	if ns, ok := t.searchIncludes(from, func(ns string) bool { return slices.Contains(cands, ns) }); ok {
		return ns
	}
	return cands[0]
}

// searchIncludes walks from and the namespaces it includes, breadth first
// (at most 64, so include cycles end), and returns the first one found
// accepts.
func (t *Types) searchIncludes(from string, found func(ns string) bool) (string, bool) {
	seen := map[string]bool{}
	queue := []string{from}
	for len(queue) > 0 && len(seen) < 64 {
		ns := queue[0]
		queue = queue[1:]
		if seen[ns] {
			continue
		}
		seen[ns] = true
		if found(ns) {
			return ns, true
		}
		queue = append(queue, t.includes[ns]...)
	}
	return "", false
}

// Parent returns the parent of a type and whether the type is known.
func (t *Types) Parent(tn TypeName) (TypeName, bool) {
	tn = t.canon(tn)
	p, ok := t.parent[tn]
	return p, ok
}

// canon fills in a missing namespace when the name is unambiguous, and maps
// a namespace that does not define the type to one of its includes that does.
func (t *Types) canon(tn TypeName) TypeName {
	if _, ok := t.parent[tn]; ok {
		return tn
	}
	for k := range t.parent {
		if k.Name == tn.Name && (tn.Namespace == "" || t.includesNS(tn.Namespace, k.Namespace)) {
			return k
		}
	}
	return tn
}

func (t *Types) includesNS(from, target string) bool {
	_, ok := t.searchIncludes(from, func(ns string) bool { return ns == target })
	return ok
}

// Ancestry returns the type followed by its parents up to the root.
func (t *Types) Ancestry(tn TypeName) []TypeName {
	tn = t.canon(tn)
	out := []TypeName{tn}
	for i := 0; i < 64; i++ {
		p, ok := t.parent[tn]
		if !ok || p.Name == "" {
			break
		}
		p = t.canon(p)
		out = append(out, p)
		tn = p
	}
	return out
}

// IsA reports whether tn is the type named base or derives from it. base may
// be "Units", "core.Units" or "hdmf-common.DynamicTable".
func (t *Types) IsA(tn TypeName, base string) bool {
	bns, bname := splitType(base)
	for _, a := range t.Ancestry(tn) {
		if a.Name == bname && (bns == "" || a.Namespace == bns || a.Namespace == "") {
			return true
		}
	}
	return false
}

func splitType(s string) (ns, name string) {
	if i := strings.LastIndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return "", s
}

// MarshalText renders "namespace.Name" (JSON output).
func (t TypeName) MarshalText() ([]byte, error) { return []byte(t.String()), nil }
