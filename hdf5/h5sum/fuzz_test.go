package h5sum_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/hdf5/h5sum"
)

// FuzzSummarize runs the inspect/conformance path (every object, every
// attribute value and checksum, every dataset checksum) over mutated
// testdata files: errors are fine, panics and hangs are not.
func FuzzSummarize(f *testing.F) {
	dir := filepath.Join("..", "..", "testdata", "hdf5")
	for _, n := range []string{"superblock_v2.h5", "userblock.h5", "ext_target.h5", "bad_object_checksum.h5", "external_raw.h5"} {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		file, err := hdf5.NewReader(bytes.NewReader(b), int64(len(b)), hdf5.WithMaxAlloc(1<<24))
		if err != nil {
			return
		}
		defer file.Close()
		h5sum.Summarize(file, &h5sum.Options{Checksums: true, AttrValues: true, MaxReadBytes: 1 << 20})
	})
}
