package fetch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/internal/fetch"
)

// Fetch downloads, verifies and renames; a second run skips the verified
// file (default policy refresh).
func ExampleFetcher_Fetch() {
	s := mirror.New()
	body := strings.Repeat("spike ", 20000)
	a, _ := mirror.NewAsset("000001", "sub-1/s.nwb", strings.NewReader(body), int64(len(body)), time.Unix(1e9, 0), nil)
	s.Add(&mirror.Dandiset{ID: "000001", Versions: []*mirror.Version{{Version: "draft", Assets: []*mirror.Asset{a}}}})
	ts := mirror.NewTestServer(s)
	defer ts.Close()

	dir, _ := os.MkdirTemp("", "fetch-example")
	defer os.RemoveAll(dir)
	dest, _ := fetch.SafeJoin(dir, "000001/sub-1/s.nwb")
	jobs := []fetch.Job{{
		URL:  s.AssetURL(ts.URL, "000001", "sub-1/s.nwb"),
		Dest: dest, Size: a.Size, Mtime: a.Modified,
		Digests: map[string]string{"dandi:dandi-etag": a.ETag(), "sha256": a.Digests["dandi:sha2-256"]},
	}}
	f := &fetch.Fetcher{Root: dir}
	for run := 0; run < 2; run++ {
		res, _ := f.Fetch(context.Background(), jobs)
		fmt.Println(res[0].Status, res[0].Bytes, len(res[0].Digests))
	}
	rel, _ := filepath.Rel(dir, dest)
	fmt.Println(filepath.ToSlash(rel))
	// Output:
	// downloaded 120000 2
	// skipped 0 0
	// 000001/sub-1/s.nwb
}
