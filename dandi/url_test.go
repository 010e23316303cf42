package dandi

import (
	"errors"
	"testing"
)

// Forms from dandi-cli docs/source/ref/urls.rst and dandiarchive.py, as
// summarised in ../shared/reference/dandi-allen.md §2.1.
func TestParseURL(t *testing.T) {
	const api = "https://api.dandiarchive.org/api"
	const aid = "838bab7b-9ab4-4d66-97b3-898a367c9c7e"
	cases := []struct {
		in   string
		want Resource
	}{
		{"000021", Resource{Kind: KindDandiset, DandisetID: "000021"}},
		{"000021/draft", Resource{Kind: KindDandiset, DandisetID: "000021", Version: "draft"}},
		{"DANDI:000021", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021"}},
		{"dandi:000021/0.251116.2246", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "0.251116.2246"}},
		{"DANDI:000021/draft", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft"}},
		{"DANDI-SANDBOX:000123", Resource{Kind: KindDandiset, Instance: "dandi-sandbox", APIURL: "https://api.sandbox.dandiarchive.org/api", DandisetID: "000123"}},
		{"https://identifiers.org/DANDI:000021", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021"}},
		{"https://identifiers.org/DANDI:000021/0.251116.2246", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "0.251116.2246"}},
		{"https://dandiarchive.org/dandiset/000021", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021"}},
		{"https://dandiarchive.org/#/dandiset/000021", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021"}},
		{"https://dandiarchive.org/dandiset/000021/draft", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft"}},
		{"https://dandiarchive.org/dandiset/000021/0.251116.2246/files", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "0.251116.2246"}},
		{"https://dandiarchive.org/dandiset/000021/draft/files?location=sub-1", Resource{Kind: KindPrefix, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft", Path: "sub-1/"}},
		{"https://dandiarchive.org/#/dandiset/000021/draft/files?location=sub-1/", Resource{Kind: KindPrefix, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft", Path: "sub-1/"}},
		{"https://sandbox.dandiarchive.org/dandiset/000123", Resource{Kind: KindDandiset, Instance: "dandi-sandbox", APIURL: "https://api.sandbox.dandiarchive.org/api", DandisetID: "000123"}},
		{"http://127.0.0.1:8080/dandiset/000021/draft", Resource{Kind: KindDandiset, APIURL: "http://127.0.0.1:8080/api", DandisetID: "000021", Version: "draft"}},
		{api + "/dandisets/", Resource{Kind: KindDandisetList, Instance: "dandi", APIURL: api}},
		{api + "/dandisets/000021", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021"}},
		{api + "/dandisets/000021/", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021"}},
		{api + "/dandisets/000021/versions/", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021"}},
		{api + "/dandisets/000021/versions/draft/", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft"}},
		{api + "/dandisets/000021/versions/draft/info/", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft"}},
		{api + "/dandisets/000021/versions/draft/assets/", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft"}},
		{api + "/dandisets/000021/versions/draft/assets/?path=sub-1/ses", Resource{Kind: KindPrefix, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft", Path: "sub-1/ses"}},
		{api + "/dandisets/000021/versions/draft/assets/?glob=*.nwb", Resource{Kind: KindGlob, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft", Glob: "*.nwb"}},
		{api + "/dandisets/000021/versions/draft/assets/" + aid + "/", Resource{Kind: KindAsset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft", AssetID: aid}},
		{api + "/dandisets/000021/versions/draft/assets/" + aid + "/download/", Resource{Kind: KindAsset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft", AssetID: aid}},
		{api + "/assets/" + aid, Resource{Kind: KindAsset, Instance: "dandi", APIURL: api, AssetID: aid}},
		{api + "/assets/" + aid + "/download/", Resource{Kind: KindAsset, Instance: "dandi", APIURL: api, AssetID: aid}},
		{"http://127.0.0.1:8080/api/assets/" + aid + "/info/", Resource{Kind: KindAsset, APIURL: "http://127.0.0.1:8080/api", AssetID: aid}},
		{"dandi://dandi/000021", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021"}},
		{"dandi://dandi/000021@draft", Resource{Kind: KindDandiset, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "draft"}},
		{"dandi://dandi/000021@0.251116.2246/sub-1/", Resource{Kind: KindPrefix, Instance: "dandi", APIURL: api, DandisetID: "000021", Version: "0.251116.2246", Path: "sub-1/"}},
		{"dandi://dandi/000021/sub-1/sub-1_ses-2.nwb", Resource{Kind: KindPath, Instance: "dandi", APIURL: api, DandisetID: "000021", Path: "sub-1/sub-1_ses-2.nwb"}},
		{"dandi://DANDI-SANDBOX/000123/a b.nwb", Resource{Kind: KindPath, Instance: "dandi-sandbox", APIURL: "https://api.sandbox.dandiarchive.org/api", DandisetID: "000123", Path: "a b.nwb"}},
		{"https://dandiarchive.s3.amazonaws.com/blobs/2db/af0/2dbaf0fd-5003-4a0a-b4c0-bc8cdbdb3826", Resource{Kind: KindURL, URL: "https://dandiarchive.s3.amazonaws.com/blobs/2db/af0/2dbaf0fd-5003-4a0a-b4c0-bc8cdbdb3826"}},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := ParseURL(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if *got != c.want {
				t.Errorf("ParseURL(%q)\n got %+v\nwant %+v", c.in, *got, c.want)
			}
		})
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, in := range []string{
		"", "21", "0000211", "FOO:000021", "DANDI:21", "ftp://x/y", "dandi://nosuch/000021",
		"https://api.dandiarchive.org/api/dandisets/abc/", "https://api.dandiarchive.org/api/assets/not-a-uuid/",
		"https://api.dandiarchive.org/api/dandisets/000021/versions/bad/", "https://identifiers.org/foo",
		"https://api.dandiarchive.org/api/zarr/x/",
	} {
		if r, err := ParseURL(in); err == nil {
			t.Errorf("ParseURL(%q) = %+v, want error", in, r)
		} else if !errors.Is(err, ErrBadURL) {
			t.Errorf("ParseURL(%q) error %v does not wrap ErrBadURL", in, err)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		g, p string
		want bool
	}{
		{"*.nwb", "sub-1/a.nwb", true},
		{"*.nwb", "sub-1/a.json", false},
		{"sub-1/*", "sub-1/a.nwb", true},
		{"sub-1/*", "sub-1/x/a.nwb", false},
		{"sub-*/**", "sub-1/x/a.nwb", true},
		{"**/*.nwb", "a/b/c.nwb", true},
	}
	for _, c := range cases {
		if got := globMatch(c.g, c.p); got != c.want {
			t.Errorf("globMatch(%q, %q) = %v", c.g, c.p, got)
		}
	}
}
