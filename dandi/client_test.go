package dandi_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
)

// mirrorWithVersions builds dandiset 000042 with a draft (n assets) and two
// published versions, and 000043 with only a draft.
func mirrorWithVersions(t *testing.T, n int) *mirror.Server {
	s := mirror.New()
	mk := func(id string, i int) *mirror.Asset {
		b := []byte(fmt.Sprintf("asset %d", i))
		a, err := mirror.NewAsset(id, fmt.Sprintf("sub-%03d/f.nwb", i), strings.NewReader(string(b)), int64(len(b)), time.Unix(int64(1e9+i), 0), nil)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	var draft []*mirror.Asset
	for i := 0; i < n; i++ {
		draft = append(draft, mk("000042", i))
	}
	t0 := time.Date(2023, 6, 29, 19, 55, 0, 0, time.UTC)
	s.Add(&mirror.Dandiset{ID: "000042", Versions: []*mirror.Version{
		{Version: "0.230629.1955", Status: "Published", Created: t0, Assets: draft[:2]},
		{Version: "0.240101.0000", Status: "Published", Created: t0.AddDate(0, 6, 3), Assets: draft[:3]},
		{Version: "draft", Status: "Valid", Created: t0.AddDate(-1, 0, 0), Assets: draft},
	}})
	s.Add(&mirror.Dandiset{ID: "000043", Versions: []*mirror.Version{{Version: "draft", Status: "Valid", Assets: []*mirror.Asset{mk("000043", 0)}}}})
	return s
}

// countingHandler counts API requests by path+query.
type countingHandler struct {
	h    http.Handler
	n    atomic.Int64
	last atomic.Value
}

func (c *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	c.h.ServeHTTP(w, r)
}

func TestPaginationConcurrent(t *testing.T) {
	s := mirrorWithVersions(t, 23)
	ch := &countingHandler{h: s}
	ts := httptest.NewServer(ch)
	defer ts.Close()
	c := dandi.NewClient(dandi.WithAPIURL(ts.URL+"/api"), dandi.WithPageSize(5))
	as, err := c.Assets(context.Background(), "000042", "draft", dandi.AssetQuery{Order: "path"})
	if err != nil {
		t.Fatal(err)
	}
	// 23 assets in pages of 5: ceil(23/5) = 5 requests, every asset once, in order.
	if len(as) != 23 || ch.n.Load() != 5 {
		t.Fatalf("got %d assets in %d requests, want 23 in 5", len(as), ch.n.Load())
	}
	for i, a := range as {
		if want := fmt.Sprintf("sub-%03d/f.nwb", i); a.Path != want {
			t.Errorf("asset %d = %s, want %s", i, a.Path, want)
		}
	}
}

// A server whose next links are opaque cursors (not page=2) is followed
// one page at a time; a next link to another host is refused.
func TestPaginationSequential(t *testing.T) {
	var calls atomic.Int64
	var evil atomic.Bool
	var srvURL string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		cur, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
		var next any
		if cur < 3 {
			next = fmt.Sprintf("%s/api/dandisets/?cursor=%d", srvURL, cur+1)
		}
		if evil.Load() {
			next = "http://198.51.100.1/api/dandisets/?cursor=9"
		}
		json.NewEncoder(w).Encode(map[string]any{"count": nil, "next": next, "results": []any{map[string]any{"identifier": fmt.Sprintf("%06d", cur)}}})
	}))
	defer ts.Close()
	srvURL = ts.URL
	c := dandi.NewClient(dandi.WithAPIURL(ts.URL + "/api"))
	ds, err := c.Dandisets(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 4 || ds[3].Identifier != "000003" || calls.Load() != 4 {
		t.Fatalf("got %d dandisets in %d calls", len(ds), calls.Load())
	}
	evil.Store(true)
	_, err = c.Dandisets(context.Background(), "")
	if err == nil || !strings.Contains(err.Error(), "another host") {
		t.Errorf("next link to another host: err %v", err)
	}
}

// Version resolution: most recent published, else draft (reference §2.1).
func TestResolveVersion(t *testing.T) {
	ts := httptest.NewServer(mirrorWithVersions(t, 4))
	defer ts.Close()
	c := dandi.NewClient(dandi.WithAPIURL(ts.URL + "/api"))
	ctx := context.Background()
	cases := []struct{ id, v, want string }{
		{"000042", "", "0.240101.0000"},
		{"000043", "", "draft"},
		{"000042", "draft", "draft"},
		{"000042", "0.230629.1955", "0.230629.1955"},
	}
	for _, cs := range cases {
		got, err := c.ResolveVersion(ctx, cs.id, cs.v)
		if err != nil || got != cs.want {
			t.Errorf("ResolveVersion(%s, %q) = %q, %v; want %q", cs.id, cs.v, got, err, cs.want)
		}
	}
	if _, err := c.ResolveVersion(ctx, "000042", "0.999999.9999"); !errors.Is(err, dandi.ErrNotFound) {
		t.Errorf("unknown version: %v", err)
	}
	if _, err := c.ResolveVersion(ctx, "000099", ""); !errors.Is(err, dandi.ErrNotFound) {
		t.Errorf("unknown dandiset: %v", err)
	}
	r, _ := dandi.ParseURL("DANDI:000042")
	sel, err := c.Resolve(ctx, r)
	if err != nil || sel.Version != "0.240101.0000" || !sel.VersionResolved || len(sel.Assets) != 3 {
		t.Fatalf("Resolve = %+v, %v", sel, err)
	}
	vs, err := c.Versions(ctx, "000042")
	if err != nil || len(vs) != 3 {
		t.Fatalf("Versions = %v, %v", vs, err)
	}
}

// Server path/glob rules (reference §1.6): exact path wins, else
// case-insensitive prefix; glob `*` crosses "/", case-insensitive.
func TestAssetFilters(t *testing.T) {
	s := mirror.New()
	var as []*mirror.Asset
	for _, p := range []string{"foo.txt", "bar.txt", "foo/bar.txt", "Sub-1/A.NWB"} {
		a, _ := mirror.NewAsset("000001", p, strings.NewReader("x"), 1, time.Unix(0, 0), nil)
		as = append(as, a)
	}
	s.Add(&mirror.Dandiset{ID: "000001", Versions: []*mirror.Version{{Version: "draft", Assets: as}}})
	ts := httptest.NewServer(s)
	defer ts.Close()
	c := dandi.NewClient(dandi.WithAPIURL(ts.URL + "/api"))
	cases := []struct {
		q    dandi.AssetQuery
		want string
	}{
		{dandi.AssetQuery{Path: "foo.txt"}, "foo.txt"},
		{dandi.AssetQuery{Path: "foo"}, "foo.txt,foo/bar.txt"},
		{dandi.AssetQuery{Path: "foo/"}, "foo/bar.txt"},
		{dandi.AssetQuery{Path: "txt"}, ""},
		{dandi.AssetQuery{Glob: "*.nwb"}, "Sub-1/A.NWB"},
		{dandi.AssetQuery{Glob: "*bar*"}, "bar.txt,foo/bar.txt"},
		{dandi.AssetQuery{Glob: "f?o.txt"}, ""},
	}
	for _, cs := range cases {
		cs.q.Order = "path"
		got, err := c.Assets(context.Background(), "000001", "draft", cs.q)
		if err != nil {
			t.Fatal(err)
		}
		var ps []string
		for _, a := range got {
			ps = append(ps, a.Path)
		}
		if strings.Join(ps, ",") != cs.want && !(cs.want == "" && len(ps) == 0) {
			t.Errorf("%+v: got %v, want %s", cs.q, ps, cs.want)
		}
	}
}
