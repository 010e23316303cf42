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
	q := r.URL.Query()
	if q.Has("X-Signature") {
		if r.Method == http.MethodHead { // signature covers the method
			s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch")
			return
		}
		exp, err := strconv.ParseInt(q.Get("X-Expires"), 10, 64)
		if err != nil || s.sign(a.Blob, q.Get("X-Expires")) != q.Get("X-Signature") {
			s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch")
			return
		}
		if time.Now().Unix() > exp {
			s3Error(w, http.StatusForbidden, "AccessDenied: Request has expired")
			return
		}
	} else if a.Embargoed {
		s3Error(w, http.StatusForbidden, "AccessDenied")
		return
	}
	if s.Latency > 0 {
		select {
		case <-time.After(s.Latency):
		case <-r.Context().Done():
			return
		}
	}
	etag := `"` + a.ETag() + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Last-Modified", a.Modified.UTC().Format(http.TimeFormat))
	h.Set("Content-Type", "application/octet-stream")
	if im := r.Header.Get("If-Match"); im != "" && im != etag && im != "*" {
		s3Error(w, http.StatusPreconditionFailed, "PreconditionFailed")
		return
	}
	start, n, status, unsatisfiable := ResolveRange(r, h, etag, a.Size)
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
	var body io.Reader
	if a.File != "" {
		f, err := os.Open(a.File)
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		defer f.Close()
		if _, err := f.Seek(start, io.SeekStart); err != nil {
			panic(http.ErrAbortHandler)
		}
		body = io.LimitReader(f, n) // *io.LimitedReader of *os.File: sendfile
	} else {
		body = io.NewSectionReader(a.Content, start, n)
	}
	io.Copy(w, body)
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
