// Package mirror serves dandisets through a DANDI-compatible REST API and
// an S3-like, range-capable file endpoint. It backs `neurodata mirror
// serve` (an instructor hosts a classroom copy of what `neurodata fetch`
// wrote) and is the in-process emulator the dandi and fetch tests run
// against, with a fault-injection layer (see Faults).
//
// Routes follow the DANDI archive (trailing slashes, DRF pagination with
// page/page_size clamped to 1000, `count` only on the first asset page,
// exact-then-prefix `path=` and case-insensitive `*` `glob=` filters,
// `metadata=true`), and downloads answer 302 to a presigned file URL whose
// HEAD is refused, as on S3.
package mirror

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/neurodata/neurodata/internal/fetch"
)

// Asset is one file of a dandiset version.
type Asset struct {
	ID       string // asset uuid
	Blob     string // blob uuid
	Path     string // POSIX path relative to the dandiset
	Size     int64
	Created  time.Time
	Modified time.Time // used as blobDateModified
	// Digests keyed by DANDI names: "dandi:dandi-etag" (required),
	// "dandi:sha2-256" (optional, as on the archive).
	Digests map[string]string
	// Content returns the bytes; File, when set, is served with sendfile.
	Content io.ReaderAt
	File    string
	// Embargoed assets need the server's API key.
	Embargoed bool
	// Zarr, when set, makes this a Zarr asset (no blob; see NewZarrAsset):
	// its download route answers 400 as on the archive, and its files are
	// served under /api/zarr/{id}/.
	Zarr *Zarr

	dandiset string // set by Server.Add
}

// ETag returns the dandi-etag, which S3 reports as the object's ETag.
func (a *Asset) ETag() string { return a.Digests["dandi:dandi-etag"] }

// Version is a dandiset version ("draft" or a published id).
type Version struct {
	Version  string
	Name     string
	Status   string // "Valid", "Published", ...
	Created  time.Time
	Modified time.Time
	Assets   []*Asset
}

func (v *Version) size() (n int64) {
	for _, a := range v.Assets {
		n += a.Size
	}
	return n
}

// Dandiset is one dandiset and its versions.
type Dandiset struct {
	ID       string // six digits
	Created  time.Time
	Modified time.Time
	Versions []*Version
}

func (d *Dandiset) published() *Version {
	var best *Version
	for _, v := range d.Versions {
		if v.Version != "draft" && (best == nil || v.Created.After(best.Created)) {
			best = v
		}
	}
	return best
}

func (d *Dandiset) draft() *Version {
	for _, v := range d.Versions {
		if v.Version == "draft" {
			return v
		}
	}
	return nil
}

func (d *Dandiset) version(id string) *Version {
	for _, v := range d.Versions {
		if v.Version == id {
			return v
		}
	}
	return nil
}

// Stats counts traffic on the file endpoint.
type Stats struct {
	Requests int64 // file GETs answered
	Bytes    int64 // body bytes written by file GETs
}

// Server is the mirror. Configure fields before serving.
type Server struct {
	// APIKey, when set, is required (Authorization: token KEY) for
	// embargoed assets; it is never written to responses or logs.
	APIKey string
	// PresignTTL is the validity of download redirects (default 6 h).
	PresignTTL time.Duration
	// Latency is added before every file-endpoint response (tests).
	Latency time.Duration
	// Faults, when set, injects failures (see Faults).
	Faults *Faults

	mu        sync.RWMutex
	dandisets []*Dandiset
	blobs     map[string]*Asset
	assets    map[string]*Asset
	zarrs     map[string]*Zarr
	zarrAsset map[string]*Asset // zarr id -> its asset
	secret    []byte

	reqs, bytes atomic.Int64
	pathBytes   sync.Map // blob path -> *atomic.Int64
}

// New returns an empty server.
func New() *Server {
	return &Server{blobs: map[string]*Asset{}, assets: map[string]*Asset{}, zarrs: map[string]*Zarr{}, zarrAsset: map[string]*Asset{}, secret: []byte("neurodata-mirror")}
}

// Add registers a dandiset. Assets need ID, Blob, Path, Size and a
// dandi-etag; NewAsset fills them.
func (s *Server) Add(d *Dandiset) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dandisets = append(s.dandisets, d)
	sort.Slice(s.dandisets, func(i, j int) bool { return s.dandisets[i].ID < s.dandisets[j].ID })
	for _, v := range d.Versions {
		for _, a := range v.Assets {
			a.dandiset = d.ID
			s.assets[a.ID] = a
			if a.Zarr != nil {
				s.zarrs[a.Zarr.ID] = a.Zarr
				s.zarrAsset[a.Zarr.ID] = a
				continue
			}
			s.blobs[a.Blob] = a
		}
	}
}

// Stats returns file-endpoint counters.
func (s *Server) Stats() Stats { return Stats{Requests: s.reqs.Load(), Bytes: s.bytes.Load()} }

// BytesServed returns the body bytes served for one asset.
func (s *Server) BytesServed(a *Asset) int64 {
	if v, ok := s.pathBytes.Load(a.Blob); ok {
		return v.(*atomic.Int64).Load()
	}
	return 0
}

// ResetStats zeroes the counters.
func (s *Server) ResetStats() {
	s.reqs.Store(0)
	s.bytes.Store(0)
	s.pathBytes.Range(func(k, _ any) bool { s.pathBytes.Delete(k); return true })
}

// UUID derives a stable uuid-shaped id from the parts.
func UUID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	b := h[:16]
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	x := hex.EncodeToString(b)
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// NewAsset builds an asset for dandiset id, hashing content to obtain the
// dandi-etag and sha256 unless digests are given.
func NewAsset(dandiset, path string, content io.ReaderAt, size int64, modified time.Time, digests map[string]string) (*Asset, error) {
	if digests == nil {
		d, err := fetch.DigestReader(io.NewSectionReader(content, 0, size), size, fetch.DigestDandiETag, fetch.DigestSHA256)
		if err != nil {
			return nil, fmt.Errorf("mirror: hashing %s: %w", path, err)
		}
		digests = map[string]string{"dandi:dandi-etag": d[fetch.DigestDandiETag], "dandi:sha2-256": d[fetch.DigestSHA256]}
	}
	if digests["dandi:dandi-etag"] == "" {
		return nil, fmt.Errorf("mirror: asset %s has no dandi-etag", path)
	}
	return &Asset{
		ID: UUID("asset", dandiset, path), Blob: UUID("blob", digests["dandi:dandi-etag"], strconv.FormatInt(size, 10)),
		Path: path, Size: size, Created: modified, Modified: modified, Digests: digests, Content: content,
	}, nil
}

// ServeHTTP routes API and file requests through the fault layer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/s3/") && r.Method == http.MethodGet {
		// Count body bytes on the wire, also for responses a fault aborts.
		cw := &countingWriter{ResponseWriter: w}
		defer func() {
			s.bytes.Add(cw.n)
			blob := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
			c, _ := s.pathBytes.LoadOrStore(blob, new(atomic.Int64))
			c.(*atomic.Int64).Add(cw.n)
		}()
		w = cw
	}
	if s.Faults != nil {
		s.Faults.serve(s, w, r)
		return
	}
	s.route(w, r)
}

func (s *Server) route(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/s3/zarr/"):
		s.serveZarrEntry(w, r, strings.TrimPrefix(r.URL.Path, "/s3/zarr/"))
	case strings.HasPrefix(r.URL.Path, "/s3/"):
		s.serveBlob(w, r)
	case strings.HasPrefix(r.URL.Path, "/api/"):
		s.serveAPI(w, r)
	default:
		writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func notFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, map[string]string{"detail": "Not found."})
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

var (
	reDandiset = regexp.MustCompile(`^\d{6}$`)
	reUUID     = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
)

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"detail": "Method not allowed."})
		return
	}
	p := strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
	seg := strings.Split(p, "/")
	s.mu.RLock()
	defer s.mu.RUnlock()
	switch {
	case p == "info":
		b := baseURL(r)
		writeJSON(w, 200, map[string]any{
			"schema_version": "0.6.10", "version": "neurodata-mirror", "cli-minimal-version": "0.74.0",
			"services": map[string]any{"api": map[string]string{"url": b + "/api"}, "webui": map[string]string{"url": b}},
		})
	case p == "dandisets":
		s.listDandisets(w, r)
	case p == "auth/token" || p == "users/me":
		// dandi-cli checks a key here; the key itself is never echoed.
		if !s.authorized(r) {
			writeJSON(w, http.StatusUnauthorized, map[string]string{"detail": "Invalid token."})
			return
		}
		writeJSON(w, 200, map[string]any{"username": "mirror-user", "name": "Mirror User", "admin": false, "status": "APPROVED"})
	case seg[0] == "dandisets" && len(seg) >= 2:
		d := s.dandiset(seg[1])
		if d == nil {
			notFound(w)
			return
		}
		s.serveDandiset(w, r, d, seg[2:])
	case seg[0] == "zarr" && len(seg) >= 2:
		s.serveZarr(w, r, seg[1], seg[2:])
	case seg[0] == "assets" && len(seg) >= 2:
		a := s.assets[seg[1]]
		if a == nil {
			notFound(w)
			return
		}
		s.serveAsset(w, r, a, seg[2:])
	default:
		notFound(w)
	}
}

func (s *Server) dandiset(id string) *Dandiset {
	for _, d := range s.dandisets {
		if d.ID == id {
			return d
		}
	}
	return nil
}

func versionSummary(v *Version) map[string]any {
	if v == nil {
		return nil
	}
	return map[string]any{
		"version": v.Version, "name": v.Name, "asset_count": len(v.Assets), "size": v.size(),
		"status": v.Status, "created": ts(v.Created), "modified": ts(v.Modified),
	}
}

func ts(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func dandisetJSON(d *Dandiset) map[string]any {
	m := map[string]any{
		"identifier": d.ID, "created": ts(d.Created), "modified": ts(d.Modified),
		"contact_person": "", "embargo_status": "OPEN", "star_count": 0, "is_starred": false,
		"most_recent_published_version": nil, "draft_version": nil,
	}
	if p := d.published(); p != nil {
		m["most_recent_published_version"] = versionSummary(p)
	}
	if dr := d.draft(); dr != nil {
		m["draft_version"] = versionSummary(dr)
	}
	return m
}

func (s *Server) listDandisets(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	search := strings.ToLower(q.Get("search"))
	var items []any
	for _, d := range s.dandisets {
		if q.Get("draft") == "false" && d.published() == nil {
			continue
		}
		if search != "" {
			name := ""
			if v := d.draft(); v != nil {
				name = v.Name
			}
			if !strings.Contains(strings.ToLower(d.ID+" "+name), search) {
				continue
			}
		}
		items = append(items, dandisetJSON(d))
	}
	paginate(w, r, items, true)
}

func (s *Server) serveDandiset(w http.ResponseWriter, r *http.Request, d *Dandiset, rest []string) {
	if len(rest) == 0 {
		writeJSON(w, 200, dandisetJSON(d))
		return
	}
	if rest[0] != "versions" {
		notFound(w)
		return
	}
	if len(rest) == 1 {
		var items []any
		vs := append([]*Version(nil), d.Versions...)
		sort.SliceStable(vs, func(i, j int) bool { return vs[i].Created.Before(vs[j].Created) })
		for _, v := range vs {
			m := versionSummary(v)
			m["dandiset"] = dandisetJSON(d)
			items = append(items, m)
		}
		paginate(w, r, items, true)
		return
	}
	v := d.version(rest[1])
	if v == nil {
		notFound(w)
		return
	}
	rest = rest[2:]
	b := baseURL(r)
	switch {
	case len(rest) == 0:
		writeJSON(w, 200, versionMetadata(b, d, v))
	case len(rest) == 1 && rest[0] == "info":
		m := versionSummary(v)
		m["dandiset"] = dandisetJSON(d)
		m["metadata"] = versionMetadata(b, d, v)
		m["asset_validation_errors"] = []any{}
		m["version_validation_errors"] = []any{}
		writeJSON(w, 200, m)
	case rest[0] == "assets" && len(rest) == 1:
		s.listAssets(w, r, d, v)
	case rest[0] == "assets" && len(rest) >= 2:
		var a *Asset
		for _, x := range v.Assets {
			if x.ID == rest[1] {
				a = x
			}
		}
		if a == nil {
			notFound(w)
			return
		}
		s.serveAsset(w, r, a, rest[2:])
	default:
		notFound(w)
	}
}

func versionMetadata(base string, d *Dandiset, v *Version) map[string]any {
	return map[string]any{
		"schemaKey": "Dandiset", "schemaVersion": "0.6.4",
		"id": "DANDI:" + d.ID + "/" + v.Version, "identifier": "DANDI:" + d.ID, "version": v.Version,
		"name": v.Name, "url": base + "/dandiset/" + d.ID + "/" + v.Version,
		"access":           []any{map[string]string{"schemaKey": "AccessRequirements", "status": "dandi:OpenAccess"}},
		"assetsSummary":    map[string]any{"schemaKey": "AssetsSummary", "numberOfBytes": v.size(), "numberOfFiles": len(v.Assets)},
		"dateCreated":      ts(d.Created),
		"manifestLocation": []string{base + "/api/dandisets/" + d.ID + "/versions/" + v.Version + "/assets/"},
	}
}

// assetMetadata is the asset's metadata document with computed fields.
func assetMetadata(base string, a *Asset) map[string]any {
	dl := base + "/api/assets/" + a.ID + "/download/"
	content, format := base+"/s3/zarr/"+a.ID+"/", "application/x-zarr"
	if a.Zarr == nil {
		content, format = base+"/s3/"+blobKey(a.Blob), "application/x-nwb"
	} else {
		content = base + "/s3/zarr/" + a.Zarr.ID + "/"
	}
	return map[string]any{
		"schemaKey": "Asset", "schemaVersion": "0.6.4",
		"id": "dandiasset:" + a.ID, "identifier": a.ID, "path": a.Path,
		"encodingFormat": format, "contentSize": a.Size,
		"contentUrl":       []string{dl, content},
		"digest":           a.Digests,
		"blobDateModified": a.Modified.Format(time.RFC3339Nano),
		"dateModified":     a.Modified.Format(time.RFC3339Nano),
		"access":           []any{map[string]string{"schemaKey": "AccessRequirements", "status": "dandi:OpenAccess"}},
	}
}

func blobKey(blob string) string { return "blobs/" + blob[0:3] + "/" + blob[3:6] + "/" + blob }

func assetJSON(a *Asset) map[string]any {
	var blob, zarr any = a.Blob, nil
	if a.Zarr != nil {
		blob, zarr = nil, a.Zarr.ID
	}
	return map[string]any{
		"asset_id": a.ID, "blob": blob, "zarr": zarr, "path": a.Path, "size": a.Size,
		"created": ts(a.Created), "modified": ts(a.Modified),
	}
}

// globRegexp turns a DANDI glob into the server's regex: `*` is `.*`, all
// else literal, anchored, case-insensitive.
func globRegexp(g string) *regexp.Regexp {
	parts := strings.Split(g, "*")
	for i := range parts {
		parts[i] = regexp.QuoteMeta(parts[i])
	}
	return regexp.MustCompile("(?is)^" + strings.Join(parts, ".*") + "$")
}

func (s *Server) listAssets(w http.ResponseWriter, r *http.Request, d *Dandiset, v *Version) {
	q := r.URL.Query()
	assets := append([]*Asset(nil), v.Assets...)
	if p := q.Get("path"); q.Has("path") {
		var exact []*Asset
		for _, a := range assets {
			if a.Path == p {
				exact = append(exact, a)
			}
		}
		if len(exact) == 0 {
			for _, a := range assets {
				if strings.HasPrefix(strings.ToLower(a.Path), strings.ToLower(p)) {
					exact = append(exact, a)
				}
			}
		}
		assets = exact
	}
	if g := q.Get("glob"); q.Has("glob") {
		re := globRegexp(g)
		var keep []*Asset
		for _, a := range assets {
			if re.MatchString(a.Path) {
				keep = append(keep, a)
			}
		}
		assets = keep
	}
	order := q.Get("order")
	desc := strings.HasPrefix(order, "-")
	key := strings.TrimPrefix(order, "-")
	sort.SliceStable(assets, func(i, j int) bool {
		a, b := assets[i], assets[j]
		var less bool
		switch key {
		case "path":
			less = a.Path < b.Path
		case "modified":
			less = a.Modified.Before(b.Modified)
		default:
			less = a.Created.Before(b.Created) || a.Created.Equal(b.Created) && a.Path < b.Path
		}
		if desc {
			return !less
		}
		return less
	})
	meta := q.Get("metadata") == "true" || q.Get("metadata") == "1"
	base := baseURL(r)
	items := make([]any, len(assets))
	for i, a := range assets {
		m := assetJSON(a)
		if meta {
			m["metadata"] = assetMetadata(base, a)
		}
		items[i] = m
	}
	paginate(w, r, items, false)
}

// paginate writes a DRF page. Asset lists (countAll false) carry count only
// on page 1, like the archive's LazyPagination.
func paginate(w http.ResponseWriter, r *http.Request, items []any, countAll bool) {
	q := r.URL.Query()
	page, size := 1, 100
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			writeJSON(w, 404, map[string]string{"detail": "Invalid page."})
			return
		}
		page = n
	}
	if v := q.Get("page_size"); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			size = min(n, 1000)
		}
	}
	start := (page - 1) * size
	if start > len(items) || (start == len(items) && page > 1) {
		writeJSON(w, 404, map[string]string{"detail": "Invalid page."})
		return
	}
	end := min(start+size, len(items))
	link := func(p int) any {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		if r.TLS != nil {
			u.Scheme = "https"
		}
		qq := r.URL.Query()
		if p <= 1 {
			qq.Del("page")
		} else {
			qq.Set("page", strconv.Itoa(p))
		}
		u.RawQuery = qq.Encode()
		return u.String()
	}
	var next, prev any
	if end < len(items) {
		next = link(page + 1)
	}
	if page > 1 {
		prev = link(page - 1)
	}
	var count any = len(items)
	if !countAll && page > 1 {
		count = nil
	}
	results := items[start:end]
	if results == nil {
		results = []any{}
	}
	writeJSON(w, 200, map[string]any{"count": count, "next": next, "previous": prev, "results": results})
}

func (s *Server) authorized(r *http.Request) bool {
	if s.APIKey == "" {
		return false
	}
	h := r.Header.Get("Authorization")
	k, v, ok := strings.Cut(h, " ")
	return ok && strings.EqualFold(k, "token") && hmac.Equal([]byte(v), []byte(s.APIKey))
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request, a *Asset, rest []string) {
	if a.Embargoed && !s.authorized(r) {
		if r.Header.Get("Authorization") == "" {
			writeJSON(w, 401, map[string]string{"detail": "Authentication credentials were not provided."})
		} else {
			writeJSON(w, 403, map[string]string{"detail": "You do not have permission to perform this action."})
		}
		return
	}
	base := baseURL(r)
	switch {
	case len(rest) == 0:
		writeJSON(w, 200, assetMetadata(base, a))
	case len(rest) == 1 && rest[0] == "info":
		m := assetJSON(a)
		m["metadata"] = assetMetadata(base, a)
		writeJSON(w, 200, m)
	case len(rest) == 1 && rest[0] == "download" && a.Zarr != nil:
		// As on the archive: a Zarr is a tree, fetched entry by entry.
		writeJSON(w, http.StatusBadRequest, map[string]string{"detail": "Cannot download zarr assets."})
	case len(rest) == 1 && rest[0] == "download":
		http.Redirect(w, r, base+"/s3/"+blobKey(a.Blob)+"?"+s.presign(a.Blob), http.StatusFound)
	default:
		notFound(w)
	}
}

func (s *Server) ttl() time.Duration {
	if s.PresignTTL > 0 {
		return s.PresignTTL
	}
	return 6 * time.Hour
}

func (s *Server) sign(blob, exp string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(blob + "\x00" + exp))
	return hex.EncodeToString(m.Sum(nil))[:32]
}

func (s *Server) presign(blob string) string {
	exp := strconv.FormatInt(time.Now().Add(s.ttl()).Unix(), 10)
	return url.Values{"X-Expires": {exp}, "X-Signature": {s.sign(blob, exp)}}.Encode()
}

// Counts returns the number of dandisets and assets served.
func (s *Server) Counts() (dandisets, assets int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.dandisets), len(s.assets)
}

// countingWriter counts body bytes, keeping sendfile (ReadFrom) and Flush.
type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.ResponseWriter.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countingWriter) ReadFrom(r io.Reader) (int64, error) {
	if rf, ok := c.ResponseWriter.(io.ReaderFrom); ok {
		n, err := rf.ReadFrom(r)
		c.n += n
		return n, err
	}
	return io.Copy(struct{ io.Writer }{c}, r)
}

func (c *countingWriter) Flush() {
	if f, ok := c.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
