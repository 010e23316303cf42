package filter_test

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/klauspost/compress/zlib"
	"github.com/neurodata/neurodata/hdf5/internal/filter"
)

// Undo a shuffle + deflate pipeline, the most common one in NWB files.
func ExampleDecode() {
	// Four little-endian int32 values, byte-shuffled (byte j of element i
	// at j*4+i) and then zlib-compressed, as HDF5 writes them.
	vals := []int32{1, 2, 300, -4}
	raw := make([]byte, 16)
	for i, v := range vals {
		binary.LittleEndian.PutUint32(raw[4*i:], uint32(v))
	}
	shuffled := make([]byte, 16)
	for i := 0; i < 4; i++ {
		for j := 0; j < 4; j++ {
			shuffled[j*4+i] = raw[i*4+j]
		}
	}
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(shuffled)
	w.Close()

	pipeline := []filter.Spec{{ID: filter.Shuffle, Params: []uint32{4}}, {ID: filter.Deflate, Params: []uint32{4}}}
	out, err := filter.Decode(pipeline, z.Bytes(), 4, 16, 0)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i := 0; i < 4; i++ {
		fmt.Print(int32(binary.LittleEndian.Uint32(out[4*i:])), " ")
	}
	fmt.Println()
	// Output: 1 2 300 -4
}
