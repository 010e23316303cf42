package dandi_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
)

func ExampleParseURL() {
	for _, s := range []string{
		"DANDI:000021/0.251116.2246",
		"https://dandiarchive.org/dandiset/000021/draft/files?location=sub-1",
		"dandi://dandi/000021/sub-1/sub-1_ses-2.nwb",
	} {
		r, err := dandi.ParseURL(s)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%s %s version=%q path=%q\n", r.Kind, r.DandisetID, r.Version, r.Path)
	}
	// Output:
	// dandiset 000021 version="0.251116.2246" path=""
	// prefix 000021 version="draft" path="sub-1/"
	// path 000021 version="" path="sub-1/sub-1_ses-2.nwb"
}

// OpenAsset reads a remote asset by range requests; here from an
// in-process mirror.
func ExampleOpenAsset() {
	s := mirror.New()
	body := "HDF5-like bytes of a tiny asset"
	a, _ := mirror.NewAsset("000001", "sub-1/sub-1.nwb", strings.NewReader(body), int64(len(body)), time.Unix(0, 0), nil)
	s.Add(&mirror.Dandiset{ID: "000001", Versions: []*mirror.Version{{Version: "draft", Assets: []*mirror.Asset{a}}}})
	ts := mirror.NewTestServer(s)
	defer ts.Close()

	ctx := context.Background()
	r, size, err := dandi.OpenAsset(ctx, ts.URL+"/dandiset/000001/draft/files?location=sub-1/sub-1.nwb")
	if err != nil {
		fmt.Println(err)
		return
	}
	buf := make([]byte, 10)
	r.ReadAt(buf, 5)
	fmt.Println(size, string(buf))
	// Output: 31 like bytes
}

// The version metadata as dandi-cli's dandiset.yaml: block YAML in the
// document's key order, with words a YAML 1.1 reader would take for
// booleans quoted.
func ExampleMetadataYAML() {
	doc := `{"identifier": "DANDI:000027", "version": "draft", "name": "Test dataset",
		"license": ["spdx:CC-BY-4.0"], "assetsSummary": {"numberOfBytes": 18792, "numberOfFiles": 1},
		"keywords": ["no", "on"]}`
	y, err := dandi.MetadataYAML([]byte(doc))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(y))
	// Output:
	// identifier: DANDI:000027
	// version: draft
	// name: Test dataset
	// license:
	//   - spdx:CC-BY-4.0
	// assetsSummary:
	//   numberOfBytes: 18792
	//   numberOfFiles: 1
	// keywords:
	//   - "no"
	//   - "on"
}
