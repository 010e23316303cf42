package h5sum_test

import (
	"fmt"
	"strings"

	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/hdf5/h5sum"
)

// The checksum equals the sha256 that the corpus ground-truth script
// computes with h5py (testdata/hdf5/expected/types_v0.h5.json).
func ExampleDatasetSHA256() {
	f, err := hdf5.Open("../../testdata/hdf5/types_v0.h5")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	d, err := f.Dataset("/ints/le_i4")
	if err != nil {
		fmt.Println(err)
		return
	}
	sum, err := h5sum.DatasetSHA256(d)
	fmt.Println(sum, err)
	// Output: e8c173b65422c8b7068762bdef96fd1470b9a33418adbd75f8a2d8ad35b62b0b <nil>
}

// Summarize lists objects like the ground truth: depth-first, sorted.
func ExampleSummarize() {
	f, err := hdf5.Open("../../testdata/hdf5/superblock_v2.h5")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	for _, o := range h5sum.Summarize(f, nil) {
		fmt.Println(strings.TrimSpace(o.Path + " " + o.Type + " " + o.Dtype))
	}
	// Output:
	// / group
	// /g group
	// /g/y dataset <i8
	// /x dataset <f4
}
