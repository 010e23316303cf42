package nwb_test

import (
	"bytes"
	"math"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/nwb"
)

// TestSummarize: the inspect view of the embedded ecephys session agrees
// with the fixtures README (6 tables; running speed 60 Hz from 0 s, 33481
// samples, so (33481-1)/60 = 558 s).
func TestSummarize(t *testing.T) {
	r, n, _ := examples.Open("ecephys_gratings")
	f, err := nwb.NewReader(r, n)
	if err != nil {
		t.Fatal(err)
	}
	s, err := nwb.Summarize(f)
	if err != nil || len(s.Problems) != 0 {
		t.Fatalf("%v %v", err, s.Problems)
	}
	rows := map[string]int{}
	for _, ti := range s.Tables {
		rows[ti.Path] = ti.Rows
	}
	if len(s.Tables) != 6 || rows["/units"] != 40 || rows["/intervals/trials"] != 136 || rows["/general/extracellular_ephys/electrodes"] != 768 {
		t.Errorf("tables %v", rows)
	}
	if len(s.Series) != 1 || s.Series[0].RateHz != 60 || math.Abs(s.Series[0].DurationS-558) > 1e-9 || s.Series[0].Shape[0] != 33481 {
		t.Errorf("series %+v", s.Series)
	}
	if s.Types["core.Units"] != 1 || s.Types["core.TimeIntervals"] != 4 || s.TypeSource != "cached" {
		t.Errorf("types %v from %s", s.Types, s.TypeSource)
	}
	var b bytes.Buffer
	if err := s.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"NWB version        2.6.0", "/units", "60 Hz from 0 s", "558.000 s", "running_speed (TimeSeries)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text view lacks %q:\n%s", want, b.String())
		}
	}
}
