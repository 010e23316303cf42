package mirror

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// FaultKind names an injected failure.
type FaultKind string

// Fault kinds. Body faults (Reset, Truncate, Stall, Corrupt) act after
// Fault.After body bytes of a file response.
const (
	Reset        FaultKind = "reset"         // drop the TCP connection (RST) mid-body
	Status500    FaultKind = "500"           // Internal Server Error
	Status503    FaultKind = "503"           // Service Unavailable, no Retry-After
	Status429    FaultKind = "429"           // Too Many Requests with Retry-After
	Truncate     FaultKind = "truncate"      // full Content-Length declared, body cut short
	Stall        FaultKind = "stall"         // stop sending for Fault.Stall
	Corrupt      FaultKind = "corrupt"       // flip one byte of the body
	ETagChange   FaultKind = "etag-change"   // report a different ETag
	Status416    FaultKind = "416"           // Range Not Satisfiable for a valid range
	IgnoreRange  FaultKind = "ignore-range"  // serve 200 with the full body
	RedirectLoop FaultKind = "redirect-loop" // download endpoint redirects to itself
)

// AllFaultKinds lists every kind, for table tests.
var AllFaultKinds = []FaultKind{Reset, Status500, Status503, Status429, Truncate, Stall, Corrupt, ETagChange, Status416, IgnoreRange, RedirectLoop}

// Fault is one injection rule.
type Fault struct {
	Kind FaultKind
	// Match selects request paths containing it; "" selects file requests
	// (and download requests for RedirectLoop).
	Match string
	// Times is how often the fault fires per distinct request path (0:
	// always).
	Times int
	// After is the number of body bytes sent before a body fault.
	After int64
	// Stall is how long a Stall lasts (default: until the client gives up).
	Stall time.Duration
	// RetryAfter is the Retry-After value for 429 (default "1").
	RetryAfter string
}

// Faults is a concurrency-safe set of rules, consulted for each request;
// the first matching rule with budget left fires.
type Faults struct {
	mu    sync.Mutex
	rules []Fault
	fired map[string]int // rule index + path -> count
	count map[FaultKind]int
}

// NewFaults returns a rule set.
func NewFaults(rules ...Fault) *Faults {
	return &Faults{rules: rules, fired: map[string]int{}, count: map[FaultKind]int{}}
}

// Set replaces the rules (none: no more faults) and forgets what fired,
// safely while the server runs; tests use it to heal a server between runs.
func (f *Faults) Set(rules ...Fault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = rules
	f.fired = map[string]int{}
}

// Fired reports how many times a kind fired.
func (f *Faults) Fired(k FaultKind) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.count[k]
}

func (f *Faults) pick(r *http.Request) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	isFile := strings.HasPrefix(r.URL.Path, "/s3/")
	isDownload := strings.HasSuffix(r.URL.Path, "/download/")
	for i, rule := range f.rules {
		switch {
		case rule.Match != "":
			if !strings.Contains(r.URL.Path, rule.Match) {
				continue
			}
		case rule.Kind == RedirectLoop:
			if !isDownload {
				continue
			}
		case !isFile:
			continue
		}
		key := string(rune(i)) + r.URL.Path
		if rule.Times > 0 && f.fired[key] >= rule.Times {
			continue
		}
		f.fired[key]++
		f.count[rule.Kind]++
		return rule, true
	}
	return Fault{}, false
}

type connKey struct{}

// ConnContext stores the connection in the request context so Reset can
// abort it with a TCP RST; set it as http.Server.ConnContext (NewTestServer
// and Serve do).
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, c)
}

func (f *Faults) serve(s *Server, w http.ResponseWriter, r *http.Request) {
	rule, ok := f.pick(r)
	if !ok {
		s.route(w, r)
		return
	}
	switch rule.Kind {
	case Status500:
		writeJSON(w, 500, map[string]string{"detail": "injected 500"})
	case Status503:
		writeJSON(w, 503, map[string]string{"detail": "injected 503"})
	case Status429:
		ra := rule.RetryAfter
		if ra == "" {
			ra = "1"
		}
		w.Header().Set("Retry-After", ra)
		writeJSON(w, 429, map[string]string{"detail": "injected 429"})
	case Status416:
		s3Error(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
	case RedirectLoop:
		http.Redirect(w, r, r.URL.String(), http.StatusFound)
	case IgnoreRange:
		r.Header.Del("Range")
		r.Header.Del("If-Range")
		s.route(w, r)
	case ETagChange:
		s.route(&etagWriter{ResponseWriter: w}, r)
	default:
		s.route(&bodyFault{ResponseWriter: w, rule: rule, r: r}, r)
	}
}

type etagWriter struct{ http.ResponseWriter }

func (e *etagWriter) WriteHeader(code int) {
	if v := e.Header().Get("ETag"); v != "" {
		e.Header().Set("ETag", `"changed-`+strings.Trim(v, `"`)+`"`)
	}
	e.ResponseWriter.WriteHeader(code)
}

// bodyFault applies a body fault once After bytes have been written.
type bodyFault struct {
	http.ResponseWriter
	rule Fault
	r    *http.Request
	n    int64
	code int
}

func (b *bodyFault) WriteHeader(code int) {
	b.code = code
	b.ResponseWriter.WriteHeader(code)
}

func (b *bodyFault) Write(p []byte) (int, error) {
	if b.code >= 300 {
		return b.ResponseWriter.Write(p)
	}
	at := b.rule.After
	if b.rule.Kind == Corrupt {
		if at >= b.n && at < b.n+int64(len(p)) {
			q := append([]byte(nil), p...)
			q[at-b.n] ^= 0xff
			p = q
		}
		n, err := b.ResponseWriter.Write(p)
		b.n += int64(n)
		return n, err
	}
	if b.n+int64(len(p)) <= at {
		n, err := b.ResponseWriter.Write(p)
		b.n += int64(n)
		return n, err
	}
	k := at - b.n
	if k > 0 {
		b.ResponseWriter.Write(p[:k])
	}
	if fl, ok := b.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
	switch b.rule.Kind {
	case Stall:
		var c <-chan time.Time
		if b.rule.Stall > 0 {
			c = time.After(b.rule.Stall)
		}
		select {
		case <-b.r.Context().Done():
		case <-c:
		}
	case Reset:
		if c, ok := b.r.Context().Value(connKey{}).(net.Conn); ok {
			if tc, ok := c.(*net.TCPConn); ok {
				tc.SetLinger(0)
			}
			c.Close()
		}
	}
	panic(http.ErrAbortHandler) // Truncate, and the end of every body fault
}

func (b *bodyFault) Flush() {
	if fl, ok := b.ResponseWriter.(http.Flusher); ok {
		fl.Flush()
	}
}
