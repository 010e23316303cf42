package dandi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/internal/fetch"
)

const testID = "000042"

// srcFile is an asset with its independently computed sha256.
type srcFile struct {
	asset  *mirror.Asset
	sha256 string // reference: crypto/sha256 of the source, or the fixture manifest
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func fileSHA256(t testing.TB, p string) string {
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// smallFiles generates 20 assets of assorted sizes (0 B to 3 MiB) from a
// fixed seed.
func smallFiles(t testing.TB) []srcFile {
	rng := rand.New(rand.NewChaCha8([32]byte{42}))
	sizes := []int{0, 1, 3, 100, 999, 4096, 65535, 65536, 65537, 100000, 250000, 524288, 777777, 1 << 20, 1<<20 + 1, 1500000, 2000000, 2500000, 3 << 20, 123456}
	var out []srcFile
	mod := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	for i, n := range sizes {
		b := make([]byte, n)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		p := fmt.Sprintf("sub-%02d/sub-%02d_ses-1_ecephys.nwb", i, i)
		a, err := mirror.NewAsset(testID, p, bytes.NewReader(b), int64(n), mod.Add(time.Duration(i)*time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, srcFile{a, sha256Hex(b)})
	}
	return out
}

// fixtureFiles adds ../shared/fixtures/*/*.nwb, checked against the sha256
// in each variant's manifest.json (written by the fixture generator).
func fixtureFiles(t testing.TB) []srcFile {
	root := filepath.Join("..", "..", "shared", "fixtures")
	if _, err := os.Stat(root); err != nil {
		t.Logf("skipping fixture assets: %s absent", root)
		return nil
	}
	var out []srcFile
	for _, variant := range []string{"default", "compressed", "latest"} {
		var man struct {
			Files map[string]struct {
				Bytes  int64  `json:"bytes"`
				SHA256 string `json:"sha256"`
			} `json:"files"`
		}
		b, err := os.ReadFile(filepath.Join(root, variant, "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &man); err != nil {
			t.Fatal(err)
		}
		for name, m := range man.Files {
			local := filepath.Join(root, variant, name)
			fi, err := os.Stat(local)
			if err != nil || fi.Size() != m.Bytes {
				t.Fatalf("fixture %s: %v (size %v, manifest %d)", local, err, fi, m.Bytes)
			}
			f, _ := os.Open(local)
			a, err := mirror.NewAsset(testID, "fixtures/"+variant+"/"+name, f, fi.Size(), fi.ModTime(), nil)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			a.Content, a.File = nil, local
			out = append(out, srcFile{a, m.SHA256})
		}
	}
	return out
}

// bigFile generates a sparse file of size bytes in dir with 1 MiB of random
// data every 16 MiB, so parts differ.
func bigFile(t testing.TB, dir string, size int64) srcFile {
	p := filepath.Join(dir, "big.nwb")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewChaCha8([32]byte{7}))
	blk := make([]byte, 1<<20)
	for off := int64(0); off+int64(len(blk)) <= size; off += 16 << 20 {
		for j := range blk {
			blk[j] = byte(rng.Uint32())
		}
		f.WriteAt(blk, off)
	}
	f.Truncate(size)
	f.Close()
	sum := fileSHA256(t, p)
	fr, _ := os.Open(p)
	a, err := mirror.NewAsset(testID, "sub-big/sub-big_ses-1_ecephys.nwb", fr, size, time.Date(2023, 1, 2, 3, 4, 5, 0, time.UTC), nil)
	fr.Close()
	if err != nil {
		t.Fatal(err)
	}
	a.Content, a.File = nil, p
	return srcFile{a, sum}
}

func newMirror(files []srcFile) *mirror.Server {
	s := mirror.New()
	v := &mirror.Version{Version: "draft", Name: "neurodata e2e", Status: "Valid", Created: time.Unix(1e9, 0), Modified: time.Unix(1e9, 0)}
	for _, f := range files {
		v.Assets = append(v.Assets, f.asset)
	}
	s.Add(&mirror.Dandiset{ID: testID, Versions: []*mirror.Version{v}})
	return s
}

func testHTTP() *http.Client {
	return fetch.NewHTTPClient(&fetch.HTTPOptions{Retries: 5, MinBackoff: 5 * time.Millisecond, MaxBackoff: 50 * time.Millisecond, HeaderTimeout: 5 * time.Second})
}

func testFetcher(root string) *fetch.Fetcher {
	return &fetch.Fetcher{Client: testHTTP(), Root: root, StallTimeout: 300 * time.Millisecond, Attempts: 4, MinBackoff: 5 * time.Millisecond}
}

func runFetch(ctx context.Context, t testing.TB, base, out string, f *fetch.Fetcher) ([]fetch.Result, error) {
	c := dandi.NewClient(dandi.WithAPIURL(base+"/api"), dandi.WithHTTPClient(testHTTP()), dandi.WithPageSize(7))
	r, err := dandi.ParseURL("DANDI:" + testID)
	if err != nil {
		t.Fatal(err)
	}
	sel, err := c.Resolve(ctx, r)
	if err != nil {
		return nil, err
	}
	jobs, _, err := c.Plan(sel, out, dandi.PlanOptions{})
	if err != nil {
		return nil, err
	}
	return f.Fetch(ctx, jobs)
}

// checkTree asserts that every asset is either at its final path with the
// reference sha256 or absent, that no partial file is at a final path, and
// returns the number of verified files.
func checkTree(t *testing.T, out string, files []srcFile, res []fetch.Result) (ok int) {
	t.Helper()
	byName := map[string]fetch.Result{}
	for _, r := range res {
		byName[r.Job.Name] = r
	}
	for _, f := range files {
		dest := filepath.Join(out, testID, filepath.FromSlash(f.asset.Path))
		r, found := byName[f.asset.Path]
		if !found {
			t.Errorf("%s: no result", f.asset.Path)
			continue
		}
		_, statErr := os.Stat(dest)
		switch r.Status {
		case fetch.StatusDownloaded, fetch.StatusSkipped:
			if got := fileSHA256(t, dest); got != f.sha256 {
				t.Errorf("%s: sha256 %s, reference %s", f.asset.Path, got, f.sha256)
			} else {
				ok++
			}
			if fi, err := os.Stat(dest); err == nil && !fi.ModTime().Equal(f.asset.Modified) {
				t.Errorf("%s: mtime %v, want %v", f.asset.Path, fi.ModTime(), f.asset.Modified)
			}
		case fetch.StatusFailed:
			if r.Err == nil || !strings.Contains(r.Err.Error(), f.asset.Path) {
				t.Errorf("%s: failed without an error naming the file: %v", f.asset.Path, r.Err)
			}
			if statErr == nil {
				t.Errorf("%s: failed but a file is at the final path", f.asset.Path)
			}
		default:
			t.Errorf("%s: status %q", f.asset.Path, r.Status)
		}
	}
	return ok
}

func TestFetchClean(t *testing.T) {
	files := append(smallFiles(t), fixtureFiles(t)...)
	if len(files) < 20 {
		t.Fatalf("only %d assets", len(files))
	}
	srv := newMirror(files)
	ts := mirror.NewTestServer(srv)
	defer ts.Close()
	out := t.TempDir()
	res, err := runFetch(context.Background(), t, ts.URL, out, testFetcher(out))
	if err != nil {
		t.Fatal(err)
	}
	if n := checkTree(t, out, files, res); n != len(files) {
		t.Fatalf("%d of %d verified", n, len(files))
	}
	for _, r := range res {
		if r.Status != fetch.StatusDownloaded {
			t.Errorf("%s: %s %v", r.Job.Name, r.Status, r.Err)
		}
		if len(r.Digests) != 2 {
			t.Errorf("%s: verified %v, want dandi-etag and sha256", r.Job.Name, r.Digests)
		}
	}
	// A second run with the default policy (refresh) transfers nothing.
	srv.ResetStats()
	res, _ = runFetch(context.Background(), t, ts.URL, out, testFetcher(out))
	for _, r := range res {
		if r.Status != fetch.StatusSkipped {
			t.Errorf("rerun: %s %s", r.Job.Name, r.Status)
		}
	}
	if st := srv.Stats(); st.Bytes != 0 {
		t.Errorf("rerun transferred %d bytes", st.Bytes)
	}
	// Leftovers: no temp files after success.
	filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
		if strings.Contains(p, ".ndpart") {
			t.Errorf("leftover %s", p)
		}
		return nil
	})
}

// Each fault fires once per request path: every file must end verified.
func TestFetchTransientFaults(t *testing.T) {
	files := append(smallFiles(t), fixtureFiles(t)...)
	cases := []mirror.Fault{
		{Kind: mirror.Reset, Times: 1, After: 100},
		{Kind: mirror.Status500, Times: 1},
		{Kind: mirror.Status503, Times: 1},
		{Kind: mirror.Status503, Times: 1, Match: "/api/"},
		{Kind: mirror.Status429, Times: 1, RetryAfter: "1"},
		{Kind: mirror.Truncate, Times: 1, After: 100},
		{Kind: mirror.Stall, Times: 1, After: 100},
		{Kind: mirror.Corrupt, Times: 1, After: 50},
		{Kind: mirror.ETagChange, Times: 1},
		{Kind: mirror.Status416, Times: 1},
		{Kind: mirror.IgnoreRange, Times: 2},
		{Kind: mirror.RedirectLoop, Times: 3}, // a 3-hop self-redirect, then the real one
	}
	for _, fc := range cases {
		name := string(fc.Kind)
		if fc.Match != "" {
			name += "-api"
		}
		t.Run(name, func(t *testing.T) {
			srv := newMirror(files)
			srv.Faults = mirror.NewFaults(fc)
			ts := mirror.NewTestServer(srv)
			defer ts.Close()
			out := t.TempDir()
			start := time.Now()
			res, err := runFetch(context.Background(), t, ts.URL, out, testFetcher(out))
			if err != nil {
				t.Fatal(err)
			}
			if n := checkTree(t, out, files, res); n != len(files) {
				for _, r := range res {
					if r.Err != nil {
						t.Log(r.Err)
					}
				}
				t.Fatalf("%d of %d verified", n, len(files))
			}
			if srv.Faults.Fired(fc.Kind) == 0 {
				t.Errorf("fault %s never fired", fc.Kind)
			}
			el := time.Since(start)
			t.Logf("%s: fired %d times, %v", fc.Kind, srv.Faults.Fired(fc.Kind), el.Round(time.Millisecond))
			// Retry-After: 1 is honoured (the client's own backoff is 5-50 ms).
			if fc.Kind == mirror.Status429 && el < time.Second {
				t.Errorf("429 with Retry-After: 1 retried after only %v", el)
			}
		})
	}
}

// Persistent faults: the run reports a clear per-file error and leaves no
// partial or corrupt file at a final path; unaffected files still verify.
func TestFetchPersistentFaults(t *testing.T) {
	files := smallFiles(t)
	target := files[15].asset.Blob // fault only this file's blob
	cases := []struct {
		fault mirror.Fault
		all   bool   // every file fails
		want  string // in the error
	}{
		{mirror.Fault{Kind: mirror.Corrupt, Match: target, After: 10}, false, "checksum mismatch"},
		{mirror.Fault{Kind: mirror.Status416, Match: target}, false, "416"},
		{mirror.Fault{Kind: mirror.Status500, Match: target}, false, "500"},
		{mirror.Fault{Kind: mirror.Truncate, Match: target, After: 0}, false, "unexpected EOF"},
		{mirror.Fault{Kind: mirror.Stall, Match: target, After: 0}, false, "stalled"},
		// A server that trickles 1000 bytes per connection still ends
		// verified (progress resets the attempt budget) or, past the total
		// cap, fails cleanly: here 1.5 MB needs more attempts than allowed.
		{mirror.Fault{Kind: mirror.Truncate, Match: target, After: 1000}, false, "giving up"},
		{mirror.Fault{Kind: mirror.RedirectLoop}, true, "redirect"},
	}
	for _, c := range cases {
		t.Run(string(c.fault.Kind), func(t *testing.T) {
			srv := newMirror(files)
			srv.Faults = mirror.NewFaults(c.fault)
			ts := mirror.NewTestServer(srv)
			defer ts.Close()
			out := t.TempDir()
			res, err := runFetch(context.Background(), t, ts.URL, out, testFetcher(out))
			if err != nil {
				t.Fatal(err)
			}
			ok := checkTree(t, out, files, res)
			failed := 0
			for _, r := range res {
				if r.Status == fetch.StatusFailed {
					failed++
					if !strings.Contains(r.Err.Error(), c.want) {
						t.Errorf("%s: error %q does not mention %q", r.Job.Name, r.Err, c.want)
					}
				}
			}
			// Empty files need no network, so they succeed even here.
			wantFailed := 1
			if c.all {
				wantFailed = len(files) - 1
			}
			if failed != wantFailed || ok != len(files)-wantFailed {
				t.Errorf("failed %d verified %d; want %d failed", failed, ok, wantFailed)
			}
			for _, r := range res {
				if r.Status == fetch.StatusFailed {
					t.Logf("%v", r.Err)
					break
				}
			}
		})
	}
}

// Large generated files: faults plus a cancelled and restarted fetch that
// may re-download at most one part per file.
func TestFetchBigResume(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and fetches a 260 MiB file; skipped under -short")
	}
	dir := t.TempDir()
	big := bigFile(t, dir, 260<<20)
	files := append(append(smallFiles(t), fixtureFiles(t)...), big)
	srv := newMirror(files)
	srv.Faults = mirror.NewFaults(mirror.Fault{Kind: mirror.Reset, Times: 2, After: 3 << 20}, mirror.Fault{Kind: mirror.Truncate, Times: 1, After: 5 << 20})
	ts := mirror.NewTestServer(srv)
	defer ts.Close()

	out := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	f := testFetcher(out)
	var got atomic.Int64
	f.Progress = cancelAfter{&got, (260 << 20) * 4 / 10, cancel}
	_, err := runFetch(ctx, t, ts.URL, out, f)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("first run: err %v, want cancelled", err)
	}
	dest := filepath.Join(out, testID, filepath.FromSlash(big.asset.Path))
	if _, err := os.Stat(dest); err == nil {
		t.Fatal("cancelled download left a file at the final path")
	}
	served1 := srv.BytesServed(big.asset)
	srv.Faults = nil
	res, err := runFetch(context.Background(), t, ts.URL, out, testFetcher(out))
	if err != nil {
		t.Fatal(err)
	}
	if n := checkTree(t, out, files, res); n != len(files) {
		t.Fatalf("%d of %d verified after restart", n, len(files))
	}
	served := srv.BytesServed(big.asset)
	redundant := served - big.asset.Size
	t.Logf("big file: %d bytes served in run 1, %d total; re-downloaded %d bytes (part size %d)", served1, served, redundant, fetch.ETagDefaultPartSize)
	if redundant > fetch.ETagDefaultPartSize {
		t.Errorf("restart re-downloaded %d bytes, more than one part (%d)", redundant, fetch.ETagDefaultPartSize)
	}
	for _, r := range res {
		if r.Job.Name == big.asset.Path && !r.Resumed {
			t.Error("big file was not resumed")
		}
	}
	for _, f := range files {
		partSize := min(f.asset.Size, fetch.ETagDefaultPartSize)
		if extra := srv.BytesServed(f.asset) - f.asset.Size; extra > partSize {
			t.Errorf("%s: %d bytes re-downloaded, more than one part (%d)", f.asset.Path, extra, partSize)
		}
	}
}

// Every fault kind, once each per request path and in sequence, while a
// 260 MiB file and the small files are fetched: all end verified.
func TestFetchBigAllFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("fetches a 260 MiB file several times; skipped under -short")
	}
	big := bigFile(t, t.TempDir(), 260<<20)
	files := append(smallFiles(t), big)
	srv := newMirror(files)
	var rules []mirror.Fault
	// Corruption last: an earlier ETag change restarts the file and would
	// discard corrupted bytes before the digest could catch them.
	kinds := append([]mirror.FaultKind(nil), mirror.AllFaultKinds...)
	for i, k := range kinds {
		if k == mirror.Corrupt {
			kinds = append(append(kinds[:i:i], kinds[i+1:]...), mirror.Corrupt)
			break
		}
	}
	for i, k := range kinds {
		f := mirror.Fault{Kind: k, Times: 1, After: int64(i+1) << 20, RetryAfter: "1"}
		switch k {
		case mirror.RedirectLoop:
			f.Times = 3
		case mirror.Corrupt:
			f.After = 1000 // inside every response, so it really corrupts
		}
		rules = append(rules, f)
	}
	srv.Faults = mirror.NewFaults(rules...)
	ts := mirror.NewTestServer(srv)
	defer ts.Close()
	out := t.TempDir()
	f := testFetcher(out)
	f.VerifyAttempts = 3 // corruption and an ETag change each restart a file
	res, err := runFetch(context.Background(), t, ts.URL, out, f)
	if err != nil {
		t.Fatal(err)
	}
	if n := checkTree(t, out, files, res); n != len(files) {
		for _, r := range res {
			if r.Err != nil {
				t.Log(r.Err)
			}
		}
		t.Fatalf("%d of %d verified", n, len(files))
	}
	for _, k := range mirror.AllFaultKinds {
		if srv.Faults.Fired(k) == 0 {
			t.Errorf("%s never fired", k)
		}
	}
	t.Logf("big file: %d bytes served for %d", srv.BytesServed(big.asset), big.asset.Size)
	// The corrupted part is only detected by the whole-file digest, so the
	// big file must have been fetched (at least) twice.
	if srv.BytesServed(big.asset) < 2*big.asset.Size {
		t.Errorf("big file served %d bytes: corruption cannot have been caught", srv.BytesServed(big.asset))
	}
}

type cancelAfter struct {
	n      *atomic.Int64
	limit  int64
	cancel context.CancelFunc
}

func (c cancelAfter) Start(*fetch.Job, int64, int64) {}
func (c cancelAfter) Finish(*fetch.Job, error)       {}
func (c cancelAfter) Add(_ *fetch.Job, n int64) {
	if c.n.Add(n) >= c.limit {
		c.cancel()
	}
}
