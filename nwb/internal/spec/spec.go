// Package spec parses NWB/HDMF specification documents (the YAML files of
// nwb-schema and hdmf-common-schema, and the JSON copies cached inside NWB
// files under /specifications) into type definitions: name, namespace and
// parent type. Only the inheritance graph is extracted; the rest of a spec
// (shapes, dtypes, docs) is not needed to classify objects.
package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"
)

// TypeDef is one neurodata_type (or hdmf data_type) definition.
type TypeDef struct {
	Namespace string // namespace that defines the type, e.g. "core"
	Name      string // e.g. "Units"
	Parent    string // parent type name ("" for a root type)
	Kind      string // "group" or "dataset"
}

// Namespace is one entry of a namespace document.
type Namespace struct {
	Name     string
	Version  string
	Includes []string // included namespaces, in declaration order
	Sources  []string // schema sources in declaration order (file names or cached names)
}

// node mirrors a group/dataset spec; both the NWB key names
// (neurodata_type_def/_inc) and the HDMF ones (data_type_def/_inc) occur.
type node struct {
	NDef     string `yaml:"neurodata_type_def" json:"neurodata_type_def"`
	NInc     string `yaml:"neurodata_type_inc" json:"neurodata_type_inc"`
	DDef     string `yaml:"data_type_def" json:"data_type_def"`
	DInc     string `yaml:"data_type_inc" json:"data_type_inc"`
	Groups   []node `yaml:"groups" json:"groups"`
	Datasets []node `yaml:"datasets" json:"datasets"`
}

type schemaDoc struct {
	Groups   []node `yaml:"groups" json:"groups"`
	Datasets []node `yaml:"datasets" json:"datasets"`
}

type nsDoc struct {
	Namespaces []struct {
		Name    string `yaml:"name" json:"name"`
		Version string `yaml:"version" json:"version"`
		Schema  []struct {
			Namespace string `yaml:"namespace" json:"namespace"`
			Source    string `yaml:"source" json:"source"`
		} `yaml:"schema" json:"schema"`
	} `yaml:"namespaces" json:"namespaces"`
}

// unmarshal decodes JSON (the cached specs, fast path) or YAML.
func unmarshal(b []byte, v any) error {
	if t := bytes.TrimSpace(b); len(t) > 0 && t[0] == '{' {
		if err := json.Unmarshal(t, v); err == nil {
			return nil
		}
	}
	return yaml.Unmarshal(b, v)
}

// ParseNamespaces parses a namespace document (YAML or JSON).
func ParseNamespaces(b []byte) ([]Namespace, error) {
	var d nsDoc
	if err := unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("spec: namespace document: %w", err)
	}
	var out []Namespace
	for _, n := range d.Namespaces {
		ns := Namespace{Name: n.Name, Version: n.Version}
		for _, s := range n.Schema {
			switch {
			case s.Namespace != "":
				ns.Includes = append(ns.Includes, s.Namespace)
			case s.Source != "":
				ns.Sources = append(ns.Sources, s.Source)
			}
		}
		out = append(out, ns)
	}
	return out, nil
}

// ParseSchema parses one schema document (YAML or JSON) and returns every
// type it defines, including types defined inside other types, attributed
// to namespace ns.
func ParseSchema(ns string, b []byte) ([]TypeDef, error) {
	var d schemaDoc
	if err := unmarshal(b, &d); err != nil {
		return nil, fmt.Errorf("spec: schema document of namespace %q: %w", ns, err)
	}
	var out []TypeDef
	var walk func(n node, kind string, depth int)
	walk = func(n node, kind string, depth int) {
		if depth > 64 {
			return
		}
		def, inc := n.NDef, n.NInc
		if def == "" {
			def = n.DDef
		}
		if inc == "" {
			inc = n.DInc
		}
		if def != "" {
			out = append(out, TypeDef{Namespace: ns, Name: def, Parent: inc, Kind: kind})
		}
		for _, g := range n.Groups {
			walk(g, "group", depth+1)
		}
		for _, ds := range n.Datasets {
			walk(ds, "dataset", depth+1)
		}
	}
	for _, g := range d.Groups {
		walk(g, "group", 0)
	}
	for _, ds := range d.Datasets {
		walk(ds, "dataset", 0)
	}
	return out, nil
}

// Sort orders type definitions by namespace then name (stable output for
// generated code).
func Sort(defs []TypeDef) {
	sort.Slice(defs, func(i, j int) bool {
		if defs[i].Namespace != defs[j].Namespace {
			return defs[i].Namespace < defs[j].Namespace
		}
		return defs[i].Name < defs[j].Name
	})
}
