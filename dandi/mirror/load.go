package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/neurodata/neurodata/internal/fetch"
)

// cacheFile holds digests of files under DIR keyed by path, size and mtime,
// so restarting `mirror serve` does not re-hash everything.
const cacheFile = ".neurodata-mirror.json"

type cacheEntry struct {
	Size    int64             `json:"size"`
	MtimeNS int64             `json:"mtime_ns"`
	Digests map[string]string `json:"digests"`
}

// LoadDir builds a server from the layout `neurodata fetch` writes:
// DIR/<six-digit dandiset id>/<asset path>. Each dandiset is served as a
// draft version, named as in its dandiset.yaml when there is one; when
// that file records a published version (fetch writes it for the version
// it resolved), the same assets are also served under that version id, so
// commands that name it (`fetch DANDI:000021/0.210812.1448`, a course's
// pinned version) work against the mirror too.
// Partial downloads (*.ndpart*), hidden files and dandiset.yaml are not
// assets; symlinks are not followed. A directory named *.zarr is one Zarr
// asset (its files hashed at every load; they are not cached).
func LoadDir(dir string) (*Server, error) {
	s := New()
	cache := map[string]cacheEntry{}
	if b, err := os.ReadFile(filepath.Join(dir, cacheFile)); err == nil {
		json.Unmarshal(b, &cache)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	changed := false
	for _, e := range ents {
		if !e.IsDir() || !reDandiset.MatchString(e.Name()) {
			continue
		}
		id := e.Name()
		root := filepath.Join(dir, id)
		name, published := dirMeta(root, id)
		v := &Version{Version: "draft", Name: name, Status: "Valid"}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if strings.HasPrefix(name, ".") && p != root {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() && p != root && strings.Contains(name, ".ndpart") {
				return filepath.SkipDir // a Zarr fetch in progress
			}
			if d.IsDir() && p != root && strings.HasSuffix(name, ".zarr") {
				// A Zarr asset (fetch writes DIR/<id>/<path>.zarr/…):
				// served as one asset with its files under /api/zarr/.
				rel, _ := filepath.Rel(root, p)
				a, err := ZarrFromDir(id, filepath.ToSlash(rel), p)
				if err != nil {
					return err
				}
				v.Assets = append(v.Assets, a)
				if a.Modified.After(v.Modified) {
					v.Modified = a.Modified
				}
				return filepath.SkipDir
			}
			if !d.Type().IsRegular() || strings.Contains(name, ".ndpart") || name == "dandiset.yaml" {
				return nil
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			rel = filepath.ToSlash(rel)
			ck := id + "/" + rel
			ce, ok := cache[ck]
			if !ok || ce.Size != fi.Size() || ce.MtimeNS != fi.ModTime().UnixNano() {
				f, err := os.Open(p)
				if err != nil {
					return err
				}
				dg, err := fetch.DigestReader(f, fi.Size(), fetch.DigestDandiETag, fetch.DigestSHA256)
				f.Close()
				if err != nil {
					return fmt.Errorf("%s: %w", p, err)
				}
				ce = cacheEntry{Size: fi.Size(), MtimeNS: fi.ModTime().UnixNano(),
					Digests: map[string]string{"dandi:dandi-etag": dg[fetch.DigestDandiETag], "dandi:sha2-256": dg[fetch.DigestSHA256]}}
				cache[ck] = ce
				changed = true
			}
			a, err := NewAsset(id, rel, nil, fi.Size(), fi.ModTime(), ce.Digests)
			if err != nil {
				return err
			}
			a.File = p
			v.Assets = append(v.Assets, a)
			if fi.ModTime().After(v.Modified) {
				v.Modified = fi.ModTime()
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("mirror: %w", err)
		}
		sort.Slice(v.Assets, func(i, j int) bool { return v.Assets[i].Path < v.Assets[j].Path })
		v.Created = v.Modified
		vs := []*Version{v}
		if published != "" {
			pv := *v
			pv.Version, pv.Status = published, "Published"
			vs = append(vs, &pv)
		}
		s.Add(&Dandiset{ID: id, Created: v.Created, Modified: v.Modified, Versions: vs})
	}
	if changed {
		if b, err := json.Marshal(cache); err == nil {
			tmp := filepath.Join(dir, cacheFile+".tmp")
			if os.WriteFile(tmp, b, 0o644) == nil {
				os.Rename(tmp, filepath.Join(dir, cacheFile))
			}
		}
	}
	return s, nil
}

// rePublished matches a published DANDI version id (0.YYMMDD.HHMM).
var rePublished = regexp.MustCompile(`^\d+\.\d{6}\.\d{4}$`)

// dirMeta reads the dandiset.yaml fetch wrote in DIR/<id>: the version
// name (else "Dandiset <id> (classroom mirror)") and the published version
// id it records ("" for a draft, a missing or an unreadable file).
func dirMeta(root, id string) (name, published string) {
	name = "Dandiset " + id + " (classroom mirror)"
	var doc struct {
		Name    string `yaml:"name"`
		Version string `yaml:"version"`
	}
	f, err := os.Open(filepath.Join(root, "dandiset.yaml"))
	if err != nil {
		return name, ""
	}
	b, err := io.ReadAll(io.LimitReader(f, 16<<20))
	f.Close()
	if err != nil || yaml.Unmarshal(b, &doc) != nil {
		return name, ""
	}
	if doc.Name != "" && len(doc.Name) <= 1000 {
		name = doc.Name
	}
	if rePublished.MatchString(doc.Version) {
		published = doc.Version
	}
	return name, published
}

// NewTestServer starts s on a loopback httptest server with ConnContext
// wired for Reset faults. The API base is URL + "/api".
func NewTestServer(s *Server) *httptest.Server {
	ts := httptest.NewUnstartedServer(s)
	ts.Config.ConnContext = ConnContext
	ts.Start()
	return ts
}

// Serve listens on addr until ctx is cancelled.
func Serve(ctx context.Context, s *Server, ln net.Listener) error {
	srv := &http.Server{Handler: s, ConnContext: ConnContext, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	err := srv.Serve(ln)
	if err == http.ErrServerClosed {
		return nil
	}
	return err
}

// FromFiles builds a server holding one draft dandiset with the given
// files (asset path → local file path), hashed now. With NewTestServer and
// AssetURL it lets tests of other packages stream a local NWB file through
// dandi.OpenAsset and count requests (Stats) under injected Latency.
func FromFiles(dandiset string, files map[string]string) (*Server, error) {
	s := New()
	v := &Version{Version: "draft", Name: "test dandiset " + dandiset, Status: "Valid"}
	for p, local := range files {
		fi, err := os.Stat(local)
		if err != nil {
			return nil, fmt.Errorf("mirror: %w", err)
		}
		f, err := os.Open(local)
		if err != nil {
			return nil, fmt.Errorf("mirror: %w", err)
		}
		a, err := NewAsset(dandiset, p, f, fi.Size(), fi.ModTime(), nil)
		f.Close()
		if err != nil {
			return nil, err
		}
		a.Content, a.File = nil, local
		v.Assets = append(v.Assets, a)
		if fi.ModTime().After(v.Modified) {
			v.Modified = fi.ModTime()
		}
	}
	sort.Slice(v.Assets, func(i, j int) bool { return v.Assets[i].Path < v.Assets[j].Path })
	v.Created = v.Modified
	s.Add(&Dandiset{ID: dandiset, Created: v.Created, Modified: v.Modified, Versions: []*Version{v}})
	return s, nil
}

// AssetURL returns the API download URL of the asset at path in dandiset
// (draft), for a server reachable at origin (e.g. httptest URL), or "".
func (s *Server) AssetURL(origin, dandiset, path string) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	d := s.dandiset(dandiset)
	if d == nil {
		return ""
	}
	for _, v := range d.Versions {
		for _, a := range v.Assets {
			if a.Path == path {
				return origin + "/api/assets/" + a.ID + "/download/"
			}
		}
	}
	return ""
}
