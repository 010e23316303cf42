package activations_test

import (
	"fmt"
	"path/filepath"

	"github.com/neurodata/neurodata/analysis/rsa/activations"
)

// Open reads a big-endian, Fortran-ordered .npy written by numpy and
// returns it as float64 in C order.
func ExampleOpen() {
	arrs, err := activations.Open(filepath.Join("..", "..", "..", "testdata", "npy", "f4_be_fortran.npy"))
	if err != nil {
		fmt.Println(err)
		return
	}
	a := arrs[0]
	fmt.Println(a.Name, a.DType, a.Shape, a.Data[:3])
	fmt.Println(a.CheckStimuli(5))
	// Output:
	// f4_be_fortran >f4 [4 3] [0 -1.5 3]
	// activations: shape mismatch: layer "f4_be_fortran" has shape [4 3] (4 rows) but the stimulus list has 5 entries
}

// OpenMapped streams a layer by feature-column blocks without decoding it
// whole.
func ExampleOpenMapped() {
	m, err := activations.OpenMapped(filepath.Join("..", "..", "..", "testdata", "npy", "f8_c_3d.npy"))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer m.Close()
	r, c := m.Dims()
	blk := make([]float64, r*2)
	m.ReadColumns(blk, 10, 12)
	fmt.Println(r, c, fmt.Sprintf("%.4f", blk))
	// Output:
	// 2 12 [3.3333 -3.6667 7.3333 -7.6667]
}
