package pipeline

import "strings"

// DemoSpecYAML is the spec `neurodata demo` runs on the three embedded
// example sessions: tuning, information and decoding of drift direction on
// the gratings session (with PSTHs and rasters), RSA of the scenes session's dF/F against its three
// "DNN layers", and place fields on the linear track.
const DemoSpecYAML = `# neurodata demo: the embedded example sessions
inputs:
  - example: ecephys_gratings
  - example: ophys_scenes
  - example: behavior_place
analyses:
  - tuning: {intervals: drifting_gratings_presentations, by: orientation}
    sessions: "*gratings*"
  - psth: {intervals: drifting_gratings_presentations, window: "-0.5:2.5", bin: 0.05}
    sessions: "*gratings*"
  - info: {intervals: drifting_gratings_presentations, by: orientation, permutations: 200}
    sessions: "*gratings*"
  - decode:
      intervals: drifting_gratings_presentations
      by: orientation
      decoder: bayes
      permutations: 200
      time-resolved: 0.25
      curve: [1, 2, 5, 10, 20, 40]
    sessions: "*gratings*"
  - rsa: {intervals: natural_scenes_presentations, by: frame, response: dff, kernel: "0.05:0.35", permutations: 500, bootstrap: 500}
    sessions: "*scenes*"
  - place: {position: processing/behavior/Position/position, bin: 0.05}
    sessions: "*place*"
`

// DemoSpec returns the demo spec writing into out.
func DemoSpec(out string) *Spec {
	s, err := ParseSpec(strings.NewReader(DemoSpecYAML), "")
	if err != nil {
		panic(err) // the constant is tested
	}
	s.Out = out
	return s
}
