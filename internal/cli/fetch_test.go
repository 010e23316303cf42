package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/neurodata/neurodata/dandi/mirror"
)

const secretKey = "ndk-7f3a9c1e5b2d4f60a8e1c3b5d7f9a0b2"

// cliMirror serves dandiset 000042 with 21 generated files; the file at
// index 7 is embargoed (needs the API key).
func cliMirror(t *testing.T) (*mirror.Server, string, map[string][]byte) {
	t.Helper()
	rng := rand.New(rand.NewChaCha8([32]byte{9}))
	s := mirror.New()
	s.APIKey = secretKey
	content := map[string][]byte{}
	var as []*mirror.Asset
	for i := 0; i < 21; i++ {
		b := make([]byte, 1000+rng.IntN(300000))
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		p := fmt.Sprintf("sub-%02d/sub-%02d_ses-1.nwb", i, i)
		a, err := mirror.NewAsset("000042", p, bytes.NewReader(b), int64(len(b)), time.Date(2022, 1, 1, 0, 0, i, 0, time.UTC), nil)
		if err != nil {
			t.Fatal(err)
		}
		a.Embargoed = i == 7
		content[p] = b
		as = append(as, a)
	}
	s.Add(&mirror.Dandiset{ID: "000042", Versions: []*mirror.Version{{Version: "draft", Name: "Grating responses, test dandiset", Status: "Valid", Assets: as}}})
	ts := mirror.NewTestServer(s)
	t.Cleanup(ts.Close)
	return s, ts.URL, content
}

// ndRun runs the CLI with captured streams.
func ndRun(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errb})
	return code, out.String(), errb.String()
}

func TestFetchCLI(t *testing.T) {
	srv, base, content := cliMirror(t)
	t.Setenv("DANDI_API_KEY", secretKey)
	t.Setenv("DANDI_API_URL", "")
	dir := t.TempDir()
	var all strings.Builder

	code, out, errs := ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir, "--json", "DANDI:000042")
	all.WriteString(out + errs)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var sum fetchSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatalf("--json output: %v\n%s", err, out)
	}
	if sum.Files != 21 || sum.Downloaded != 21 || sum.Failed != 0 || sum.Targets[0].Version != "draft" || !sum.Targets[0].Resolved {
		t.Errorf("summary %+v", sum)
	}
	for p, b := range content {
		got, err := os.ReadFile(filepath.Join(dir, "000042", p))
		if err != nil || !bytes.Equal(got, b) {
			t.Errorf("%s: %v, content equal %v", p, err, bytes.Equal(got, b))
		}
	}
	// Rerun: default --existing refresh skips everything.
	code, out, errs = ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir, "--json", "000042")
	all.WriteString(out + errs)
	json.Unmarshal([]byte(out), &sum)
	if code != ExitOK || sum.Skipped != 21 || sum.Bytes != 0 {
		t.Errorf("rerun: exit %d, %+v", code, sum)
	}
	// --existing error fails each existing file: exit 3.
	code, _, errs = ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir, "--existing", "error", "--include", "sub-0[12]/*", "000042")
	all.WriteString(errs)
	if code != ExitPartial || strings.Count(errs, "file exists") != 2 {
		t.Errorf("--existing error: exit %d\n%s", code, errs)
	}

	// Persistent corruption of one blob: exit 3, that file absent, others verified.
	dir2 := t.TempDir()
	srv.Faults = mirror.NewFaults(mirror.Fault{Kind: mirror.Corrupt, Match: "/s3/", After: 500, Times: 0})
	code, out, errs = ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir2, "--json", "--include", "sub-1*/*", "DANDI:000042")
	all.WriteString(out + errs)
	json.Unmarshal([]byte(out), &sum)
	if code != ExitPartial || sum.Failed != 10 || !strings.Contains(errs, "checksum mismatch") {
		t.Errorf("corrupt: exit %d, failed %d\n%s", code, sum.Failed, errs)
	}
	entries, _ := filepath.Glob(filepath.Join(dir2, "000042", "*", "*"))
	for _, e := range entries {
		if !strings.Contains(e, ".ndpart") {
			t.Errorf("corrupt file at final path: %s", e)
		}
	}
	// Transient faults of every kind on the file endpoint: all verified.
	srv.Faults = mirror.NewFaults(
		mirror.Fault{Kind: mirror.Reset, Times: 1, After: 700},
		mirror.Fault{Kind: mirror.Status503, Times: 1, Match: "/api/"},
	)
	code, out, errs = ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir2, "--json", "DANDI:000042")
	all.WriteString(out + errs)
	if code != ExitOK {
		t.Errorf("transient faults: exit %d\n%s", code, errs)
	}
	srv.Faults = nil

	// Without the key the embargoed asset is refused: exit 3 with a clear error.
	t.Setenv("DANDI_API_KEY", "wrong-"+secretKey[:6])
	code, _, errs = ndRun(t, "fetch", "--api-url", base+"/api", "-o", t.TempDir(), "--include", "sub-07/*", "000042")
	all.WriteString(errs)
	if code != ExitAuth || !strings.Contains(errs, "403") {
		t.Errorf("wrong key: exit %d\n%s", code, errs)
	}
	t.Setenv("DANDI_API_KEY", secretKey)

	// ls and dry-run.
	code, out, errs = ndRun(t, "ls", "--api-url", base+"/api", "DANDI:000042")
	all.WriteString(out + errs)
	if code != ExitOK || strings.Count(out, "\n") != 21 || !strings.Contains(out, "sub-20/sub-20_ses-1.nwb") {
		t.Errorf("ls: exit %d\n%s%s", code, out, errs)
	}
	code, out, errs = ndRun(t, "fetch", "--dry-run", "-o", t.TempDir(), base+"/dandiset/000042/draft/files?location=sub-03")
	all.WriteString(out + errs)
	if code != ExitOK || !strings.Contains(out, "total: 1 files, "+fmt.Sprint(len(content["sub-03/sub-03_ses-1.nwb"]))+" bytes") {
		t.Errorf("dry-run: exit %d\n%s%s", code, out, errs)
	}

	// The API key reached the server (the embargoed file was fetched) but
	// appears in no output.
	if strings.Contains(all.String(), secretKey) || strings.Contains(all.String(), secretKey[4:16]) {
		t.Error("API key printed")
	}
	if _, err := os.Stat(filepath.Join(dir, "000042", "sub-07", "sub-07_ses-1.nwb")); err != nil {
		t.Errorf("embargoed asset not fetched with the key: %v", err)
	}
}

func TestFetchUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"fetch"},
		{"fetch", "not a url"},
		{"fetch", "--existing", "sometimes", "000001"},
		{"fetch", "--jobs", "0", "000001"},
		{"fetch", "--include", "[", "000001"},
		{"ls", "a", "b"},
		{"mirror", "serve"},
	} {
		if code, _, errs := ndRun(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, errs)
		}
	}
}

func TestMirrorServeCLI(t *testing.T) {
	src, base, _ := cliMirror(t)
	_ = src
	t.Setenv("DANDI_API_KEY", secretKey)
	dir := t.TempDir()
	if code, _, errs := ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir, "--exclude", "sub-07/*", "000042"); code != 0 {
		t.Fatalf("fetch: %s", errs)
	}
	// Serve what fetch wrote, then fetch again from the classroom mirror.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var errb syncBuffer
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"mirror", "serve", dir, "--addr", "127.0.0.1:0"}, &IOStreams{Out: &bytes.Buffer{}, ErrOut: &errb})
	}()
	var addr string
	for i := 0; i < 100 && addr == ""; i++ {
		time.Sleep(20 * time.Millisecond)
		if s := errb.String(); strings.Contains(s, "http://") {
			addr = strings.TrimSpace(s[strings.Index(s, "http://"):])
		}
	}
	if addr == "" {
		t.Fatal("mirror did not start")
	}
	out := t.TempDir()
	code, _, errs := ndRun(t, "fetch", "--api-url", addr, "-o", out, "--json", "DANDI:000042")
	if code != 0 {
		t.Fatalf("fetch from mirror: exit %d\n%s", code, errs)
	}
	n := 0
	filepath.Walk(filepath.Join(out, "000042"), func(p string, fi os.FileInfo, err error) error {
		if fi != nil && fi.Mode().IsRegular() && fi.Name() != "dandiset.yaml" {
			n++
			orig, _ := os.ReadFile(filepath.Join(dir, strings.TrimPrefix(p, out)))
			got, _ := os.ReadFile(p)
			if !bytes.Equal(orig, got) {
				t.Errorf("%s differs", p)
			}
		}
		return nil
	})
	if n != 20 {
		t.Errorf("%d files from the mirror, want 20", n)
	}
	// The mirror serves the dandiset under the name in the dandiset.yaml
	// the first fetch wrote, so the second dandiset.yaml carries it too.
	for _, d := range []string{dir, out} {
		var doc struct{ Name string }
		b, err := os.ReadFile(filepath.Join(d, "000042", "dandiset.yaml"))
		if err != nil || yaml.Unmarshal(b, &doc) != nil || doc.Name != "Grating responses, test dandiset" {
			t.Errorf("%s: dandiset.yaml name %q, %v", d, doc.Name, err)
		}
	}
	cancel()
	if c := <-done; c != 0 {
		t.Errorf("mirror serve exit %d", c)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// fetch writes DIR/<id>/dandiset.yaml with the version metadata the API
// serves (read back by PyYAML when python3-yaml is installed, else by
// yaml.v3, and compared with the server's JSON); --dry-run writes nothing.
func TestFetchCLIDandisetYAML(t *testing.T) {
	_, base, _ := cliMirror(t)
	t.Setenv("DANDI_API_KEY", "")
	t.Setenv("DANDI_API_URL", "")
	dry := t.TempDir()
	if code, _, errs := ndRun(t, "fetch", "--api-url", base+"/api", "-o", dry, "--dry-run", "DANDI:000042"); code != ExitOK {
		t.Fatalf("dry run: exit %d\n%s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dry, "000042", "dandiset.yaml")); err == nil {
		t.Error("--dry-run wrote dandiset.yaml")
	}

	dir := t.TempDir()
	code, out, errs := ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir, "--json", "--include", "sub-01_*", "DANDI:000042")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var sum fetchSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "000042", "dandiset.yaml")
	if len(sum.Targets) != 1 || sum.Targets[0].Metadata != p || sum.Downloaded != 1 {
		t.Errorf("summary %+v", sum)
	}
	resp, err := http.Get(base + "/api/dandisets/000042/versions/draft/")
	if err != nil {
		t.Fatal(err)
	}
	var want any
	err = json.NewDecoder(resp.Body).Decode(&want)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	var got any
	py := exec.Command("/usr/bin/python3", "-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", p)
	if b, err := py.Output(); err == nil {
		err = json.Unmarshal(b, &got)
		if err != nil {
			t.Fatal(err)
		}
	} else {
		t.Logf("python3-yaml unavailable (%v): reading back with yaml.v3", err)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, &got); err != nil {
			t.Fatal(err)
		}
		got = jsonRoundTrip(t, got)
	}
	if !reflect.DeepEqual(got, want) {
		b, _ := os.ReadFile(p)
		t.Errorf("dandiset.yaml differs from the version metadata:\n%s\nwant %v", b, want)
	}
}

// jsonRoundTrip converts a YAML-decoded tree into what encoding/json
// would decode from the same document.
func jsonRoundTrip(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
