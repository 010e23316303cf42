package catalog

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neurodata/neurodata/allen"
	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
)

func TestEmbeddedParses(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Entries) < 10 {
		t.Fatalf("%d entries, want the curated list (>= 10)", len(c.Entries))
	}
	// The course themes the issue names must each have data.
	for _, th := range Themes {
		n := 0
		for i := range c.Entries {
			if c.Entries[i].HasTheme(th) {
				n++
			}
		}
		if n == 0 {
			t.Errorf("no entry for theme %q", th)
		}
	}
	// The data sets the issue names explicitly.
	for _, id := range []string{
		"DANDI:000021",                      // Visual Coding Neuropixels
		"DANDI:000728",                      // Visual Coding 2-photon
		"allen:visual-behavior-neuropixels", // Visual Behavior
		"allen:visual-behavior-ophys",
		"DANDI:000409", // IBL brain-wide map
		"DANDI:000044", // place cells
		"DANDI:000056", // head direction
		"DANDI:000060", // decision making
		"DANDI:000004", // human single units
	} {
		if _, err := Lookup(id); err != nil {
			t.Errorf("Lookup(%s): %v", id, err)
		}
	}
}

// Every entry's identifier and aliases parse with the archive packages'
// own parsers (no network), and every allen: project is one the allen
// package knows.
func TestIdentifiersParse(t *testing.T) {
	for _, e := range Entries() {
		for _, id := range append([]string{e.Identifier}, e.Aliases...) {
			switch {
			case strings.HasPrefix(id, "DANDI:"):
				r, err := dandi.ParseURL(id)
				if err != nil {
					t.Errorf("%s: dandi.ParseURL(%s): %v", e.Name, id, err)
					continue
				}
				if r.Kind != dandi.KindDandiset || "DANDI:"+r.DandisetID != id {
					t.Errorf("%s: %s parsed as %v %q", e.Name, id, r.Kind, r.DandisetID)
				}
			case strings.HasPrefix(id, "allen:"):
				ref, err := allen.ParseRef(id)
				if err != nil {
					t.Errorf("%s: allen.ParseRef(%s): %v", e.Name, id, err)
					continue
				}
				p, err := allen.LookupProject(ref.Project)
				if err != nil {
					t.Errorf("%s: %s: %v", e.Name, id, err)
					continue
				}
				// An allen: alias of a DANDI entry must be that project's mirror.
				if e.Archive == ArchiveDANDI && !contains(p.Dandisets, strings.TrimPrefix(e.Identifier, "DANDI:")) {
					t.Errorf("%s: %s is not served from %s (project mirrors %v)", e.Name, id, e.Identifier, p.Dandisets)
				}
			default:
				t.Errorf("%s: identifier %q of no known archive", e.Name, id)
			}
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Each DANDI identifier resolves through the real client against a local
// mirror whose dandisets have the catalog's ids (small placeholder assets,
// one per subject folder the entry's commands name), and the folder or
// file an entry's fetch command names resolves to at least one asset.
func TestResolveAgainstMirror(t *testing.T) {
	srv := mirror.New()
	byID := map[string][]string{} // dandiset -> asset paths
	for _, e := range Entries() {
		for _, id := range e.DANDIIDs() {
			byID[id] = append(byID[id], "sub-placeholder/sub-placeholder_ses-1.nwb")
		}
		for _, p := range placeholderPaths(t, e) {
			byID[p[0]] = append(byID[p[0]], p[1])
		}
	}
	mod := time.Date(2024, 1, 25, 0, 0, 0, 0, time.UTC)
	for id, paths := range byID {
		d := &mirror.Dandiset{ID: id, Created: mod, Modified: mod}
		v := &mirror.Version{Version: "draft", Name: "placeholder " + id, Status: "Valid", Created: mod, Modified: mod}
		for _, p := range paths {
			body := []byte("placeholder for " + id + "/" + p)
			a, err := mirror.NewAsset(id, p, bytes.NewReader(body), int64(len(body)), mod, nil)
			if err != nil {
				t.Fatal(err)
			}
			v.Assets = append(v.Assets, a)
		}
		d.Versions = []*mirror.Version{v}
		srv.Add(d)
	}
	ts := mirror.NewTestServer(srv)
	defer ts.Close()
	c := dandi.NewClient(dandi.WithAPIURL(ts.URL + "/api"))
	ctx := context.Background()

	for _, e := range Entries() {
		for _, id := range e.DANDIIDs() {
			r, err := dandi.ParseURL("DANDI:" + id)
			if err != nil {
				t.Fatal(err)
			}
			sel, err := c.Resolve(ctx, r)
			if err != nil {
				t.Errorf("%s: resolve DANDI:%s: %v", e.Name, id, err)
				continue
			}
			if sel.DandisetID != id || sel.Version != "draft" || len(sel.Assets) == 0 {
				t.Errorf("%s: DANDI:%s resolved to %s@%s with %d assets", e.Name, id, sel.DandisetID, sel.Version, len(sel.Assets))
			}
		}
		for _, arg := range dandiArgs(t, e.Fetch) {
			r, err := dandi.ParseURL(arg)
			if err != nil {
				t.Errorf("%s: fetch argument %q: %v", e.Name, arg, err)
				continue
			}
			sel, err := c.Resolve(ctx, r)
			if err != nil || len(sel.Assets) == 0 {
				t.Errorf("%s: fetch argument %q resolves to nothing (%v)", e.Name, arg, err)
			}
		}
	}
	// A dandiset that is not in the mirror is not found: resolution is real.
	r, _ := dandi.ParseURL("DANDI:000001")
	if _, err := c.Resolve(ctx, r); !errors.Is(err, dandi.ErrNotFound) {
		t.Errorf("DANDI:000001 on the mirror: %v, want ErrNotFound", err)
	}
}

// dandiArgs returns the positional arguments of a fetch/ls command that
// are DANDI identifiers.
func dandiArgs(t *testing.T, cmd string) []string {
	t.Helper()
	args, err := SplitCommand(cmd)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for i := 2; i < len(args); i++ {
		a := args[i]
		if a == "-o" || a == "--output" || a == "--include" || a == "--exclude" || a == "--table" {
			i++
			continue
		}
		if strings.HasPrefix(a, "-") || strings.HasPrefix(a, "allen:") {
			continue
		}
		out = append(out, a)
	}
	return out
}

// placeholderPaths returns [dandiset, path] pairs the mirror must hold for
// the entry's fetch command to name something: a file in the named folder,
// or the named file itself.
func placeholderPaths(t *testing.T, e Entry) [][2]string {
	var out [][2]string
	for _, a := range dandiArgs(t, e.Fetch) {
		r, err := dandi.ParseURL(a)
		if err != nil {
			continue // reported by the test proper
		}
		switch r.Kind {
		case dandi.KindPrefix:
			out = append(out, [2]string{r.DandisetID, r.Path + "placeholder.nwb"})
		case dandi.KindPath:
			out = append(out, [2]string{r.DandisetID, r.Path})
		}
	}
	return out
}

func TestVerifiedSizesCiteTheSummary(t *testing.T) {
	for _, e := range Entries() {
		if !e.SizeVerified {
			if !strings.Contains(e.SizeNote, " ") {
				t.Errorf("%s: unverified without a reason", e.Name)
			}
			continue
		}
		// The size printed in a source must be the number in size_mb, so
		// the two cannot drift apart.
		want := formatMB(e.SizeMB)
		found := false
		for _, s := range e.Source {
			if strings.Contains(s, want) {
				found = true
			}
		}
		if !found && e.Archive == ArchiveDANDI {
			t.Errorf("%s: size %s MB appears in no source %q", e.Name, want, e.Source)
		}
	}
}

// formatMB writes 477562.34 as "477,562.34" and 694 as "694.0", the
// OpenSourceBrain summary's style.
func formatMB(v float64) string {
	intPart, frac, _ := strings.Cut(strconv.FormatFloat(v, 'f', -1, 64), ".")
	if frac == "" {
		frac = "0"
	}
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String() + "." + frac
}

func TestValidateRejects(t *testing.T) {
	good := Entries()[0]
	cases := []struct {
		name string
		mut  func(e *Entry)
		msg  string
	}{
		{"bad id", func(e *Entry) { e.Archive, e.Identifier = ArchiveDANDI, "DANDI:21" }, "not DANDI:NNNNNN"},
		{"bad archive", func(e *Entry) { e.Archive = "crcns" }, "archive"},
		{"estimated size", func(e *Entry) { e.SizeVerified, e.SizeNote = false, "not found" }, "never estimated"},
		{"no reason", func(e *Entry) { e.SizeVerified, e.SizeMB, e.Files = false, 0, 0 }, "size_note"},
		{"no source", func(e *Entry) { e.Source = nil }, "no source"},
		{"theme", func(e *Entry) { e.Themes = []string{"vibes"} }, "unknown theme"},
		{"not neurodata", func(e *Entry) { e.Fetch = "dandi download DANDI:000021" }, "does not start with neurodata"},
		{"pipe", func(e *Entry) { e.Ls = "neurodata ls DANDI:000021 | head" }, "shell syntax"},
		{"slug", func(e *Entry) { e.Name = "Bad Name" }, "slug"},
		{"verified without date", func(e *Entry) { e.SizeAsOf = "" }, "size_as_of"},
	}
	for _, tc := range cases {
		e := good
		e.Source = append([]string(nil), good.Source...)
		tc.mut(&e)
		err := e.Validate()
		if err == nil || !errors.Is(err, ErrCatalog) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: %v, want an ErrCatalog mentioning %q", tc.name, err, tc.msg)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, doc := range []string{
		``,
		`{"checked":"2026-11-27","entries":[]}`,
		`{"checked":"yesterday","entries":[{}]}`,
		`{"checked":"2026-11-27","entries":[],"extra":1}`,
		`{"checked":"2026-11-27","entries":[{"name":"x"}]} {}`,
	} {
		if _, err := Parse([]byte(doc)); !errors.Is(err, ErrCatalog) {
			t.Errorf("Parse(%q): %v, want ErrCatalog", doc, err)
		}
	}
	// A duplicate name.
	c, _ := Load()
	dup := *c
	dup.Entries = append(append([]Entry(nil), c.Entries...), c.Entries[0])
	b, _ := json.Marshal(dup)
	if _, err := Parse(b); err == nil || !strings.Contains(err.Error(), "duplicate") {
		t.Errorf("duplicate: %v", err)
	}
}

func TestSplitCommand(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"neurodata ls DANDI:000021", []string{"neurodata", "ls", "DANDI:000021"}},
		{"neurodata fetch --include '*.nwb' -o data 000021", []string{"neurodata", "fetch", "--include", "*.nwb", "-o", "data", "000021"}},
		{`neurodata analyze rsa --model "a b=x.npy" \` + "\n  --json", []string{"neurodata", "analyze", "rsa", "--model", "a b=x.npy", "--json"}},
		{`a\ b "c\"d"`, []string{"a b", `c"d`}},
		{"  ", nil},
	}
	for _, tc := range cases {
		got, err := SplitCommand(tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("SplitCommand(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"a 'b", `a "b`, `a\`, "a | b", "a > f", "ls *.nwb", "echo $HOME", `"$x"`, "cd ~", "a # c"} {
		if _, err := SplitCommand(in); err == nil {
			t.Errorf("SplitCommand(%q): no error", in)
		}
	}
}

func TestHumanMB(t *testing.T) {
	for in, want := range map[float64]string{694: "694 MB", 6197.47: "6.2 GB", 477562.34: "477.6 GB", 34256200.51: "34.26 TB"} {
		if got := HumanMB(in); got != want {
			t.Errorf("HumanMB(%v) = %q, want %q", in, got, want)
		}
	}
	e, _ := Lookup("allen-visual-behavior-ophys")
	if e.SizeString() != "unverified" {
		t.Errorf("unverified entry prints %q", e.SizeString())
	}
}

func TestLookup(t *testing.T) {
	e, err := Lookup("dandi:000056")
	if err != nil || e.Name != "peyrache-head-direction" {
		t.Fatalf("case-insensitive identifier: %v %v", e, err)
	}
	e, err = Lookup("DANDI:000713") // an alias
	if err != nil || e.Identifier != "allen:visual-behavior-neuropixels" {
		t.Fatalf("alias: %v %v", e, err)
	}
	if _, err := Lookup("nope"); err == nil || !strings.Contains(err.Error(), "peyrache-head-direction") {
		t.Fatalf("unknown: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(embedded)
	f.Add([]byte(`{"checked":"2026-11-27","entries":[{"name":"ab"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse(b)
		if err == nil {
			for i := range c.Entries {
				if c.Entries[i].Validate() != nil {
					t.Fatal("Parse accepted an invalid entry")
				}
			}
		}
	})
}

func FuzzSplitCommand(f *testing.F) {
	for _, e := range Entries() {
		for _, c := range e.Commands() {
			f.Add(c)
		}
	}
	f.Add(`a "b\"c" 'd' e\ f`)
	f.Fuzz(func(t *testing.T, s string) {
		args, err := SplitCommand(s)
		if err != nil {
			return
		}
		for _, a := range args {
			if len(a) > len(s) {
				t.Fatalf("word %q longer than the input", a)
			}
		}
	})
}
