package hdf5

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

type expObj struct {
	Path      string         `json:"path"`
	Type      string         `json:"type"`
	SameAs    string         `json:"same_as"`
	Dtype     string         `json:"dtype"`
	Shape     []uint64       `json:"shape"`
	Layout    string         `json:"layout"`
	Sha       string         `json:"sha256"`
	ReadError string         `json:"read_error"`
	Attrs     map[string]any `json:"attrs"`
}

type expFile struct {
	OpenError string   `json:"open_error"`
	Crash     string   `json:"crash"`
	Objects   []expObj `json:"objects"`
}

// corpusFiles lists (data file, expected JSON) pairs under dir.
func corpusFiles(t *testing.T, root string) [][2]string {
	var out [][2]string
	filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if strings.HasPrefix(rel, "expected") {
			return nil
		}
		exp := filepath.Join(root, "expected", rel+".json")
		if _, err := os.Stat(exp); err == nil {
			out = append(out, [2]string{p, exp})
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// TestCorpusQuick compares datasets and attributes of the shared corpus
// against the h5py ground truth (../shared/corpus/*/expected, made by
// expected_format.py): object types, dtypes, shapes and sha256 of data.
// Failures are logged; CORPUS_STRICT=1 makes them fail the test (the
// scored conformance run is conformance_test.go).
func TestCorpusQuick(t *testing.T) {
	roots := []string{"../../shared/corpus/hdf5", "../../shared/corpus/nwb"}
	if _, err := os.Stat(roots[0]); err != nil {
		t.Skip("../shared/corpus not present")
	}
	st := checkExpected(t, roots)
	for _, s := range st.fails {
		if len(s) > 300 {
			s = s[:300]
		}
		t.Log(s)
	}
	t.Logf("objects %d/%d, datasets %d/%d, attributes %d/%d", st.okObj, st.nObj, st.okDS, st.nDS, st.okAttr, st.nAttr)
	if os.Getenv("CORPUS_STRICT") != "" && len(st.fails) > 0 {
		t.Fail()
	}
	// NWB files must match fully.
	for _, s := range st.fails {
		if strings.HasPrefix(s, "nwb/") {
			t.Errorf("NWB mismatch: %s", s)
		}
	}
}

// checkExpectedDir checks every file with ground truth under root and
// fails on any mismatch; it returns the number of datasets compared.
func checkExpectedDir(t *testing.T, root string) int {
	st := checkExpected(t, []string{root})
	for _, s := range st.fails {
		t.Error(s)
	}
	return st.nDS
}

type checkStats struct {
	nDS, okDS, nAttr, okAttr, nObj, okObj int
	fails                                 []string
}

func checkExpected(t *testing.T, roots []string) checkStats {
	only := os.Getenv("CORPUS_ONLY")
	skip := map[string]bool{}
	for _, p := range strings.Split(os.Getenv("CORPUS_SKIP"), ",") {
		skip[p] = true
	}
	var st checkStats
	nDS, okDS, nAttr, okAttr, nObj, okObj := &st.nDS, &st.okDS, &st.nAttr, &st.okAttr, &st.nObj, &st.okObj
	fails := &st.fails
	for _, root := range roots {
		for _, pair := range corpusFiles(t, root) {
			if only != "" && !strings.Contains(pair[0], only) {
				continue
			}
			b, err := os.ReadFile(pair[1])
			if err != nil {
				t.Fatal(err)
			}
			var ef expFile
			if err := json.Unmarshal(b, &ef); err != nil {
				t.Fatalf("%s: %v", pair[1], err)
			}
			if ef.OpenError != "" || ef.Crash != "" {
				continue
			}
			name := strings.TrimPrefix(strings.TrimPrefix(pair[0], "../../shared/corpus/"), "../")
			f, err := Open(pair[0])
			if err != nil {
				*fails = append(*fails, fmt.Sprintf("%s: open: %v", name, err))
				*nObj += len(ef.Objects)
				continue
			}
			for _, eo := range ef.Objects {
				if skip[eo.Path] {
					continue
				}
				*nObj++
				obj, oerr := f.Object(eo.Path)
				switch eo.Type {
				case "group", "dataset", "datatype":
				default:
					*okObj++
					continue
				}
				if oerr != nil {
					*fails = append(*fails, fmt.Sprintf("%s %s: %v", name, eo.Path, oerr))
					continue
				}
				kinds := map[string]Kind{"group": KindGroup, "dataset": KindDataset, "datatype": KindDatatype}
				if obj.Kind() != kinds[eo.Type] {
					*fails = append(*fails, fmt.Sprintf("%s %s: kind %v want %s", name, eo.Path, obj.Kind(), eo.Type))
					continue
				}
				*okObj++
				if eo.SameAs != "" {
					continue
				}
				// attributes
				if len(eo.Attrs) > 0 {
					as, err := obj.Attrs()
					if _, bad := eo.Attrs["__error__"]; bad {
						// h5py could not iterate them either
						*nAttr++
						if err != nil {
							*okAttr++
						} else {
							*fails = append(*fails, fmt.Sprintf("%s %s: attrs readable, h5py: %v", name, eo.Path, eo.Attrs["__error__"]))
						}
					} else if err != nil {
						*fails = append(*fails, fmt.Sprintf("%s %s: attrs: %v", name, eo.Path, err))
						*nAttr += len(eo.Attrs)
					} else {
						byName := map[string]*Attribute{}
						for _, a := range as {
							byName[a.Name] = a
						}
						for an, eav := range eo.Attrs {
							ea, ok := eav.(map[string]any)
							if !ok {
								continue
							}
							if _, ok := ea["read_error"]; ok {
								continue
							}
							*nAttr++
							a := byName[an]
							if a == nil {
								*fails = append(*fails, fmt.Sprintf("%s %s@%s: missing", name, eo.Path, an))
								continue
							}
							if dt, _ := ea["dtype"].(string); dt != numpyDtype(a.Type) {
								*fails = append(*fails, fmt.Sprintf("%s %s@%s: dtype %s want %s", name, eo.Path, an, numpyDtype(a.Type), dt))
								continue
							}
							want, _ := ea["sha256"].(string)
							if a.Null {
								if ea["shape"] == nil {
									*okAttr++
								} else {
									*fails = append(*fails, fmt.Sprintf("%s %s@%s: null", name, eo.Path, an))
								}
								continue
							}
							got, err := canonicalSHA(f, a.data, int(a.n), a.Type)
							if err != nil || got != want {
								*fails = append(*fails, fmt.Sprintf("%s %s@%s: sha mismatch (%v)", name, eo.Path, an, err))
								continue
							}
							*okAttr++
						}
					}
				}
				if eo.Type == "datatype" {
					nt := obj.(*NamedType)
					if numpyDtype(nt.Type()) != eo.Dtype {
						*fails = append(*fails, fmt.Sprintf("%s %s: named dtype %s want %s", name, eo.Path, numpyDtype(nt.Type()), eo.Dtype))
					}
				}
				if eo.Type != "dataset" {
					continue
				}
				ds := obj.(*Dataset)
				if numpyDtype(ds.Type()) != eo.Dtype {
					*fails = append(*fails, fmt.Sprintf("%s %s: dtype %s want %s", name, eo.Path, numpyDtype(ds.Type()), eo.Dtype))
				}
				if eo.Dtype != "" && fmt.Sprint(eo.Shape) != fmt.Sprint(ds.Shape()) && !(len(eo.Shape) == 0 && len(ds.Shape()) == 0) {
					*fails = append(*fails, fmt.Sprintf("%s %s: shape %v want %v", name, eo.Path, ds.Shape(), eo.Shape))
				}
				if eo.Sha == "" {
					continue
				}
				*nDS++
				raw, err := ds.ReadRaw(nil)
				if err != nil {
					*fails = append(*fails, fmt.Sprintf("%s %s: read (%s %s): %v", name, eo.Path, eo.Layout, eo.Dtype, err))
					continue
				}
				got, err := canonicalSHA(f, raw, int(ds.NumElements()), ds.Type())
				if err != nil || got != eo.Sha {
					*fails = append(*fails, fmt.Sprintf("%s %s: sha mismatch %s %s (%v)", name, eo.Path, eo.Layout, eo.Dtype, err))
					continue
				}
				*okDS++
			}
			f.Close()
		}
	}
	return st
}
