package s3emu

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/neurodata/neurodata/dandi/mirror"
)

// Faults is a concurrency-safe list of mirror.Fault rules consulted for
// each object GET (listings and HEADs are never faulted); the first rule whose
// Match is contained in the request path ("" matches every object) and
// that has budget left for that path fires. Supported kinds: Reset,
// Status500, Status503, Status429, Truncate, Stall, Corrupt, ETagChange,
// Status416, IgnoreRange, RedirectLoop.
type Faults struct {
	mu    sync.Mutex
	rules []mirror.Fault
	used  map[string]int
	count map[mirror.FaultKind]int
}

// NewFaults returns a rule set.
func NewFaults(rules ...mirror.Fault) *Faults {
	return &Faults{rules: rules, used: map[string]int{}, count: map[mirror.FaultKind]int{}}
}

// Fired reports how often a kind fired.
func (f *Faults) Fired(k mirror.FaultKind) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count[k]
}

func (f *Faults) pick(p string) (mirror.Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, rule := range f.rules {
		if rule.Match != "" && !strings.Contains(p, rule.Match) {
			continue
		}
		k := string(rune('a'+i)) + "|" + p
		if rule.Times > 0 && f.used[k] >= rule.Times {
			continue
		}
		f.used[k]++
		f.count[rule.Kind]++
		return rule, true
	}
	return mirror.Fault{}, false
}

type connKey struct{}

func connContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

func (s *Server) fault(w http.ResponseWriter, r *http.Request, bucket, key string, f mirror.Fault) {
	switch f.Kind {
	case mirror.Status500:
		s3Error(w, http.StatusInternalServerError, "InternalError")
	case mirror.Status503:
		s3Error(w, http.StatusServiceUnavailable, "SlowDown")
	case mirror.Status429:
		ra := f.RetryAfter
		if ra == "" {
			ra = "1"
		}
		w.Header().Set("Retry-After", ra)
		s3Error(w, http.StatusTooManyRequests, "TooManyRequests")
	case mirror.Status416:
		s3Error(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
	case mirror.RedirectLoop:
		http.Redirect(w, r, r.URL.String(), http.StatusTemporaryRedirect)
	case mirror.IgnoreRange:
		r.Header.Del("Range")
		r.Header.Del("If-Range")
		s.object(w, r, bucket, key, nil)
	case mirror.ETagChange:
		s.object(w, r, bucket, key, func(w http.ResponseWriter) http.ResponseWriter {
			if v := w.Header().Get("ETag"); v != "" {
				w.Header().Set("ETag", `"other`+strings.Trim(v, `"`)+`"`)
			}
			return w
		})
	default: // body faults
		s.object(w, r, bucket, key, func(w http.ResponseWriter) http.ResponseWriter {
			return &faultyBody{w: w, f: f, r: r}
		})
	}
}

// faultyBody applies a body fault after f.After bytes.
type faultyBody struct {
	w    http.ResponseWriter
	f    mirror.Fault
	r    *http.Request
	sent int64
}

func (b *faultyBody) Header() http.Header  { return b.w.Header() }
func (b *faultyBody) WriteHeader(code int) { b.w.WriteHeader(code) }
func (b *faultyBody) Flush() {
	if fl, ok := b.w.(http.Flusher); ok {
		fl.Flush()
	}
}

func (b *faultyBody) Write(p []byte) (int, error) {
	at := b.f.After
	if b.f.Kind == mirror.Corrupt {
		if at >= b.sent && at < b.sent+int64(len(p)) {
			p = append([]byte(nil), p...)
			p[at-b.sent] ^= 0x5a
		}
		n, err := b.w.Write(p)
		b.sent += int64(n)
		return n, err
	}
	if b.sent+int64(len(p)) <= at {
		n, err := b.w.Write(p)
		b.sent += int64(n)
		return n, err
	}
	if k := at - b.sent; k > 0 {
		b.w.Write(p[:k])
	}
	b.Flush()
	switch b.f.Kind {
	case mirror.Stall:
		var done <-chan time.Time
		if b.f.Stall > 0 {
			done = time.After(b.f.Stall)
		}
		select {
		case <-done:
		case <-b.r.Context().Done():
		}
	case mirror.Reset:
		if c, ok := b.r.Context().Value(connKey{}).(net.Conn); ok {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			c.Close()
		}
	}
	panic(http.ErrAbortHandler) // end the response short of its Content-Length
}
