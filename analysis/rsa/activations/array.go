package activations

import (
	"errors"
	"fmt"

	"gonum.org/v1/gonum/mat"
)

// ErrFormat is wrapped by every error about malformed file content.
var ErrFormat = errors.New("activations: malformed file")

// ErrShape is wrapped by errors about arrays whose shape does not fit the use.
var ErrShape = errors.New("activations: shape mismatch")

// Array is a numeric array converted to float64 and stored in C (row-major)
// order, whatever the order and element type of the file it came from.
type Array struct {
	Name  string // layer or tensor name
	DType string // element type as spelled in the file ("<f4", "F32", ...)
	Shape []int  // dimensions, outermost first
	Data  []float64
}

// Rows is the length of the first axis (stimuli, by convention); 1 for a
// scalar.
func (a *Array) Rows() int {
	if len(a.Shape) == 0 {
		return 1
	}
	return a.Shape[0]
}

// Cols is the product of the trailing axes (features per stimulus).
func (a *Array) Cols() int {
	if a.Rows() == 0 {
		return 0
	}
	return len(a.Data) / a.Rows()
}

// Matrix returns the array as a stimuli × features matrix sharing a.Data:
// the first axis becomes rows and all trailing axes are flattened in C order
// (a conv layer of shape N×C×H×W gives N rows of C·H·W features).
func (a *Array) Matrix() (*mat.Dense, error) {
	r, c := a.Rows(), a.Cols()
	if r == 0 || c == 0 {
		return nil, fmt.Errorf("%w: %q has shape %v, need at least one row and one feature", ErrShape, a.Name, a.Shape)
	}
	return mat.NewDense(r, c, a.Data), nil
}

// CheckStimuli returns an error naming the layer when its first axis does
// not have one row per stimulus.
func (a *Array) CheckStimuli(nStimuli int) error {
	if len(a.Shape) == 0 || a.Shape[0] != nStimuli {
		return fmt.Errorf("%w: layer %q has shape %v (%d rows) but the stimulus list has %d entries",
			ErrShape, a.Name, a.Shape, a.Rows(), nStimuli)
	}
	return nil
}
