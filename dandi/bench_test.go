package dandi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
)

// BenchmarkFetchLoopback fetches a 256 MiB generated file from the
// in-process mirror: "verified" checks the dandi-etag and sha256 as
// `neurodata fetch` does; "transfer-only" drops the digests to show the
// cost of verification. The peer comparison with curl is bench/fetch.sh.
func BenchmarkFetchLoopback(b *testing.B) {
	big := bigFile(b, b.TempDir(), 256<<20)
	ts := mirror.NewTestServer(newMirror([]srcFile{big}))
	defer ts.Close()
	for _, verify := range []bool{true, false} {
		name := "verified"
		if !verify {
			name = "transfer-only"
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(big.asset.Size)
			out := b.TempDir()
			c := dandi.NewClient(dandi.WithAPIURL(ts.URL+"/api"), dandi.WithHTTPClient(testHTTP()))
			r, _ := dandi.ParseURL("DANDI:" + testID)
			sel, err := c.Resolve(context.Background(), r)
			if err != nil {
				b.Fatal(err)
			}
			jobs, _, _ := c.Plan(sel, out, dandi.PlanOptions{})
			if !verify {
				jobs[0].Digests = nil
			}
			for b.Loop() {
				os.RemoveAll(filepath.Join(out, testID))
				res, _ := testFetcher(out).Fetch(context.Background(), jobs)
				if res[0].Err != nil {
					b.Fatal(res[0].Err)
				}
			}
		})
	}
}

// BenchmarkFetchZarr fetches a Zarr asset of 2000 entries of 16 KiB
// (31 MiB, nested two levels like chunked arrays) from the in-process
// mirror with the default 6 entry jobs: per-entry overhead (listing,
// request, temp file, MD5, rename) plus the final tree check. Reported:
// entries/s alongside MB/s.
func BenchmarkFetchZarr(b *testing.B) {
	const n, size = 2000, 16 << 10
	z := &mirror.Zarr{}
	for i := 0; i < n; i++ {
		content := make([]byte, size)
		for j := range content {
			content[j] = byte(i*31 + j)
		}
		z.Entries = append(z.Entries, &mirror.ZarrEntry{Key: fmt.Sprintf("acquisition/ts/data/%d/%d", i/100, i%100), Content: content})
	}
	za, err := mirror.NewZarrAsset(testID, "sub-1/sub-1.nwb.zarr", z, time.Unix(1.7e9, 0))
	if err != nil {
		b.Fatal(err)
	}
	srv := mirror.New()
	srv.Add(&mirror.Dandiset{ID: testID, Versions: []*mirror.Version{{Version: "draft", Name: "zarr bench", Status: "Valid", Assets: []*mirror.Asset{za}}}})
	ts := mirror.NewTestServer(srv)
	defer ts.Close()
	c := dandi.NewClient(dandi.WithAPIURL(ts.URL+"/api"), dandi.WithHTTPClient(testHTTP()))
	r, _ := dandi.ParseURL("DANDI:" + testID + "/draft")
	sel, err := c.Resolve(context.Background(), r)
	if err != nil {
		b.Fatal(err)
	}
	out := b.TempDir()
	zj, err := c.PlanZarrs(sel, out, dandi.PlanOptions{})
	if err != nil || len(zj) != 1 {
		b.Fatalf("PlanZarrs: %v %v", zj, err)
	}
	b.SetBytes(n * size)
	start := time.Now()
	for b.Loop() {
		os.RemoveAll(filepath.Join(out, testID))
		res := c.FetchZarr(context.Background(), zj[0], &dandi.ZarrFetchOptions{Fetcher: testFetcher(out)})
		if res.Err != nil || res.EntriesDownloaded != n {
			b.Fatalf("FetchZarr: %d downloaded, %v", res.EntriesDownloaded, res.Err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "entries/s")
}
