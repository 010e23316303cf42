package pipeline

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// The stats step through Run (flag form, Parquet partition): spike counts
// equal the simulation's realised counts (examples/ecephys_gratings.truth.json
// n_spikes_realized) and each rate is n_spikes / support_s (its definition).
func TestRunStatsStep(t *testing.T) {
	a, err := ParseAnalysisFlag("stats:fano-bin=0.5,lvr-r=0.005,sessions=*gratings*")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	spec := &Spec{Inputs: []Input{{Example: "ecephys_gratings"}}, Analyses: []Analysis{a}, Out: out}
	m, err := Run(context.Background(), spec, &RunOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Results) != 1 || m.Results[0].Kind != "stats" || m.Results[0].Status != "computed" {
		t.Fatalf("results %+v", m.Results)
	}
	if _, err := os.Stat(filepath.Join(out, m.Results[0].Path)); err != nil {
		t.Fatal(err)
	}
	r, err := ReadResult(out, m.Results[0])
	if err != nil {
		t.Fatal(err)
	}
	st := r.Stats
	var truth struct {
		Units []struct {
			N int `json:"n_spikes_realized"`
		} `json:"units"`
	}
	readTruth(t, "ecephys_gratings.truth.json", &truth)
	if st == nil || len(st.Units) != len(truth.Units) || st.FanoBinS != 0.5 || !(st.SupportS > 0) {
		t.Fatalf("stats result %+v", st)
	}
	for u, tu := range truth.Units {
		s := st.Units[u]
		if s.NSpikes != tu.N {
			t.Errorf("unit %d: %d spikes, truth %d", u, s.NSpikes, tu.N)
		}
		if want := float64(s.NSpikes) / st.SupportS; math.Abs(float64(s.Rate)-want) > 1e-9*want {
			t.Errorf("unit %d: rate %g, n/support %g", u, float64(s.Rate), want)
		}
		if !(s.Fano > 0) || !(s.CV > 0) {
			t.Errorf("unit %d: fano %g, cv %g", u, float64(s.Fano), float64(s.CV))
		}
	}
	if err := (&StatsParams{FanoBin: -1}).Validate(); err == nil {
		t.Error("fano-bin -1 accepted")
	}
}
