package allen

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/neurodata/neurodata/internal/fetch"
)

// StatusLinked marks a file re-used from another release (same BLAKE2b-512
// hash) by a hard link, or a copy where links are impossible.
const StatusLinked fetch.Status = "linked"

// indexName is the cache's record of verified files (AllenSDK keeps the
// same idea in _downloaded_data.json).
const indexName = "_downloaded_data.json"

// Cache lays releases out under Dir as <project>-<release>/<key minus the
// project prefix> and fetches files into it, verified by BLAKE2b-512.
type Cache struct {
	Dir    string
	Client *Client
	// Fetcher downloads; nil uses a default one over Client.HTTP. Its Root
	// is set to Dir and its Client to Client.HTTP when unset.
	Fetcher *fetch.Fetcher

	mu    sync.Mutex
	index map[string]indexEntry // slash path under Dir → entry
}

type indexEntry struct {
	Hash    string `json:"blake2b_512"`
	Size    int64  `json:"size"`
	MtimeNS int64  `json:"mtime_ns"`
}

// Release is a resolved release of a cloud-cache project.
type Release struct {
	Project  *Project
	Name     string
	Manifest *Manifest
}

// Dir is the release's directory name: <project>-<release>.
func (r *Release) Dir() string { return r.Project.Name + "-" + r.Name }

// File is one object to fetch.
type File struct {
	Name      string // "metadata_files/units" or "data_files/1044"
	Rel       string // slash path under the cache Dir
	URL       string // as in the manifest
	VersionID string
	Hash      string // BLAKE2b-512 hex
}

// Release resolves a release ("" = latest) and reads its manifest: from
// DIR/<project>-<release>/manifests/… when an earlier run saved it (a
// release's manifest never changes), else from the bucket, saving it.
func (c *Cache) Release(ctx context.Context, p *Project, release string) (*Release, error) {
	if p.Source != CloudCache {
		return nil, fmt.Errorf("allen: %s is served from DANDI (%s), not a cloud cache", p.Name, strings.Join(p.Dandisets, ", "))
	}
	release = strings.TrimPrefix(release, "v")
	if release != "" && release != "latest" {
		local := filepath.Join(c.Dir, p.Name+"-"+release, filepath.FromSlash(strings.TrimPrefix(manifestKey(p.Name, release), p.Name+"/")))
		if b, err := os.ReadFile(local); err == nil {
			if m, err := ParseManifest(b); err == nil && m.ProjectName == p.Name && m.ManifestVersion == release {
				return &Release{Project: p, Name: release, Manifest: m}, nil
			}
		}
	}
	name, err := c.Client.ResolveRelease(ctx, p, release)
	if err != nil {
		return nil, err
	}
	b, err := c.Client.ManifestBytes(ctx, p, name)
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(b)
	if err != nil {
		return nil, err
	}
	if m.ProjectName != p.Name || m.ManifestVersion != name {
		return nil, fmt.Errorf("allen: manifest for %s %s names %s %s", p.Name, name, m.ProjectName, m.ManifestVersion)
	}
	local := filepath.Join(c.Dir, p.Name+"-"+name, filepath.FromSlash(strings.TrimPrefix(manifestKey(p.Name, name), p.Name+"/")))
	if err := writeAtomic(local, b); err != nil {
		return nil, err
	}
	return &Release{Project: p, Name: name, Manifest: m}, nil
}

// relPath places a manifest URL under the release directory.
func (r *Release) relPath(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	key := strings.TrimPrefix(u.Path, "/")
	if _, k, ok := s3BucketKey(u); ok {
		key = k
	} else if i := strings.Index(key, r.Project.Name+"/"); i >= 0 {
		key = key[i:] // mirror URL: …/<bucket>/<project>/…
	}
	key = strings.TrimPrefix(key, r.Project.Name+"/")
	rel := r.Dir() + "/" + key
	if _, err := fetch.SafeJoin("/", rel); err != nil {
		return "", fmt.Errorf("allen: %s: %w", raw, err)
	}
	return rel, nil
}

func (r *Release) file(kind, key string, e FileEntry) (File, error) {
	if err := checkEntry(e); err != nil {
		return File{}, fmt.Errorf("allen: manifest %s: %s %q: %w", r.Dir(), kind, key, err)
	}
	rel, err := r.relPath(e.URL)
	if err != nil {
		return File{}, err
	}
	return File{Name: kind + "/" + key, Rel: rel, URL: e.URL, VersionID: e.VersionID, Hash: strings.ToLower(e.FileHash)}, nil
}

// MetadataFile returns the file of one metadata table; an unknown table is
// an ErrUnknownTable error naming the closest ones.
func (r *Release) MetadataFile(table string) (File, error) {
	e, ok := r.Manifest.MetadataFiles[table]
	if !ok {
		return File{}, r.Project.tableError(table, r.Tables())
	}
	return r.file("metadata_files", table, e)
}

// Tables lists the release's metadata tables, sorted.
func (r *Release) Tables() []string {
	var ts []string
	for k := range r.Manifest.MetadataFiles {
		ts = append(ts, k)
	}
	sort.Strings(ts)
	return ts
}

// MetadataFiles returns every metadata file of the release.
func (r *Release) MetadataFiles() ([]File, error) {
	var out []File
	for _, t := range r.Tables() {
		f, err := r.MetadataFile(t)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// DataFile returns the data file with a manifest file_id.
func (r *Release) DataFile(fileID string) (File, error) {
	e, ok := r.Manifest.DataFiles[fileID]
	if !ok {
		return File{}, fmt.Errorf("allen: %s: file_id %s is not in the manifest's data_files", r.Dir(), fileID)
	}
	return r.file("data_files", fileID, e)
}

// Table fetches (or re-uses) a metadata table and parses it.
func (c *Cache) Table(ctx context.Context, r *Release, name string) (*Table, error) {
	f, err := r.MetadataFile(name)
	if err != nil {
		return nil, err
	}
	res, err := c.Fetch(ctx, []File{f})
	if err != nil {
		return nil, err
	}
	if res[0].Err != nil {
		return nil, res[0].Err
	}
	fh, err := os.Open(res[0].Job.Dest)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	return ReadTable(name, fh)
}

// SessionFiles returns the data files of the rows whose kind's id column
// equals id (one NWB per ecephys session; every experiment of an ophys
// session). An id absent from the table is an ErrUnknownSession error
// naming the closest ids.
func (c *Cache) SessionFiles(ctx context.Context, r *Release, kind string, id int64) ([]File, error) {
	sk, err := r.Project.SessionKind(kind)
	if err != nil {
		return nil, err
	}
	t, err := c.Table(ctx, r, sk.Table)
	if err != nil {
		return nil, err
	}
	return r.sessionFiles(t, sk, id)
}

func (r *Release) sessionFiles(t *Table, sk SessionKind, id int64) ([]File, error) {
	idc, fc := t.Column(sk.IDColumn), t.Column(r.Manifest.FileIDColumn)
	if idc == nil || idc.Type != Int64 {
		return nil, fmt.Errorf("allen: %s/%s: no integer column %s", r.Dir(), t.Name, sk.IDColumn)
	}
	if fc == nil || fc.Type != Int64 {
		return nil, fmt.Errorf("allen: %s/%s: no integer column %s", r.Dir(), t.Name, r.Manifest.FileIDColumn)
	}
	var out []File
	seen := map[int64]bool{}
	var ids []string
	found := false
	for i := 0; i < t.Rows; i++ {
		if !idc.Valid[i] {
			continue
		}
		if idc.Ints[i] != id {
			ids = append(ids, strconv.FormatInt(idc.Ints[i], 10))
			continue
		}
		found = true
		if !fc.Valid[i] {
			continue
		}
		fid := fc.Ints[i]
		if seen[fid] {
			continue
		}
		seen[fid] = true
		f, err := r.DataFile(strconv.FormatInt(fid, 10))
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	if !found {
		return nil, fmt.Errorf("allen: %w: %s %d is not in %s of %s%s", ErrUnknownSession, sk.Name, id, t.Name, r.Dir(), suggest(strconv.FormatInt(id, 10), ids))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("allen: %s %d of %s has no data file (empty %s)", sk.Name, id, r.Dir(), r.Manifest.FileIDColumn)
	}
	return out, nil
}

func (c *Cache) fetcher() *fetch.Fetcher {
	f := c.Fetcher
	if f == nil {
		f = &fetch.Fetcher{}
		c.Fetcher = f
	}
	if f.Root == "" {
		f.Root = c.Dir
	}
	if f.Client == nil {
		f.Client = c.Client.HTTP
	}
	return f
}

// Jobs turns files into fetch jobs (URLs re-rooted by the client, S3
// versionIds, BLAKE2b-512 digests) without network access; Size is -1.
func (c *Cache) Jobs(files []File) ([]fetch.Job, error) {
	jobs := make([]fetch.Job, len(files))
	for i, f := range files {
		u, err := c.Client.ObjectURL(f.URL, f.VersionID)
		if err != nil {
			return nil, err
		}
		dest, err := fetch.SafeJoin(c.Dir, f.Rel)
		if err != nil {
			return nil, err
		}
		jobs[i] = fetch.Job{URL: u, Dest: dest, Size: -1, Digests: map[string]string{fetch.DigestBLAKE2b: f.Hash}, Name: f.Rel}
	}
	return jobs, nil
}

// Fetch makes every file present and verified under Dir. A file already
// at its path and recorded with the same hash is skipped; a file whose
// hash is recorded for another path (another release) is hard-linked (or
// copied) from it after checking that copy, with no request; the rest are
// downloaded by the Fetcher (resumable, verified by BLAKE2b-512, renamed
// into place). The error is non-nil only when ctx was cancelled; per-file
// failures are in the results.
func (c *Cache) Fetch(ctx context.Context, files []File) ([]fetch.Result, error) {
	jobs, err := c.Jobs(files)
	if err != nil {
		return nil, err
	}
	if err := c.loadIndex(); err != nil {
		return nil, err
	}
	f := c.fetcher()
	res := make([]fetch.Result, len(jobs))
	var todo, later []int
	firstOf := map[string]int{}
	for i := range jobs {
		j := &jobs[i]
		res[i].Job = j
		rel := files[i].Rel
		if (f.Existing == fetch.ExistingRefresh || f.Existing == fetch.ExistingSkip) && c.recorded(rel, files[i].Hash) {
			res[i].Status = fetch.StatusSkipped
			res[i].Digests = map[string]string{fetch.DigestBLAKE2b: files[i].Hash}
			j.Size = fileSize(j.Dest)
			continue
		}
		if _, err := os.Lstat(j.Dest); errors.Is(err, os.ErrNotExist) {
			if ok, err := c.linkFromOther(j.Dest, rel, files[i].Hash); err != nil {
				res[i].Status, res[i].Err = fetch.StatusFailed, fmt.Errorf("%s: %w", rel, err)
				continue
			} else if ok {
				res[i].Status = StatusLinked
				res[i].Digests = map[string]string{fetch.DigestBLAKE2b: files[i].Hash}
				j.Size = fileSize(j.Dest)
				continue
			}
		}
		if _, dup := firstOf[files[i].Hash]; dup {
			later = append(later, i) // same bytes as a file of this batch: link after it arrives
			continue
		}
		firstOf[files[i].Hash] = i
		todo = append(todo, i)
	}
	sub := make([]fetch.Job, len(todo))
	for k, i := range todo {
		sub[k] = jobs[i]
	}
	// Learn sizes so large files download in parallel ranged parts.
	if err := c.Sizes(ctx, sub); err != nil {
		return res, err
	}
	for k, i := range todo {
		jobs[i].Size = sub[k].Size
	}
	got, ferr := f.Fetch(ctx, sub)
	for k, i := range todo {
		if k < len(got) {
			r := got[k]
			r.Job = &jobs[i]
			res[i] = r
		}
	}
	for i := range res {
		if res[i].Status == fetch.StatusDownloaded || res[i].Status == fetch.StatusSkipped || res[i].Status == StatusLinked {
			c.record(files[i].Rel, jobs[i].Dest, files[i].Hash)
		}
	}
	for _, i := range later {
		first := firstOf[files[i].Hash]
		if files[i].Rel == files[first].Rel { // the same file named twice
			res[i] = res[first]
			res[i].Job, res[i].Bytes = &jobs[i], 0
			continue
		}
		res[i].Status, res[i].Err = fetch.StatusFailed, fmt.Errorf("%s: identical file %s was not fetched", files[i].Rel, files[first].Rel)
		if ferr != nil {
			continue
		}
		ok, err := c.linkFromOther(jobs[i].Dest, files[i].Rel, files[i].Hash)
		switch {
		case err != nil:
			res[i].Err = fmt.Errorf("%s: %w", files[i].Rel, err)
		case ok:
			res[i].Status, res[i].Err = StatusLinked, nil
			res[i].Digests = map[string]string{fetch.DigestBLAKE2b: files[i].Hash}
			jobs[i].Size = fileSize(jobs[i].Dest)
			c.record(files[i].Rel, jobs[i].Dest, files[i].Hash)
		}
	}
	if err := c.saveIndex(); err != nil && ferr == nil {
		return res, err
	}
	return res, ferr
}

// Sizes fills in the Size of jobs with unknown size from HEAD requests
// (the size AllenSDK learns from list_object_versions), 8 at a time. A
// failed HEAD leaves -1: the fetcher then probes the size itself and
// reports any error. The error is ctx's.
func (c *Cache) Sizes(ctx context.Context, jobs []fetch.Job) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i := range jobs {
		if jobs[i].Size >= 0 {
			continue
		}
		g.Go(func() error {
			if n, err := c.Client.head(gctx, jobs[i].URL); err == nil && n >= 0 {
				jobs[i].Size = n
			}
			return nil
		})
	}
	g.Wait()
	return ctx.Err()
}

func (c *Cache) loadIndex() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.index != nil {
		return nil
	}
	c.index = map[string]indexEntry{}
	b, err := os.ReadFile(filepath.Join(c.Dir, indexName))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &c.index); err != nil {
		c.index = map[string]indexEntry{} // a damaged index only costs re-hashing
	}
	return nil
}

func (c *Cache) saveIndex() error {
	c.mu.Lock()
	b, err := json.MarshalIndent(c.index, "", " ")
	c.mu.Unlock()
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(c.Dir, indexName), b)
}

// statMatches reports whether the file at dest still has the size and
// mtime recorded when it was verified.
func statMatches(dest string, e indexEntry) bool {
	fi, err := os.Lstat(dest)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == e.Size && fi.ModTime().UnixNano() == e.MtimeNS
}

func (c *Cache) recorded(rel, hash string) bool {
	c.mu.Lock()
	e, ok := c.index[rel]
	c.mu.Unlock()
	if !ok || e.Hash != hash {
		return false
	}
	dest, err := fetch.SafeJoin(c.Dir, rel)
	return err == nil && statMatches(dest, e)
}

func (c *Cache) record(rel, dest, hash string) {
	fi, err := os.Lstat(dest)
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	c.mu.Lock()
	c.index[rel] = indexEntry{Hash: hash, Size: fi.Size(), MtimeNS: fi.ModTime().UnixNano()}
	c.mu.Unlock()
}

// linkFromOther re-uses a verified file with the same hash recorded at
// another path. A candidate whose size or mtime changed is re-hashed
// first; one that no longer matches is dropped from the index.
func (c *Cache) linkFromOther(dest, rel, hash string) (bool, error) {
	c.mu.Lock()
	var cands []string
	for p, e := range c.index {
		if e.Hash == hash && p != rel {
			cands = append(cands, p)
		}
	}
	c.mu.Unlock()
	sort.Strings(cands)
	for _, p := range cands {
		src, err := fetch.SafeJoin(c.Dir, p)
		if err != nil {
			continue
		}
		c.mu.Lock()
		e := c.index[p]
		c.mu.Unlock()
		if !statMatches(src, e) {
			if !hashMatches(src, hash) {
				c.mu.Lock()
				delete(c.index, p)
				c.mu.Unlock()
				continue
			}
			c.record(p, src, hash)
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return false, err
		}
		if err := fetch.CheckNoSymlinks(c.Dir, dest); err != nil {
			return false, err
		}
		tmp := dest + ".ndlink"
		os.Remove(tmp)
		if err := os.Link(src, tmp); err != nil {
			if err := copyFile(src, tmp); err != nil {
				os.Remove(tmp)
				return false, err
			}
		}
		if err := os.Rename(tmp, dest); err != nil {
			os.Remove(tmp)
			return false, err
		}
		// A partial download of the same file from an interrupted run is
		// obsolete now (internal/fetch names it DEST.ndpart).
		os.Remove(dest + ".ndpart")
		os.Remove(dest + ".ndpart.json")
		return true, nil
	}
	return false, nil
}

func fileSize(p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		return -1
	}
	return fi.Size()
}

func hashMatches(p, hash string) bool {
	fh, err := os.Open(p)
	if err != nil {
		return false
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return false
	}
	got, err := fetch.DigestReader(fh, fi.Size(), fetch.DigestBLAKE2b)
	return err == nil && got[fetch.DigestBLAKE2b] == hash
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// writeAtomic writes b to p through a temporary file renamed into place.
func writeAtomic(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), "."+path.Base(filepath.ToSlash(p))+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return nil
}
