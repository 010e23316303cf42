package pipeline_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/neurodata/neurodata/pipeline"
)

// RunSession is the per-session step: a session reference and a spec in,
// results out (nothing written). Here RSA of the embedded two-photon
// session against its three "DNN layers".
func ExampleRunSession() {
	spec, err := pipeline.ParseSpec(strings.NewReader(`
inputs: [{example: ophys_scenes}]
analyses:
  - rsa: {intervals: natural_scenes_presentations, by: frame, response: dff, permutations: 100, bootstrap: 100, splits: 10}
`), "")
	if err != nil {
		fmt.Println(err)
		return
	}
	refs, err := pipeline.Resolve(context.Background(), spec, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := pipeline.RunSession(context.Background(), refs[0], spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	r := res.Analyses[0].RSA
	fmt.Println(refs[0].Name, r.Conditions, "conditions")
	fmt.Println("ranking:", strings.Join(r.Ranking, " > "))
	// Output:
	// ophys_scenes 40 conditions
	// ranking: layer_true > layer_partial > layer_random
}

// Stats is the spike-train statistics step (here as a flag-built analysis
// run by RunSession). The spike count is the simulation's realised count
// (examples/data/ecephys_gratings.truth.json n_spikes_realized).
func ExampleStats() {
	a, err := pipeline.ParseAnalysisFlag("stats:fano-bin=1")
	if err != nil {
		fmt.Println(err)
		return
	}
	spec := &pipeline.Spec{Inputs: []pipeline.Input{{Example: "ecephys_gratings"}}, Analyses: []pipeline.Analysis{a}}
	res, err := pipeline.RunSession(context.Background(), pipeline.SessionRef{Name: "g", Kind: "example", Location: "ecephys_gratings"}, spec)
	if err != nil {
		fmt.Println(err)
		return
	}
	st := res.Analyses[0].Stats
	u := st.Units[0]
	fmt.Printf("%d units; unit %d: %d spikes, %.2f Hz, ISI CV %.2f\n", len(st.Units), u.UnitID, u.NSpikes, float64(u.Rate), float64(u.CV))
	// Output:
	// 40 units; unit 951009905: 3156 spikes, 5.66 Hz, ISI CV 1.02
}
