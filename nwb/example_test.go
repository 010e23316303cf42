package nwb_test

import (
	"fmt"

	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/nwb"
)

// Open a session, take its units, keep the good ones and read each one's
// spike times (seconds).
func Example() {
	r, size, _ := examples.Open("ecephys_gratings") // or: f, err := nwb.Open("session.nwb")
	f, err := nwb.NewReader(r, size)
	if err != nil {
		panic(err)
	}
	units, _ := f.Units()
	good, _ := units.Where("quality", "good")
	for _, row := range good[:3] {
		spikes, _ := units.SpikeTimes(row)
		fmt.Printf("unit row %d: %d spikes, first at %.4f s\n", row, len(spikes), spikes[0])
	}
	fmt.Println(len(good), "good units of", units.Len())
	// Output:
	// unit row 0: 3156 spikes, first at 0.3040 s
	// unit row 1: 2030 spikes, first at 1.1188 s
	// unit row 2: 5842 spikes, first at 0.0069 s
	// 36 good units of 40
}

// Trials as a ts.IntervalSet, and the running speed between two times.
func ExampleFile_Trials() {
	r, size, _ := examples.Open("ecephys_gratings")
	f, _ := nwb.NewReader(r, size)
	trials, _ := f.Trials()
	set, _, _ := trials.IntervalSet(nil)
	speed, _ := f.RunningSpeed()
	w, _ := speed.Window(10, 11)
	fmt.Printf("%d trials covering %.0f s; %d running-speed samples in [10, 11] s (%s)\n", set.Len(), set.Duration(), len(w.Times), w.Unit)
	// Output:
	// 136 trials covering 272 s; 61 running-speed samples in [10, 11] s (cm/s)
}

// Every table of a file, with row counts.
func ExampleFile_Tables() {
	r, size, _ := examples.Open("ophys_scenes")
	f, _ := nwb.NewReader(r, size)
	tabs, _ := f.Tables()
	for _, t := range tabs {
		fmt.Println(t.Path, t.Type.Name, t.Rows)
	}
	// Output:
	// /intervals/natural_scenes_presentations TimeIntervals 328
	// /processing/ophys/ImageSegmentation/PlaneSegmentation PlaneSegmentation 100
}
