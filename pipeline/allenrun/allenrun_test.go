package allenrun

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/allen/s3emu"
	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/pipeline"
)

const fixtures = "../../../shared/fixtures/default"

// An allen: input in a run spec: the Visual Behavior Neuropixels session
// is fetched from the S3 emulator into the cache (BLAKE2b verified), the
// tuning step on it equals the step on the same bytes read locally (the
// emulator serves ../shared/fixtures/default/ecephys_gratings.nwb as
// session 1043752325), and a rerun neither downloads nor recomputes.
func TestRunAllenInput(t *testing.T) {
	fx := s3emu.NewFixture(fixtures)
	if _, real := s3emu.Payload(fixtures, "ecephys_gratings.nwb", 1); !real {
		t.Skip("../shared/fixtures absent: the emulator would serve generated (non-NWB) bytes")
	}
	ts := s3emu.NewTestServer(fx.Server)
	defer ts.Close()
	cache := t.TempDir()
	res := New(cache, ts.URL)
	o := &pipeline.RunOptions{ToolVersion: "test", Allen: res}
	spec, m := runAllen(t, "visual-behavior-neuropixels@0.5.0/ecephys_session/1043752325", o)
	in := m.Inputs
	if len(in) != 1 || in[0].Kind != "allen" || in[0].Name != "visual-behavior-neuropixels-0.5.0.ecephys_session_1043752325" ||
		!strings.HasPrefix(in[0].Digest, "blake2b-512:") || !strings.HasPrefix(in[0].Location, cache) {
		t.Fatalf("inputs %+v", in)
	}
	got, err := os.ReadFile(in[0].Location)
	if err != nil {
		t.Fatal(err)
	}
	if d := s3emu.Blake2b512(got); "blake2b-512:"+d != in[0].Digest {
		t.Fatalf("cached file's BLAKE2b %s, manifest %s", d, in[0].Digest)
	}
	sameTuning(t, spec, m, pipeline.SessionRef{Name: "x", Kind: "file", Location: filepath.Join(fixtures, "ecephys_gratings.nwb")})
	fx.Server.ResetStats()
	m2, err := pipeline.Run(context.Background(), spec, o)
	if err != nil || m2.Summary.Cached != 1 || m2.Summary.Computed != 0 {
		t.Fatalf("rerun: %+v, %v", m2.Summary, err)
	}
	if st := fx.Server.Stats(); st.Bytes != 0 {
		t.Errorf("rerun downloaded %d bytes of objects again", st.Bytes)
	}
}

// References that are not sessions, unknown projects and unknown session
// kinds are the user's input errors (ErrSpec), before any network use.
func TestResolveAllenBadRefs(t *testing.T) {
	res := New(t.TempDir(), "http://127.0.0.1:1") // nothing listens: a network call would fail differently
	for _, s := range []string{"visual-behavior-neuropixels", "no-such-project@1/ecephys_session/1", "visual-coding-neuropixels/nosuchkind/715093703", "allen:vbn@0.5.0/ecephys_session/x"} {
		if _, err := res.ResolveAllen(context.Background(), s); !errors.Is(err, pipeline.ErrSpec) {
			t.Errorf("%s: err %v, want ErrSpec", s, err)
		}
	}
}

// A Visual Coding session (a DANDI-mirrored project) is found on the DANDI
// emulator by its session id in the asset path and streamed; its tuning
// equals the embedded copy's (the emulator serves those bytes).
func TestRunAllenVisualCoding(t *testing.T) {
	b, err := examples.ReadFile("ecephys_gratings.nwb")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "s.nwb")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := mirror.FromFiles("000021", map[string]string{"sub-699733573/sub-699733573_ses-715093703.nwb": p})
	if err != nil {
		t.Fatal(err)
	}
	ts := mirror.NewTestServer(srv)
	defer ts.Close()
	res := New(t.TempDir(), "http://127.0.0.1:1", dandi.WithAPIURL(ts.URL+"/api"))
	spec, m := runAllen(t, "visual-coding-neuropixels/session/715093703", &pipeline.RunOptions{ToolVersion: "test", Allen: res})
	in := m.Inputs
	if len(in) != 1 || in[0].Kind != "dandi" || in[0].Name != "visual-coding-neuropixels.session_715093703" || !strings.HasPrefix(in[0].Location, ts.URL) {
		t.Fatalf("inputs %+v", in)
	}
	sameTuning(t, spec, m, pipeline.SessionRef{Name: "x", Kind: "example", Location: "ecephys_gratings"})
	if _, err := res.ResolveAllen(context.Background(), "visual-coding-neuropixels/session/715093704"); err == nil || !strings.Contains(err.Error(), "715093703") {
		t.Errorf("unknown session: %v (want the closest ids named)", err)
	}
}

// runAllen runs drifting-grating tuning on one allen input into a fresh
// results folder; any error is fatal.
func runAllen(t *testing.T, ref string, o *pipeline.RunOptions) (*pipeline.Spec, *pipeline.Manifest) {
	t.Helper()
	spec, err := pipeline.ParseSpec(strings.NewReader("inputs:\n  - allen: "+ref+"\nanalyses:\n  - tuning: {intervals: drifting_gratings_presentations, by: orientation}\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	spec.Out = filepath.Join(t.TempDir(), "results")
	m, err := pipeline.Run(context.Background(), spec, o)
	if err != nil {
		t.Fatal(err)
	}
	return spec, m
}

// sameTuning checks that the stored tuning result of m equals the step run
// on the local session ref (bit for bit: the same bytes were served).
func sameTuning(t *testing.T, spec *pipeline.Spec, m *pipeline.Manifest, ref pipeline.SessionRef) {
	t.Helper()
	r, err := pipeline.ReadResult(spec.Out, m.Results[0])
	if err != nil {
		t.Fatal(err)
	}
	local, err := pipeline.RunSession(context.Background(), ref, spec)
	if err != nil {
		t.Fatal(err)
	}
	a, b := r.Tuning.Units, local.Analyses[0].Tuning.Units
	if len(a) == 0 || len(a) != len(b) {
		t.Fatalf("%d vs %d units", len(a), len(b))
	}
	for i := range a {
		for c := range a[i].Rates {
			if a[i].Rates[c] != b[i].Rates[c] {
				t.Fatalf("unit %d condition %d: via allen %v, local %v", i, c, a[i].Rates[c], b[i].Rates[c])
			}
		}
	}
}
