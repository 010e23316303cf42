// Package examples embeds three simulated sessions so that neurodata works
// offline: `neurodata inspect --example`, `neurodata export --example` and
// the analysis commands' --example flag, tests and documentation.
//
// The sessions are the project's own simulated data (../shared/fixtures,
// "compressed" storage variant: every dataset of ≥ 2048 elements chunked
// with shuffle + deflate), written by pynwb 2.3.1, each with a truth file of
// the parameters it was simulated from:
//
//	ecephys_gratings  40 units on two Neuropixels-like probes, drifting gratings (136 presentations), running speed
//	ophys_scenes      100 ROIs of dF/F at 30 Hz, 40 natural scenes × 8 repeats, plus "DNN layer" activations (.npy)
//	behavior_place    30 hippocampal units, 2 m linear track, 40 laps, position at 50 Hz
package examples

import (
	"bytes"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
)

//go:embed data/*.nwb data/*.json data/*.npy
var data embed.FS

// Default is the session used when a command is given --example without a name.
const Default = "ecephys_gratings"

// Names lists the embedded sessions.
func Names() []string {
	var out []string
	for _, f := range Files() {
		if strings.HasSuffix(f, ".nwb") {
			out = append(out, strings.TrimSuffix(f, ".nwb"))
		}
	}
	return out
}

// Files lists every embedded file name (sessions, truth files, .npy arrays).
func Files() []string {
	ents, _ := fs.ReadDir(data, "data")
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

// Open returns a reader over the embedded NWB file of a session (name as
// in Names, with or without ".nwb") and its size in bytes; pass both to
// nwb.NewReader.
func Open(name string) (io.ReaderAt, int64, error) {
	b, err := ReadFile(strings.TrimSuffix(name, ".nwb") + ".nwb")
	if err != nil {
		return nil, 0, fmt.Errorf("examples: no session %q (have %s)", name, strings.Join(Names(), ", "))
	}
	return bytes.NewReader(b), int64(len(b)), nil
}

// ReadFile returns an embedded file by name, e.g.
// "ophys_scenes.layer_true.npy" or "ecephys_gratings.truth.json". The
// returned slice must not be modified.
func ReadFile(name string) ([]byte, error) {
	if strings.ContainsAny(name, "/\\") {
		return nil, fmt.Errorf("examples: bad file name %q", name)
	}
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, fmt.Errorf("examples: %w", err)
	}
	return b, nil
}
