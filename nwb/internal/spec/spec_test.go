package spec

import (
	"os"
	"path/filepath"
	"testing"
)

// TestParseBundledSchema parses the NWB core namespace and schema files
// (../shared/nwb-schema) and checks definitions the YAML states:
// nwb.misc.yaml Units inc DynamicTable; table.yaml (data_type_def keys)
// DynamicTableRegion inc VectorData; a nested definition (nwb.file.yaml
// defines LabMetaData inside NWBFile? no: Subject is top-level in
// nwb.file.yaml, inc NWBContainer).
func TestParseBundledSchema(t *testing.T) {
	dir := "../../../../shared/nwb-schema"
	b, err := os.ReadFile(filepath.Join(dir, "core/nwb.namespace.yaml"))
	if err != nil {
		t.Skipf("schema not available: %v", err)
	}
	nss, err := ParseNamespaces(b)
	if err != nil || len(nss) != 1 || nss[0].Name != "core" || nss[0].Includes[0] != "hdmf-common" || len(nss[0].Sources) != 12 {
		t.Fatalf("namespaces %+v %v", nss, err)
	}
	want := map[string]string{"Units": "DynamicTable", "Subject": "NWBContainer", "DynamicTableRegion": "VectorData", "VectorIndex": "VectorData"}
	found := map[string]string{}
	for _, p := range []string{"core/nwb.misc.yaml", "core/nwb.file.yaml", "hdmf-common/table.yaml"} {
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		defs, err := ParseSchema("x", b)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range defs {
			found[d.Name] = d.Parent
		}
	}
	for k, v := range want {
		if found[k] != v {
			t.Errorf("%s inc %q, want %q", k, found[k], v)
		}
	}
}

// TestParseJSON: cached specs are JSON; the same document in JSON and YAML
// gives the same definitions.
func TestParseJSON(t *testing.T) {
	j := `{"groups":[{"neurodata_type_def":"A","neurodata_type_inc":"B","groups":[{"neurodata_type_def":"C","neurodata_type_inc":"A"}]}],"datasets":[{"data_type_def":"D","data_type_inc":"Data"}]}`
	y := "groups:\n- neurodata_type_def: A\n  neurodata_type_inc: B\n  groups:\n  - neurodata_type_def: C\n    neurodata_type_inc: A\ndatasets:\n- data_type_def: D\n  data_type_inc: Data\n"
	a, err1 := ParseSchema("n", []byte(j))
	b, err2 := ParseSchema("n", []byte(y))
	if err1 != nil || err2 != nil || len(a) != 3 || len(b) != 3 {
		t.Fatalf("%v %v %v %v", a, b, err1, err2)
	}
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("def %d: %+v vs %+v", i, a[i], b[i])
		}
	}
	if a[1].Name != "C" || a[1].Parent != "A" || a[2].Kind != "dataset" {
		t.Errorf("defs %+v", a)
	}
}

func FuzzParseSchema(f *testing.F) {
	f.Add([]byte(`{"groups":[{"neurodata_type_def":"A","neurodata_type_inc":"B"}]}`))
	f.Add([]byte("groups:\n- neurodata_type_def: A\n  groups:\n  - data_type_def: C\n"))
	f.Add([]byte(`{"namespaces":[{"name":"x","schema":[{"namespace":"core"},{"source":"x.ext"}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ParseSchema("n", b)
		ParseNamespaces(b)
	})
}
