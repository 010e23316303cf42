package dandi

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/neurodata/neurodata/internal/fetch"
)

// ZarrJob is one Zarr asset to fetch into the directory Dest.
type ZarrJob struct {
	AssetID string
	ZarrID  string
	Path    string // asset path in the dandiset
	Dest    string // local directory
	Size    int64  // total bytes, from the asset listing
	// Checksum is the dandi:dandi-zarr-checksum from the asset metadata
	// ("" when the listing had no metadata; FetchZarr then uses the
	// archive's /zarr/{id}/ checksum).
	Checksum string
	Mtime    time.Time
}

// PlanZarrs returns the Zarr assets of a selection as jobs under dir, with
// the layout and filters of Plan: DIR/<dandiset id>/<asset path>/.
func (c *Client) PlanZarrs(sel *Selection, dir string, o PlanOptions) ([]ZarrJob, error) {
	root := dir
	if sel.DandisetID != "" {
		root = filepath.Join(dir, sel.DandisetID)
	}
	var jobs []ZarrJob
	for _, a := range sel.Assets {
		if !a.IsZarr() || !matchAny(o.Include, a.Path, true) || matchAny(o.Exclude, a.Path, false) {
			continue
		}
		dest, err := assetDest(sel, root, &a)
		if err != nil {
			return nil, err
		}
		if a.Size < 0 {
			return nil, fmt.Errorf("dandi: asset %s: negative size %d", a.Path, a.Size)
		}
		j := ZarrJob{AssetID: a.AssetID, ZarrID: *a.Zarr, Path: a.Path, Dest: dest, Size: a.Size, Mtime: a.Modified}
		if a.Metadata != nil {
			j.Checksum = a.Metadata.Digest["dandi:dandi-zarr-checksum"]
		}
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// ZarrFetchOptions configure FetchZarr.
type ZarrFetchOptions struct {
	// Fetcher is the template for entry downloads: Client, Jobs (entries
	// fetched at once, default 6), Root, Attempts, MinBackoff,
	// StallTimeout… Its Existing policy applies to the Zarr directory as a
	// whole (see FetchZarr); entries in the work directory are always
	// resumed. nil means a zero Fetcher with the client's HTTP client.
	Fetcher *fetch.Fetcher
	// PageSize is the listing page size (default and maximum 1000).
	PageSize int
	// Progress, when set, sees the asset as one job (Result.Job): bytes of
	// every entry are reported against it.
	Progress fetch.Progress
}

// ZarrResult reports one Zarr asset. Its Result describes the asset as a
// whole (Job.Dest is the directory, Job.Size its bytes, Bytes those
// received, Digests the verified dandi-zarr-checksum), so callers can
// list it beside blob results.
type ZarrResult struct {
	fetch.Result
	Entries                                          int // files in the archive
	EntriesDownloaded, EntriesSkipped, EntriesFailed int
	Checksum                                         string
}

// zarrBatch is the number of entries handed to the fetcher at once.
var zarrBatch = 4096

// DigestZarrChecksum is the canonical name of the Zarr tree checksum in
// ZarrResult.Digests.
const DigestZarrChecksum = "dandi-zarr-checksum"

// ErrZarrChecksum is wrapped when a Zarr tree does not match its
// dandi:dandi-zarr-checksum.
var ErrZarrChecksum = fmt.Errorf("zarr checksum mismatch: %w", fetch.ErrChecksum)

// FetchZarr downloads a Zarr asset into the directory j.Dest, verified and
// atomically, as dandi-cli does but without ever exposing a partial tree:
//
//  1. The expected dandi:dandi-zarr-checksum comes from the asset metadata
//     and/or GET /zarr/{id}/ (they must agree); the listing (validated
//     page by page, see ParseZarrPage) must hash to it.
//  2. Entries are fetched in parallel (Fetcher.Jobs at once) into the
//     sibling work directory DEST.ndpart/, each through internal/fetch
//     (atomic, resumable, verified against its listing ETag MD5, stamped
//     with its LastModified). Keys are joined with fetch.SafeJoin.
//     Entries already there are kept when their size and MD5 match.
//  3. The tree checksum is recomputed from the MD5s of the local files;
//     only when it equals the expected checksum is the work directory
//     renamed to DEST. On any failure DEST is untouched and DEST.ndpart/
//     is kept, so a rerun resumes: entries already there with matching
//     size and MD5 are not downloaded again, partial ones continue with
//     range requests.
//
// An existing DEST follows the Fetcher's Existing policy: refresh (the
// default) keeps it when its files match the listing by size and
// LastModified stamp (else by MD5) and their tree checksum is the
// expected one, and otherwise rebuilds it, hard-linking the matching
// files into the work directory so only changed entries are fetched;
// overwrite-different always compares MD5s; skip keeps any directory;
// overwrite rebuilds; error fails.
func (c *Client) FetchZarr(ctx context.Context, j ZarrJob, o *ZarrFetchOptions) ZarrResult {
	if o == nil {
		o = &ZarrFetchOptions{}
	}
	job := &fetch.Job{URL: c.base + "/zarr/" + j.ZarrID + "/", Dest: j.Dest, Size: j.Size, Mtime: j.Mtime, Name: j.Path}
	res := ZarrResult{Result: fetch.Result{Job: job}}
	var progressStarted bool
	err := c.fetchZarr(ctx, j, o, &res, &progressStarted)
	if o.Progress != nil && progressStarted {
		o.Progress.Finish(job, err)
	}
	if err != nil {
		res.Status = fetch.StatusFailed
		res.Err = fmt.Errorf("dandi: zarr asset %s: %w", j.Path, err)
	}
	return res
}

func (c *Client) fetchZarr(ctx context.Context, j ZarrJob, o *ZarrFetchOptions, res *ZarrResult, started *bool) error {
	if j.ZarrID == "" || strings.ContainsAny(j.ZarrID, "/?#") {
		return fmt.Errorf("bad zarr id %q", trunc(j.ZarrID))
	}
	tmpl := fetch.Fetcher{Client: c.hc}
	if o.Fetcher != nil {
		tmpl = *o.Fetcher
		if tmpl.Client == nil {
			tmpl.Client = c.hc
		}
	}
	policy := tmpl.Existing

	// The destination: a directory or nothing, never a link.
	fi, err := os.Lstat(j.Dest)
	exists := err == nil
	switch {
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return err
	case exists && !fi.IsDir():
		return fmt.Errorf("%s exists and is not a directory", j.Dest)
	case exists && policy == fetch.ExistingSkip:
		res.Status = fetch.StatusSkipped
		return nil
	case exists && policy == fetch.ExistingError:
		return fmt.Errorf("%w (use --existing refresh|skip|overwrite)", fetch.ErrExists)
	}
	if tmpl.Root != "" {
		if err := fetch.CheckNoSymlinks(tmpl.Root, j.Dest); err != nil {
			return err
		}
	}

	// 1. Expected checksum and the listing.
	want := j.Checksum
	info, err := c.Zarr(ctx, j.ZarrID)
	if err != nil {
		return err
	}
	if info.Checksum != nil && *info.Checksum != "" {
		switch {
		case want == "":
			want = *info.Checksum
		case want != *info.Checksum:
			return fmt.Errorf("asset metadata checksum %s and zarr %s checksum %s disagree (zarr status %q)", want, j.ZarrID, trunc(*info.Checksum), info.Status)
		}
	}
	if want == "" {
		return fmt.Errorf("no dandi-zarr-checksum to verify against (zarr %s status %q)", j.ZarrID, info.Status)
	}
	count, _, ok := parseZarrChecksum(want)
	if !ok {
		return fmt.Errorf("malformed dandi-zarr-checksum %q", trunc(want))
	}
	if count > MaxZarrEntries {
		return fmt.Errorf("checksum declares %d files (limit %d)", count, MaxZarrEntries)
	}
	entries, err := c.ZarrFiles(ctx, j.ZarrID, ZarrListOptions{Limit: o.PageSize, MaxEntries: int(max(count, 1))})
	if err != nil {
		return err
	}
	res.Entries = len(entries)
	listed := make([]ZarrFile, len(entries))
	var total int64
	for i, e := range entries {
		listed[i] = ZarrFile{Key: e.Key, Size: e.Size, MD5: e.ETag}
		total += e.Size
	}
	if got, err := ZarrChecksum(listed); err != nil {
		return err
	} else if got != want {
		return fmt.Errorf("%w: the listing of zarr %s hashes to %s, want %s; nothing written", ErrZarrChecksum, j.ZarrID, got, want)
	}
	res.Job.Size = total
	byKey := make(map[string]*ZarrEntry, len(entries))
	for i := range entries {
		byKey[entries[i].Key] = &entries[i]
	}
	workers := tmpl.Jobs
	if workers <= 0 {
		workers = 6
	}

	// An existing tree that already matches is kept.
	if exists && policy != fetch.ExistingOverwrite {
		ok, err := zarrDirMatches(ctx, j.Dest, byKey, want, policy == fetch.ExistingRefresh, workers)
		if err != nil {
			return err
		}
		if ok {
			res.Status = fetch.StatusSkipped
			res.EntriesSkipped = len(entries)
			res.Checksum = want
			res.Digests = map[string]string{DigestZarrChecksum: want}
			return nil
		}
	}

	// 2. The work directory.
	if err := os.MkdirAll(filepath.Dir(j.Dest), 0o755); err != nil {
		return err
	}
	unlock, err := lockZarr(j.Dest + ".ndpart.lock")
	if err != nil {
		return err
	}
	defer unlock()
	work := j.Dest + ".ndpart"
	if wi, err := os.Lstat(work); err == nil && !wi.IsDir() {
		return fmt.Errorf("%s exists and is not a directory", work)
	}
	if err := os.MkdirAll(work, 0o755); err != nil {
		return err
	}
	if tmpl.Root != "" {
		if err := fetch.CheckNoSymlinks(tmpl.Root, work); err != nil {
			return err
		}
	}
	if err := pruneZarrWork(work, byKey); err != nil {
		return err
	}
	f := tmpl
	// Entries already in the work directory (an interrupted run, or
	// linked from the old tree) are kept only when size and MD5 match:
	// an mtime stamp is not trusted here, so a tampered file is fetched
	// again rather than failing the final tree check forever.
	f.Existing = fetch.ExistingOverwriteDifferent
	f.Jobs = workers
	if f.Root == "" {
		f.Root = work
	}
	f.Progress = nil
	if o.Progress != nil {
		o.Progress.Start(res.Job, total, 0)
		*started = true
		f.Progress = &zarrProgress{p: o.Progress, asset: res.Job}
	}
	hdr := c.AuthHeader()
	var firstErr, ferr error
	// Entries go to the fetcher in batches, so a Zarr of millions of
	// chunks never holds a job and a result per entry at once.
	for lo := 0; lo < len(entries) && ferr == nil; lo += zarrBatch {
		batch := entries[lo:min(lo+zarrBatch, len(entries))]
		jobs := make([]fetch.Job, 0, len(batch))
		for i := range batch {
			e := &batch[i]
			dest, err := fetch.SafeJoin(work, e.Key)
			if err != nil {
				return err
			}
			if exists && policy != fetch.ExistingOverwrite {
				seedZarrEntry(j.Dest, dest, e)
			}
			jobs = append(jobs, fetch.Job{
				URL: c.ZarrFileURL(j.ZarrID, e.Key), Dest: dest, Size: e.Size,
				Digests: map[string]string{fetch.DigestMD5: e.ETag}, Mtime: e.Mtime(),
				Header: hdr, Name: j.Path + "/" + e.Key,
			})
		}
		var results []fetch.Result
		results, ferr = f.Fetch(ctx, jobs)
		for _, r := range results {
			res.Bytes += r.Bytes
			res.Resumed = res.Resumed || r.Resumed
			switch r.Status {
			case fetch.StatusDownloaded:
				res.EntriesDownloaded++
			case fetch.StatusSkipped:
				res.EntriesSkipped++
				if o.Progress != nil {
					o.Progress.Add(res.Job, r.Job.Size)
				}
			default:
				res.EntriesFailed++
				if firstErr == nil {
					firstErr = r.Err
				}
			}
		}
	}
	if ferr != nil {
		return ferr
	}
	if res.EntriesFailed > 0 {
		if firstErr == nil {
			firstErr = errors.New("not attempted")
		}
		return fmt.Errorf("%d of %d entries failed, kept %s for resuming (first: %w)", res.EntriesFailed, len(entries), work, firstErr)
	}

	// 3. Verify the tree from the local bytes, then publish it.
	got, err := localZarrChecksum(ctx, work, byKey, workers)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%w: local tree in %s hashes to %s, want %s", ErrZarrChecksum, work, got, want)
	}
	if err := publishZarr(work, j.Dest, exists); err != nil {
		return err
	}
	res.Status = fetch.StatusDownloaded
	res.Checksum = want
	res.Digests = map[string]string{DigestZarrChecksum: want}
	return nil
}

// zarrProgress reports entry transfers against the asset's job.
type zarrProgress struct {
	p     fetch.Progress
	asset *fetch.Job
}

func (z *zarrProgress) Start(_ *fetch.Job, _, done int64) {
	if done > 0 {
		z.p.Add(z.asset, done)
	}
}
func (z *zarrProgress) Add(_ *fetch.Job, n int64)    { z.p.Add(z.asset, n) }
func (z *zarrProgress) Finish(_ *fetch.Job, _ error) {}

// walkZarrFiles calls fn for each regular file below root with its
// slash-separated key. Links and special files are refused.
func walkZarrFiles(root string, fn func(key, p string, fi fs.FileInfo) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == root {
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: not a regular file or directory (refusing links)", p)
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		return fn(filepath.ToSlash(rel), p, fi)
	})
}

// zarrDirMatches reports whether dir holds exactly the listed files with
// their sizes and a tree checksum equal to want. With trustStamp, a file
// whose mtime is its entry's LastModified (set after an earlier verified
// fetch) counts as its ETag without being read.
func zarrDirMatches(ctx context.Context, dir string, byKey map[string]*ZarrEntry, want string, trustStamp bool, workers int) (bool, error) {
	type item struct {
		key, path string
		e         *ZarrEntry
		fi        fs.FileInfo
	}
	var items []item
	mismatch := errors.New("mismatch")
	err := walkZarrFiles(dir, func(key, p string, fi fs.FileInfo) error {
		e := byKey[key]
		if e == nil || fi.Size() != e.Size {
			return mismatch
		}
		items = append(items, item{key, p, e, fi})
		return nil
	})
	if errors.Is(err, mismatch) || err == nil && len(items) != len(byKey) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	files := make([]ZarrFile, len(items))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, it := range items {
		files[i] = ZarrFile{Key: it.key, Size: it.fi.Size()}
		if mt := it.e.Mtime(); trustStamp && !mt.IsZero() && it.fi.ModTime().UnixMicro() == mt.UnixMicro() {
			files[i].MD5 = it.e.ETag
			continue
		}
		g.Go(func() error {
			d, err := md5File(gctx, it.path)
			files[i].MD5 = d
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return false, err
	}
	got, err := ZarrChecksum(files)
	if err != nil {
		return false, err
	}
	return got == want, nil
}

// localZarrChecksum hashes every file under dir (which must hold exactly
// the listed keys) and returns the tree checksum.
func localZarrChecksum(ctx context.Context, dir string, byKey map[string]*ZarrEntry, workers int) (string, error) {
	var files []ZarrFile
	var paths []string
	err := walkZarrFiles(dir, func(key, p string, fi fs.FileInfo) error {
		if byKey[key] == nil {
			return fmt.Errorf("%s: not in the zarr listing", p)
		}
		files = append(files, ZarrFile{Key: key, Size: fi.Size()})
		paths = append(paths, p)
		return nil
	})
	if err != nil {
		return "", err
	}
	if len(files) != len(byKey) {
		return "", fmt.Errorf("%s holds %d of the %d listed files", dir, len(files), len(byKey))
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i := range files {
		g.Go(func() error {
			d, err := md5File(gctx, paths[i])
			files[i].MD5 = d
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return "", err
	}
	return ZarrChecksum(files)
}

func md5File(ctx context.Context, p string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := md5.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// pruneZarrWork removes from the work directory files that belong to no
// listed entry (left by an earlier listing), keeping listed files and the
// partial downloads (KEY.ndpart, KEY.ndpart.json) of listed keys, and
// directories that end up empty.
func pruneZarrWork(work string, byKey map[string]*ZarrEntry) error {
	var dirs []string
	err := filepath.WalkDir(work, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == work {
			return nil
		}
		rel, err := filepath.Rel(work, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if d.IsDir() {
			dirs = append(dirs, p)
			return nil
		}
		base := strings.TrimSuffix(strings.TrimSuffix(key, ".json"), ".ndpart")
		if byKey[key] != nil || (base != key && byKey[base] != nil) {
			if !d.Type().IsRegular() {
				return fmt.Errorf("%s: not a regular file (refusing links)", p)
			}
			return nil
		}
		return os.Remove(p)
	})
	if err != nil {
		return err
	}
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		os.Remove(d) // fails, harmlessly, when not empty
	}
	return nil
}

// seedZarrEntry hard-links an existing file of the old tree into the work
// directory when it has the entry's size, so that the fetcher verifies it
// (by stamp or MD5) instead of downloading it again. Failures are ignored:
// the entry is then fetched.
func seedZarrEntry(oldRoot, dest string, e *ZarrEntry) {
	if _, err := os.Lstat(dest); err == nil {
		return
	}
	old, err := fetch.SafeJoin(oldRoot, e.Key)
	if err != nil {
		return
	}
	fi, err := os.Lstat(old)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != e.Size {
		return
	}
	if os.MkdirAll(filepath.Dir(dest), 0o755) != nil {
		return
	}
	_ = os.Link(old, dest)
}

// publishZarr renames the verified work directory to dest. An existing
// dest is swapped out atomically where the kernel allows (Linux), else
// moved aside first and restored if the rename fails.
func publishZarr(work, dest string, replace bool) error {
	if !replace {
		return os.Rename(work, dest)
	}
	// Where the kernel can swap the two directories, dest is never
	// missing; the old tree lands in work and is removed.
	if ok, err := exchangeDirs(work, dest); err != nil {
		return err
	} else if ok {
		return os.RemoveAll(work)
	}
	old := dest + ".ndold"
	if err := os.RemoveAll(old); err != nil {
		return err
	}
	if err := os.Rename(dest, old); err != nil {
		return err
	}
	if err := os.Rename(work, dest); err != nil {
		if rerr := os.Rename(old, dest); rerr != nil {
			return fmt.Errorf("%w (and restoring %s failed: %v)", err, dest, rerr)
		}
		return err
	}
	return os.RemoveAll(old)
}

// zarrLocks serialises FetchZarr calls on one destination inside this
// process (flock is per open file, so it also serialises processes).
var zarrLocks sync.Map // path -> *sync.Mutex

func lockZarr(p string) (func(), error) {
	m, _ := zarrLocks.LoadOrStore(p, new(sync.Mutex))
	mu := m.(*sync.Mutex)
	if !mu.TryLock() {
		return nil, fmt.Errorf("%s: another fetch of this zarr is running", p)
	}
	unlockFile, err := flockFile(p)
	if err != nil {
		mu.Unlock()
		return nil, err
	}
	return func() { unlockFile(); mu.Unlock() }, nil
}
