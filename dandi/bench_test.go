package dandi_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

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
