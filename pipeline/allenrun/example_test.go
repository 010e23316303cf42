package allenrun_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/neurodata/neurodata/allen/s3emu"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/pipeline"
	"github.com/neurodata/neurodata/pipeline/allenrun"
)

// A run spec with an allen: input. Offline here: the S3 emulator (on
// 127.0.0.1) serves the embedded ecephys_gratings example as Visual
// Behavior Neuropixels session 1043752325; against the real cloud cache,
// pass "" as the S3 URL. The session is fetched into the cache (BLAKE2b
// verified) once: the second run finds the unchanged result and neither
// downloads nor recomputes.
func Example() {
	tmp, err := os.MkdirTemp("", "allenrun-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(tmp)
	nwbBytes, err := examples.ReadFile("ecephys_gratings.nwb")
	if err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmp, "ecephys_gratings.nwb"), nwbBytes, 0o644); err != nil {
		log.Fatal(err)
	}
	emu := s3emu.NewTestServer(s3emu.NewFixture(tmp).Server)
	defer emu.Close()

	spec, err := pipeline.ParseSpec(strings.NewReader(`
inputs:
  - allen: visual-behavior-neuropixels@0.5.0/ecephys_session/1043752325
analyses:
  - tuning: {intervals: drifting_gratings_presentations, by: orientation}
`), "")
	if err != nil {
		log.Fatal(err)
	}
	spec.Out = filepath.Join(tmp, "results")
	o := &pipeline.RunOptions{ToolVersion: "example", Allen: allenrun.New(filepath.Join(tmp, "cache"), emu.URL)}
	for run := 1; run <= 2; run++ {
		m, err := pipeline.Run(context.Background(), spec, o)
		if err != nil {
			log.Fatal(err)
		}
		in := m.Inputs[0]
		fmt.Printf("run %d: %s (%s, %s…): %d computed, %d cached\n", run, in.Name, in.Kind, in.Digest[:len("blake2b-512:")], m.Summary.Computed, m.Summary.Cached)
		if run == 2 {
			r, err := pipeline.ReadResult(spec.Out, m.Results[0])
			if err != nil {
				log.Fatal(err)
			}
			fmt.Printf("%s: %d units, %d orientations\n", r.Analysis, len(r.Tuning.Units), len(r.Tuning.Conditions))
		}
	}
	// Output:
	// run 1: visual-behavior-neuropixels-0.5.0.ecephys_session_1043752325 (allen, blake2b-512:…): 1 computed, 0 cached
	// run 2: visual-behavior-neuropixels-0.5.0.ecephys_session_1043752325 (allen, blake2b-512:…): 0 computed, 1 cached
	// tuning: 40 units, 8 orientations
}
