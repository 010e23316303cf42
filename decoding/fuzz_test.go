package decoding

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// FuzzStratifiedKFold: arbitrary labels and k never panic; a returned
// assignment covers every trial, and within each class fold sizes differ
// by at most one (the round-robin allocation).
func FuzzStratifiedKFold(f *testing.F) {
	f.Add([]byte{0, 0, 0, 1, 1, 1, 2, 2, 2, 2}, uint8(3))
	f.Add([]byte{5, 1, 5, 1, 5}, uint8(2))
	f.Add([]byte{}, uint8(5))
	f.Fuzz(func(t *testing.T, labels []byte, k uint8) {
		y := make([]int, len(labels))
		for i, b := range labels {
			y[i] = int(b % 7)
		}
		folds, err := StratifiedKFold(y, int(k), nil)
		if err != nil {
			return
		}
		if len(folds) != len(y) {
			t.Fatalf("%d folds for %d trials", len(folds), len(y))
		}
		per := map[int][]int{}
		for i, v := range folds {
			if v < 0 || v >= int(k) {
				t.Fatalf("fold %d out of range", v)
			}
			if per[y[i]] == nil {
				per[y[i]] = make([]int, k)
			}
			per[y[i]][v]++
		}
		// Across classes the total per fold differs by at most one too.
		tot := make([]int, k)
		for _, c := range per {
			for j, v := range c {
				tot[j] += v
			}
		}
		lo, hi := len(y), 0
		for _, v := range tot {
			lo, hi = min(lo, v), max(hi, v)
		}
		if hi-lo > 1 {
			t.Fatalf("fold totals %v", tot)
		}
	})
}

// FuzzBayesDecode: tuning curves and counts with NaN, Inf, negative or
// huge values give an error or a decode into a visited bin, never a panic.
func FuzzBayesDecode(f *testing.F) {
	f.Add([]byte{10, 1, 5, 5, 1, 10}, []byte{2, 0}, uint8(2), uint8(3))
	f.Add([]byte{255, 0, 0, 255}, []byte{0, 0, 7, 1}, uint8(2), uint8(2))
	f.Fuzz(func(t *testing.T, tun, cnt []byte, nu, tau uint8) {
		if nu == 0 || len(tun) < int(nu) || len(cnt) < int(nu) {
			return
		}
		nb := len(tun) / int(nu)
		val := func(b byte) float64 {
			switch b {
			case 254:
				return math.NaN()
			case 253:
				return math.Inf(1)
			case 252:
				return -1
			}
			return float64(b)
		}
		tm := mat.NewDense(nb, int(nu), nil)
		for i := 0; i < nb*int(nu); i++ {
			tm.Set(i/int(nu), i%int(nu), val(tun[i]))
		}
		nt := len(cnt) / int(nu)
		cm := mat.NewDense(nt, int(nu), nil)
		for i := 0; i < nt*int(nu); i++ {
			cm.Set(i/int(nu), i%int(nu), val(cnt[i]))
		}
		d := &BayesDecoder{Tuning: tm, BinSize: float64(tau) / 10, Chunk: 3}
		got, err := d.Decode(nil, cm, func(int, *mat.Dense, *mat.Dense) {}, nil)
		if err != nil {
			return
		}
		for _, b := range got {
			for _, v := range tm.RawRowView(b) {
				if math.IsNaN(v) {
					t.Fatalf("decoded unvisited bin %d", b)
				}
			}
		}
	})
}
