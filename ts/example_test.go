package ts_test

import (
	"fmt"

	"github.com/neurodata/neurodata/ts"
)

func ExampleCountWindows() {
	spikes := []float64{0.1, 0.5, 1.0, 1.2, 2.5}
	starts := []float64{0, 1, 2}
	ends := []float64{1, 2, 3}
	fmt.Println(ts.CountWindows(nil, spikes, starts, ends)) // half-open [start, end)
	// Output: [2 2 1]
}

func ExampleNewIntervalSet() {
	set, warns, _ := ts.NewIntervalSet([]float64{3, 0, 1}, []float64{4, 2, 2.5})
	fmt.Println(set, set.Duration())
	fmt.Println(len(warns), "warnings")
	// Output:
	// [0, 2.5] [3, 4] 3.5
	// 2 warnings
}

func ExampleSeries_ValueAt() {
	pos, _ := ts.NewRegularSeries(0, 10, []float64{0, 1, 2, 3}, 1, ts.IntervalSet{}) // 10 Hz
	fmt.Println(pos.ValueAt(0.14, 0, ts.Nearest), pos.ValueAt(0.14, 0, ts.Before), pos.ValueAt(0.14, 0, ts.After))
	// Output: 1 1 2
}

func ExampleBin() {
	centres, counts, _ := ts.Bin([]float64{0.05, 0.15, 0.16, 0.31}, ts.Span(0, 0.3), 0.1)
	fmt.Println(centres, counts)
	// Output: [0.05 0.15 0.25] [1 2 0]
}

func ExampleAlign() {
	rel := ts.Align([]float64{0.9, 1.2, 2.05}, []float64{1, 2}, -0.2, 0.5)
	fmt.Println(rel[0], rel[1])
	// Output: [-0.09999999999999998 0.19999999999999996] [0.04999999999999982]
}

func ExampleUnits_CountWindows() {
	u, _, _ := ts.NewUnits([]int64{101, 102}, [][]float64{{0.2, 0.4, 1.5}, {1.1, 1.2, 1.3}}, ts.Span(0, 2))
	fmt.Println(u.CountWindows([]float64{0, 1}, []float64{1, 2}, 0), u.Rates())
	// Output: [[2 1] [0 3]] [1.5 1.5]
}

func ExampleNewWindowSet() {
	// Back-to-back 2 s trials, prepared once and counted for each unit.
	ws, _ := ts.NewWindowSet([]float64{0, 2, 4}, []float64{2, 4, 6})
	units := [][]float64{{0.1, 1.9, 2, 5.5}, {4, 6}}
	for _, train := range units {
		fmt.Println(ws.Count(nil, train))
	}
	// Output:
	// [2 1 1]
	// [0 0 1]
}
