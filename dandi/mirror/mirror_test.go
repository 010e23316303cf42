package mirror

import (
	"net/http/httptest"
	"strings"
	"testing"
)

// S3 range semantics (../shared/reference/dandi-allen.md §1.8).
func TestParseRange(t *testing.T) {
	cases := []struct {
		v        string
		first, n int64
		ok       bool
	}{
		{"bytes=0-9", 0, 10, true},
		{"bytes=5-", 5, 95, true},
		{"bytes=-10", 90, 10, true},
		{"bytes=90-200", 90, 10, true},
		{"bytes=100-", 100, 0, true}, // start at EOF: 416
		{"bytes=15-1", 0, 0, false},  // inverted: ignored, 200
		{"bytes=0-1,5-6", 0, 0, false},
		{"items=0-1", 0, 0, false},
		{"bytes=x-1", 0, 0, false},
	}
	for _, c := range cases {
		f, n, ok := parseRange(c.v, 100)
		if f != c.first || n != c.n || ok != c.ok {
			t.Errorf("parseRange(%q) = %d, %d, %v", c.v, f, n, ok)
		}
	}
}

func FuzzParseRange(f *testing.F) {
	for _, s := range []string{"bytes=0-9", "bytes=-5", "bytes=5-", "bytes=9-1", "bytes=0-1,2-3"} {
		f.Add(s, int64(100))
	}
	f.Fuzz(func(t *testing.T, v string, size int64) {
		if size < 0 {
			return
		}
		first, n, ok := parseRange(v, size)
		if ok && first < size && (first < 0 || n <= 0 || first+n > size) {
			t.Fatalf("%q size %d: %d+%d", v, size, first, n)
		}
	})
}

func TestAuthRoutes(t *testing.T) {
	s := New()
	s.APIKey = "secret-key-123"
	for _, c := range []struct {
		hdr  string
		want int
	}{{"", 401}, {"token wrong", 401}, {"token secret-key-123", 200}, {"Token secret-key-123", 200}} {
		req := httptest.NewRequest("GET", "/api/users/me/", nil)
		if c.hdr != "" {
			req.Header.Set("Authorization", c.hdr)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		if w.Code != c.want || strings.Contains(w.Body.String(), "secret-key-123") {
			t.Errorf("%q: %d %s", c.hdr, w.Code, w.Body)
		}
	}
}
