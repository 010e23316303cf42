package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/pipeline"
)

// fixtureFolder copies the nine ../shared/fixtures sessions (3 storage
// variants × 3 sessions, with the scenes session's .npy model layers beside
// it) into a temporary folder, or skips.
func fixtureFolder(t *testing.T) string {
	t.Helper()
	src := filepath.Join("..", "..", "..", "shared", "fixtures")
	dst := t.TempDir()
	n := 0
	for _, v := range []string{"default", "compressed", "latest"} {
		ents, err := os.ReadDir(filepath.Join(src, v))
		if err != nil {
			t.Skipf("shared fixtures absent (%v)", err)
		}
		if err := os.MkdirAll(filepath.Join(dst, v), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if ext := filepath.Ext(e.Name()); ext != ".nwb" && ext != ".npy" {
				continue
			}
			b, err := os.ReadFile(filepath.Join(src, v, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, v, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
			if filepath.Ext(e.Name()) == ".nwb" {
				n++
			}
		}
	}
	if n != 9 {
		t.Fatalf("%d fixture sessions, want 9", n)
	}
	return dst
}

const runTestSpec = `inputs:
  - path: %IN%
analyses:
  - tuning: {intervals: drifting_gratings_presentations, by: orientation}
    sessions: "*gratings*"
  - info: {intervals: drifting_gratings_presentations, by: orientation, permutations: 20}
    sessions: "*gratings*"
  - decode: {intervals: drifting_gratings_presentations, by: orientation, permutations: %PERM%}
    sessions: "*gratings*"
  - rsa: {intervals: natural_scenes_presentations, by: frame, response: dff, permutations: 50, bootstrap: 50, splits: 5}
    sessions: "*scenes*"
  - place: {position: processing/behavior/Position/position, bin: 0.05}
    sessions: "*place*"
memory: 64MiB
jobs: 2
`

func writeSpec(t *testing.T, dir, in, perm string) string {
	t.Helper()
	p := filepath.Join(dir, "spec.yaml")
	s := strings.NewReplacer("%IN%", in, "%PERM%", perm).Replace(runTestSpec)
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func statuses(m *pipeline.Manifest) map[string]int {
	c := map[string]int{}
	for _, e := range m.Results {
		c[e.Status+":"+e.Analysis]++
		c[e.Status]++
	}
	return c
}

// Acceptance 2 of issue 10. The issue says "a folder with the nine
// fixtures files plus a deliberately corrupt file: eight sessions'
// results, one clear error, exit 3". Nine files plus one corrupt file are
// ten sessions, of which nine have results; "eight" holds when the corrupt
// file is one of the nine. Both are checked: (1) nine fixtures + a corrupt
// tenth → nine sessions with every result, one session error naming the
// file, exit 3; (2) one of the nine truncated in place → eight + one.
// Then a second run does no work (every analysis "cached", none computed),
// and changing one parameter (decode permutations) recomputes only the
// decode analysis of the three gratings sessions.
func TestRunFixturesCorruptAndResume(t *testing.T) {
	in := fixtureFolder(t)
	good, err := os.ReadFile(filepath.Join(in, "default", "ecephys_gratings.nwb"))
	if err != nil {
		t.Fatal(err)
	}
	// A truncated copy (the first 64 KiB of a session): a download cut short.
	if err := os.MkdirAll(filepath.Join(in, "broken"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "broken", "ecephys_gratings.nwb"), good[:64<<10], 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	out := filepath.Join(work, "results")
	spec := writeSpec(t, work, in, "20")

	code, stdout, stderr := ndRun(t, "run", spec, "--out", out, "--json")
	if code != ExitPartial {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitPartial, stderr)
	}
	var m pipeline.Manifest
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatalf("--json: %v\n%s", err, stdout)
	}
	if m.Summary.Sessions != 10 || m.Summary.FailedSessions != 1 || len(m.Errors) != 1 {
		t.Fatalf("summary %+v, errors %+v", m.Summary, m.Errors)
	}
	e := m.Errors[0]
	if e.Session != "broken.ecephys_gratings" || e.Analysis != "" || !strings.Contains(e.Error, filepath.Join("broken", "ecephys_gratings.nwb")) || !strings.Contains(e.Error, "nwb:") {
		t.Errorf("error %+v: want the broken session, naming its file and the reason", e)
	}
	// 3 gratings sessions × (tuning, info, decode) + 3 scenes × rsa + 3 place × place.
	st := statuses(&m)
	if st["computed"] != 15 || st["failed"] != 0 || st["computed:decode"] != 3 || st["computed:rsa"] != 3 || st["computed:place"] != 3 {
		t.Errorf("statuses %v", st)
	}
	sessions := map[string]bool{}
	for _, r := range m.Results {
		sessions[r.Session] = true
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(r.Path))); err != nil {
			t.Errorf("%s/%s: %v", r.Session, r.Analysis, err)
		}
	}
	if len(sessions) != 9 {
		t.Errorf("%d sessions with results, want 9", len(sessions))
	}
	for _, in := range m.Inputs {
		if !strings.HasPrefix(in.Digest, "sha256:") || len(in.Digest) != 7+64 {
			t.Errorf("input %s digest %q", in.Name, in.Digest)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "manifest.json")); err != nil {
		t.Fatal(err)
	}
	// No temporary files left behind.
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(p, ".tmp") {
			t.Errorf("temporary file left: %s", p)
		}
		return nil
	})

	// Second run: nothing to do (the broken session still fails, exit 3).
	code, stdout, _ = ndRun(t, "run", spec, "--out", out, "--json")
	var m2 pipeline.Manifest
	if err := json.Unmarshal([]byte(stdout), &m2); err != nil || code != ExitPartial {
		t.Fatalf("rerun exit %d: %v", code, err)
	}
	if st := statuses(&m2); st["computed"] != 0 || st["cached"] != 15 {
		t.Errorf("rerun statuses %v, want 15 cached, 0 computed", st)
	}

	// One parameter changed: only that analysis is recomputed.
	spec = writeSpec(t, work, in, "30")
	code, stdout, _ = ndRun(t, "run", spec, "--out", out, "--json")
	var m3 pipeline.Manifest
	if err := json.Unmarshal([]byte(stdout), &m3); err != nil || code != ExitPartial {
		t.Fatalf("third run exit %d: %v", code, err)
	}
	if st := statuses(&m3); st["computed"] != 3 || st["computed:decode"] != 3 || st["cached"] != 12 {
		t.Errorf("after changing decode permutations: %v, want only the 3 decode results recomputed", st)
	}
	for _, e := range m3.Results {
		if e.Analysis != "decode" {
			continue
		}
		res, err := pipeline.ReadResult(out, e)
		if err != nil {
			t.Fatal(err)
		}
		if res.Decode.Permutations != 30 || res.Key != e.Key {
			t.Errorf("%s: stored decode has %d permutations, key %s (manifest %s)", e.Session, res.Decode.Permutations, res.Key, e.Key)
		}
	}

	// "Eight": one of the nine truncated in place.
	t.Run("eight", func(t *testing.T) {
		if err := os.RemoveAll(filepath.Join(in, "broken")); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(in, "latest", "behavior_place.nwb")
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b[:len(b)/3], 0o644); err != nil {
			t.Fatal(err)
		}
		out8 := filepath.Join(t.TempDir(), "results")
		code, stdout, _ := ndRun(t, "run", "--input", in, "--out", out8, "--json",
			"--analysis", "tuning:intervals=drifting_gratings_presentations,by=orientation,sessions=*gratings*",
			"--analysis", "rsa:intervals=natural_scenes_presentations,by=frame,response=dff,permutations=20,bootstrap=20,splits=2,sessions=*scenes*",
			"--analysis", "place:position=processing/behavior/Position/position,bin=0.05,sessions=*place*")
		var m pipeline.Manifest
		if err := json.Unmarshal([]byte(stdout), &m); err != nil || code != ExitPartial {
			t.Fatalf("exit %d: %v", code, err)
		}
		ok := map[string]bool{}
		for _, r := range m.Results {
			if r.Status == "computed" {
				ok[r.Session] = true
			}
		}
		var failed []string
		for _, e := range m.Errors {
			failed = append(failed, e.Session+"/"+e.Analysis)
		}
		sort.Strings(failed)
		if len(ok) != 8 || len(failed) != 1 || !strings.HasPrefix(failed[0], "latest.behavior_place") {
			t.Errorf("%d sessions with results, errors %v; want 8 and one error for latest.behavior_place", len(ok), failed)
		}
	})
}

func TestRunUsageErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("inputs: [{example: ecephys_gratings}]\nanalyses: [{tuning: {intervals: a, by: b, colour: red}}]\n"), 0o644)
	for _, args := range [][]string{
		{"run"},
		{"run", bad},
		{"run", "--input", "example:ecephys_gratings", "--analysis", "tuning:intervals=a,by=b,nosuch=1"},
		{"run", "--input", "example:nosuch", "--analysis", "tuning:intervals=a,by=b"},
		{"run", "--input", "example:ecephys_gratings", "--analysis", "svm:x=1"},
	} {
		if code, _, stderr := ndRun(t, append(args, "--out", filepath.Join(dir, "r"))...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitUsage, stderr)
		}
	}
	// Nothing written at the results path by a rejected spec.
	if _, err := os.Stat(filepath.Join(dir, "r", "manifest.json")); err == nil {
		t.Error("manifest written for a rejected spec")
	}
}
