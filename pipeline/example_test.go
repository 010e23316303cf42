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
