package pipeline

import (
	"encoding/json"
	"math"
	"strconv"
)

// F is a float64 that encodes NaN and ±Inf as JSON null (and decodes null
// as NaN), so results with undefined values round-trip through JSON.
type F float64

func (x F) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

func (x *F) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*x = F(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*x = F(f)
	return nil
}

// Fs is a []float64 with F's JSON encoding.
type Fs []float64

func (v Fs) MarshalJSON() ([]byte, error) {
	if v == nil {
		return []byte("null"), nil
	}
	b := []byte{'['}
	for i, x := range v {
		if i > 0 {
			b = append(b, ',')
		}
		e, _ := F(x).MarshalJSON()
		b = append(b, e...)
	}
	return append(b, ']'), nil
}

func (v *Fs) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*v = nil
		return nil
	}
	var fs []F
	if err := json.Unmarshal(b, &fs); err != nil {
		return err
	}
	out := make([]float64, len(fs))
	for i, x := range fs {
		out[i] = float64(x)
	}
	*v = out
	return nil
}

// toFs converts a [][]float64 to [][]Fs-compatible rows.
func rowsFs(m [][]float64) []Fs {
	out := make([]Fs, len(m))
	for i, r := range m {
		out[i] = Fs(r)
	}
	return out
}

func fsRows(m []Fs) [][]float64 {
	out := make([][]float64, len(m))
	for i, r := range m {
		out[i] = []float64(r)
	}
	return out
}
