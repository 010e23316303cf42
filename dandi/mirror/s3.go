package mirror

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// serveBlob is the S3 stand-in: GET/HEAD /s3/blobs/xxx/yyy/<uuid>, with
// AWS quirks: single ranges only, 416 for a start at or past EOF, malformed
// or multiple ranges ignored (200, full body), If-Range and If-Match on the
// ETag, HEAD refused on presigned URLs, expired signatures refused (403).
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request) {
	key := strings.TrimPrefix(r.URL.Path, "/s3/")
	i := strings.LastIndexByte(key, '/')
	if !strings.HasPrefix(key, "blobs/") || i < 0 {
		s3Error(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	s.mu.RLock()
	a := s.blobs[key[i+1:]]
	s.mu.RUnlock()
	if a == nil || blobKey(a.Blob) != key {
		s3Error(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	// Embargo applies to anonymous requests only: a presigned URL is
	// checked by its signature in serveObject.
	if a.Embargoed && !r.URL.Query().Has("X-Signature") {
		s3Error(w, http.StatusForbidden, "AccessDenied")
		return
	}
	body := fileBody(a.File)
	if a.File == "" {
		body = func(start, n int64) (io.Reader, func()) {
			return io.NewSectionReader(a.Content, start, n), func() {}
		}
	}
	s.serveObject(w, r, s3Object{
		signed: a.Blob, etag: `"` + a.ETag() + `"`, modified: a.Modified, size: a.Size,
		ifMatch: true, body: body,
	})
}

// s3Object is one object of the S3 stand-in: a blob or a Zarr entry.
type s3Object struct {
	signed   string // what a presigned URL's signature covers
	etag     string // quoted
	modified time.Time
	size     int64 // bytes
	// ifMatch: the object honours If-Match (blobs; Zarr entries ignore it).
	ifMatch bool
	// body returns a reader of the bytes [start, start+n) and a function
	// that releases it. The response header is sent by then, so it
	// panics with http.ErrAbortHandler when the bytes cannot be had.
	body func(start, n int64) (r io.Reader, done func())
}

// serveObject answers a GET or HEAD of o, found by the caller, which also
// applied its own access rules. It checks a presigned URL (HEAD refused,
// as the signature covers the method; a bad signature or expiry 403),
// waits the server's Latency, sets the object headers, applies If-Match
// when o.ifMatch, then Range and If-Range, and sends the body on GET.
func (s *Server) serveObject(w http.ResponseWriter, r *http.Request, o s3Object) {
	q := r.URL.Query()
	if q.Has("X-Signature") {
		exp, err := strconv.ParseInt(q.Get("X-Expires"), 10, 64)
		if r.Method == http.MethodHead || err != nil || s.sign(o.signed, q.Get("X-Expires")) != q.Get("X-Signature") {
			s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch")
			return
		}
		if time.Now().Unix() > exp {
			s3Error(w, http.StatusForbidden, "AccessDenied: Request has expired")
			return
		}
	}
	if s.Latency > 0 {
		select {
		case <-time.After(s.Latency):
		case <-r.Context().Done():
			return
		}
	}
	h := w.Header()
	h.Set("ETag", o.etag)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Last-Modified", o.modified.UTC().Format(http.TimeFormat))
	h.Set("Content-Type", "application/octet-stream")
	if im := r.Header.Get("If-Match"); o.ifMatch && im != "" && im != o.etag && im != "*" {
		s3Error(w, http.StatusPreconditionFailed, "PreconditionFailed")
		return
	}
	start, n, status, unsatisfiable := ResolveRange(r, h, o.etag, o.size)
	if unsatisfiable {
		s3Error(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
		return
	}
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	s.reqs.Add(1)
	body, done := o.body(start, n)
	defer done()
	io.Copy(w, body)
}

// fileBody is the body of an object served from the file at path: an
// *io.LimitedReader of the *os.File, which the response writer sends
// with sendfile.
func fileBody(path string) func(start, n int64) (io.Reader, func()) {
	return func(start, n int64) (io.Reader, func()) {
		f, err := os.Open(path)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		if _, err := f.Seek(start, io.SeekStart); err != nil {
			f.Close()
			panic(http.ErrAbortHandler)
		}
		return io.LimitReader(f, n), func() { f.Close() }
	}
}

// ResolveRange applies S3's Range and If-Range rules to a request for an
// object of size bytes whose quoted ETag is etag. It returns the span to
// serve (start, n bytes) and the status (200 for the whole object, 206 for a
// range) and sets Content-Range on h. unsatisfiable is true when the range
// starts at or past size: Content-Range is then "bytes */size" and the
// caller answers 416 InvalidRange. An If-Range that differs from etag, or a
// malformed or multiple range, yields the whole object.
func ResolveRange(r *http.Request, h http.Header, etag string, size int64) (start, n int64, status int, unsatisfiable bool) {
	start, n, status = 0, size, http.StatusOK
	rg := r.Header.Get("Range")
	if rg == "" {
		return start, n, status, false
	}
	if ir := r.Header.Get("If-Range"); ir != "" && ir != etag {
		return start, n, status, false // validator differs: whole object
	}
	first, length, ok := parseRange(rg, size)
	switch {
	case ok && first >= size:
		h.Set("Content-Range", fmt.Sprintf("bytes */%d", size))
		return 0, 0, 0, true
	case ok:
		start, n, status = first, length, http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, start+n-1, size))
	}
	return start, n, status, false
}

// parseRange parses a single S3-style byte range. ok is false for
// malformed, inverted or multiple ranges (S3 then serves the full object).
// A first byte at or past size is reported with ok true so the caller can
// answer 416.
func parseRange(v string, size int64) (first, length int64, ok bool) {
	spec, found := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return 0, 0, false
	}
	a, b, found := strings.Cut(spec, "-")
	if !found {
		return 0, 0, false
	}
	if a == "" { // suffix: last b bytes
		k, err := strconv.ParseInt(b, 10, 64)
		if err != nil || k <= 0 {
			return 0, 0, false
		}
		k = min(k, size)
		return size - k, k, true
	}
	x, err := strconv.ParseInt(a, 10, 64)
	if err != nil || x < 0 {
		return 0, 0, false
	}
	if x >= size {
		return x, 0, true
	}
	y := size - 1
	if b != "" {
		if y, err = strconv.ParseInt(b, 10, 64); err != nil || y < x {
			return 0, 0, false
		}
		y = min(y, size-1)
	}
	return x, y - x + 1, true
}

func s3Error(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code></Error>\n", code)
}
