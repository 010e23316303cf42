package nwbarrow_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet" // registers nwbarrow.Parquet
)

// Export the units table of a session to Parquet.
func ExampleTable() {
	r, size, _ := examples.Open("ecephys_gratings")
	f, _ := nwb.NewReader(r, size)
	defer f.Close()
	units, _ := f.Units()
	rr, _ := nwbarrow.Table(memory.DefaultAllocator, units.Table)
	defer rr.Release()
	for _, fld := range rr.Schema().Fields() {
		fmt.Println(fld.Name, fld.Type)
	}
	dir, _ := os.MkdirTemp("", "nwbarrow-example")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "units.parquet")
	if err := nwbarrow.WriteFile(out, nwbarrow.Parquet, memory.DefaultAllocator, rr); err != nil {
		fmt.Println(err)
	}
	// Output:
	// id int64
	// spike_times list<item: float64>
	// electrodes list<item: int64>
	// waveform_mean fixed_size_list<item: float32>[82]
	// quality utf8
	// location utf8
	// firing_rate float64
	// peak_channel_id int64
}

// Spike trains in long format (one row per spike).
func ExampleSpikes() {
	r, size, _ := examples.Open("behavior_place")
	f, _ := nwb.NewReader(r, size)
	units, _ := f.Units()
	rec, _ := nwbarrow.ReadAll(memory.DefaultAllocator, must(nwbarrow.Spikes(memory.DefaultAllocator, units)))
	defer rec.Release()
	fmt.Println(rec.Schema().Field(0).Name, rec.Schema().Field(1).Name, rec.NumRows() > 0)
	// Output: unit_id spike_time true
}

// Analysis results as a table (the bridge behind `--out result.parquet`).
func ExampleFromColumns() {
	rec, _ := nwbarrow.FromColumns(memory.DefaultAllocator, map[string]string{"analysis": "tuning"},
		nwbarrow.Col{Name: "unit_id", Values: []int64{951009905, 951046459}},
		nwbarrow.Col{Name: "pref_direction", Values: []float64{90, 225}, Unit: "deg"},
	)
	defer rec.Release()
	fmt.Println(rec.NumRows(), rec.Schema().Field(1).Type)
	// Output: 2 float64
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
