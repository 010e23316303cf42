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

// Tuning with a running-speed series: the trials counted as running at a
// 5 cm/s threshold are the simulation's running presentations (truth
// running.presentation_running_state: 19 of 136; stationary speed is
// |N(0, 0.4)| cm/s, running ≥ 4 cm/s with mean 20), and every unit gets a
// running modulation; without the series none does.
func TestTuningRunning(t *testing.T) {
	f, err := openSession(context.Background(), SessionRef{Kind: "example", Location: "ecephys_gratings"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var truth struct {
		Running struct {
			State []int `json:"presentation_running_state"`
		} `json:"running"`
	}
	readTruth(t, "ecephys_gratings.truth.json", &truth)
	want := 0
	for _, s := range truth.Running.State {
		want += s
	}
	p := &TuningParams{Intervals: "drifting_gratings_presentations", By: "orientation", Running: "processing/running/running_speed", RunningThreshold: 5}
	r, err := Tuning(context.Background(), f, p)
	if err != nil {
		t.Fatal(err)
	}
	if r.RunningTrials != want || r.Rows != len(truth.Running.State) || r.SpeedUnit == "" {
		t.Fatalf("%d of %d trials running (%s), truth %d of %d", r.RunningTrials, r.Rows, r.SpeedUnit, want, len(truth.Running.State))
	}
	for _, u := range r.Units {
		if u.RunningModulation == nil || u.RunningP == nil {
			t.Fatalf("unit %d: no running modulation", u.UnitID)
		}
	}
	p.Running = ""
	if r, err = Tuning(context.Background(), f, p); err != nil || r.RunningTrials != -1 || r.Units[0].RunningModulation != nil {
		t.Fatalf("without running: %v, %d, %v", err, r.RunningTrials, r.Units[0].RunningModulation)
	}
}
