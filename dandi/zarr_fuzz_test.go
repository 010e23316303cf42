package dandi

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/internal/fetch"
)

// FuzzZarrListing feeds arbitrary listing pages to ParseZarrPage: it
// must never panic, never return more than limit entries, and every
// entry it accepts must be a strictly increasing, root-confined key with
// an MD5 ETag and a sane size, whose checksum tree can be built.
func FuzzZarrListing(f *testing.F) {
	for _, s := range []struct {
		body, after string
		limit       int
	}{
		{`{"next":null,"results":[{"Key":".zgroup","LastModified":"2024-01-02T03:04:05.000000Z","ETag":"\"d41d8cd98f00b204e9800998ecf8427e\"","Size":0}]}`, "", 1000},
		{`{"next":"http://127.0.0.1/api/zarr/x/files/?after=a%2F1&limit=2","results":[{"Key":"a/0","ETag":"9dd4e461268c8034f5c8564e155c67a6","Size":1},{"Key":"a/1","ETag":"415290769594460e2e485922904f345d","Size":1}]}`, "", 2},
		{`{"next":null,"results":[{"Key":"../x","ETag":"d41d8cd98f00b204e9800998ecf8427e","Size":0}]}`, "", 10},
		{`{"next":null,"results":[{"Key":"/abs","ETag":"d41d8cd98f00b204e9800998ecf8427e","Size":0}]}`, "", 10},
		{`{"next":null,"results":[{"Key":"a/../../b","ETag":"d41d8cd98f00b204e9800998ecf8427e","Size":0}]}`, "", 10},
		{`{"next":null,"results":[{"Key":"b","ETag":"d41d8cd98f00b204e9800998ecf8427e","Size":0},{"Key":"a","ETag":"d41d8cd98f00b204e9800998ecf8427e","Size":0}]}`, "", 10},
		{`{"next":null,"results":[{"Key":"a","ETag":"d41d8cd98f00b204e9800998ecf8427e","Size":-5}]}`, "", 10},
		{`{"next":"ftp://evil/","results":[]}`, "", 10},
		{`{"next":null,"results":null}`, "", 10},
		{`{"results":[1,2,3]}`, "a", 1},
		{`[]`, "", 10},
		{`{"next":null,"results":[{"Key":"a","ETag":"d41d8cd98f00b204e9800998ecf8427e","Size":1e300}]}`, "", 10},
	} {
		f.Add([]byte(s.body), s.after, s.limit)
	}
	f.Fuzz(func(t *testing.T, body []byte, after string, limit int) {
		if limit <= 0 || limit > 1000 {
			limit = 1 + (limit%1000+1000)%1000
		}
		es, next, err := ParseZarrPage(body, after, limit)
		if err != nil {
			if len(es) != 0 || next != "" {
				t.Fatalf("error %v with %d entries / next %q", err, len(es), next)
			}
			return
		}
		if len(es) > limit {
			t.Fatalf("%d entries over limit %d", len(es), limit)
		}
		if u, err := url.Parse(next); next != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			t.Fatalf("next %q accepted", next)
		}
		root := t.TempDir()
		prev := after
		files := make([]ZarrFile, 0, len(es))
		for _, e := range es {
			if e.Key <= prev {
				t.Fatalf("key %q not after %q", e.Key, prev)
			}
			prev = e.Key
			p, err := fetch.SafeJoin(root, e.Key)
			if err != nil {
				t.Fatalf("accepted key %q refused by SafeJoin: %v", e.Key, err)
			}
			if rel, err := filepath.Rel(root, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
				t.Fatalf("key %q lands at %s outside %s", e.Key, p, root)
			}
			if !reMD5.MatchString(e.ETag) || e.Size < 0 || e.Size > fetch.MaxDandiFileSize {
				t.Fatalf("accepted entry %+v", e)
			}
			files = append(files, ZarrFile{Key: e.Key, Size: e.Size, MD5: e.ETag})
		}
		// Building the tree may refuse a file/directory clash, never panic.
		if sum, err := ZarrChecksum(files); err == nil && !ValidZarrChecksum(sum) {
			t.Fatalf("checksum %q malformed", sum)
		}
	})
}
