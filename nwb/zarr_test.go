package nwb_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/nwb"
)

// Open refuses a Zarr store (Zarr v2 .zgroup/.zattrs or v3 zarr.json at
// its root) with ErrZarrStore, and any other directory with
// hdf5.ErrNotHDF5, instead of a read error on the directory.
func TestOpenZarrStore(t *testing.T) {
	dir := t.TempDir()
	for _, meta := range []string{".zgroup", ".zattrs", "zarr.json"} {
		store := filepath.Join(dir, "v"+meta+".nwb.zarr")
		if err := os.MkdirAll(store, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(store, meta), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
		if !nwb.IsZarrStore(store) {
			t.Errorf("%s: IsZarrStore false", meta)
		}
		if _, err := nwb.Open(store); !errors.Is(err, nwb.ErrZarrStore) {
			t.Errorf("%s: Open error %v, want ErrZarrStore", meta, err)
		}
	}
	plain := filepath.Join(dir, "plain")
	if err := os.Mkdir(plain, 0o755); err != nil {
		t.Fatal(err)
	}
	if nwb.IsZarrStore(plain) {
		t.Error("plain directory taken for a Zarr store")
	}
	if _, err := nwb.Open(plain); !errors.Is(err, hdf5.ErrNotHDF5) {
		t.Errorf("plain directory: Open error %v, want hdf5.ErrNotHDF5", err)
	}
}
