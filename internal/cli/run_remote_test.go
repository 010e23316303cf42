package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/allen/s3emu"
	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/pipeline"
)

// runDANDIMirror serves the embedded gratings example as dandiset 000999 from
// the in-process DANDI emulator and returns its API base.
func runDANDIMirror(t *testing.T) string {
	t.Helper()
	b, err := examples.ReadFile("ecephys_gratings.nwb")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "g.nwb")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := mirror.FromFiles("000999", map[string]string{"sub-1/sub-1_ses-gratings.nwb": p})
	if err != nil {
		t.Fatal(err)
	}
	ts := mirror.NewTestServer(srv)
	t.Cleanup(ts.Close)
	return ts.URL + "/api"
}

func runManifest(t *testing.T, args ...string) *pipeline.Manifest {
	t.Helper()
	code, out, errs := ndRun(t, append([]string{"run", "--json"}, args...)...)
	if code != ExitOK {
		t.Fatalf("run %v: exit %d: %s", args, code, errs)
	}
	var m pipeline.Manifest
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// A bare DANDI id goes to the API named by DANDI_API_URL (streamed), or by
// --api-url (which wins over the variable) with mode: fetch into a cache,
// as `neurodata ls/fetch` do; the archive itself is never contacted.
func TestRunDANDIAPIURL(t *testing.T) {
	api := runDANDIMirror(t)
	an := "tuning:intervals=drifting_gratings_presentations,by=orientation"
	t.Setenv("DANDI_API_URL", api)
	m := runManifest(t, "--input", "DANDI:000999/draft", "--analysis", an, "--out", filepath.Join(t.TempDir(), "r"))
	if len(m.Inputs) != 1 || m.Inputs[0].Kind != "dandi" || !strings.HasPrefix(m.Inputs[0].Location, strings.TrimSuffix(api, "/api")) || m.Summary.Computed != 1 {
		t.Fatalf("streamed: inputs %+v summary %+v", m.Inputs, m.Summary)
	}

	t.Setenv("DANDI_API_URL", "http://127.0.0.1:1/api") // nothing listens there: the flag must win
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	spec := "inputs:\n  - dandi: DANDI:000999/draft\n    mode: fetch\n    cache: cache\nanalyses:\n  - tuning: {intervals: drifting_gratings_presentations, by: orientation}\n"
	if err := os.WriteFile(filepath.Join(dir, "spec.yaml"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	m = runManifest(t, filepath.Join(dir, "spec.yaml"), "--api-url", api, "--out", filepath.Join(dir, "r"))
	want := filepath.Join(cache, "000999", "sub-1", "sub-1_ses-gratings.nwb")
	if len(m.Inputs) != 1 || m.Inputs[0].Kind != "file" || m.Inputs[0].Location != want || m.Summary.Computed != 1 {
		t.Fatalf("fetched: inputs %+v summary %+v", m.Inputs, m.Summary)
	}
	got, err := os.ReadFile(want)
	orig, _ := examples.ReadFile("ecephys_gratings.nwb")
	if err != nil || string(got) != string(orig) {
		t.Fatalf("cached copy differs from the served file (%v)", err)
	}
}

// `neurodata run --input allen:…` fetches the session from the S3 emulator
// (--s3-url) into --allen-cache and analyses it.
func TestRunAllenInputCLI(t *testing.T) {
	const fx = "../../../shared/fixtures/default"
	if _, real := s3emu.Payload(fx, "ecephys_gratings.nwb", 1); !real {
		t.Skip("../shared/fixtures absent: the emulator would serve generated (non-NWB) bytes")
	}
	f := s3emu.NewFixture(fx)
	ts := s3emu.NewTestServer(f.Server)
	defer ts.Close()
	cache := t.TempDir()
	m := runManifest(t, "--input", "allen:visual-behavior-neuropixels@0.5.0/ecephys_session/1043752325", "--s3-url", ts.URL,
		"--allen-cache", cache, "--analysis", "stats", "--out", filepath.Join(t.TempDir(), "r"))
	if len(m.Inputs) != 1 || m.Inputs[0].Kind != "allen" || !strings.HasPrefix(m.Inputs[0].Location, cache) || m.Summary.Computed != 1 {
		t.Fatalf("inputs %+v summary %+v errors %+v", m.Inputs, m.Summary, m.Errors)
	}
	// Without the flag, $ALLEN_CACHE_DIR is the folder, as for allen ls/fetch.
	env := t.TempDir()
	t.Setenv("ALLEN_CACHE_DIR", env)
	m = runManifest(t, "--input", "allen:visual-behavior-neuropixels@0.5.0/ecephys_session/1043752325", "--s3-url", ts.URL,
		"--analysis", "stats", "--out", filepath.Join(t.TempDir(), "r"))
	if len(m.Inputs) != 1 || !strings.HasPrefix(m.Inputs[0].Location, env) {
		t.Fatalf("with ALLEN_CACHE_DIR: inputs %+v errors %+v", m.Inputs, m.Errors)
	}
}
