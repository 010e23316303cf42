package info

import (
	"math"
	"testing"
)

// FuzzMI: arbitrary stimulus/response code pairs never panic or hang, and
// every estimator returns a finite value or an error.
func FuzzMI(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1, 2, 3, 0, 1}, uint8(0))
	f.Add([]byte{5, 200, 5, 200, 7, 1}, uint8(3))
	f.Add([]byte{}, uint8(5))
	f.Fuzz(func(t *testing.T, b []byte, e uint8) {
		if len(b) > 512 {
			b = b[:512]
		}
		n := len(b) / 2
		stim, resp := make([]int, n), make([]int, n)
		for i := 0; i < n; i++ {
			stim[i], resp[i] = int(b[2*i]%16), int(b[2*i+1])
		}
		est := Estimators[int(e)%len(Estimators)]
		v, err := MI(stim, resp, est, &Settings{QERepeats: 2, Shuffles: 2})
		if err == nil && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("%v on %v/%v = %v", est, stim, resp, v)
		}
		if n > 0 {
			if _, err := SpecificInfo(stim, resp); err != nil {
				t.Fatal(err)
			}
		}
	})
}
