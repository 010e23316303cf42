package fetch

import (
	"testing"
	"time"
)

func FuzzParseContentRange(f *testing.F) {
	for _, s := range []string{"bytes 0-0/1", "bytes 10-19/100", "bytes */100", "bytes 9223372036854775806-9223372036854775806/9223372036854775807", "bytes -1--2/3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b, n, err := ParseContentRange(s)
		if err == nil && (a < 0 || b < a || n <= b) {
			t.Fatalf("%q accepted as %d-%d/%d", s, a, b, n)
		}
	})
}

func FuzzRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "Fri, 31 Dec 1999 23:59:59 GMT", "-5", "99999999999999999999"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := RetryAfter(s, now)
		if ok && (d < 0 || d > 7*24*time.Hour) {
			t.Fatalf("%q gave %v", s, d)
		}
	})
}

func FuzzSafeJoin(f *testing.F) {
	for _, s := range []string{"a/b.nwb", "../x", "/abs", "a/../../b", "a\\b", "C:x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, rel string) {
		out, err := SafeJoin("/root/dir", rel)
		if err == nil && !(len(out) > len("/root/dir/") && out[:len("/root/dir/")] == "/root/dir/") {
			t.Fatalf("%q escaped to %q", rel, out)
		}
	})
}
