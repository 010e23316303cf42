// Package s3emu is an in-process stand-in for the Allen cloud-cache S3
// buckets (dandi-allen.md §3.2, §5.2): path-style buckets
// (/<bucket>/<key>), anonymous ListObjectsV2 XML with continuation
// tokens, versioned objects (?versionId=, x-amz-version-id), HEAD, single
// byte ranges with S3's quirks (416 at EOF, malformed ranges ignored),
// If-Range on the ETag, optional throttling, and the fault kinds of the
// DANDI emulator (dandi/mirror FaultKind and Fault, reused as the rule
// vocabulary).
package s3emu

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/neurodata/neurodata/dandi/mirror"
)

// ObjectVersion is one stored version of a key.
type ObjectVersion struct {
	ID       string
	Data     []byte
	Modified time.Time
	ETag     string // hex MD5 of Data (S3 single-part ETag)
}

// Server is the emulator; its methods are safe for concurrent use, also
// while requests are being served.
type Server struct {
	mu         sync.Mutex
	maxKeys    int
	chunk      int
	chunkDelay time.Duration
	faults     *Faults
	buckets    map[string]map[string][]*ObjectVersion // bucket → key → versions, oldest first
	nextVer    int
	gets       map[string]int // "bucket/key" → object GETs answered with a body
	heads      int
	lists      int
	bytes      int64
}

// New returns an empty emulator.
func New() *Server {
	return &Server{buckets: map[string]map[string][]*ObjectVersion{}, gets: map[string]int{}}
}

// Put stores data as a new version of bucket/key and returns its
// version id.
func (s *Server) Put(bucket, key string, data []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.buckets[bucket]
	if b == nil {
		b = map[string][]*ObjectVersion{}
		s.buckets[bucket] = b
	}
	s.nextVer++
	sum := md5.Sum(data)
	v := &ObjectVersion{
		ID:       fmt.Sprintf("v%04d.%s", s.nextVer, hex.EncodeToString(sum[:4])),
		Data:     data,
		Modified: time.Date(2023, 1, 1, 0, 0, s.nextVer, 0, time.UTC),
		ETag:     hex.EncodeToString(sum[:]),
	}
	b[key] = append(b[key], v)
	return v.ID
}

// SetMaxKeys sets the ListObjectsV2 page size (default 1000, as on S3).
func (s *Server) SetMaxKeys(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.maxKeys = n
}

// Throttle makes object bodies go out chunk bytes at a time, flushed,
// with delay between chunks (tests that interrupt a transfer mid-way).
// Zero values restore full speed.
func (s *Server) Throttle(chunk int, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chunk, s.chunkDelay = chunk, delay
}

// SetFaults installs fault rules for object GETs (nil removes them).
func (s *Server) SetFaults(f *Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Gets reports how many object GETs of bucket/key were answered with a
// body (any version).
func (s *Server) Gets(bucket, key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gets[bucket+"/"+key]
}

// Stats reports object GETs with a body, HEADs, listings and body bytes.
type Stats struct {
	Gets, Heads, Lists int
	Bytes              int64
}

// Stats returns the counters.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.gets {
		n += v
	}
	return Stats{Gets: n, Heads: s.heads, Lists: s.lists, Bytes: s.bytes}
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gets = map[string]int{}
	s.heads, s.lists, s.bytes = 0, 0, 0
}

// NewTestServer serves s on loopback; the base URL for allen.Client is
// its URL.
func NewTestServer(s *Server) *httptest.Server {
	ts := httptest.NewUnstartedServer(s)
	ts.Config.ConnContext = connContext
	ts.Start()
	return ts
}

// ServeHTTP answers path-style requests: GET /<bucket>/?list-type=2 and
// GET|HEAD /<bucket>/<key>[?versionId=].
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		s3Error(w, http.StatusMethodNotAllowed, "MethodNotAllowed")
		return
	}
	p := strings.TrimPrefix(r.URL.Path, "/")
	bucket, key, _ := strings.Cut(p, "/")
	s.mu.Lock()
	b := s.buckets[bucket]
	s.mu.Unlock()
	if b == nil {
		s3Error(w, http.StatusNotFound, "NoSuchBucket")
		return
	}
	if key == "" {
		if r.URL.Query().Get("list-type") != "2" {
			s3Error(w, http.StatusBadRequest, "InvalidArgument")
			return
		}
		s.list(w, r, bucket)
		return
	}
	s.mu.Lock()
	faults := s.faults
	s.mu.Unlock()
	if faults != nil && r.Method == http.MethodGet {
		if f, ok := faults.pick(r.URL.Path); ok {
			s.fault(w, r, bucket, key, f)
			return
		}
	}
	s.object(w, r, bucket, key, nil)
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, bucket string) {
	q := r.URL.Query()
	prefix := q.Get("prefix")
	s.mu.Lock()
	s.lists++
	var keys []string
	for k := range s.buckets[bucket] {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	type content struct {
		Key          string
		LastModified string
		ETag         string
		Size         int
		StorageClass string
	}
	var cs []content
	for _, k := range keys {
		vs := s.buckets[bucket][k]
		v := vs[len(vs)-1]
		cs = append(cs, content{k, v.Modified.Format(time.RFC3339), `"` + v.ETag + `"`, len(v.Data), "STANDARD"})
	}
	maxKeys := s.maxKeys
	s.mu.Unlock()
	if maxKeys <= 0 {
		maxKeys = 1000
	}
	if mk, err := strconv.Atoi(q.Get("max-keys")); err == nil && mk > 0 && mk < maxKeys {
		maxKeys = mk
	}
	start := 0
	if tok := q.Get("continuation-token"); tok != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(tok, "tok-"))
		if err != nil || n < 0 || n > len(cs) {
			s3Error(w, http.StatusBadRequest, "InvalidArgument")
			return
		}
		start = n
	}
	end := min(start+maxKeys, len(cs))
	res := struct {
		XMLName               xml.Name  `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
		Name                  string    `xml:"Name"`
		Prefix                string    `xml:"Prefix"`
		KeyCount              int       `xml:"KeyCount"`
		MaxKeys               int       `xml:"MaxKeys"`
		IsTruncated           bool      `xml:"IsTruncated"`
		Contents              []content `xml:"Contents"`
		NextContinuationToken string    `xml:"NextContinuationToken,omitempty"`
	}{Name: bucket, Prefix: prefix, KeyCount: end - start, MaxKeys: maxKeys, IsTruncated: end < len(cs), Contents: cs[start:end]}
	if res.IsTruncated {
		res.NextContinuationToken = "tok-" + strconv.Itoa(end)
	}
	w.Header().Set("Content-Type", "application/xml")
	w.Write([]byte(xml.Header))
	xml.NewEncoder(w).Encode(res)
}

// object serves one object version; mutate, when set, alters the body.
func (s *Server) object(w http.ResponseWriter, r *http.Request, bucket, key string, bw func(http.ResponseWriter) http.ResponseWriter) {
	s.mu.Lock()
	vs := s.buckets[bucket][key]
	s.mu.Unlock()
	if len(vs) == 0 {
		s3Error(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	v := vs[len(vs)-1]
	if id := r.URL.Query().Get("versionId"); r.URL.Query().Has("versionId") {
		v = nil
		for _, x := range vs {
			if x.ID == id {
				v = x
			}
		}
		if v == nil {
			s3Error(w, http.StatusNotFound, "NoSuchVersion")
			return
		}
	}
	size := int64(len(v.Data))
	etag := `"` + v.ETag + `"`
	h := w.Header()
	h.Set("ETag", etag)
	h.Set("x-amz-version-id", v.ID)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Last-Modified", v.Modified.Format(http.TimeFormat))
	h.Set("Content-Type", "binary/octet-stream")
	start, n, status, unsatisfiable := mirror.ResolveRange(r, h, etag, size)
	if unsatisfiable {
		s3Error(w, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
		return
	}
	h.Set("Content-Length", strconv.FormatInt(n, 10))
	if r.Method == http.MethodHead {
		s.mu.Lock()
		s.heads++
		s.mu.Unlock()
		w.WriteHeader(status)
		return
	}
	s.mu.Lock()
	s.gets[bucket+"/"+key]++
	chunk, delay := s.chunk, s.chunkDelay
	s.mu.Unlock()
	if bw != nil {
		w = bw(w)
	}
	w.WriteHeader(status)
	body := v.Data[start : start+n]
	if chunk <= 0 {
		chunk = 256 << 10
	}
	for len(body) > 0 {
		k := min(chunk, len(body))
		m, err := w.Write(body[:k])
		s.mu.Lock()
		s.bytes += int64(m)
		s.mu.Unlock()
		if err != nil {
			return
		}
		body = body[k:]
		if delay > 0 && len(body) > 0 {
			if fl, ok := w.(http.Flusher); ok {
				fl.Flush()
			}
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
	}
}

func s3Error(w http.ResponseWriter, status int, code string) {
	h := w.Header()
	h.Del("Content-Length")
	h.Del("ETag")
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, "%s<Error><Code>%s</Code><Message>%s</Message></Error>\n", xml.Header, code, code)
}
