package fetch

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// zeroReader yields n zero bytes without allocating them.
type zeroReader struct{ n int64 }

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.n <= 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n)
	clear(p[:k])
	z.n -= k
	return int(k), nil
}

// Test vectors from ../shared/reference/dandi-allen.md §1.9 (dandi-schema
// test_dandietag.py, re-verified there with an independent implementation).
func TestDandiETagVectors(t *testing.T) {
	cases := []struct {
		name string
		r    func() io.Reader
		size int64
		want string
	}{
		{"123", func() io.Reader { return strings.NewReader("123") }, 3, "d022646351048ac0ba397d12dfafa304-1"},
		{"nul", func() io.Reader { return bytes.NewReader([]byte{0}) }, 1, "7e4696ef25d5faececd853ce5e2a233b-1"},
		{"empty", func() io.Reader { return bytes.NewReader(nil) }, 0, "d41d8cd98f00b204e9800998ecf8427e-0"},
		{"130MiB-zeros", func() io.Reader { return &zeroReader{130 << 20} }, 130 << 20, "4dc80858c50371577551592f20ac0075-3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := DigestReader(c.r(), c.size, "dandi:dandi-etag")
			if err != nil {
				t.Fatal(err)
			}
			if got[DigestDandiETag] != c.want {
				t.Errorf("etag = %s, want %s", got[DigestDandiETag], c.want)
			}
		})
	}
}

// Part table from the reference file §1.9.
func TestETagPartSize(t *testing.T) {
	const mib = 1 << 20
	cases := []struct {
		size, part, n int64
	}{
		{70 * mib, 64 * mib, 2},
		{640 * mib, 64 * mib, 10},
		{5 << 40, 549755814, 10000},
		{3, 3, 1},
		{0, 0, 0},
	}
	for _, c := range cases {
		ps, n, err := ETagPartSize(c.size)
		if err != nil || ps != c.part || n != c.n {
			t.Errorf("ETagPartSize(%d) = %d, %d, %v; want %d, %d", c.size, ps, n, err, c.part, c.n)
		}
	}
	// 5 TiB: the last part holds the remainder 549754694 (reference file).
	ps, n, _ := ETagPartSize(5 << 40)
	if last := int64(5<<40) - ps*(n-1); last != 549754694 {
		t.Errorf("last part of 5 TiB = %d, want 549754694", last)
	}
	if _, _, err := ETagPartSize(5<<40 + 1); err == nil {
		t.Error("size above 5 TiB accepted")
	}
	// 70 MiB of zeros split 64+6 MiB: recompose by hand from crypto/md5.
	d, _ := NewDandiETag(70 * mib)
	io.Copy(d, &zeroReader{70 * mib})
	if !strings.HasSuffix(d.Digest(), "-2") {
		t.Errorf("70 MiB etag %s does not have 2 parts", d.Digest())
	}
}

func TestDigestsAgainstStdlib(t *testing.T) {
	data := []byte("neurodata fetch digest check")
	got, err := DigestReader(bytes.NewReader(data), int64(len(data)), "sha2-256", "blake2b-512", "md5", "bogus")
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(data)
	if got[DigestSHA256] != hex.EncodeToString(s[:]) {
		t.Errorf("sha256 mismatch")
	}
	// BLAKE2b-512 of the empty string, RFC 7693 Appendix A style vector
	// (well-known value, also printed by `b2sum /dev/null`).
	e, _ := DigestReader(bytes.NewReader(nil), 0, "blake2b-512")
	const b2empty = "786a02f742015903c6c6fd852552d272912f4740e15847618a86e217f71f5419d25e1031afee585313896444934eb04b903a685b1448b755d56f701afe9be2ce"
	if e[DigestBLAKE2b] != b2empty {
		t.Errorf("blake2b(empty) = %s", e[DigestBLAKE2b])
	}
	if len(got) != 3 {
		t.Errorf("got %d digests, want 3 (unknown names ignored)", len(got))
	}
}

func TestRetryAfter(t *testing.T) {
	now := mustTime("Fri, 27 Nov 2026 12:00:00 GMT")
	cases := []struct {
		v    string
		want float64
		ok   bool
	}{
		{"3", 3, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"Fri, 27 Nov 2026 12:00:10 GMT", 10, true},
		{"Fri, 27 Nov 2027 12:00:10 GMT", 0, false}, // > a week ahead
		{"garbage", 0, false},
	}
	for _, c := range cases {
		d, ok := RetryAfter(c.v, now)
		if ok != c.ok || d.Seconds() != c.want {
			t.Errorf("RetryAfter(%q) = %v, %v", c.v, d, ok)
		}
	}
}

func TestSafeJoin(t *testing.T) {
	bad := []string{"", "/etc/passwd", "../x", "a/../../x", "a/./b", "a//b", `a\b`, "C:/x", "a/..", "x\x00y", "."}
	for _, p := range bad {
		if _, err := SafeJoin("/root", p); err == nil {
			t.Errorf("SafeJoin accepted %q", p)
		}
	}
	got, err := SafeJoin("/root", "sub-1/ses-2.nwb")
	if err != nil || got != "/root/sub-1/ses-2.nwb" {
		t.Errorf("SafeJoin good path = %q, %v", got, err)
	}
}

func TestParseContentRange(t *testing.T) {
	a, b, n, err := ParseContentRange("bytes 10-19/100")
	if err != nil || a != 10 || b != 19 || n != 100 {
		t.Errorf("got %d %d %d %v", a, b, n, err)
	}
	for _, v := range []string{"bytes 10-9/100", "bytes 0-100/100", "bytes */100", "items 0-1/2", "bytes -1-2/3"} {
		if _, _, _, err := ParseContentRange(v); err == nil {
			t.Errorf("accepted %q", v)
		}
	}
}

func mustTime(s string) (t time.Time) {
	t, err := http.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}
