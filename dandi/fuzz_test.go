package dandi

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzParseURL checks that no input panics and that accepted resources are
// self-consistent.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"000021", "DANDI:000021/draft", "https://identifiers.org/DANDI:000021/0.1.2",
		"https://dandiarchive.org/#/dandiset/000021/draft/files?location=a/b",
		"https://api.dandiarchive.org/api/dandisets/000021/versions/draft/assets/?glob=*.nwb",
		"https://api.dandiarchive.org/api/assets/838bab7b-9ab4-4d66-97b3-898a367c9c7e/download/",
		"dandi://dandi/000021@draft/sub-1/", "http://[::1]:80/api/", "dandi://", "https://x/#?location=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseURL(s)
		if err != nil {
			return
		}
		switch r.Kind {
		case KindDandiset, KindPrefix, KindPath, KindGlob:
			if len(r.DandisetID) != 6 {
				t.Fatalf("%q: dandiset id %q", s, r.DandisetID)
			}
		case KindAsset:
			if len(r.AssetID) != 36 {
				t.Fatalf("%q: asset id %q", s, r.AssetID)
			}
		case KindURL:
			if !strings.HasPrefix(strings.ToLower(r.URL), "http") {
				t.Fatalf("%q: url %q", s, r.URL)
			}
		}
	})
}

// FuzzMetadataYAML checks that no document panics and that every
// accepted document renders as YAML that parses back.
func FuzzMetadataYAML(f *testing.F) {
	for _, s := range []string{
		`{"schemaKey":"Dandiset","id":"DANDI:000027/draft","assetsSummary":{"numberOfBytes":18792,"species":[{"name":"Rattus"}]}}`,
		`{"a":[1,2.5,-3e-7,true,null,"yes"],"b":{}}`, `[]`, `"x"`, `1e400`, `{"a":"\u0000\t\n"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		y, err := MetadataYAML(b)
		if err != nil {
			return
		}
		var v any
		if err := yaml.Unmarshal(y, &v); err != nil {
			t.Fatalf("%q rendered as unparseable YAML %q: %v", b, y, err)
		}
	})
}
