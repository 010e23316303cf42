// Package fetch downloads files atomically, resumably and verified.
//
// Each Job is written to DEST.ndpart beside its destination, in ranged
// parts fetched in parallel; a sidecar DEST.ndpart.json records the
// expected size, digests, pinned ETag and per-part progress so an
// interrupted run resumes with Range + If-Range. Every completed file is
// verified against all digests it declares (dandi-etag, sha256,
// blake2b-512, md5), whether resumed or not, before it is renamed into
// place; a corrupt or partial file never appears at DEST. The same
// machinery serves DANDI and the Allen Brain Observatory.
//
// Hashing overlaps the transfer and never re-reads the file after the last
// byte (a resumed part re-hashes only its bytes already on disk): with a
// dandi-etag the ranged parts are its 64 MiB parts, up to 16 at once, each
// computing its MD5 as it streams, as a lane of a multi-buffer MD5 server
// (github.com/minio/md5-simd, AVX-512/AVX2; crypto/md5 otherwise); a
// follower hashes the whole-file digests (sha256) over the completed
// prefix through a memory map, and a staircase between neighbouring parts
// (see stairOK) keeps that prefix growing while the parts stream. A 1 GiB
// loopback fetch (bench/fetch.sh, 2 cores, load ~2) ran at 0.9-1.0x curl's
// throughput with ~2.0 CPU-s (curl alone 1.2 s; before these changes
// 0.7x and ~3.0 CPU-s).
package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// Job is one file to fetch.
type Job struct {
	URL  string // http(s) URL; redirects are followed
	Dest string // final local path
	// Size is the expected size in bytes; -1 means unknown (learned from
	// the response, then the file is fetched as one stream).
	Size int64
	// Digests maps digest names (see CanonicalDigest) to expected values.
	// Unknown names are ignored.
	Digests map[string]string
	// Mtime, when non-zero, is set on the file after verification.
	Mtime time.Time
	// Header holds extra request headers (for example Authorization); it is
	// dropped when a redirect leaves the URL's host.
	Header http.Header
	// Name labels the job in progress and errors (default: Dest).
	Name string
}

func (j *Job) label() string {
	if j.Name != "" {
		return j.Name
	}
	return j.Dest
}

// Existing says what to do when Dest already exists.
type Existing int

const (
	// ExistingRefresh (default) skips a file whose size matches and whose
	// digest matches; a matching mtime (set by a previous verified fetch)
	// stands in for the digest, like a digest cache keyed on size and mtime.
	ExistingRefresh            Existing = iota
	ExistingSkip                        // keep any existing file
	ExistingOverwriteDifferent          // re-fetch when size or digest differ
	ExistingOverwrite                   // always re-fetch
	ExistingError                       // fail the file
)

var existingNames = []string{"refresh", "skip", "overwrite-different", "overwrite", "error"}

func (e Existing) String() string {
	if int(e) < len(existingNames) {
		return existingNames[e]
	}
	return "Existing(" + strconv.Itoa(int(e)) + ")"
}

// ParseExisting parses a policy name.
func ParseExisting(s string) (Existing, error) {
	for i, n := range existingNames {
		if s == n {
			return Existing(i), nil
		}
	}
	return 0, fmt.Errorf("fetch: unknown --existing policy %q (want %s)", s, strings.Join(existingNames, "|"))
}

// Status is the outcome of one job.
type Status string

const (
	StatusDownloaded Status = "downloaded"
	StatusSkipped    Status = "skipped"
	StatusFailed     Status = "failed"
)

// Result reports one job.
type Result struct {
	Job     *Job
	Status  Status
	Bytes   int64             // bytes received over the network for this job
	Resumed bool              // an earlier partial download was continued
	Digests map[string]string // digests verified (canonical names)
	Err     error
}

// Progress receives transfer events; implementations must be safe for
// concurrent use. The zero Fetcher reports nothing.
type Progress interface {
	Start(job *Job, total, done int64)
	Add(job *Job, n int64)
	Finish(job *Job, err error)
}

// Fetcher downloads jobs. The zero value is usable.
type Fetcher struct {
	Client *http.Client // default NewHTTPClient(nil)
	Jobs   int          // files at once (default 6)
	// PartJobs is the number of ranged parts per file fetched at once.
	// Default 4, or 16 when the parts are dandi-etag parts hashed in MD5
	// lanes (AVX2/AVX-512): one part per lane keeps the vector rounds full
	// and lets the parts of a 1 GiB file finish together.
	PartJobs int
	// PartSize is the ranged-part size. Default: the dandi-etag part size
	// when a dandi-etag is verified (so each part's MD5 is computed while
	// streaming), else 64 MiB.
	PartSize int64
	Existing Existing
	// StallTimeout fails a response body that delivers nothing this long
	// (default 30 s); the part is retried from where it stopped.
	StallTimeout time.Duration
	// Attempts bounds consecutive failed attempts per part that made no
	// progress (default 10). An attempt that received bytes resets it.
	Attempts int
	// VerifyAttempts bounds whole-file downloads per job after checksum
	// mismatches or object changes (default 2).
	VerifyAttempts int
	// MaxSize refuses jobs declaring more bytes (default 5 TiB).
	MaxSize int64
	// Root, when set, must contain every Dest; existing symlinks between
	// Root and Dest are refused.
	Root     string
	Progress Progress
	// minBackoff for part retries (tests shorten it); default 250 ms.
	MinBackoff time.Duration
}

// Sentinel errors, wrapped with context in Result.Err.
var (
	ErrChecksum = errors.New("checksum mismatch")
	ErrChanged  = errors.New("remote object changed during download")
	ErrTooLarge = errors.New("declared size too large")
	ErrExists   = errors.New("file exists")
	ErrAuth     = errors.New("access refused")
	errLocked   = errors.New("locked by another process")
	errRange416 = errors.New("server answered 416 Range Not Satisfiable")
)

// HTTPError is a non-retryable HTTP status.
type HTTPError struct {
	Status int
	URL    string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("HTTP %d %s", e.Status, http.StatusText(e.Status))
}

func (f *Fetcher) client() *http.Client {
	if f.Client != nil {
		return f.Client
	}
	return defaultClient()
}

var defaultClient = sync.OnceValue(func() *http.Client { return NewHTTPClient(nil) })

func orInt(v, d int) int {
	if v <= 0 {
		return d
	}
	return v
}

func orDur(v, d time.Duration) time.Duration {
	if v <= 0 {
		return d
	}
	return v
}

// Fetch runs all jobs, Jobs files at a time, and returns one Result per
// job in order. The error is non-nil only when ctx was cancelled; per-file
// failures are in the results.
func (f *Fetcher) Fetch(ctx context.Context, jobs []Job) ([]Result, error) {
	res := make([]Result, len(jobs))
	sem := make(chan struct{}, orInt(f.Jobs, 6))
	lanes := newMD5Lanes(useMD5Lanes)
	defer lanes.close()
	var wg sync.WaitGroup
	for i := range jobs {
		res[i].Job = &jobs[i]
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			res[i].Status, res[i].Err = StatusFailed, ctx.Err()
			continue
		}
		wg.Add(1)
		go func(r *Result) {
			defer func() { <-sem; wg.Done() }()
			f.fetchOne(ctx, r, lanes)
		}(&res[i])
	}
	wg.Wait()
	return res, ctx.Err()
}

// FetchOne runs a single job.
func (f *Fetcher) FetchOne(ctx context.Context, job Job) Result {
	r := Result{Job: &job}
	lanes := newMD5Lanes(useMD5Lanes)
	defer lanes.close()
	f.fetchOne(ctx, &r, lanes)
	return r
}

func (f *Fetcher) fetchOne(ctx context.Context, r *Result, lanes *md5Lanes) {
	job := r.Job
	err := f.fetchJob(ctx, r, lanes)
	if err != nil {
		r.Status = StatusFailed
		r.Err = fmt.Errorf("%s: %w", job.label(), err)
	}
}

func (f *Fetcher) fetchJob(ctx context.Context, r *Result, lanes *md5Lanes) error {
	job := r.Job
	maxSize := f.MaxSize
	if maxSize <= 0 {
		maxSize = MaxDandiFileSize
	}
	if job.Size > maxSize {
		return fmt.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, job.Size, maxSize)
	}
	if job.Size < -1 {
		return fmt.Errorf("invalid size %d", job.Size)
	}
	if f.Root != "" {
		if err := CheckNoSymlinks(f.Root, job.Dest); err != nil {
			return err
		}
	}
	want := verifiable(job.Digests)
	skip, err := f.checkExisting(job, want)
	if err != nil {
		return err
	}
	if skip {
		r.Status = StatusSkipped
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(job.Dest), 0o755); err != nil {
		return err
	}
	if f.Root != "" { // re-check: MkdirAll may have raced with a planted link
		if err := CheckNoSymlinks(f.Root, job.Dest); err != nil {
			return err
		}
	}
	var lastErr error
	for attempt := 0; attempt < orInt(f.VerifyAttempts, 2); attempt++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		op := &fileOp{f: f, job: job, want: want, res: r, lanes: lanes}
		err := op.run(ctx)
		if err == nil {
			r.Status = StatusDownloaded
			return nil
		}
		lastErr = err
		if !errors.Is(err, ErrChecksum) && !errors.Is(err, ErrChanged) {
			return err
		}
	}
	return lastErr
}

// checkExisting applies the Existing policy; skip reports a file to keep.
func (f *Fetcher) checkExisting(job *Job, want map[string]string) (skip bool, err error) {
	fi, err := os.Lstat(job.Dest)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !fi.Mode().IsRegular() {
		return false, fmt.Errorf("%s exists and is not a regular file", job.Dest)
	}
	switch f.Existing {
	case ExistingSkip:
		return true, nil
	case ExistingError:
		return false, fmt.Errorf("%w (use --existing refresh|skip|overwrite)", ErrExists)
	case ExistingOverwrite:
		return false, nil
	}
	if job.Size >= 0 && fi.Size() != job.Size {
		return false, nil
	}
	if f.Existing == ExistingRefresh && !job.Mtime.IsZero() && fi.ModTime().UnixMicro() == job.Mtime.UnixMicro() {
		return true, nil
	}
	name := cheapestDigest(want)
	if name == "" {
		return true, nil // size matches and nothing to compare against
	}
	fh, err := os.Open(job.Dest)
	if err != nil {
		return false, err
	}
	defer fh.Close()
	got, err := DigestReader(fh, fi.Size(), name)
	if err != nil {
		return false, err
	}
	if got[name] != want[name] {
		return false, nil
	}
	if !job.Mtime.IsZero() {
		_ = os.Chtimes(job.Dest, job.Mtime, job.Mtime)
	}
	return true, nil
}

func cheapestDigest(want map[string]string) string {
	for _, n := range []string{DigestSHA256, DigestBLAKE2b, DigestDandiETag, DigestMD5} {
		if want[n] != "" {
			return n
		}
	}
	return ""
}

// state is the sidecar DEST.ndpart.json.
type state struct {
	Size     int64             `json:"size"`
	Digests  map[string]string `json:"digests"`
	ETag     string            `json:"etag,omitempty"`
	PartSize int64             `json:"part_size"`
	Done     []int64           `json:"done"` // bytes written per part
}

type part struct {
	start, length int64
	done          atomic.Int64
	md5           []byte
	prev, next    *part         // neighbours, nil at the ends
	stairWait     atomic.Bool   // waiting in awaitStair
	stepped       chan struct{} // wakes it there (capacity 1)
}

// fileOp is one attempt at one file.
type fileOp struct {
	f     *Fetcher
	job   *Job
	want  map[string]string
	res   *Result
	lanes *md5Lanes // MD5 hashers for dandi-etag parts
	tmp   *os.File
	parts []*part
	size  int64
	psize int64

	mu   sync.Mutex
	etag string // pinned validator

	wake chan struct{} // parts signal progress to the digest follower

	// Lead bound: with a whole-file digest follower, parts other than the
	// first incomplete one pause while they are more than lead bytes past
	// the follower, so the sequential hash keeps pace with the transfer
	// and little is left to hash once the last byte has arrived.
	lead      int64
	followed  atomic.Int64 // bytes hashed by the follower
	fmu       sync.Mutex
	fadvanced chan struct{} // closed and replaced when followed advances

	// Staircase (see stairOK): when stair is set, a part stays behind the
	// part before it until that one completes.
	stair bool
}

func (op *fileOp) tmpPath() string   { return op.job.Dest + ".ndpart" }
func (op *fileOp) statePath() string { return op.job.Dest + ".ndpart.json" }

func (op *fileOp) run(ctx context.Context) (err error) {
	job, f := op.job, op.f
	tmp, err := os.OpenFile(op.tmpPath(), os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	op.tmp = tmp
	if err := tryLock(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", op.tmpPath(), err)
	}
	renamed := false
	defer func() {
		unlock(tmp)
		tmp.Close()
		if err != nil && !renamed && (errors.Is(err, ErrChecksum) || errors.Is(err, ErrChanged)) {
			os.Remove(op.tmpPath())
			os.Remove(op.statePath())
		}
	}()

	size := job.Size
	if size < 0 {
		if size, err = op.probeSize(ctx); err != nil {
			return err
		}
	}
	op.size = size
	if free := freeBytes(filepath.Dir(job.Dest)); free >= 0 && size > free+op.existingBytes() {
		return fmt.Errorf("not enough disk space: need %d bytes, %d free", size, free)
	}
	psize := f.PartSize
	etagAligned := false
	if op.want[DigestDandiETag] != "" && size > 0 {
		eps, _, err := ETagPartSize(size)
		if err != nil {
			return err
		}
		if psize <= 0 || psize == eps {
			psize, etagAligned = eps, true
		}
	}
	if psize <= 0 {
		psize = 64 << 20
	}
	// With MD5 lanes, run as many parts at once as there are lanes, so the
	// vector rounds stay full and the parts finish together (no last part
	// hashed alone at the end).
	laned := etagAligned && op.lanes.enabled()
	if job.Size < 0 {
		psize = max(size, 1) // unknown size: one stream
	}
	op.psize = psize
	for s := int64(0); s < size; s += psize {
		np := &part{start: s, length: min(psize, size-s), stepped: make(chan struct{}, 1)}
		if len(op.parts) > 0 {
			np.prev = op.parts[len(op.parts)-1]
			np.prev.next = np
		}
		op.parts = append(op.parts, np)
	}

	// Resume from the sidecar when it describes the same object.
	resumed := op.loadState()
	if !resumed {
		// Drop stale bytes of an abandoned attempt. A fresh (empty) temp
		// file is left alone: on ext4 a truncate to zero marks the inode
		// for a forced flush of all its dirty pages on close
		// (auto_da_alloc), which costs ~0.3 s per GB for nothing here.
		if fi, err := tmp.Stat(); err != nil {
			return err
		} else if fi.Size() != 0 {
			if err := tmp.Truncate(0); err != nil {
				return err
			}
		}
	}
	if fi, err := tmp.Stat(); err == nil && fi.Size() == 0 && size > 0 {
		preallocate(tmp, size)
	}
	if err := tmp.Truncate(size); err != nil {
		return err
	}
	r := op.res
	r.Resumed = r.Resumed || resumed
	var already int64
	for _, p := range op.parts {
		already += p.done.Load()
	}
	if f.Progress != nil {
		f.Progress.Start(job, size, already)
		defer func() { f.Progress.Finish(job, err) }()
	}

	// Save progress every second and on the way out, so a killed run
	// resumes close to where it stopped.
	stopSaver := make(chan struct{})
	saverDone := make(chan struct{})
	go func() {
		defer close(saverDone)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-stopSaver:
				return
			case <-t.C:
				op.saveState()
			}
		}
	}()
	// Whole-file digests are computed by a follower that reads the temp
	// file back as its contiguous prefix completes, overlapping the
	// verification pass with the download.
	op.wake = make(chan struct{}, 1)
	var follow []string
	for _, n := range sortedKeys(op.want) {
		if n != DigestDandiETag || !etagAligned {
			follow = append(follow, n)
		}
	}
	fctx, fcancel := context.WithCancel(ctx)
	defer fcancel()
	type fres struct {
		d   map[string]string
		err error
	}
	fdone := make(chan fres, 1)
	if len(follow) > 0 {
		op.fadvanced = make(chan struct{})
		op.lead = followLead(psize)
		if laned {
			op.lead = max(op.lead, int64(laneParts)*psize)
			op.stair = true
		}
		go func() {
			d, err := op.follow(fctx, follow)
			if err != nil {
				op.advanceFollowed(1 << 62) // release parts waiting on it
			}
			fdone <- fres{d, err}
		}()
	} else {
		fdone <- fres{}
	}
	g, gctx := errgroup.WithContext(ctx)
	partJobs := orInt(f.PartJobs, 4)
	if laned && f.PartJobs <= 0 {
		partJobs = laneParts
	}
	g.SetLimit(partJobs)
	for _, p := range op.parts {
		g.Go(func() error { return op.runPart(gctx, p, etagAligned) })
	}
	err = g.Wait()
	close(stopSaver)
	<-saverDone
	if err != nil {
		fcancel()
	}
	fr := <-fdone
	if err != nil {
		if !errors.Is(err, ErrChanged) {
			op.saveState()
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}
	// The transfer is complete: a sidecar is needed only if a run saved
	// one already (a later failure keeps the temp file; an intact one
	// verifies without it). Small files, such as Zarr chunks, finish before
	// the first tick and so never create, rename and remove one.
	if op.hasState() {
		op.saveState()
	}

	// Verify every declared digest of the complete temp file.
	if fr.err != nil {
		return fr.err
	}
	got, err := op.verify(etagAligned, fr.d)
	if err != nil {
		return err
	}
	r.Digests = got
	if !job.Mtime.IsZero() {
		if err := os.Chtimes(op.tmpPath(), job.Mtime, job.Mtime); err != nil {
			return err
		}
	}
	if err := os.Rename(op.tmpPath(), job.Dest); err != nil {
		return err
	}
	renamed = true
	os.Remove(op.statePath())
	return nil
}

func (op *fileOp) existingBytes() int64 {
	if fi, err := os.Stat(op.tmpPath()); err == nil {
		return fi.Size()
	}
	return 0
}

func (op *fileOp) loadState() bool {
	b, err := os.ReadFile(op.statePath())
	if err != nil {
		return false
	}
	var st state
	if json.Unmarshal(b, &st) != nil || st.Size != op.size || st.PartSize != op.psize || len(st.Done) != len(op.parts) {
		return false
	}
	if len(st.Digests) != len(op.want) {
		return false
	}
	for k, v := range op.want {
		if st.Digests[k] != v {
			return false
		}
	}
	fi, err := op.tmp.Stat()
	if err != nil || fi.Size() != op.size {
		return false
	}
	any := false
	for i, d := range st.Done {
		if d < 0 || d > op.parts[i].length {
			return false
		}
		op.parts[i].done.Store(d)
		any = any || d > 0
	}
	op.etag = st.ETag
	return any
}

// hasState reports whether a progress sidecar exists for this temp file.
func (op *fileOp) hasState() bool {
	_, err := os.Lstat(op.statePath())
	return err == nil
}

func (op *fileOp) saveState() {
	st := state{Size: op.size, Digests: op.want, PartSize: op.psize}
	op.mu.Lock()
	st.ETag = op.etag
	op.mu.Unlock()
	for _, p := range op.parts {
		st.Done = append(st.Done, p.done.Load())
	}
	b, _ := json.Marshal(st)
	tmp := op.statePath() + ".tmp"
	if os.WriteFile(tmp, b, 0o644) == nil {
		os.Rename(tmp, op.statePath())
	}
}

// pin records the first validator seen and reports whether v matches it.
func (op *fileOp) pin(v string) bool {
	if v == "" {
		return true
	}
	op.mu.Lock()
	defer op.mu.Unlock()
	if op.etag == "" {
		op.etag = v
		return true
	}
	return op.etag == v
}

func (op *fileOp) pinned() string {
	op.mu.Lock()
	defer op.mu.Unlock()
	return op.etag
}

func (op *fileOp) newRequest(ctx context.Context, method string) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, op.job.URL, nil)
	if err != nil {
		return nil, err
	}
	for k, vs := range op.job.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	return req, nil
}

// probeSize learns the size of an object of unknown size from a one-byte
// range GET (presigned URLs refuse HEAD).
func (op *fileOp) probeSize(ctx context.Context) (int64, error) {
	req, err := op.newRequest(ctx, http.MethodGet)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Range", "bytes=0-0")
	resp, err := op.f.client().Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusPartialContent:
		_, _, total, err := ParseContentRange(resp.Header.Get("Content-Range"))
		if err != nil {
			return 0, err
		}
		return total, nil
	case http.StatusOK:
		if resp.ContentLength >= 0 {
			return resp.ContentLength, nil
		}
		return 0, errors.New("server sent no length")
	case http.StatusRequestedRangeNotSatisfiable:
		return 0, nil
	}
	return 0, statusErr(resp)
}

func statusErr(resp *http.Response) error {
	e := &HTTPError{Status: resp.StatusCode, URL: resp.Request.URL.Redacted()}
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		return fmt.Errorf("%w: %w", ErrAuth, e)
	}
	return e
}

// ParseContentRange parses "bytes a-b/total".
func ParseContentRange(v string) (first, last, total int64, err error) {
	bad := fmt.Errorf("fetch: malformed Content-Range %q", v)
	rest, ok := strings.CutPrefix(v, "bytes ")
	if !ok {
		return 0, 0, 0, bad
	}
	rng, tot, ok := strings.Cut(rest, "/")
	if !ok {
		return 0, 0, 0, bad
	}
	a, b, ok := strings.Cut(rng, "-")
	if !ok {
		return 0, 0, 0, bad
	}
	if first, err = strconv.ParseInt(a, 10, 64); err != nil {
		return 0, 0, 0, bad
	}
	if last, err = strconv.ParseInt(b, 10, 64); err != nil {
		return 0, 0, 0, bad
	}
	if total, err = strconv.ParseInt(tot, 10, 64); err != nil {
		return 0, 0, 0, bad
	}
	if first < 0 || last < first || total <= last {
		return 0, 0, 0, bad
	}
	return first, last, total, nil
}

// retryable reports errors worth another attempt of the same part.
func retryable(err error) bool {
	if errors.Is(err, ErrChanged) || errors.Is(err, ErrAuth) || errors.Is(err, ErrRedirectLoop) || errors.Is(err, errSize) {
		return false
	}
	var he *HTTPError
	if errors.As(err, &he) {
		return he.Status == http.StatusTooManyRequests || he.Status >= 500 || he.Status == http.StatusBadRequest
	}
	return true // network errors, truncation, stalls, 416
}

var errSize = errors.New("object size differs from the declared size")

func (op *fileOp) runPart(ctx context.Context, p *part, hashPart bool) error {
	var h hash.Hash
	if hashPart {
		ph := op.lanes.get()
		defer ph.Close()
		h = ph
		if d := p.done.Load(); d > 0 { // re-hash what a previous run wrote
			if _, err := io.Copy(h, io.NewSectionReader(op.tmp, p.start, d)); err != nil {
				return err
			}
		}
	}
	fails, total := 0, 0
	var lastErr error
	for p.done.Load() < p.length {
		before := p.done.Load()
		err := op.getRange(ctx, p, h)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return context.Cause(ctx)
		}
		if !retryable(err) {
			return fmt.Errorf("bytes %d-%d: %w", p.start+p.done.Load(), p.start+p.length-1, err)
		}
		lastErr = err
		if total++; total >= 20*orInt(op.f.Attempts, 10) {
			return fmt.Errorf("bytes %d-%d: giving up after %d attempts: %w", p.start+p.done.Load(), p.start+p.length-1, total, lastErr)
		}
		if p.done.Load() > before {
			fails = 0
		} else {
			fails++
		}
		if fails >= orInt(op.f.Attempts, 10) {
			return fmt.Errorf("bytes %d-%d: giving up after %d attempts: %w", p.start+p.done.Load(), p.start+p.length-1, fails, lastErr)
		}
		wait := Backoff(orDur(op.f.MinBackoff, 250*time.Millisecond), 30*time.Second, 5*time.Minute, fails, nil)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	if h != nil {
		p.md5 = h.Sum(nil)
	}
	return nil
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}

// getRange requests the rest of part p and writes what arrives.
func (op *fileOp) getRange(ctx context.Context, p *part, h hash.Hash) error {
	off := p.start + p.done.Load()
	end := p.start + p.length // exclusive
	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	req, err := op.newRequest(rctx, http.MethodGet)
	if err != nil {
		return err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", off, end-1))
	if et := op.pinned(); et != "" && !strings.HasPrefix(et, "W/") && p.done.Load() > 0 {
		req.Header.Set("If-Range", et)
	}
	resp, err := op.f.client().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	etag := resp.Header.Get("ETag")
	var skip int64
	switch resp.StatusCode {
	case http.StatusPartialContent:
		first, last, total, err := ParseContentRange(resp.Header.Get("Content-Range"))
		if err != nil {
			return err
		}
		if total != op.size {
			return fmt.Errorf("%w: server has %d bytes, expected %d", errSize, total, op.size)
		}
		if first != off || last > end-1 {
			return fmt.Errorf("server sent bytes %d-%d for request %d-%d", first, last, off, end-1)
		}
		if !op.pin(etag) {
			return fmt.Errorf("%w (ETag %s, was %s)", ErrChanged, etag, op.pinned())
		}
	case http.StatusOK:
		// Either the server ignored Range or If-Range failed because the
		// object changed; the validator tells which.
		if !op.pin(etag) {
			return fmt.Errorf("%w (ETag %s, was %s)", ErrChanged, etag, op.pinned())
		}
		if resp.ContentLength >= 0 && resp.ContentLength != op.size {
			return fmt.Errorf("%w: server has %d bytes, expected %d", errSize, resp.ContentLength, op.size)
		}
		skip = off
	case http.StatusRequestedRangeNotSatisfiable:
		return errRange416
	case http.StatusPreconditionFailed:
		return ErrChanged
	default:
		return statusErr(resp)
	}
	body := io.Reader(resp.Body)
	sr := newStallReader(body, orDur(op.f.StallTimeout, 30*time.Second), cancel)
	defer sr.stop()
	if skip > 0 {
		if n, err := io.CopyN(io.Discard, sr, skip); err != nil {
			return fmt.Errorf("skipping %d bytes of a full response: read %d: %w", skip, n, err)
		}
	}
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	buf := *bp
	for off < end {
		if op.lead > 0 && off-op.followed.Load() > op.lead {
			sr.pause() // waiting is not a stall
			if err := op.awaitFollower(rctx, p, off); err != nil {
				return err
			}
			sr.resume()
		}
		if op.stair && !op.stairOK(p) {
			sr.pause()
			if err := op.awaitStair(rctx, p); err != nil {
				return err
			}
			sr.resume()
		}
		if rctx.Err() != nil { // bytes already buffered would still read
			return context.Cause(rctx)
		}
		want := min(int64(len(buf)), end-off)
		n, rerr := sr.Read(buf[:want])
		if n > 0 {
			if _, err := op.tmp.WriteAt(buf[:n], off); err != nil {
				return err
			}
			if h != nil {
				h.Write(buf[:n])
			}
			off += int64(n)
			p.done.Add(int64(n))
			select {
			case op.wake <- struct{}{}:
			default:
			}
			if op.stair {
				op.advanced(p)
			}
			atomic.AddInt64(&op.res.Bytes, int64(n))
			if op.f.Progress != nil {
				op.f.Progress.Add(op.job, int64(n))
			}
		}
		if rerr == io.EOF {
			if off < end {
				return fmt.Errorf("body ended at byte %d, expected up to %d: %w", off, end, io.ErrUnexpectedEOF)
			}
			break
		}
		if rerr != nil {
			if c := context.Cause(rctx); errors.Is(c, ErrStalled) {
				return fmt.Errorf("at byte %d: %w", off, ErrStalled)
			}
			return rerr
		}
	}
	return nil
}

// followLead is the lead bound for part size psize: two parts, at least
// 128 MiB. At loopback speeds the follower then trails the transfer by at
// most ~0.1 s of SHA-256; over real networks (slower than the hash) the
// bound is never reached.
func followLead(psize int64) int64 { return max(2*psize, minFollowLead) }

var (
	minFollowLead int64        = 128 << 20 // tests lower it
	followWaits   atomic.Int64             // times a part waited for the follower (tests)
)

func (op *fileOp) advanceFollowed(off int64) {
	op.followed.Store(off)
	op.fmu.Lock()
	close(op.fadvanced)
	op.fadvanced = make(chan struct{})
	op.fmu.Unlock()
}

// awaitFollower blocks part p, about to receive the byte at off, while it
// is not the first incomplete part and off is more than the lead bound
// past the follower. The first incomplete part never waits, so the
// follower (which only needs the completed prefix) always progresses.
func (op *fileOp) awaitFollower(ctx context.Context, p *part, off int64) error {
	if op.lead <= 0 {
		return nil
	}
	for off-op.followed.Load() > op.lead && !op.isHead(p) {
		op.fmu.Lock()
		ch := op.fadvanced
		op.fmu.Unlock()
		if off-op.followed.Load() <= op.lead {
			return nil
		}
		followWaits.Add(1)
		select {
		case <-ch:
		case <-time.After(20 * time.Millisecond): // re-check isHead
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// isHead reports whether p is the first incomplete part.
func (op *fileOp) isHead(p *part) bool {
	for _, q := range op.parts {
		if q == p {
			return true
		}
		if q.done.Load() < q.length {
			return false
		}
	}
	return false
}

// The staircase reconciles MD5 lanes with the whole-file digest. Lanes
// want many parts arriving at once; the follower (sha256) can only hash
// the completed prefix. If all parts ran abreast, the prefix would stay
// empty until the end and the whole sha256 would run after the last byte
// (~0.55 s per GiB). Instead each part may have at most 15/16 of the
// bytes of the part before it (until that one completes): all parts
// still stream from the start (16 lanes of a 1 GiB file), part 0
// completes when ~2/3 of the file has arrived, and the follower, faster
// than the network, hashes the rest as the parts complete in order. A
// fixed gap between neighbours (part k at most part/16 behind part k-1)
// hid the sha256 as well but, with the parts ramping up one by one, fed
// the lanes half as many parts on average: ~0.3 CPU-s more per GiB.
func (op *fileOp) stairOK(p *part) bool {
	q := p.prev
	if q == nil || !op.stair {
		return true
	}
	qd := q.done.Load()
	return qd >= q.length || p.done.Load()*stairDen <= qd*(stairDen-1)
}

// stairDen sets the staircase ratio (stairDen-1)/stairDen.
const stairDen = 16

// awaitStair blocks part p until stairOK. The first incomplete part never
// waits, so the chain of waits always ends at a part that progresses.
func (op *fileOp) awaitStair(ctx context.Context, p *part) error {
	p.stairWait.Store(true)
	defer p.stairWait.Store(false)
	var t *time.Timer
	for !op.stairOK(p) {
		if t == nil {
			t = time.NewTimer(20 * time.Millisecond)
			defer t.Stop()
		} else {
			t.Reset(20 * time.Millisecond)
		}
		select {
		case <-p.stepped:
		case <-t.C: // a missed wake-up costs at most this
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

// advanced wakes the part after p if it waits on the staircase: only
// that part's condition depends on p's progress.
func (op *fileOp) advanced(p *part) {
	if q := p.next; q != nil && q.stairWait.Load() {
		select {
		case q.stepped <- struct{}{}:
		default:
		}
	}
}

// prefix returns the length of the completely written prefix of the file.
func (op *fileOp) prefix() int64 {
	for _, p := range op.parts {
		if d := p.done.Load(); d < p.length {
			return p.start + d
		}
	}
	return op.size
}

// follow hashes the temp file from its start, reading only bytes of the
// completed prefix and sleeping until parts report progress.
func (op *fileOp) follow(ctx context.Context, names []string) (_ map[string]string, err error) {
	ds := make([]Digester, len(names))
	ws := make([]io.Writer, len(names))
	for i, n := range names {
		d, err := NewDigester(n, op.size)
		if err != nil {
			return nil, err
		}
		ds[i], ws[i] = d, d
	}
	w := io.MultiWriter(ws...)
	v := newFileView(op.tmp)
	defer v.close()
	defer guard(&err)()
	var off int64
	for off < op.size {
		lim := op.prefix()
		if lim <= off {
			select {
			case <-op.wake:
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			continue
		}
		// Hash at most 1 MiB at a time so parts waiting on the lead
		// bound resume promptly.
		b, err := v.bytes(off, min(1<<20, lim-off))
		if err != nil {
			return nil, fmt.Errorf("reading back %s at %d: %w", op.tmpPath(), off, err)
		}
		w.Write(b)
		off += int64(len(b))
		op.advanceFollowed(off)
	}
	out := make(map[string]string, len(names))
	for i, n := range names {
		out[n] = ds[i].Digest()
	}
	return out, nil
}

// verify checks every declared digest of the complete temp file. followed
// holds the digests the follower computed by reading the file back; with
// etag-aligned parts the dandi-etag comes from the per-part MD5s computed
// while streaming (resumed parts were re-hashed from disk first).
func (op *fileOp) verify(etagAligned bool, followed map[string]string) (map[string]string, error) {
	got := map[string]string{}
	for k, v := range followed {
		got[k] = v
	}
	if etagAligned && op.want[DigestDandiETag] != "" {
		var sums []byte
		for _, p := range op.parts {
			sums = append(sums, p.md5...)
		}
		got[DigestDandiETag] = ETagFromPartMD5s(sums)
	}
	for _, n := range sortedKeys(op.want) {
		if got[n] != op.want[n] {
			return nil, fmt.Errorf("%w: %s is %s, expected %s", ErrChecksum, n, got[n], op.want[n])
		}
	}
	return got, nil
}
