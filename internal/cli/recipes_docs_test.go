package cli

import (
	"bufio"
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/neurodata/neurodata/catalog"
	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/pipeline"
)

// lockedBuffer is a bytes.Buffer safe for concurrent writes: `neurodata
// run` reports progress from several sessions at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// ndRunLocked is ndRun with lockedBuffers.
func ndRunLocked(args ...string) (code int, stdout, stderr string) {
	var so, se lockedBuffer
	code = Run(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &so, ErrOut: &se})
	return code, so.String(), se.String()
}

// recipeBlock is one fenced code block of a recipe page.
type recipeBlock struct {
	lang string // first word of the info string: sh, text, yaml, go
	file string // file=NAME in the info string: written before the commands run
	line int    // line of the opening fence
	body string
}

func recipeBlocks(t *testing.T, path string) []recipeBlock {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		blocks []recipeBlock
		cur    *recipeBlock
		body   strings.Builder
	)
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case cur == nil && strings.HasPrefix(l, "```"):
			words := strings.Fields(strings.TrimPrefix(l, "```"))
			cur = &recipeBlock{line: n}
			for i, w := range words {
				if i == 0 {
					cur.lang = w
				} else if v, ok := strings.CutPrefix(w, "file="); ok {
					cur.file = v
				}
			}
			body.Reset()
		case cur != nil && l == "```":
			cur.body = body.String()
			blocks = append(blocks, *cur)
			cur = nil
		case cur != nil:
			body.WriteString(l + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if cur != nil {
		t.Fatalf("%s:%d: unterminated code block", path, cur.line)
	}
	return blocks
}

// recipeCommands splits a sh block into command lines (backslash-newline
// continuations joined); lines starting with # are comments.
func recipeCommands(body string) []string {
	var cmds []string
	joined := strings.ReplaceAll(body, "\\\n", " ")
	for _, l := range strings.Split(joined, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			cmds = append(cmds, l)
		}
	}
	return cmds
}

// TestRecipeCommands runs every command shown in docs/recipes/*.md as
// written, in a scratch directory, through the real command tree: each
// must exit 0, and every line of a ```text block following a command must
// appear in that command's output. ```yaml file=NAME blocks are written to
// NAME first. A sh block whose first line is "# needs network" is skipped
// (the recipes use --example, so only real-data pointers are). Commands of
// verbs not registered yet (neurodata run while it is being written) are
// skipped with a message.
func TestRecipeCommands(t *testing.T) {
	pages, err := filepath.Glob("../../docs/recipes/*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no recipe pages (%v)", err)
	}
	t.Setenv("ALLEN_CACHE_DIR", t.TempDir())
	t.Setenv("DANDI_API_URL", "http://127.0.0.1:1/api") // any network use fails fast
	registered := func(verb string) bool {
		root := NewRootCmd(&IOStreams{In: strings.NewReader(""), Out: &bytes.Buffer{}, ErrOut: &bytes.Buffer{}})
		c, _, err := root.Find([]string{verb})
		return err == nil && c != root
	}
	total := 0
	for _, page := range pages {
		page := page
		t.Run(filepath.Base(page), func(t *testing.T) {
			dir := t.TempDir()
			blocks := recipeBlocks(t, page)
			for _, b := range blocks {
				if b.file != "" {
					if err := os.WriteFile(filepath.Join(dir, b.file), []byte(b.body), 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			t.Chdir(dir)
			for i, b := range blocks {
				if b.lang != "sh" {
					continue
				}
				if strings.HasPrefix(b.body, "# needs network") {
					if !offlineStandIn(t, blocks, recipeCommands(b.body)) {
						t.Logf("%s:%d: needs network, skipped", page, b.line)
						continue
					}
					t.Logf("%s:%d: needs network: run against a local DANDI mirror", page, b.line)
				}
				var out string
				for _, line := range recipeCommands(b.body) {
					args, err := catalog.SplitCommand(line)
					if err != nil {
						t.Fatalf("%s:%d: %v", page, b.line, err)
					}
					if len(args) < 2 || args[0] != "neurodata" {
						t.Errorf("%s:%d: %q is not a neurodata command", page, b.line, line)
						continue
					}
					if !registered(args[1]) {
						t.Logf("%s:%d: `neurodata %s` is not registered yet; %q not run", page, b.line, args[1], line)
						out = ""
						continue
					}
					var so, se lockedBuffer
					code := Run(context.Background(), args[1:], &IOStreams{In: strings.NewReader(""), Out: &so, ErrOut: &se})
					total++
					if code != 0 {
						t.Errorf("%s:%d: %q: exit %d\n%s", page, b.line, line, code, se.String())
					}
					out = so.String() + se.String()
					if testing.Verbose() {
						t.Logf("%s:%d: %s\n%s", page, b.line, line, out)
					}
				}
				// A text block right after shows (part of) the output.
				if i+1 < len(blocks) && blocks[i+1].lang == "text" && out != "" {
					have := map[string]bool{}
					for _, l := range strings.Split(out, "\n") {
						have[strings.TrimSpace(l)] = true
					}
					for _, l := range strings.Split(blocks[i+1].body, "\n") {
						if l = strings.TrimSpace(l); l != "" && !have[l] {
							t.Errorf("%s:%d: the shown output line %q is not in the command's output", page, blocks[i+1].line, l)
						}
					}
				}
			}
		})
	}
	if total == 0 {
		t.Fatal("no recipe command ran")
	}
	t.Logf("%d recipe commands ran", total)
}

// offlineStandIn prepares a "# needs network" block to run offline when
// its commands are `neurodata run SPEC` (with SPEC a yaml file block of the
// page) and `neurodata report`: every DANDI input of the spec is served by
// a local mirror holding the embedded ecephys_gratings session at the
// input's path, and the spec in the scratch directory is rewritten to
// name that mirror (the run command does not read DANDI_API_URL). The
// commands then run as written. It reports false, leaving the block to be
// skipped, for anything else.
func offlineStandIn(t *testing.T, blocks []recipeBlock, cmds []string) bool {
	t.Helper()
	var specs []string
	for _, line := range cmds {
		args, err := catalog.SplitCommand(line)
		if err != nil || len(args) < 2 {
			return false
		}
		switch {
		case args[1] == "report":
		case args[1] == "run" && len(args) == 3 && strings.HasSuffix(args[2], ".yaml"):
			specs = append(specs, args[2])
		default:
			return false
		}
	}
	body, err := examples.ReadFile("ecephys_gratings.nwb")
	if err != nil {
		t.Fatal(err)
	}
	srv := mirror.New()
	ts := mirror.NewTestServer(srv)
	t.Cleanup(ts.Close)
	mod := time.Date(2024, 1, 25, 0, 0, 0, 0, time.UTC)
	assets := map[string][]*mirror.Asset{}
	for _, name := range specs {
		found := false
		for _, b := range blocks {
			if b.file != name {
				continue
			}
			found = true
			spec, err := pipeline.ParseSpec(strings.NewReader(b.body), ".")
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for i, in := range spec.Inputs {
				if in.DANDI == "" {
					continue
				}
				r, err := dandi.ParseURL(in.DANDI)
				if err != nil || r.Kind != dandi.KindPath {
					t.Fatalf("%s: DANDI input %q must name one file for the offline stand-in (%v)", name, in.DANDI, err)
				}
				a, err := mirror.NewAsset(r.DandisetID, r.Path, bytes.NewReader(body), int64(len(body)), mod, nil)
				if err != nil {
					t.Fatal(err)
				}
				assets[r.DandisetID] = append(assets[r.DandisetID], a)
				spec.Inputs[i].DANDI = ts.URL + "/api/dandisets/" + r.DandisetID + "/versions/draft/assets/?path=" + url.QueryEscape(r.Path)
			}
			y, err := yaml.Marshal(spec)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(name, y, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if !found {
			t.Fatalf("neurodata run %s: the page has no ```yaml file=%s block", name, name)
		}
	}
	for id, as := range assets {
		v := &mirror.Version{Version: "draft", Name: "stand-in", Status: "Valid", Created: mod, Modified: mod, Assets: as}
		srv.Add(&mirror.Dandiset{ID: id, Created: mod, Modified: mod, Versions: []*mirror.Version{v}})
	}
	return len(specs) > 0
}
