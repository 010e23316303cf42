package mirror

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/neurodata/neurodata/dandi"
)

// ZarrEntry is one file of a Zarr archive.
type ZarrEntry struct {
	Key      string // slash-separated, relative to the Zarr root
	Size     int64
	MD5      string // plain MD5, lower-case hex (the listing's ETag)
	Modified time.Time
	// Content holds the bytes; File, when set, is served instead.
	Content []byte
	File    string
}

// Zarr is a Zarr archive served under /api/zarr/{ID}/ and /s3/zarr/{ID}/.
type Zarr struct {
	ID      string
	Entries []*ZarrEntry // sorted by Key
	// Checksum is the dandi:dandi-zarr-checksum reported by /zarr/{id}/
	// and in the asset metadata (tests may set a wrong one).
	Checksum string
	Status   string // default "Complete"
}

func (z *Zarr) size() (n int64) {
	for _, e := range z.Entries {
		n += e.Size
	}
	return n
}

func (z *Zarr) entry(key string) *ZarrEntry {
	i := sort.Search(len(z.Entries), func(i int) bool { return z.Entries[i].Key >= key })
	if i < len(z.Entries) && z.Entries[i].Key == key {
		return z.Entries[i]
	}
	return nil
}

// NewZarrAsset builds a Zarr asset at path in dandiset from entries: MD5s
// missing from entries are computed from Content, entries are sorted by
// key and the checksum is computed with dandi.ZarrChecksum unless
// z.Checksum is already set (tests serving keys the checksum refuses set
// it themselves).
func NewZarrAsset(dandiset, path string, z *Zarr, modified time.Time) (*Asset, error) {
	for _, e := range z.Entries {
		if e.MD5 == "" {
			if e.File != "" {
				return nil, fmt.Errorf("mirror: zarr %s: entry %q has a file but no MD5", path, e.Key)
			}
			h := md5.Sum(e.Content)
			e.MD5 = hex.EncodeToString(h[:])
			e.Size = int64(len(e.Content))
		}
		if e.Modified.IsZero() {
			e.Modified = modified
		}
	}
	sort.Slice(z.Entries, func(i, j int) bool { return z.Entries[i].Key < z.Entries[j].Key })
	if z.ID == "" {
		z.ID = UUID("zarr", dandiset, path)
	}
	if z.Status == "" {
		z.Status = "Complete"
	}
	if z.Checksum == "" {
		files := make([]dandi.ZarrFile, len(z.Entries))
		for i, e := range z.Entries {
			files[i] = dandi.ZarrFile{Key: e.Key, Size: e.Size, MD5: e.MD5}
		}
		sum, err := dandi.ZarrChecksum(files)
		if err != nil {
			return nil, fmt.Errorf("mirror: zarr %s: %w", path, err)
		}
		z.Checksum = sum
	}
	return &Asset{
		ID: UUID("asset", dandiset, path), Path: path, Size: z.size(), Created: modified, Modified: modified,
		Digests: map[string]string{"dandi:dandi-zarr-checksum": z.Checksum}, Zarr: z,
	}, nil
}

// ZarrFromDir builds a Zarr asset at path in dandiset from the files under
// the local directory dir (hashed now, served from disk). Links and
// special files are refused.
func ZarrFromDir(dandiset, path, dir string) (*Asset, error) {
	z := &Zarr{}
	var newest time.Time
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file", p)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		h := md5.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		z.Entries = append(z.Entries, &ZarrEntry{Key: filepath.ToSlash(rel), Size: fi.Size(), MD5: hex.EncodeToString(h.Sum(nil)), Modified: fi.ModTime().UTC(), File: p})
		if fi.ModTime().After(newest) {
			newest = fi.ModTime()
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	return NewZarrAsset(dandiset, path, z, newest)
}

// serveZarr answers /api/zarr/{id}/ and /api/zarr/{id}/files/: the
// summary, the listing (prefix, after, limit ≤ 1000, "next" carrying
// after=<last key>) and, with download=true or HEAD, a 302 to the entry
// named by prefix.
func (s *Server) serveZarr(w http.ResponseWriter, r *http.Request, id string, rest []string) {
	z := s.zarrs[id]
	if z == nil {
		notFound(w)
		return
	}
	switch {
	case len(rest) == 0:
		a := s.zarrAsset[id]
		name, dandiset := "", ""
		if a != nil {
			name, dandiset = a.Path, a.dandiset
		}
		var sum any = z.Checksum
		if z.Checksum == "" {
			sum = nil
		}
		writeJSON(w, 200, map[string]any{
			"name": name, "dandiset": dandiset, "zarr_id": z.ID, "status": z.Status,
			"checksum": sum, "file_count": len(z.Entries), "size": z.size(),
		})
	case len(rest) == 1 && rest[0] == "files":
		q := r.URL.Query()
		if q.Get("download") == "true" || r.Method == http.MethodHead {
			e := z.entry(q.Get("prefix"))
			if e == nil {
				notFound(w)
				return
			}
			http.Redirect(w, r, baseURL(r)+"/s3/zarr/"+z.ID+"/"+escapeKey(e.Key)+"?"+s.presign(z.ID+"/"+e.Key), http.StatusFound)
			return
		}
		limit := 1000
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				writeJSON(w, 400, map[string]string{"detail": "Invalid limit."})
				return
			}
			limit = min(n, 1000)
		}
		prefix, after := q.Get("prefix"), q.Get("after")
		i := sort.Search(len(z.Entries), func(i int) bool { return z.Entries[i].Key > after })
		results := []any{}
		var last string
		more := false
		for ; i < len(z.Entries); i++ {
			e := z.Entries[i]
			if !strings.HasPrefix(e.Key, prefix) {
				continue
			}
			if len(results) == limit {
				more = true
				break
			}
			results = append(results, map[string]any{"Key": e.Key, "LastModified": ts(e.Modified), "ETag": `"` + e.MD5 + `"`, "Size": e.Size})
			last = e.Key
		}
		var next any
		if more {
			u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
			if r.TLS != nil {
				u.Scheme = "https"
			}
			qq := r.URL.Query()
			qq.Set("after", last)
			u.RawQuery = qq.Encode()
			next = u.String()
		}
		writeJSON(w, 200, map[string]any{"next": next, "previous": nil, "results": results})
	default:
		notFound(w)
	}
}

func escapeKey(k string) string {
	segs := strings.Split(k, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// serveZarrEntry is the S3 stand-in for /s3/zarr/{id}/{key}: presigned
// GETs (HEAD refused on presigned URLs, as on S3), anonymous GETs of open
// entries, single ranges, ETag = MD5.
func (s *Server) serveZarrEntry(w http.ResponseWriter, r *http.Request, rest string) {
	id, key, ok := strings.Cut(rest, "/")
	s.mu.RLock()
	z := s.zarrs[id]
	s.mu.RUnlock()
	if !ok || z == nil {
		s3Error(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	e := z.entry(key)
	if e == nil {
		s3Error(w, http.StatusNotFound, "NoSuchKey")
		return
	}
	body := fileBody(e.File)
	if e.File == "" {
		body = func(start, n int64) (io.Reader, func()) {
			if int64(len(e.Content)) < start+n {
				panic(http.ErrAbortHandler) // a test entry whose Size exceeds its Content
			}
			return bytes.NewReader(e.Content[start : start+n]), func() {}
		}
	}
	// Unlike blobs, Zarr entries have no embargo and ignore If-Match
	// (ifMatch false), as this stand-in always did.
	s.serveObject(w, r, s3Object{
		signed: id + "/" + key, etag: `"` + e.MD5 + `"`, modified: e.Modified, size: e.Size,
		body: body,
	})
}
