package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/examples"
)

// A DANDI input (dandiset + glob) is listed through the API and streamed
// with HTTP range reads from the in-process DANDI emulator (127.0.0.1), and
// gives the same result as the local file; reruns skip it by the archive's
// sha256.
func TestRunDANDIStream(t *testing.T) {
	_, api := mirrorExamples(t)
	o := &RunOptions{ToolVersion: "test", DANDI: []dandi.Option{dandi.WithAPIURL(api)}}
	spec, m := runTuning(t, "  - dandi: DANDI:000999/draft\n    glob: \"*gratings*\"\n", o)
	if len(m.Inputs) != 1 || m.Inputs[0].Kind != "dandi" || m.Inputs[0].Name != "sub-1.sub-1_ses-ecephys_gratings" || !strings.HasPrefix(m.Inputs[0].Digest, "sha256:") {
		t.Fatalf("inputs %+v", m.Inputs)
	}
	sameTuning(t, spec, m, SessionRef{Name: "x", Kind: "example", Location: "ecephys_gratings"})
	m2, err := Run(context.Background(), spec, o)
	if err != nil || m2.Summary.Cached != 1 || m2.Summary.Computed != 0 {
		t.Fatalf("rerun: %+v, %v", m2.Summary, err)
	}
}

// runTuning runs drifting-grating tuning on the inputs (YAML list items)
// into a fresh results folder; any error is fatal.
func runTuning(t *testing.T, inputs string, o *RunOptions) (*Spec, *Manifest) {
	t.Helper()
	spec, err := ParseSpec(strings.NewReader("inputs:\n"+inputs+"analyses:\n  - tuning: {intervals: drifting_gratings_presentations, by: orientation}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	spec.Out = filepath.Join(t.TempDir(), "results")
	m, err := Run(context.Background(), spec, o)
	if err != nil {
		t.Fatal(err)
	}
	if m.Summary.Computed != 1 {
		t.Fatalf("summary %+v errors %+v", m.Summary, m.Errors)
	}
	return spec, m
}

// sameTuning checks that the stored tuning result of m equals the step run
// on the local session ref (bit for bit: the same bytes were served).
func sameTuning(t *testing.T, spec *Spec, m *Manifest, ref SessionRef) {
	t.Helper()
	remote, err := ReadResult(spec.Out, m.Results[0])
	if err != nil {
		t.Fatal(err)
	}
	local, err := RunSession(context.Background(), ref, spec)
	if err != nil {
		t.Fatal(err)
	}
	a, b := remote.Tuning.Units, local.Analyses[0].Tuning.Units
	if len(a) != len(b) || len(a) == 0 {
		t.Fatalf("%d vs %d units", len(a), len(b))
	}
	for i := range a {
		for c := range a[i].Rates {
			if a[i].Rates[c] != b[i].Rates[c] || a[i].GOSI != b[i].GOSI {
				t.Fatalf("unit %d condition %d: remote %v, local %v", i, c, a[i].Rates[c], b[i].Rates[c])
			}
		}
	}
}

// mirrorExamples serves two embedded example sessions as dandiset 000999
// from the in-process DANDI emulator.
func mirrorExamples(t *testing.T) (*mirror.Server, string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for _, n := range []string{"ecephys_gratings", "behavior_place"} {
		b, err := examples.ReadFile(n + ".nwb")
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, n+".nwb")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		files["sub-1/sub-1_ses-"+n+".nwb"] = p
	}
	srv, err := mirror.FromFiles("000999", files)
	if err != nil {
		t.Fatal(err)
	}
	ts := mirror.NewTestServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts.URL + "/api"
}

// mode fetch: the asset is downloaded (verified) into the cache, analysed
// as a local file with the same result as the embedded copy, and a rerun
// neither downloads it again nor recomputes. A download corrupted on the
// wire fails the digest check and the input, with an error naming it.
func TestRunDANDIFetch(t *testing.T) {
	srv, api := mirrorExamples(t)
	cache := t.TempDir()
	o := &RunOptions{ToolVersion: "test", DANDI: []dandi.Option{dandi.WithAPIURL(api)}}
	spec, m := runTuning(t, "  - dandi: DANDI:000999/draft\n    glob: \"*gratings*\"\n    mode: fetch\n    cache: "+cache+"\n", o)
	in := m.Inputs
	want := filepath.Join(cache, "000999", "sub-1", "sub-1_ses-ecephys_gratings.nwb")
	if len(in) != 1 || in[0].Kind != "file" || in[0].Location != want || in[0].Name != "sub-1.sub-1_ses-ecephys_gratings" || !strings.HasPrefix(in[0].Digest, "sha256:") {
		t.Fatalf("inputs %+v", in)
	}
	got, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := examples.ReadFile("ecephys_gratings.nwb")
	if string(got) != string(orig) {
		t.Fatalf("fetched %d bytes differ from the served file (%d bytes)", len(got), len(orig))
	}
	if d, _ := fileDigest(want); d != in[0].Digest {
		t.Fatalf("digest %s, file %s", in[0].Digest, d)
	}
	sameTuning(t, spec, m, SessionRef{Name: "x", Kind: "example", Location: "ecephys_gratings"})
	srv.ResetStats()
	m2, err := Run(context.Background(), spec, o)
	if err != nil || m2.Summary.Cached != 1 || m2.Summary.Computed != 0 {
		t.Fatalf("rerun: %+v, %v", m2.Summary, err)
	}
	if st := srv.Stats(); st.Bytes != 0 {
		t.Errorf("rerun downloaded %d bytes again", st.Bytes)
	}

	// Corrupt bytes on the wire, in a fresh cache: the digest check fails,
	// and the session is a failed session of the run (exit 3 in the CLI),
	// never analysed from a bad copy.
	srv.Faults = mirror.NewFaults(mirror.Fault{Kind: mirror.Corrupt})
	spec.Inputs[0].Cache = t.TempDir()
	spec.Out = filepath.Join(t.TempDir(), "results")
	m3, err := Run(context.Background(), spec, o)
	if !errors.Is(err, ErrPartial) || m3 == nil || m3.Summary.FailedSessions != 1 || len(m3.Errors) != 1 ||
		!strings.Contains(m3.Errors[0].Error, "sub-1/sub-1_ses-ecephys_gratings.nwb") || !strings.Contains(m3.Errors[0].Error, "checksum") {
		t.Fatalf("corrupt download: err %v, manifest %+v", err, m3)
	}
	t.Logf("corrupt download: %s", m3.Errors[0].Error)
	if _, serr := os.Stat(filepath.Join(spec.Inputs[0].Cache, "000999", "sub-1", "sub-1_ses-ecephys_gratings.nwb")); serr == nil {
		t.Error("a corrupt download was left at its final path")
	}
}

// An interrupted run resumes: results finished before the cancellation are
// kept (their keys match) and only the rest is computed by the next run.
func TestRunResumesAfterInterrupt(t *testing.T) {
	spec := DemoSpec(filepath.Join(t.TempDir(), "results"))
	spec.Jobs = 1
	ctx, cancel := context.WithCancel(context.Background())
	o := &RunOptions{ToolVersion: "test", Progress: func(s string) {
		if strings.Contains(s, " done in ") {
			cancel() // after the first finished analysis
		}
	}}
	m, err := Run(ctx, spec, o)
	if err == nil || ctx.Err() == nil {
		t.Fatalf("interrupted run: err %v", err)
	}
	done := m.Summary.Computed
	if done < 1 || done >= 6 {
		t.Fatalf("%d analyses finished before the interrupt, want 1..5", done)
	}
	m2, err := Run(context.Background(), spec, &RunOptions{ToolVersion: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if m2.Summary.Cached != done || m2.Summary.Computed != 6-done {
		t.Errorf("resumed: %d cached, %d computed; want %d and %d", m2.Summary.Cached, m2.Summary.Computed, done, 6-done)
	}
}

// The memory budget bounds the sessions in flight: each needs at least
// 16 MiB (4 × file size, at least 16 MiB), so a 16 MiB budget runs one at a
// time even with 3 jobs allowed; a large budget lets them overlap up to jobs.
func TestRunMemoryBound(t *testing.T) {
	for _, c := range []struct {
		memory string
		max    int
	}{{"16MiB", 1}, {"1GiB", 3}} {
		var mu sync.Mutex
		cur, peak := 0, 0
		testHookSession = func(d int) {
			mu.Lock()
			cur += d
			peak = max(peak, cur)
			mu.Unlock()
			if d > 0 {
				time.Sleep(50 * time.Millisecond) // let the others start if they may
			}
		}
		spec := DemoSpec(filepath.Join(t.TempDir(), "results"))
		spec.Jobs, spec.Memory = 3, c.memory
		if _, err := Run(context.Background(), spec, nil); err != nil {
			t.Fatal(err)
		}
		testHookSession = nil
		if peak > c.max || (c.max == 1 && peak != 1) {
			t.Errorf("memory %s: %d sessions at once, want at most %d", c.memory, peak, c.max)
		}
	}
}
