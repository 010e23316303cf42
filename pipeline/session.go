package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/internal/fetch"
	"github.com/neurodata/neurodata/nwb"
)

// SessionRef names one session to analyse.
type SessionRef struct {
	// Name is unique within a run and is the results partition
	// (session=NAME): the file's path below its input folder with "/"
	// replaced by "." and ".nwb" dropped, or the example name.
	Name string `json:"name"`
	// Kind is "file", "example", "dandi" or "allen".
	Kind string `json:"kind"`
	// Location is the file path, example name, asset URL or Allen reference.
	Location string `json:"location"`
	Size     int64  `json:"size_bytes"`
	// Digest identifies the content: "sha256:HEX" of the bytes for files and
	// examples; for streamed DANDI assets the archive's own sha256 when the
	// asset metadata lists it, else "dandi-asset:ID@MODIFIED".
	Digest string `json:"digest"`
	// Error, when set, says why the session is unavailable (e.g. its
	// download failed verification); running it fails with this error and
	// the other sessions go on.
	Error string `json:"error,omitempty"`
}

// AllenResolver turns an `allen:` input into sessions. Package
// pipeline/allenrun implements it over package allen (kept out of this
// package so that pipeline does not import allen); a runner passes one in
// RunOptions.
type AllenResolver interface {
	ResolveAllen(ctx context.Context, ref string) ([]SessionRef, error)
	// OpenAllen opens one resolved session.
	OpenAllen(ctx context.Context, ref SessionRef) (*nwb.File, error)
}

// ResolveOptions configure Resolve.
type ResolveOptions struct {
	Allen AllenResolver
	// DANDI options (API URL, HTTP client) for dandi inputs.
	DANDI []dandi.Option
	// DANDIAPIURL overrides the API base of dandi inputs as `neurodata
	// ls/fetch` do with --api-url / DANDI_API_URL (dandi.Resource.APIFor:
	// it wins for ids and known-instance URLs; a URL on another host keeps
	// its own API). Applied after DANDI.
	DANDIAPIURL string
}

// Resolve expands the spec's inputs into sessions: folders are walked for
// files matching the input's glob (default **/*.nwb), dandisets are listed,
// and every file is hashed (sha256) so that reruns can tell unchanged
// inputs. Names are made unique.
func Resolve(ctx context.Context, s *Spec, o *ResolveOptions) ([]SessionRef, error) {
	if o == nil {
		o = &ResolveOptions{}
	}
	var out []SessionRef
	for i, in := range s.Inputs {
		var refs []SessionRef
		var err error
		switch {
		case in.Example != "":
			refs, err = resolveExample(in.Example)
		case in.Path != "":
			p := in.Path
			if !filepath.IsAbs(p) && s.dir != "" {
				p = filepath.Join(s.dir, p)
			}
			refs, err = resolvePath(ctx, p, in.Glob)
		case in.DANDI != "":
			cache := in.Cache
			if cache != "" && !filepath.IsAbs(cache) && s.dir != "" {
				cache = filepath.Join(s.dir, cache)
			}
			refs, err = resolveDANDI(ctx, in, cache, o.DANDI, o.DANDIAPIURL)
		case in.Allen != "":
			if o.Allen == nil {
				err = fmt.Errorf("pipeline: allen input %q: no Allen resolver in the run options (use pipeline/allenrun.New)", in.Allen)
			} else {
				refs, err = o.Allen.ResolveAllen(ctx, in.Allen)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("inputs[%d]: %w", i, err)
		}
		out = append(out, refs...)
	}
	seen := map[string]int{}
	for i := range out {
		n := out[i].Name
		if k := seen[n]; k > 0 {
			out[i].Name = fmt.Sprintf("%s.%d", n, k+1)
		}
		seen[n]++
	}
	return out, nil
}

func resolveExample(name string) ([]SessionRef, error) {
	name = strings.TrimSuffix(name, ".nwb")
	b, err := examples.ReadFile(name + ".nwb")
	if err != nil {
		return nil, specErrorf("example %q: not embedded (have %s)", name, strings.Join(examples.Names(), ", "))
	}
	sum := sha256.Sum256(b)
	return []SessionRef{{Name: name, Kind: "example", Location: name, Size: int64(len(b)), Digest: "sha256:" + hex.EncodeToString(sum[:])}}, nil
}

func resolvePath(ctx context.Context, root, glob string) ([]SessionRef, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return nil, specErrorf("path %s: %v", root, err)
	}
	if !fi.IsDir() {
		d, err := fileDigest(root)
		if err != nil {
			return nil, err
		}
		return []SessionRef{{Name: sessionName(filepath.Base(root)), Kind: "file", Location: root, Size: fi.Size(), Digest: d}}, nil
	}
	if glob == "" {
		glob = "**/*.nwb"
	}
	var refs []SessionRef
	zarrs := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() && p != root && nwb.IsZarrStore(p) {
			zarrs++ // NWB Zarr: not readable here, and not worth walking
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if !globMatch(glob, rel) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		dg, err := fileDigest(p)
		if err != nil {
			return err
		}
		refs = append(refs, SessionRef{Name: sessionName(rel), Kind: "file", Location: p, Size: info.Size(), Digest: dg})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if len(refs) == 0 {
		return nil, specErrorf("path %s: no file matches %q%s", root, glob, zarrNote(zarrs))
	}
	sort.Slice(refs, func(a, b int) bool { return refs[a].Name < refs[b].Name })
	return refs, nil
}

// globMatch matches slash-separated paths; "**/" matches any number of
// leading folders (including none).
func globMatch(glob, rel string) bool {
	if strings.HasPrefix(glob, "**/") {
		sub := glob[3:]
		parts := strings.Split(rel, "/")
		for i := range parts {
			if ok, _ := path.Match(sub, strings.Join(parts[i:], "/")); ok {
				return true
			}
		}
		return false
	}
	ok, _ := path.Match(glob, rel)
	return ok
}

// sessionName turns a relative path into a partition-safe name.
func sessionName(rel string) string {
	rel = strings.TrimSuffix(filepath.ToSlash(rel), ".nwb")
	var b strings.Builder
	for _, r := range rel {
		switch {
		case r == '/':
			b.WriteByte('.')
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '_', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	return strings.Trim(b.String(), ".")
}

func fileDigest(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", fmt.Errorf("pipeline: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("pipeline: reading %s: %w", p, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// resolveDANDI lists a dandiset's assets matching the input's glob. In
// mode fetch they are downloaded first (internal/fetch: ranged, resumable,
// verified against the archive's digests) into cache/<dandiset>/<path>
// (cache "" = the user cache dir's neurodata/dandi) and become file
// sessions; a verified file already there is not fetched again.
func resolveDANDI(ctx context.Context, in Input, cache string, opts []dandi.Option, override string) ([]SessionRef, error) {
	res, err := dandi.ParseURL(in.DANDI)
	if err != nil {
		return nil, specErrorf("dandi %q: %v", in.DANDI, err)
	}
	if res.DandisetID == "" {
		return nil, specErrorf("dandi %q: not a dandiset", in.DANDI)
	}
	if res.APIURL != "" {
		opts = append([]dandi.Option{dandi.WithAPIURL(res.APIURL)}, opts...)
	}
	if override != "" {
		if api := res.APIFor(override); api != "" {
			opts = append(opts[:len(opts):len(opts)], dandi.WithAPIURL(api))
		}
	}
	c := dandi.NewClient(opts...)
	glob := in.Glob
	if glob == "" {
		glob = res.Glob
	}
	if glob == "" {
		glob = "*.nwb"
	}
	q := dandi.AssetQuery{Glob: glob, Metadata: true}
	if res.Path != "" {
		q.Path = res.Path
	}
	version, err := c.ResolveVersion(ctx, res.DandisetID, res.Version)
	if err != nil {
		return nil, err
	}
	assets, err := c.Assets(ctx, res.DandisetID, version, q)
	if err != nil {
		return nil, err
	}
	sel := &dandi.Selection{APIURL: c.APIURL(), DandisetID: res.DandisetID, Version: version, Assets: assets}
	if in.Mode == "fetch" {
		return fetchDANDI(ctx, c, sel, q, in.DANDI, cache)
	}
	var refs []SessionRef
	for _, a := range assets {
		if a.Blob == nil {
			continue // Zarr assets are not NWB HDF5 files
		}
		d := fmt.Sprintf("dandi-asset:%s@%s", a.AssetID, a.Modified.UTC().Format("2006-01-02T15:04:05Z"))
		if a.Metadata != nil {
			if h := a.Metadata.Digest["dandi:sha2-256"]; h != "" {
				d = "sha256:" + h
			}
		}
		refs = append(refs, SessionRef{Name: sessionName(a.Path), Kind: "dandi", Location: c.DownloadURL(a.AssetID), Size: a.Size, Digest: d})
	}
	if len(refs) == 0 {
		return nil, noAssetError(ctx, c, sel, q, in.DANDI)
	}
	return refs, nil
}

// noAssetError is the error for a DANDI input with no NWB HDF5 asset to
// analyse. It names the Zarr stores passed over, including those a
// "*.nwb" glob leaves out ("x.nwb.zarr"), looked up only now.
func noAssetError(ctx context.Context, c *dandi.Client, sel *dandi.Selection, q dandi.AssetQuery, input string) error {
	zarrs := 0
	for i := range sel.Assets {
		if sel.Assets[i].IsZarr() {
			zarrs++
		}
	}
	if zarrs == 0 && strings.HasSuffix(q.Glob, ".nwb") {
		zq := q
		zq.Glob, zq.Metadata = q.Glob+".zarr", false
		if za, err := c.Assets(ctx, sel.DandisetID, sel.Version, zq); err == nil {
			zarrs = len(za)
		}
	}
	return fmt.Errorf("pipeline: dandi %q: no asset matches %q%s", input, q.Glob, zarrNote(zarrs))
}

// zarrNote explains, in a "no match" error, Zarr stores that were passed
// over.
func zarrNote(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (passed over %d Zarr store(s): NWB Zarr, which neurodata does not read; hdmf-zarr does)", n)
}

func fetchDANDI(ctx context.Context, c *dandi.Client, sel *dandi.Selection, q dandi.AssetQuery, input, cache string) ([]SessionRef, error) {
	if cache == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return nil, specErrorf("dandi %q: mode fetch: no cache given and no user cache dir (%v)", input, err)
		}
		cache = filepath.Join(d, "neurodata", "dandi")
	}
	cache, err := filepath.Abs(cache)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: cache: %w", err)
	}
	jobs, _, err := c.Plan(sel, cache, dandi.PlanOptions{}) // Zarr assets are skipped, as when streaming
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, noAssetError(ctx, c, sel, q, input)
	}
	fr := &fetch.Fetcher{Root: cache, Client: c.HTTPClient()}
	results, ferr := fr.Fetch(ctx, jobs)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(results) != len(jobs) {
		return nil, fmt.Errorf("pipeline: dandi %q: fetching into %s: %d results for %d files: %v", input, cache, len(results), len(jobs), ferr)
	}
	var refs []SessionRef
	for _, r := range results {
		if r.Status != fetch.StatusDownloaded && r.Status != fetch.StatusSkipped {
			msg := "not attempted"
			if r.Err != nil {
				msg = r.Err.Error()
			}
			// A failed download is a failed session; the others go on.
			refs = append(refs, SessionRef{Name: sessionName(r.Job.Name), Kind: "file", Location: r.Job.Dest, Size: r.Job.Size,
				Error: fmt.Sprintf("fetching %s from %s: %s", r.Job.Name, input, msg)})
			continue
		}
		d := ""
		if h := r.Job.Digests["dandi:sha2-256"]; h != "" {
			d = "sha256:" + h // verified by the fetcher, or the file's mtime matched a verified fetch
		} else if d, err = fileDigest(r.Job.Dest); err != nil {
			return nil, err
		}
		refs = append(refs, SessionRef{Name: sessionName(r.Job.Name), Kind: "file", Location: r.Job.Dest, Size: r.Job.Size, Digest: d})
	}
	sort.Slice(refs, func(a, b int) bool { return refs[a].Name < refs[b].Name })
	return refs, nil
}

// openSession opens the NWB file of a session. The caller closes it.
func openSession(ctx context.Context, ref SessionRef, o *RunOptions) (*nwb.File, error) {
	if ref.Error != "" {
		return nil, errors.New(ref.Error)
	}
	switch ref.Kind {
	case "example":
		r, n, err := examples.Open(ref.Location)
		if err != nil {
			return nil, err
		}
		return nwb.NewReader(r, n)
	case "file":
		return nwb.Open(ref.Location)
	case "dandi":
		var opts []dandi.Option
		if o != nil {
			opts = o.DANDI
		}
		r, n, err := dandi.OpenAsset(ctx, ref.Location, opts...)
		if err != nil {
			return nil, err
		}
		f, err := nwb.NewReader(r, n)
		if c, ok := r.(io.Closer); ok {
			if err != nil {
				c.Close()
			} else {
				f.CloseWith(c)
			}
		}
		return f, err
	case "allen":
		if o == nil || o.Allen == nil {
			return nil, errors.New("pipeline: no Allen resolver")
		}
		return o.Allen.OpenAllen(ctx, ref)
	}
	return nil, fmt.Errorf("pipeline: session %s: unknown kind %q", ref.Name, ref.Kind)
}

// siblingFile finds a file that belongs to a session (e.g. model
// activations): beside a file session, or embedded with an example.
func siblingFiles(ref SessionRef, pattern string) ([]string, func(string) ([]byte, error)) {
	switch ref.Kind {
	case "file":
		m, _ := filepath.Glob(filepath.Join(filepath.Dir(ref.Location), pattern))
		sort.Strings(m)
		return m, os.ReadFile
	case "example":
		var m []string
		for _, f := range examples.Files() {
			if ok, _ := path.Match(pattern, f); ok {
				m = append(m, f)
			}
		}
		sort.Strings(m)
		return m, examples.ReadFile
	}
	return nil, nil
}
