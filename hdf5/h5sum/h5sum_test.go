package h5sum_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/hdf5/h5sum"
)

type expected struct {
	Objects []struct {
		Path   string `json:"path"`
		Type   string `json:"type"`
		SameAs string `json:"same_as"`
		SHA256 string `json:"sha256"`
		Attrs  map[string]struct {
			SHA256 string `json:"sha256"`
		} `json:"attrs"`
	} `json:"objects"`
}

// The checksums of every dataset and attribute of the datatype-rich
// testdata files equal the h5py ground truth written by
// ../shared/corpus/expected_format.py (testdata/hdf5/expected, committed).
func TestChecksumsMatchGroundTruth(t *testing.T) {
	for _, name := range []string{"types_v0.h5", "chunk_index_v3.h5", "superblock_v2.h5"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "..", "testdata", "hdf5")
			b, err := os.ReadFile(filepath.Join(dir, "expected", name+".json"))
			if err != nil {
				t.Fatal(err)
			}
			var exp expected
			if err := json.Unmarshal(b, &exp); err != nil {
				t.Fatal(err)
			}
			f, err := hdf5.Open(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			nds, nattr := 0, 0
			for _, o := range exp.Objects {
				if o.SameAs != "" || (o.Type != "dataset" && o.Type != "group") {
					continue
				}
				obj, err := f.Object(o.Path)
				if err != nil {
					t.Errorf("%s: %v", o.Path, err)
					continue
				}
				if d, ok := obj.(*hdf5.Dataset); ok && o.SHA256 != "" {
					nds++
					got, err := h5sum.DatasetSHA256(d)
					if err != nil || got != o.SHA256 {
						t.Errorf("%s (%s): sha256 %s %v, want %s", o.Path, d.Type().NumpyDtype(), got, err, o.SHA256)
					}
				}
				for an, ae := range o.Attrs {
					if ae.SHA256 == "" {
						continue
					}
					nattr++
					a, err := obj.Attr(an)
					if err != nil {
						t.Errorf("%s@%s: %v", o.Path, an, err)
						continue
					}
					got, err := h5sum.AttrSHA256(a)
					if err != nil || got != ae.SHA256 {
						t.Errorf("%s@%s (%s): sha256 %s %v, want %s", o.Path, an, a.Type.NumpyDtype(), got, err, ae.SHA256)
					}
				}
			}
			if nds == 0 {
				t.Fatal("no datasets checked")
			}
			t.Logf("%d datasets, %d attributes checked", nds, nattr)
		})
	}
}

// float16bits rounds like numpy's float64 -> float16 cast; reference
// values from numpy: np.float16(x).view('u2').
func TestFloat16(t *testing.T) {
	for _, c := range []struct {
		f    float64
		want uint16
	}{{0, 0}, {1, 0x3c00}, {-2, 0xc000}, {65504, 0x7bff}, {1e-7, 0x0002}, {5.960464477539063e-08, 0x0001}, {0.1, 0x2e66}} {
		if got := h5sum.Float16Bits(c.f); got != c.want {
			t.Errorf("float16(%v) = %#04x, want %#04x", c.f, got, c.want)
		}
	}
}

// Hashing in slabs of a few rows gives the same checksum as one read
// (ground truth: testdata/hdf5/expected/chunk_index_v3.h5.json).
func TestSlabbedChecksum(t *testing.T) {
	defer h5sum.SetSlabBytes(100)()
	f, err := hdf5.Open(filepath.Join("..", "..", "testdata", "hdf5", "chunk_index_v3.h5"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, _ := os.ReadFile(filepath.Join("..", "..", "testdata", "hdf5", "expected", "chunk_index_v3.h5.json"))
	var exp expected
	if err := json.Unmarshal(b, &exp); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, o := range exp.Objects {
		if o.Type != "dataset" || o.SHA256 == "" {
			continue
		}
		d, err := f.Dataset(o.Path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := h5sum.DatasetSHA256(d)
		if err != nil || got != o.SHA256 {
			t.Errorf("%s: %s %v, want %s", o.Path, got, err, o.SHA256)
		}
		n++
	}
	if n < 5 {
		t.Fatalf("only %d datasets", n)
	}
}
