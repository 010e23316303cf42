package dandi_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/internal/fetch"
)

func mirrorOf(t *testing.T, assets ...*mirror.Asset) string {
	s := mirror.New()
	s.Add(&mirror.Dandiset{ID: testID, Versions: []*mirror.Version{{Version: "draft", Assets: assets}}})
	ts := mirror.NewTestServer(s)
	t.Cleanup(ts.Close)
	return ts.URL
}

func asset(t *testing.T, path string, b []byte) *mirror.Asset {
	a, err := mirror.NewAsset(testID, path, bytes.NewReader(b), int64(len(b)), time.Unix(1e9, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// Hostile asset paths are refused when planning, naming the asset, and
// nothing is written anywhere.
func TestTraversalPaths(t *testing.T) {
	for _, p := range []string{"../../evil.nwb", "/etc/evil.nwb", "sub/../../../evil.nwb", `..\evil.nwb`, "sub//x.nwb", "./x.nwb", "sub/..", "C:/evil.nwb", "x\x00y"} {
		t.Run(p, func(t *testing.T) {
			base := mirrorOf(t, asset(t, "ok.nwb", []byte("fine")), asset(t, p, []byte("evil")))
			parent := t.TempDir()
			out := filepath.Join(parent, "out")
			_, err := runFetch(context.Background(), t, base, out, testFetcher(out))
			if !errors.Is(err, fetch.ErrUnsafePath) {
				t.Fatalf("err %v, want ErrUnsafePath", err)
			}
			filepath.Walk(parent, func(q string, fi os.FileInfo, err error) error {
				if fi != nil && !fi.IsDir() {
					t.Errorf("file written: %s", q)
				}
				return nil
			})
		})
	}
}

// A symlink planted inside the destination tree cannot redirect a write.
func TestSymlinkTrick(t *testing.T) {
	base := mirrorOf(t, asset(t, "sub-01/a.nwb", []byte("aaaa")), asset(t, "sub-02/b.nwb", []byte("bbbb")))
	out, outside := t.TempDir(), t.TempDir()
	os.MkdirAll(filepath.Join(out, testID), 0o755)
	if err := os.Symlink(outside, filepath.Join(out, testID, "sub-01")); err != nil {
		t.Skip("symlinks unavailable:", err)
	}
	res, err := runFetch(context.Background(), t, base, out, testFetcher(out))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range res {
		switch r.Job.Name {
		case "sub-01/a.nwb":
			if r.Status != fetch.StatusFailed || !errors.Is(r.Err, fetch.ErrUnsafePath) {
				t.Errorf("through symlink: %s %v", r.Status, r.Err)
			}
		case "sub-02/b.nwb":
			if r.Status != fetch.StatusDownloaded {
				t.Errorf("b: %s %v", r.Status, r.Err)
			}
		}
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("wrote %d entries outside the tree", len(ents))
	}
}

// Declared sizes beyond the dandi-etag limit or the free disk space are
// refused before any byte is requested or allocated; a server whose object
// is larger than declared is caught.
func TestHugeDeclaredSizes(t *testing.T) {
	a := asset(t, "small.nwb", []byte("tiny content"))
	huge := *a
	huge.Path, huge.ID, huge.Blob, huge.Size = "huge.nwb", mirror.UUID("huge"), mirror.UUID("bhuge"), 1<<62
	disk := *a
	disk.Path, disk.ID, disk.Blob, disk.Size = "disk.nwb", mirror.UUID("disk"), mirror.UUID("bdisk"), 4<<40 // 4 TiB < 5 TiB limit
	base := mirrorOf(t, a, &huge, &disk)
	out := t.TempDir()
	res, err := runFetch(context.Background(), t, base, out, testFetcher(out))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"huge.nwb": "declared size too large", "disk.nwb": "not enough disk space"}
	for _, r := range res {
		if w, ok := want[r.Job.Name]; ok {
			if r.Status != fetch.StatusFailed || !strings.Contains(r.Err.Error(), w) {
				t.Errorf("%s: %s %v, want error containing %q", r.Job.Name, r.Status, r.Err, w)
			}
			if _, err := os.Stat(r.Job.Dest); err == nil {
				t.Errorf("%s written", r.Job.Name)
			}
		} else if r.Status != fetch.StatusDownloaded {
			t.Errorf("%s: %s %v", r.Job.Name, r.Status, r.Err)
		}
	}
	if fi, err := os.Stat(filepath.Join(out, testID, "disk.nwb.ndpart")); err == nil && fi.Size() > 0 {
		t.Errorf("sparse temp file of %d bytes left", fi.Size())
	}
	// The server holds 12 bytes where 5 were declared: caught, not written.
	f := testFetcher("")
	dest := filepath.Join(t.TempDir(), "short.nwb")
	r := f.FetchOne(context.Background(), fetch.Job{URL: base + "/api/assets/" + a.ID + "/download/", Dest: dest, Size: 5})
	if r.Err == nil || !strings.Contains(r.Err.Error(), "differs from the declared size") {
		t.Errorf("larger object: %v", r.Err)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Error("short.nwb written")
	}
}

// Redirect loops end with a clear error, no hang: in OpenAsset and fetch.
func TestRedirectLoop(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, r.URL.Path+"x", http.StatusFound)
	}))
	defer ts.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := dandi.OpenAsset(ctx, ts.URL+"/blob", dandi.WithHTTPClient(testHTTP()))
	if !errors.Is(err, fetch.ErrRedirectLoop) {
		t.Errorf("OpenAsset: %v", err)
	}
	f := testFetcher("")
	r := f.FetchOne(ctx, fetch.Job{URL: ts.URL + "/blob", Dest: filepath.Join(t.TempDir(), "x"), Size: 10})
	if !errors.Is(r.Err, fetch.ErrRedirectLoop) {
		t.Errorf("fetch: %v", r.Err)
	}
}

// The API key goes to the API host only and is never part of an error.
func TestAPIKeyNotLeaked(t *testing.T) {
	const key = "k3y-never-print-0123456789abcdef"
	var apiSaw, otherSaw bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		otherSaw = otherSaw || strings.Contains(r.Header.Get("Authorization"), key)
		http.Error(w, "nope", http.StatusForbidden)
	}))
	defer other.Close()
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiSaw = apiSaw || r.Header.Get("Authorization") == "token "+key
		if strings.Contains(r.URL.Path, "/download/") {
			http.Redirect(w, r, other.URL+"/blob", http.StatusFound)
			return
		}
		http.Error(w, `{"detail":"no"}`, http.StatusForbidden)
	}))
	defer api.Close()
	c := dandi.NewClient(dandi.WithAPIURL(api.URL+"/api"), dandi.WithAPIKey(key), dandi.WithHTTPClient(testHTTP()))
	_, err1 := c.Dandiset(context.Background(), "000001")
	_, _, err2 := dandi.OpenAsset(context.Background(), api.URL+"/api/assets/838bab7b-9ab4-4d66-97b3-898a367c9c7e/download/", dandi.WithAPIKey(key), dandi.WithHTTPClient(testHTTP()))
	f := testFetcher("")
	res := f.FetchOne(context.Background(), fetch.Job{URL: c.DownloadURL("838bab7b-9ab4-4d66-97b3-898a367c9c7e"), Header: c.AuthHeader(), Dest: filepath.Join(t.TempDir(), "x"), Size: 4})
	for i, err := range []error{err1, err2, res.Err} {
		if err == nil {
			t.Errorf("call %d succeeded", i)
			continue
		}
		if strings.Contains(err.Error(), key) {
			t.Errorf("key in error: %v", err)
		}
	}
	if !apiSaw {
		t.Error("API host never received the key")
	}
	if otherSaw {
		t.Error("key sent to the redirect target on another host")
	}
}
