package hdf5_test

import (
	"bytes"
	"fmt"
	"log"
	"os"

	"github.com/neurodata/neurodata/hdf5"
)

// Open a file, look at a dataset and read a hyperslab of it.
func ExampleOpen() {
	f, err := hdf5.Open("../testdata/hdf5/types_v0.h5")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	ds, err := f.Dataset("/acquisition/ElectricalSeries/data")
	if err != nil {
		log.Fatal(err)
	}
	unit, err := ds.Attr("unit")
	if err != nil {
		log.Fatal(err)
	}
	u, _ := unit.String()
	fmt.Println(ds.Shape(), ds.Type().NumpyDtype(), ds.Chunks(), u)
	// rows 2..3, every other column
	v, err := ds.ReadFloat64s(&hdf5.Hyperslab{Start: []uint64{2, 0}, Count: []uint64{2, 2}, Stride: []uint64{1, 2}})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(v))
	// Output:
	// [16 4] <f4 [8 4] volts
	// 4
}

// Walk visits every object depth-first in name order.
func ExampleFile_Walk() {
	f, err := hdf5.Open("../testdata/hdf5/types_v0.h5")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	n := 0
	f.Walk(func(path string, obj hdf5.Object, link *hdf5.Link, err error) error {
		if path == "/acquisition/ElectricalSeries/data" {
			fmt.Println(path, obj.Kind() == hdf5.KindDataset)
		}
		n++
		return nil
	})
	fmt.Println(n > 1)
	// Output:
	// /acquisition/ElectricalSeries/data true
	// true
}

// NewReader reads from any io.ReaderAt, here a file held in memory.
func ExampleNewReader() {
	b, err := os.ReadFile("../testdata/hdf5/types_v0.h5")
	if err != nil {
		log.Fatal(err)
	}
	f, err := hdf5.NewReader(bytes.NewReader(b), int64(len(b)), hdf5.WithWorkers(2))
	if err != nil {
		log.Fatal(err)
	}
	a, err := f.Root().Attr("title")
	if err != nil {
		log.Fatal(err)
	}
	s, _ := a.String()
	fmt.Println(f.SuperblockVersion(), s)
	// Output:
	// 0 neurodata testdata: datatypes
}
