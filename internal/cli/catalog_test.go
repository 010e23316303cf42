package cli

import (
	"bytes"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neurodata/neurodata/catalog"
	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/examples"
)

func TestCatalogList(t *testing.T) {
	entries := catalog.Entries()
	code, out, errs := ndRun(t, "catalog")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, e := range entries {
		if !strings.Contains(out, e.Name) || !strings.Contains(out, e.Identifier) {
			t.Errorf("listing lacks %s %s", e.Name, e.Identifier)
		}
	}
	if !strings.Contains(out, "477.6 GB in 214 files") || !strings.Contains(out, "unverified") {
		t.Errorf("sizes not shown as checked/unverified:\n%s", out)
	}

	code, out, _ = ndRun(t, "catalog", "--json")
	var c catalog.Catalog
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil || len(c.Entries) != len(entries) {
		t.Fatalf("--json: exit %d, %d entries decoded, want %d", code, len(c.Entries), len(entries))
	}

	code, out, _ = ndRun(t, "catalog", "--theme", "rsa", "--json")
	c = catalog.Catalog{}
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil || len(c.Entries) == 0 {
		t.Fatalf("--theme rsa: exit %d, %d entries", code, len(c.Entries))
	}
	for _, e := range c.Entries {
		if !e.HasTheme("rsa") {
			t.Errorf("--theme rsa kept %s", e.Name)
		}
	}

	code, out, _ = ndRun(t, "catalog", "dandi:000056")
	if code != 0 || !strings.Contains(out, "neurodata fetch --dry-run dandi://dandi/000056/sub-Mouse24/") || !strings.Contains(out, "Checked against:") {
		t.Errorf("entry view (exit %d):\n%s", code, out)
	}

	for _, args := range [][]string{{"catalog", "--theme", "vibes"}, {"catalog", "no-such-set"}, {"catalog", "a", "b"}} {
		if code, _, errs := ndRun(t, args...); code != ExitUsage || errs == "" {
			t.Errorf("%v: exit %d (%s), want %d with a message", args, code, errs, ExitUsage)
		}
	}
}

// Every command printed in the catalog runs as written through the real
// command tree against local stand-ins for the archives: a DANDI mirror
// whose dandisets carry the catalog's ids (placeholder assets at the paths
// the commands name) and the Allen S3 emulator. Fetches run with
// --dry-run added, so nothing is downloaded; analyze and run commands,
// which need the real data, are checked by parsing their flags.
func TestCatalogCommandsRun(t *testing.T) {
	entries := catalog.Entries()
	srv := mirror.New()
	mod := time.Date(2024, 1, 25, 0, 0, 0, 0, time.UTC)
	paths := map[string][]string{}
	add := func(id, p string) { paths[id] = append(paths[id], p) }
	for _, e := range entries {
		for _, id := range e.DANDIIDs() {
			add(id, "sub-placeholder/sub-placeholder_ses-1.nwb")
		}
		for _, a := range positional(t, e.Fetch) {
			if r, err := dandi.ParseURL(a); err == nil {
				switch r.Kind {
				case dandi.KindPrefix:
					add(r.DandisetID, r.Path+"sub-placeholder_ses-2.nwb")
				case dandi.KindPath:
					add(r.DandisetID, r.Path)
				}
			}
		}
	}
	// The Visual Coding session named by the allen: fetch and analyze
	// commands: its real path on DANDI 000021 (dandi-allen.md §3.3).
	const vcSession = "sub-699733573/sub-699733573_ses-715093703.nwb"
	add("000021", vcSession)
	// Files the analyze and run commands read get the embedded example
	// session (built like a Visual Coding Neuropixels file) instead of
	// placeholder bytes, so those commands can run for real.
	example, err := examples.ReadFile("ecephys_gratings.nwb")
	if err != nil {
		t.Fatal(err)
	}
	real := map[string]bool{"000021/" + vcSession: true}
	for _, e := range entries {
		for _, in := range runInputs(t, e.Run) {
			if r, err := dandi.ParseURL(in); err == nil && r.Kind == dandi.KindPath {
				add(r.DandisetID, r.Path)
				real[r.DandisetID+"/"+r.Path] = true
			}
		}
	}
	for id, ps := range paths {
		v := &mirror.Version{Version: "draft", Name: "placeholder", Status: "Valid", Created: mod, Modified: mod}
		seen := map[string]bool{}
		for _, p := range ps {
			if seen[p] {
				continue
			}
			seen[p] = true
			body := []byte("placeholder " + id + "/" + p)
			if real[id+"/"+p] {
				body = example
			}
			a, err := mirror.NewAsset(id, p, bytes.NewReader(body), int64(len(body)), mod, nil)
			if err != nil {
				t.Fatal(err)
			}
			v.Assets = append(v.Assets, a)
		}
		srv.Add(&mirror.Dandiset{ID: id, Created: mod, Modified: mod, Versions: []*mirror.Version{v}})
	}
	ts := mirror.NewTestServer(srv)
	t.Cleanup(ts.Close)
	_, s3 := allenEmu(t)
	t.Setenv("DANDI_API_URL", ts.URL+"/api")
	t.Setenv("DANDI_API_KEY", "")
	t.Setenv("ALLEN_S3_URL", s3)
	t.Setenv("ALLEN_CACHE_DIR", t.TempDir())
	t.Chdir(t.TempDir()) // "-o data" stays inside the test

	root := NewRootCmd(&IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
	for _, e := range entries {
		for field, line := range e.Commands() {
			args, err := catalog.SplitCommand(line)
			if err != nil {
				t.Fatalf("%s %s: %v", e.Name, field, err)
			}
			args = args[1:] // drop "neurodata"
			switch field {
			case "ls":
				code, _, errs := ndRun(t, args...)
				if code != 0 {
					t.Errorf("%s: %q: exit %d: %s", e.Name, line, code, errs)
				}
			case "fetch":
				if !hasArg(args, "--dry-run") {
					args = append(args, "--dry-run")
				}
				code, out, errs := ndRun(t, append(args, "--json")...)
				var sum fetchSummary
				if code != 0 || json.Unmarshal([]byte(out), &sum) != nil || sum.Files == 0 {
					t.Errorf("%s: %q: exit %d, %d files: %s", e.Name, line, code, sum.Files, errs)
				}
				// The analyze command must name a file this fetch writes; then
				// fetch for real and run the analysis as printed.
				if e.Analyze != "" {
					an := positional(t, e.Analyze)
					if len(an) < 2 {
						t.Errorf("%s: analyze names no file", e.Name)
						continue
					}
					found := false
					for _, it := range sum.Items {
						if strings.HasSuffix(filepath.ToSlash(it.Dest), "/"+an[1]) {
							found = true
						}
					}
					if !found {
						t.Errorf("%s: analyze reads %s, which the fetch does not write (%d items)", e.Name, an[1], len(sum.Items))
						continue
					}
					fargs, _ := catalog.SplitCommand(e.Fetch)
					if code, _, errs := ndRun(t, fargs[1:]...); code != 0 {
						t.Errorf("%s: %q: exit %d: %s", e.Name, e.Fetch, code, errs)
						continue
					}
					aargs, _ := catalog.SplitCommand(e.Analyze)
					code, out, errs := ndRun(t, aargs[1:]...)
					if code != 0 || !strings.Contains(out, "unit_id") {
						t.Errorf("%s: %q: exit %d: %s", e.Name, e.Analyze, code, errs)
					}
				}
			case "run":
				if c, _, err := root.Find([]string{"run"}); err != nil || c == root {
					t.Logf("%s: `neurodata run` is not registered yet; %q not checked", e.Name, line)
					continue
				}
				// Point the DANDI inputs at the mirror (run does not read
				// DANDI_API_URL) and run it: every analysis must succeed.
				for i := 0; i+1 < len(args); i++ {
					if args[i] != "--input" {
						continue
					}
					r, err := dandi.ParseURL(args[i+1])
					if err != nil || r.Kind != dandi.KindPath {
						t.Errorf("%s: run input %q must name one DANDI file (%v)", e.Name, args[i+1], err)
						continue
					}
					args[i+1] = ts.URL + "/api/dandisets/" + r.DandisetID + "/versions/draft/assets/?path=" + url.QueryEscape(r.Path)
				}
				code, out, errs := ndRunLocked(append(args, "--json")...)
				var m struct {
					Summary struct{ Sessions, Computed, Failed int }
				}
				if code != 0 || json.Unmarshal([]byte(out), &m) != nil || m.Summary.Computed == 0 || m.Summary.Failed != 0 {
					t.Errorf("%s: %q: exit %d, %+v: %s", e.Name, line, code, m.Summary, errs)
				}
			case "analyze":
				cmd, rest, err := root.Find(args)
				if err != nil || cmd == root {
					t.Errorf("%s: %q: no such command (%v)", e.Name, line, err)
					continue
				}
				if err := cmd.ParseFlags(rest); err != nil {
					t.Errorf("%s: %q: %v", e.Name, line, err)
				}
			}
		}
	}
}

// runInputs returns the --input values of a run command line.
func runInputs(t *testing.T, line string) []string {
	t.Helper()
	if line == "" {
		return nil
	}
	args, err := catalog.SplitCommand(line)
	if err != nil {
		t.Fatal(err)
	}
	var in []string
	for i := 0; i+1 < len(args); i++ {
		if args[i] == "--input" {
			in = append(in, args[i+1])
		}
	}
	return in
}

// positional returns the words of a command line after "neurodata VERB"
// that are not flags or flag values (flags taking a value are the ones the
// catalog uses).
func positional(t *testing.T, line string) []string {
	t.Helper()
	args, err := catalog.SplitCommand(line)
	if err != nil {
		t.Fatal(err)
	}
	valued := map[string]bool{"-o": true, "--output": true, "--include": true, "--exclude": true, "--table": true,
		"--intervals": true, "--by": true, "--units": true, "--window": true, "--position": true, "--where": true}
	var out []string
	for i := 2; i < len(args); i++ {
		switch {
		case valued[args[i]]:
			i++
		case strings.HasPrefix(args[i], "-"):
		default:
			out = append(out, args[i])
		}
	}
	return out
}

func hasArg(args []string, a string) bool {
	for _, x := range args {
		if x == a {
			return true
		}
	}
	return false
}
