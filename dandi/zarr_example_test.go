package dandi_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
)

// ExampleClient_FetchZarr fetches a Zarr asset from a loopback mirror into
// a directory, verified against its dandi:dandi-zarr-checksum (the value
// below is also what the Python reference in zarr_test.go gives).
func ExampleClient_FetchZarr() {
	z := &mirror.Zarr{Entries: []*mirror.ZarrEntry{
		{Key: ".zgroup", Content: []byte(`{"zarr_format":2}`)},
		{Key: "data/0", Content: []byte("abc")},
	}}
	za, _ := mirror.NewZarrAsset("000123", "sub-1/sub-1.nwb.zarr", z, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	srv := mirror.New()
	srv.Add(&mirror.Dandiset{ID: "000123", Versions: []*mirror.Version{{Version: "draft", Assets: []*mirror.Asset{za}}}})
	ts := mirror.NewTestServer(srv)
	defer ts.Close()
	out, _ := os.MkdirTemp("", "zarr-example")
	defer os.RemoveAll(out)

	ctx := context.Background()
	c := dandi.NewClient(dandi.WithAPIURL(ts.URL + "/api"))
	r, _ := dandi.ParseURL("DANDI:000123/draft")
	sel, _ := c.Resolve(ctx, r)
	jobs, _ := c.PlanZarrs(sel, out, dandi.PlanOptions{})
	res := c.FetchZarr(ctx, jobs[0], nil)
	b, _ := os.ReadFile(filepath.Join(jobs[0].Dest, "data", "0"))
	fmt.Println(res.Status, res.Entries, res.Checksum, string(b))
	// Output:
	// downloaded 2 7d6d0b864d0f95f11dcc29386869dabd-2--20 abc
}
