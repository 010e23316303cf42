package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/examples"
)

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
	return code, out.String(), errb.String()
}

var testdataHDF5 = filepath.Join("..", "..", "testdata", "hdf5")

type gtObject struct {
	Path     string                     `json:"path"`
	Type     string                     `json:"type"`
	SameAs   string                     `json:"same_as"`
	Target   string                     `json:"target"`
	File     string                     `json:"file"`
	Dtype    string                     `json:"dtype"`
	Shape    *[]uint64                  `json:"shape"`
	Layout   string                     `json:"layout"`
	Chunks   *[]uint64                  `json:"chunks"`
	Filters  *[]int                     `json:"filters"`
	SHA256   string                     `json:"sha256"`
	Attrs    map[string]json.RawMessage `json:"attrs"`
	NElem    *uint64                    `json:"n_elements"`
	MaxShape []any                      `json:"maxshape"`
}

type gtFile struct {
	File    string     `json:"file"`
	Objects []gtObject `json:"objects"`
}

// inspect --json --checksums reproduces the h5py ground truth written by
// ../shared/corpus/expected_format.py (committed in testdata/hdf5/expected)
// field for field.
func TestInspectJSONMatchesGroundTruth(t *testing.T) {
	for _, name := range []string{"types_v0.h5", "chunk_index_v3.h5", "superblock_v2.h5", "userblock.h5"} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(t, "inspect", "--json", "--checksums", filepath.Join(testdataHDF5, name))
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var got gtFile
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out[:min(len(out), 500)])
			}
			b, err := os.ReadFile(filepath.Join(testdataHDF5, "expected", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var want gtFile
			if err := json.Unmarshal(b, &want); err != nil {
				t.Fatal(err)
			}
			if got.File != want.File {
				t.Errorf("file %q, want %q", got.File, want.File)
			}
			if len(got.Objects) != len(want.Objects) {
				t.Errorf("%d objects, want %d", len(got.Objects), len(want.Objects))
			}
			for i := 0; i < min(len(got.Objects), len(want.Objects)); i++ {
				g, w := got.Objects[i], want.Objects[i]
				if g.Path != w.Path || g.Type != w.Type || g.SameAs != w.SameAs || g.Target != w.Target || g.File != w.File {
					t.Errorf("object %d: %s %s, want %s %s", i, g.Path, g.Type, w.Path, w.Type)
					continue
				}
				if g.Dtype != w.Dtype || g.Layout != w.Layout || !reflect.DeepEqual(g.Shape, w.Shape) ||
					!reflect.DeepEqual(g.Chunks, w.Chunks) || !reflect.DeepEqual(g.Filters, w.Filters) ||
					!reflect.DeepEqual(g.NElem, w.NElem) || !reflect.DeepEqual(g.MaxShape, w.MaxShape) {
					t.Errorf("%s: got %s %v %s %v %v, want %s %v %s %v %v", g.Path, g.Dtype, g.Shape, g.Layout, g.Chunks, g.Filters,
						w.Dtype, w.Shape, w.Layout, w.Chunks, w.Filters)
				}
				if g.SHA256 != w.SHA256 {
					t.Errorf("%s: sha256 %q, want %q", g.Path, g.SHA256, w.SHA256)
				}
				if len(g.Attrs) != len(w.Attrs) {
					t.Errorf("%s: %d attributes, want %d", g.Path, len(g.Attrs), len(w.Attrs))
				}
				for an, wa := range w.Attrs {
					var wv, gv struct {
						Dtype  string `json:"dtype"`
						SHA256 string `json:"sha256"`
					}
					json.Unmarshal(wa, &wv)
					json.Unmarshal(g.Attrs[an], &gv)
					if gv != wv {
						t.Errorf("%s@%s: %+v, want %+v", g.Path, an, gv, wv)
					}
				}
			}
		})
	}
}

func TestInspectTreeView(t *testing.T) {
	code, out, errOut := runCLI(t, "inspect", filepath.Join(testdataHDF5, "types_v0.h5"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"/acquisition/ElectricalSeries  Group  [ElectricalSeries]", // NWB neurodata_type shown
		"/acquisition/ElectricalSeries/data  Dataset {16, 4}",
		"Filters:   deflate(1)",
		"/links/soft  Soft Link {/floats/le_f8}",
		"/links/external  External Link {ext_target.h5//data}",
		"/links/hard_again  Dataset, same as /ints/le_i2",
		"Attribute: unit vlen-str(utf-8) scalar = \"volts\"",
		"/layouts/compact  Dataset {4, 5}",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tree view lacks %q", want)
		}
	}
	if strings.Contains(out, "SHA256") {
		t.Error("checksums printed without --checksums")
	}
}

func TestInspectExitCodes(t *testing.T) {
	// not an HDF5 file: the file itself cannot be opened -> 1
	if code, _, errOut := runCLI(t, "inspect", filepath.Join(testdataHDF5, "bad_not_hdf5.h5")); code != ExitError || !strings.Contains(errOut, "hdf5") {
		t.Errorf("bad_not_hdf5: exit %d (%s), want %d", code, errOut, ExitError)
	}
	// a truncated file may open (its superblock is intact) but then objects
	// past the end fail: 1 or 3, never 0
	if code, _, _ := runCLI(t, "inspect", filepath.Join(testdataHDF5, "bad_truncated.h5")); code != ExitError && code != ExitPartial {
		t.Errorf("bad_truncated: exit %d, want %d or %d", code, ExitError, ExitPartial)
	}
	// a dataset whose external raw file is missing: partial -> 3, and the
	// JSON names the dataset with a read_error
	code, out, _ := runCLI(t, "inspect", "--json", filepath.Join(testdataHDF5, "external_raw.h5"))
	if code != ExitPartial {
		t.Errorf("external_raw: exit %d, want %d", code, ExitPartial)
	}
	var f struct {
		Objects []struct {
			Path      string `json:"path"`
			ReadError string `json:"read_error"`
		} `json:"objects"`
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range f.Objects {
		if o.Path == "/missing_raw" && o.ReadError != "" {
			found = true
		}
		if o.Path == "/raw" && o.ReadError != "" {
			t.Errorf("/raw: unexpected read_error %s", o.ReadError)
		}
	}
	if !found {
		t.Error("/missing_raw has no read_error")
	}
	if code, _, _ := runCLI(t, "inspect", filepath.Join(testdataHDF5, "no_such_file.h5")); code != ExitUsage {
		t.Errorf("missing file: exit %d, want %d", code, ExitUsage)
	}
	if code, _, _ := runCLI(t, "inspect", "a.h5", "b.h5"); code != ExitUsage {
		t.Errorf("two files: exit %d, want %d", code, ExitUsage)
	}
}

// The embedded example sessions are NWB (HDF5) files: inspect lists them
// and shows their neurodata types.
func TestInspectExample(t *testing.T) {
	if len(examples.Names()) == 0 {
		t.Skip("no embedded examples")
	}
	code, out, errOut := runCLI(t, "inspect", "--example")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "inspect --nwb") {
		t.Errorf("no hint about the NWB view on stderr: %q", errOut)
	}
	if !strings.Contains(out, "/  Group") || !strings.Contains(out, "[NWBFile]") {
		t.Errorf("example listing lacks the root group or the NWBFile type:\n%s", out[:min(len(out), 800)])
	}
}

// Datasets over --checksum-limit are skipped (as the ground truth skips
// those over 64 MiB), which is not a read failure.
func TestInspectChecksumLimit(t *testing.T) {
	code, out, errOut := runCLI(t, "inspect", "--json", "--checksums", "--checksum-limit", "100", filepath.Join(testdataHDF5, "types_v0.h5"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var f struct {
		Objects []struct {
			Path      string `json:"path"`
			SHA256    string `json:"sha256"`
			ReadError string `json:"read_error"`
		} `json:"objects"`
	}
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatal(err)
	}
	skipped, summed := 0, 0
	for _, o := range f.Objects {
		switch {
		case o.Path == "/layouts/contiguous": // 200 float64 = 1600 bytes
			if !strings.HasPrefix(o.ReadError, "skipped: larger than 100 bytes") {
				t.Errorf("%s: read_error %q", o.Path, o.ReadError)
			}
			skipped++
		case o.Path == "/ints/le_i4": // 20 bytes
			if o.SHA256 == "" {
				t.Errorf("%s: no checksum", o.Path)
			}
			summed++
		}
	}
	if skipped != 1 || summed != 1 {
		t.Fatalf("datasets not found (%d, %d)", skipped, summed)
	}
}
