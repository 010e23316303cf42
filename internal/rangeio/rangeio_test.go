package rangeio_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/internal/fetch"
	"github.com/neurodata/neurodata/internal/rangeio"
)

func testData(n int) []byte {
	rng := rand.New(rand.NewChaCha8([32]byte{3}))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// serve puts data behind the mirror's S3 stand-in and returns the API
// download URL (a redirect to a presigned URL, as on DANDI).
func serve(t *testing.T, data []byte, latency time.Duration) (string, *mirror.Server) {
	t.Helper()
	s := mirror.New()
	a, err := mirror.NewAsset("000001", "f.nwb", bytes.NewReader(data), int64(len(data)), time.Unix(1e9, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	s.Add(&mirror.Dandiset{ID: "000001", Versions: []*mirror.Version{{Version: "draft", Assets: []*mirror.Asset{a}}}})
	s.Latency = latency
	ts := mirror.NewTestServer(s)
	t.Cleanup(ts.Close)
	return s.AssetURL(ts.URL, "000001", "f.nwb"), s
}

func client() *http.Client {
	return fetch.NewHTTPClient(&fetch.HTTPOptions{Retries: 3, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond})
}

func TestReadAtMatchesSource(t *testing.T) {
	data := testData(5<<20 + 123)
	u, _ := serve(t, data, 0)
	r, err := rangeio.Open(context.Background(), u, rangeio.WithClient(client()), rangeio.WithCacheBytes(1<<20))
	if err != nil {
		t.Fatal(err)
	}
	if r.Size() != int64(len(data)) {
		t.Fatalf("size %d", r.Size())
	}
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, 1))
			for i := 0; i < 50; i++ {
				off := rng.Int64N(int64(len(data)))
				n := rng.IntN(300 << 10)
				buf := make([]byte, n)
				k, err := r.ReadAt(buf, off)
				want := min(int64(n), int64(len(data))-off)
				if int64(k) != want || (err != nil && !(err == io.EOF && want < int64(n))) {
					t.Errorf("ReadAt(%d, %d) = %d, %v", n, off, k, err)
					return
				}
				if !bytes.Equal(buf[:k], data[off:off+int64(k)]) {
					t.Errorf("ReadAt(%d, %d): bytes differ", n, off)
					return
				}
			}
		}(uint64(g))
	}
	wg.Wait()
	if _, err := r.ReadAt(make([]byte, 1), int64(len(data))); err != io.EOF {
		t.Errorf("read at EOF: %v", err)
	}
}

// Transfer accounting with 30 ms injected latency per file response.
func TestRequestCounts(t *testing.T) {
	const size = 24 << 20
	data := testData(size)
	u, srv := serve(t, data, 30*time.Millisecond)
	ctx := context.Background()

	t.Run("sequential-64KiB-reads", func(t *testing.T) {
		r, err := rangeio.Open(ctx, u, rangeio.WithClient(client()))
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 64<<10)
		got := make([]byte, 0, size)
		for off := int64(0); off < size; off += int64(len(buf)) {
			n, _ := r.ReadAt(buf, off)
			got = append(got, buf[:n]...)
		}
		if !bytes.Equal(got, data) {
			t.Fatal("bytes differ")
		}
		st := r.Stats()
		t.Logf("sequential: %d requests, %d bytes for %d", st.Requests, st.Bytes, size)
		// Read-ahead doubles 64 KiB → 8 MiB: probe + 64K..8M (8 requests,
		// 16 MiB) + one more 8 MiB: 10 requests; 384 reads without it.
		if st.Requests > 12 {
			t.Errorf("%d requests for a sequential scan, want <= 12", st.Requests)
		}
		if st.Bytes > size {
			t.Errorf("%d bytes transferred for a %d-byte object", st.Bytes, size)
		}
	})
	t.Run("one-large-read-parallel", func(t *testing.T) {
		r, err := rangeio.Open(ctx, u, rangeio.WithClient(client()))
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 16<<20)
		start := time.Now()
		if _, err := r.ReadAt(buf, 4<<20); err != nil {
			t.Fatal(err)
		}
		el := time.Since(start)
		if !bytes.Equal(buf, data[4<<20:20<<20]) {
			t.Fatal("bytes differ")
		}
		st := r.Stats()
		t.Logf("16 MiB read: %d requests (incl. probe), %d bytes, %v", st.Requests, st.Bytes, el)
		if st.Requests != 1+2 {
			t.Errorf("%d requests, want probe + 2 parallel 8 MiB ranges", st.Requests)
		}
		if st.Bytes > 16<<20+64<<10 {
			t.Errorf("%d bytes for a 16 MiB read", st.Bytes)
		}
	})
	t.Run("scattered-and-cached", func(t *testing.T) {
		r, err := rangeio.Open(ctx, u, rangeio.WithClient(client()))
		if err != nil {
			t.Fatal(err)
		}
		offs := []int64{1 << 20, 3 << 20, 7 << 20, 7<<20 + 100, 1<<20 + 5000}
		b := make([]byte, 200)
		for _, o := range offs {
			if _, err := r.ReadAt(b, o); err != nil || !bytes.Equal(b, data[o:o+200]) {
				t.Fatalf("read at %d: %v", o, err)
			}
		}
		// Probe (64 KiB) + 3 distinct neighbourhoods with the window
		// doubling 64, 128, 256 KiB; the other two reads hit the cache.
		if st := r.Stats(); st.Requests != 4 || st.Bytes != (64+64+128+256)<<10 {
			t.Errorf("scattered: %+v, want 4 requests, 512 KiB", st)
		}
	})
	t.Logf("server: %+v", srv.Stats())
}

func TestETagPinned(t *testing.T) {
	data := testData(1 << 20)
	u, srv := serve(t, data, 0)
	r, err := rangeio.Open(context.Background(), u, rangeio.WithClient(client()))
	if err != nil {
		t.Fatal(err)
	}
	srv.Faults = mirror.NewFaults(mirror.Fault{Kind: mirror.ETagChange})
	_, err = r.ReadAt(make([]byte, 10), 500<<10)
	if !errors.Is(err, rangeio.ErrChanged) {
		t.Fatalf("after the object changed: err %v, want ErrChanged", err)
	}
	// Cached bytes stay readable: they belong to the pinned version.
	if _, err := r.ReadAt(make([]byte, 10), 0); err != nil {
		t.Errorf("cached read: %v", err)
	}
}

func TestFaultsDuringReads(t *testing.T) {
	data := testData(3 << 20)
	for _, f := range []mirror.Fault{
		{Kind: mirror.IgnoreRange},
		{Kind: mirror.Truncate, Times: 2, After: 1000},
		{Kind: mirror.Reset, Times: 1, After: 1000},
		{Kind: mirror.Status503, Times: 2},
	} {
		t.Run(string(f.Kind), func(t *testing.T) {
			u, srv := serve(t, data, 0)
			r, err := rangeio.Open(context.Background(), u, rangeio.WithClient(client()))
			if err != nil {
				t.Fatal(err)
			}
			srv.Faults = mirror.NewFaults(f)
			buf := make([]byte, 1<<20)
			if _, err := r.ReadAt(buf, 1<<20); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf, data[1<<20:2<<20]) {
				t.Fatal("bytes differ")
			}
			if srv.Faults.Fired(f.Kind) == 0 {
				t.Error("fault did not fire")
			}
		})
	}
}

func TestDiskCache(t *testing.T) {
	data := testData(2 << 20)
	u, _ := serve(t, data, 0)
	dir := t.TempDir()
	ctx := context.Background()
	r1, err := rangeio.Open(ctx, u, rangeio.WithClient(client()), rangeio.WithDiskCache(dir))
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 1<<20)
	r1.ReadAt(buf, 512<<10)
	r2, err := rangeio.Open(ctx, u, rangeio.WithClient(client()), rangeio.WithDiskCache(dir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r2.ReadAt(buf, 600<<10); err != nil || !bytes.Equal(buf, data[600<<10:1624<<10]) {
		t.Fatalf("disk-cached read: %v", err)
	}
	// [512K, 1536K) came from disk; only [1536K, 1624K) is fetched.
	if st := r2.Stats(); st.Requests != 2 || st.DiskHits == 0 || st.Bytes != 64<<10+88<<10 {
		t.Errorf("second reader: %+v, want probe + one 88 KiB request and disk hits", st)
	}
}

// A presigned URL that expires mid-session (DANDI: after 6 h) is
// re-resolved through the original API URL.
func TestPresignedURLExpiry(t *testing.T) {
	data := testData(1 << 20)
	u, srv := serve(t, data, 0)
	srv.PresignTTL = time.Second
	r, err := rangeio.Open(context.Background(), u, rangeio.WithClient(client()))
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(2100 * time.Millisecond)
	buf := make([]byte, 1000)
	if _, err := r.ReadAt(buf, 700<<10); err != nil || !bytes.Equal(buf, data[700<<10:700<<10+1000]) {
		t.Fatalf("read after expiry: %v", err)
	}
	// probe, the refused (403) request, the retry through the API.
	if st := r.Stats(); st.Requests != 3 {
		t.Errorf("%d requests, want 3", st.Requests)
	}
}
