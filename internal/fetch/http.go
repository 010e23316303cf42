package fetch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// HTTPOptions tune the retrying HTTP client shared by the fetcher, the
// DANDI API client and rangeio. Zero values mean the documented defaults.
type HTTPOptions struct {
	// Retries is the number of retries after the first attempt for
	// connection errors, 429 and 5xx (default 8).
	Retries int
	// MinBackoff and MaxBackoff bound the jittered exponential backoff
	// (defaults 250 ms and 30 s). A Retry-After header overrides them, up to
	// MaxRetryAfter (default 5 min).
	MinBackoff, MaxBackoff, MaxRetryAfter time.Duration
	// HeaderTimeout bounds the wait for response headers (default 30 s).
	HeaderTimeout time.Duration
	// MaxRedirects bounds redirect chains (default 10); longer chains and
	// loops fail without retry.
	MaxRedirects int
	// Transport overrides the base transport (tests).
	Transport http.RoundTripper
}

func (o *HTTPOptions) defaults() HTTPOptions {
	var v HTTPOptions
	if o != nil {
		v = *o
	}
	if v.Retries == 0 {
		v.Retries = 8
	}
	if v.Retries < 0 {
		v.Retries = 0
	}
	if v.MinBackoff == 0 {
		v.MinBackoff = 250 * time.Millisecond
	}
	if v.MaxBackoff == 0 {
		v.MaxBackoff = 30 * time.Second
	}
	if v.MaxRetryAfter == 0 {
		v.MaxRetryAfter = 5 * time.Minute
	}
	if v.HeaderTimeout == 0 {
		v.HeaderTimeout = 30 * time.Second
	}
	if v.MaxRedirects == 0 {
		v.MaxRedirects = 10
	}
	return v
}

// ErrRedirectLoop is returned (wrapped) when a redirect chain is too long.
var ErrRedirectLoop = errors.New("too many redirects (loop?)")

// NewHTTPClient returns an *http.Client that retries connection errors, 429
// and 5xx with jittered exponential backoff honouring Retry-After, bounds
// header waits and redirect chains, strips Authorization when a redirect
// leaves the original host, and never logs.
func NewHTTPClient(o *HTTPOptions) *http.Client {
	v := o.defaults()
	base := v.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = v.HeaderTimeout
		t.MaxIdleConnsPerHost = 64
		t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
		base = t
	}
	inner := &http.Client{
		Transport: base,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= v.MaxRedirects {
				return fmt.Errorf("stopped after %d redirects: %w", len(via), ErrRedirectLoop)
			}
			if req.URL.Host != via[0].URL.Host {
				req.Header.Del("Authorization")
			}
			return nil
		},
	}
	rc := retryablehttp.NewClient()
	rc.HTTPClient = inner
	rc.Logger = nil
	rc.RetryMax = v.Retries
	rc.RetryWaitMin = v.MinBackoff
	rc.RetryWaitMax = v.MaxBackoff
	maxRA := v.MaxRetryAfter
	rc.Backoff = func(min, max time.Duration, attempt int, resp *http.Response) time.Duration {
		return Backoff(min, max, maxRA, attempt, resp)
	}
	rc.CheckRetry = func(ctx context.Context, resp *http.Response, err error) (bool, error) {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if err != nil && errors.Is(err, ErrRedirectLoop) {
			return false, err
		}
		return retryablehttp.DefaultRetryPolicy(ctx, resp, err)
	}
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return &http.Client{Transport: oneOf{&retryablehttp.RoundTripper{Client: rc}}}
}

// oneOf returns either a response or an error, never both (net/http logs
// and drops a response returned with an error).
type oneOf struct{ rt http.RoundTripper }

func (o oneOf) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := o.rt.RoundTrip(req)
	if err != nil && resp != nil {
		if resp.Body != nil {
			resp.Body.Close()
		}
		resp = nil
	}
	return resp, err
}

// Backoff returns the wait before retry attempt (0-based): Retry-After when
// the response carries a usable one (capped at maxRetryAfter), else
// min·2^attempt capped at max, with full jitter in [d/2, d].
func Backoff(min, max, maxRetryAfter time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if d, ok := RetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			if d > maxRetryAfter {
				d = maxRetryAfter
			}
			return d
		}
	}
	d := min
	for i := 0; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(half)+1))
}

// RetryAfter parses a Retry-After value given as seconds or as an HTTP date.
// Dates more than a week ahead or in the past are ignored, as dandi-cli does.
func RetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 || s > 7*24*3600 {
			return 0, false
		}
		return time.Duration(s) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < -2*time.Second || d > 7*24*time.Hour {
		return 0, false
	}
	if d < 0 {
		d = 0
	}
	return d, true
}

// stallReader fails a read that makes no progress for the stall timeout.
// The timer is armed per Read; on expiry it cancels the request.
type stallReader struct {
	r       io.Reader
	timeout time.Duration
	cancel  context.CancelCauseFunc
	timer   *time.Timer
	stalled atomic.Bool
}

// ErrStalled reports a response body that delivered no bytes for the stall
// timeout.
var ErrStalled = errors.New("transfer stalled")

func newStallReader(r io.Reader, timeout time.Duration, cancel context.CancelCauseFunc) *stallReader {
	s := &stallReader{r: r, timeout: timeout, cancel: cancel}
	s.timer = time.AfterFunc(timeout, s.fire)
	return s
}

func (s *stallReader) fire() {
	s.stalled.Store(true)
	s.cancel(ErrStalled)
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if n > 0 {
		s.timer.Reset(s.timeout)
	}
	if err != nil && s.stalled.Load() {
		err = fmt.Errorf("%w (no data for %v)", ErrStalled, s.timeout)
	}
	return n, err
}

func (s *stallReader) stop() { s.timer.Stop() }

// pause disarms the stall timer while the reader deliberately does not
// read; resume re-arms it for a full timeout.
func (s *stallReader) pause()  { s.timer.Stop() }
func (s *stallReader) resume() { s.timer.Reset(s.timeout) }
