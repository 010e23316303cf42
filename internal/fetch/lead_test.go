package fetch

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Parts running ahead of the whole-file digest follower pause at the lead
// bound without tripping the stall timeout, and the file still verifies
// against digests computed here with crypto/sha256 and crypto/md5.
func TestFollowerLeadBound(t *testing.T) {
	data := make([]byte, 4<<20)
	rng := rand.New(rand.NewPCG(9, 9))
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	shaSum := sha256.Sum256(data)
	md5Sum := md5.Sum(data)
	var reqs, zeroStart atomic.Int64
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		// Hold back the first part so the others run ahead of the
		// follower, longer than the stall timeout.
		if strings.HasPrefix(r.Header.Get("Range"), "bytes=0-") {
			zeroStart.Add(1)
			time.Sleep(400 * time.Millisecond)
		}
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "blob", time.Time{}, bytes.NewReader(data))
	}))
	defer ts.Close()

	defer func(v int64) { minFollowLead = v }(minFollowLead)
	minFollowLead = 64 << 10
	waits0 := followWaits.Load()

	const psize = 256 << 10
	f := &Fetcher{
		Client: NewHTTPClient(&HTTPOptions{Retries: 1, MinBackoff: time.Millisecond}), PartSize: psize, PartJobs: 4,
		StallTimeout: 150 * time.Millisecond, Attempts: 2, MinBackoff: time.Millisecond,
	}
	job := Job{URL: ts.URL, Dest: filepath.Join(t.TempDir(), "f.bin"), Size: int64(len(data)),
		Digests: map[string]string{"sha256": hex.EncodeToString(shaSum[:]), "md5": hex.EncodeToString(md5Sum[:])}}
	r := f.FetchOne(context.Background(), job)
	if r.Err != nil || r.Status != StatusDownloaded {
		t.Fatalf("fetch: %s %v", r.Status, r.Err)
	}
	got, err := os.ReadFile(job.Dest)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("file differs from the served bytes (err %v)", err)
	}
	if followWaits.Load() == waits0 {
		t.Error("no part waited for the follower although the first part was held back")
	}
	if n, want := reqs.Load(), int64(len(data)/psize); n != want || zeroStart.Load() != 1 {
		t.Errorf("%d requests (%d for the first part), want %d and 1: waiting parts were retried as stalled", n, zeroStart.Load(), want)
	}
	if r.Digests["sha256"] != hex.EncodeToString(shaSum[:]) || r.Digests["md5"] != hex.EncodeToString(md5Sum[:]) {
		t.Errorf("reported digests %v", r.Digests)
	}
}

// A corrupted byte in a part that waited for the follower is still caught.
func TestFollowerLeadBoundCorrupt(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	shaSum := sha256.Sum256(data)
	bad := bytes.Clone(data)
	bad[3<<20+17] ^= 1
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.Header.Get("Range"), "bytes=0-") {
			time.Sleep(200 * time.Millisecond)
		}
		w.Header().Set("ETag", `"v1"`)
		http.ServeContent(w, r, "blob", time.Time{}, bytes.NewReader(bad))
	}))
	defer ts.Close()
	defer func(v int64) { minFollowLead = v }(minFollowLead)
	minFollowLead = 64 << 10
	f := &Fetcher{Client: NewHTTPClient(&HTTPOptions{Retries: 1, MinBackoff: time.Millisecond}), PartSize: 256 << 10,
		StallTimeout: 100 * time.Millisecond, VerifyAttempts: 1, MinBackoff: time.Millisecond}
	job := Job{URL: ts.URL, Dest: filepath.Join(t.TempDir(), "f.bin"), Size: int64(len(data)),
		Digests: map[string]string{"sha256": hex.EncodeToString(shaSum[:])}}
	r := f.FetchOne(context.Background(), job)
	if r.Status != StatusFailed || r.Err == nil || !strings.Contains(r.Err.Error(), "checksum mismatch") {
		t.Fatalf("want a checksum mismatch, got %s %v", r.Status, r.Err)
	}
	if _, err := os.Stat(job.Dest); err == nil {
		t.Error("corrupt file at the final path")
	}
}
