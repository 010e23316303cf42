package fetch_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/internal/fetch"
)

// blobServer serves data with S3 range semantics through the mirror and
// returns a job for it.
func blobServer(t *testing.T, data []byte) (*mirror.Server, fetch.Job) {
	t.Helper()
	s := mirror.New()
	mod := time.Date(2021, 6, 15, 21, 49, 25, 0, time.UTC)
	a, err := mirror.NewAsset("000001", "a.nwb", bytes.NewReader(data), int64(len(data)), mod, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Add(&mirror.Dandiset{ID: "000001", Versions: []*mirror.Version{{Version: "draft", Assets: []*mirror.Asset{a}}}})
	ts := mirror.NewTestServer(s)
	t.Cleanup(ts.Close)
	return s, fetch.Job{
		URL: s.AssetURL(ts.URL, "000001", "a.nwb"), Dest: filepath.Join(t.TempDir(), "a.nwb"), Size: int64(len(data)),
		Digests: a.Digests, Mtime: mod,
	}
}

func quick() *fetch.Fetcher {
	return &fetch.Fetcher{
		Client:     fetch.NewHTTPClient(&fetch.HTTPOptions{Retries: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}),
		MinBackoff: time.Millisecond, Attempts: 3, StallTimeout: 200 * time.Millisecond,
	}
}

func TestExistingPolicies(t *testing.T) {
	data := []byte(strings.Repeat("neurodata ", 5000))
	srv, job := blobServer(t, data)
	ctx := context.Background()
	f := quick()
	if r := f.FetchOne(ctx, job); r.Status != fetch.StatusDownloaded || r.Bytes != int64(len(data)) {
		t.Fatalf("first fetch: %+v", r)
	}
	same := bytes.Clone(data)
	diff := bytes.Clone(data)
	diff[100] ^= 1
	cases := []struct {
		policy   fetch.Existing
		local    []byte
		keepTime bool
		want     fetch.Status
	}{
		{fetch.ExistingRefresh, same, true, fetch.StatusSkipped},          // size+mtime match
		{fetch.ExistingRefresh, same, false, fetch.StatusSkipped},         // digest match
		{fetch.ExistingRefresh, diff, false, fetch.StatusDownloaded},      // digest differs
		{fetch.ExistingRefresh, data[:10], false, fetch.StatusDownloaded}, // size differs
		{fetch.ExistingSkip, diff, false, fetch.StatusSkipped},
		{fetch.ExistingOverwrite, same, true, fetch.StatusDownloaded},
		{fetch.ExistingOverwriteDifferent, same, true, fetch.StatusSkipped},
		{fetch.ExistingOverwriteDifferent, diff, true, fetch.StatusDownloaded}, // mtime alone not trusted
		{fetch.ExistingError, same, true, fetch.StatusFailed},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%d-%s", i, c.policy), func(t *testing.T) {
			os.WriteFile(job.Dest, c.local, 0o644)
			if c.keepTime {
				os.Chtimes(job.Dest, job.Mtime, job.Mtime)
			}
			srv.ResetStats()
			f.Existing = c.policy
			r := f.FetchOne(ctx, job)
			if r.Status != c.want {
				t.Fatalf("status %s (%v), want %s", r.Status, r.Err, c.want)
			}
			got, _ := os.ReadFile(job.Dest)
			switch c.want {
			case fetch.StatusDownloaded:
				if !bytes.Equal(got, data) {
					t.Error("content not replaced")
				}
			case fetch.StatusFailed:
				if !errors.Is(r.Err, fetch.ErrExists) {
					t.Errorf("err %v", r.Err)
				}
			default:
				if !bytes.Equal(got, c.local) || srv.Stats().Bytes != 0 {
					t.Error("skipped file touched or transferred")
				}
			}
		})
	}
}

// Two fetchers on the same destination: the second is refused by the
// per-file lock instead of interleaving writes.
func TestPerFileLock(t *testing.T) {
	data := bytes.Repeat([]byte{7}, 3<<20)
	srv, job := blobServer(t, data)
	srv.Latency = 300 * time.Millisecond
	f := quick()
	done := make(chan fetch.Result)
	go func() { done <- f.FetchOne(context.Background(), job) }()
	time.Sleep(100 * time.Millisecond) // first holds the lock, waiting on latency
	r2 := f.FetchOne(context.Background(), job)
	r1 := <-done
	if r1.Status != fetch.StatusDownloaded {
		t.Fatalf("first: %v", r1.Err)
	}
	if r2.Status != fetch.StatusFailed || !strings.Contains(r2.Err.Error(), "locked by another process") {
		t.Errorf("second: %s %v", r2.Status, r2.Err)
	}
}

// A sidecar that no longer matches the job (digest changed on the server)
// is discarded: the file restarts from zero rather than mixing versions.
func TestStaleSidecarRestarts(t *testing.T) {
	data := bytes.Repeat([]byte("abcdefgh"), 1<<17) // 1 MiB
	srv, job := blobServer(t, data)
	ctx, cancel := context.WithCancel(context.Background())
	f := quick()
	f.Progress = cancelAt{cancel}
	srv.Latency = 50 * time.Millisecond
	r := f.FetchOne(ctx, job)
	if !errors.Is(r.Err, context.Canceled) {
		t.Fatalf("cancel: %v", r.Err)
	}
	side, err := os.ReadFile(job.Dest + ".ndpart.json")
	if err != nil {
		t.Fatalf("no sidecar after cancel: %v", err)
	}
	// Pretend the asset changed: the job's digest differs from the sidecar's.
	job2 := job
	job2.Digests = map[string]string{"dandi:sha2-256": strings.Repeat("0", 64)}
	srv.ResetStats()
	r = quick().FetchOne(context.Background(), job2)
	if !errors.Is(r.Err, fetch.ErrChecksum) || r.Resumed {
		t.Errorf("changed digests: resumed=%v err=%v", r.Resumed, r.Err)
	}
	if _, err := os.Stat(job.Dest); err == nil {
		t.Error("mismatching file at final path")
	}
	_ = side
	// The original job resumes nothing (temp removed after the mismatch)
	// and completes.
	r = quick().FetchOne(context.Background(), job)
	if r.Status != fetch.StatusDownloaded {
		t.Fatalf("final: %v", r.Err)
	}
}

type cancelAt struct{ cancel context.CancelFunc }

func (c cancelAt) Start(*fetch.Job, int64, int64) {}
func (c cancelAt) Add(*fetch.Job, int64)          { c.cancel() }
func (c cancelAt) Finish(*fetch.Job, error)       {}

// Resume sends Range from the saved offset with If-Range carrying the
// pinned ETag, and fetches only the missing bytes.
func TestResumeUsesIfRange(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	srv, job := blobServer(t, data)
	var ifRange atomic.Value
	var ranges atomic.Value
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/s3/") {
			if v := r.Header.Get("If-Range"); v != "" {
				ifRange.Store(v)
				ranges.Store(r.Header.Get("Range"))
			}
		}
		srv.ServeHTTP(w, r)
	})
	ts := httptest.NewUnstartedServer(h)
	ts.Config.ConnContext = mirror.ConnContext
	ts.Start()
	defer ts.Close()
	job.URL = strings.Replace(job.URL, job.URL[:strings.Index(job.URL, "/api/")], ts.URL, 1)
	srv.Faults = mirror.NewFaults(mirror.Fault{Kind: mirror.Truncate, Times: 1, After: 300000})
	r := quick().FetchOne(context.Background(), job)
	if r.Status != fetch.StatusDownloaded {
		t.Fatal(r.Err)
	}
	if ir, _ := ifRange.Load().(string); ir != `"`+job.Digests["dandi:dandi-etag"]+`"` {
		t.Errorf("If-Range %q", ir)
	}
	if rg, _ := ranges.Load().(string); rg != fmt.Sprintf("bytes=300000-%d", len(data)-1) {
		t.Errorf("resume Range %q", rg)
	}
	if st := srv.Stats(); st.Bytes != int64(len(data)) {
		t.Errorf("served %d bytes for a %d-byte file with one truncation", st.Bytes, len(data))
	}
}

// Unknown size (-1): learned from a one-byte probe, fetched as one stream.
func TestUnknownSize(t *testing.T) {
	data := bytes.Repeat([]byte{1, 2, 3}, 100000)
	_, job := blobServer(t, data)
	job.Size = -1
	r := quick().FetchOne(context.Background(), job)
	got, _ := os.ReadFile(job.Dest)
	if r.Status != fetch.StatusDownloaded || !bytes.Equal(got, data) {
		t.Fatalf("%v", r.Err)
	}
}

func ExampleDigestReader() {
	d, _ := fetch.DigestReader(strings.NewReader("123"), 3, fetch.DigestDandiETag, fetch.DigestSHA256)
	fmt.Println(d[fetch.DigestDandiETag])
	fmt.Println(d[fetch.DigestSHA256])
	// Output:
	// d022646351048ac0ba397d12dfafa304-1
	// a665a45920422f9d417e4867efdc4fb8a04a1f3fff1fa07e998e86f7f7a27ae3
}
