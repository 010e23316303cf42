package dandi

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/neurodata/neurodata/internal/fetch"
	"github.com/neurodata/neurodata/internal/rangeio"
)

// Selection is a resolved resource: the dandiset version and its assets.
type Selection struct {
	APIURL     string
	DandisetID string // "" for a bare asset URL without dandiset context
	Version    string
	// VersionResolved is true when Version was chosen by the
	// published-else-draft rule rather than named by the user.
	VersionResolved bool
	Assets          []Asset
}

// Resolve lists the assets a resource names, with metadata. A resource
// without a version gets the most recent published version, else draft.
func (c *Client) Resolve(ctx context.Context, r *Resource) (*Selection, error) {
	sel := &Selection{APIURL: c.base, DandisetID: r.DandisetID, Version: r.Version}
	switch r.Kind {
	case KindAsset:
		a, err := c.Asset(ctx, r.AssetID)
		if err != nil {
			return nil, err
		}
		sel.Assets = []Asset{*a}
		return sel, nil
	case KindDandisetList, KindURL:
		return nil, fmt.Errorf("dandi: %s names no assets", r.Kind)
	}
	if sel.Version == "" {
		v, err := c.ResolveVersion(ctx, r.DandisetID, "")
		if err != nil {
			return nil, err
		}
		sel.Version, sel.VersionResolved = v, true
	}
	q := AssetQuery{Metadata: true, Order: "path"}
	switch r.Kind {
	case KindPrefix, KindPath:
		q.Path = r.Path
	case KindGlob:
		q.Glob = r.Glob
	}
	as, err := c.Assets(ctx, r.DandisetID, sel.Version, q)
	if err != nil {
		return nil, err
	}
	if r.Kind == KindPath { // exact file only
		var keep []Asset
		for _, a := range as {
			if a.Path == r.Path {
				keep = append(keep, a)
			}
		}
		if len(keep) == 0 {
			return nil, fmt.Errorf("dandi: no asset at path %q in %s/%s: %w", r.Path, r.DandisetID, sel.Version, ErrNotFound)
		}
		as = keep
	}
	sel.Assets = as
	return sel, nil
}

// PlanOptions shape the local layout of a download.
type PlanOptions struct {
	Include, Exclude []string // path.Match globs on the asset path ("**" crosses "/")
	// Zarr says the caller fetches Zarr assets itself (PlanZarrs,
	// FetchZarr): Plan then leaves them out without listing them as
	// skipped.
	Zarr bool
}

// reS3Blob matches the S3 entry of contentUrl (both host forms, and the
// mirror's stand-in).
var reS3Blob = regexp.MustCompile(`(amazonaws\.com/.*blobs/|/s3/blobs/)`)

// Plan turns a selection into fetch jobs under dir: DIR/<dandiset id>/<asset
// path> (DIR/<basename> for an asset URL without dandiset context). Any
// path that would escape dir is an error naming the asset. Zarr assets
// (directories of chunk files, see PlanZarrs and FetchZarr) are not blob
// jobs: they are listed in skipped unless o.Zarr is set.
func (c *Client) Plan(sel *Selection, dir string, o PlanOptions) (jobs []fetch.Job, skipped []string, err error) {
	root := dir
	if sel.DandisetID != "" {
		root = filepath.Join(dir, sel.DandisetID)
	}
	for _, a := range sel.Assets {
		if !matchAny(o.Include, a.Path, true) || matchAny(o.Exclude, a.Path, false) {
			continue
		}
		if a.IsZarr() {
			if !o.Zarr {
				skipped = append(skipped, a.Path+": Zarr asset (a directory of chunks; neurodata fetch downloads it, neurodata reads HDF5 NWB only)")
			}
			continue
		}
		dest, err := assetDest(sel, root, &a)
		if err != nil {
			return nil, nil, err
		}
		if a.Size < 0 {
			return nil, nil, fmt.Errorf("dandi: asset %s: negative size %d", a.Path, a.Size)
		}
		j := fetch.Job{URL: c.DownloadURL(a.AssetID), Dest: dest, Size: a.Size, Mtime: a.Mtime(), Name: a.Path, Header: c.AuthHeader()}
		if a.Metadata != nil {
			j.Digests = a.Metadata.Digest
			if a.Metadata.ContentSize != 0 && a.Metadata.ContentSize != a.Size {
				return nil, nil, fmt.Errorf("dandi: asset %s: listing size %d and metadata size %d disagree", a.Path, a.Size, a.Metadata.ContentSize)
			}
		}
		jobs = append(jobs, j)
	}
	return jobs, skipped, nil
}

// IsZarr reports whether the asset is a Zarr archive rather than a blob.
func (a *Asset) IsZarr() bool { return a.Zarr != nil && *a.Zarr != "" }

// assetDest is the local path of an asset under root: its path, or its
// base name without dandiset context; an escaping path is an error.
func assetDest(sel *Selection, root string, a *Asset) (string, error) {
	rel := a.Path
	if sel.DandisetID == "" {
		rel = path.Base(a.Path)
	}
	dest, err := fetch.SafeJoin(root, rel)
	if err != nil {
		return "", fmt.Errorf("dandi: asset %s: %w", a.AssetID, err)
	}
	return dest, nil
}

func matchAny(globs []string, p string, emptyIs bool) bool {
	if len(globs) == 0 {
		return emptyIs
	}
	for _, g := range globs {
		if globMatch(g, p) {
			return true
		}
	}
	return false
}

// globMatch is path.Match where "**" also crosses "/" and a pattern
// without "/" matches the base name.
func globMatch(g, p string) bool {
	if !strings.Contains(g, "/") && !strings.Contains(g, "**") {
		ok, _ := path.Match(g, path.Base(p))
		return ok
	}
	if strings.Contains(g, "**") {
		re := regexp.QuoteMeta(g)
		re = strings.ReplaceAll(re, `\*\*`, "\x00")
		re = strings.ReplaceAll(re, `\*`, `[^/]*`)
		re = strings.ReplaceAll(re, `\?`, `[^/]`)
		re = strings.ReplaceAll(re, "\x00", ".*")
		ok, _ := regexp.MatchString("^"+re+"$", p)
		return ok
	}
	ok, _ := path.Match(g, p)
	return ok
}

// OpenAsset opens a remote asset for random access (HTTP range requests
// through internal/rangeio: block cache, read-ahead, coalescing, parallel
// ranges, ETag pinning). rawURL is any form ParseURL accepts that names one
// asset (an asset URL, dandi://…/file.nwb, a ?path= URL matching one file)
// or a plain http(s) file URL. The returned ReaderAt is a *rangeio.Reader
// (type-assert it for Stats or Close). The API base is the URL's own,
// overridden for DANDI:/dandi:// ids by DANDI_API_URL; the key comes from
// DANDI_API_KEY. Options (WithAPIURL, WithAPIKey, WithHTTPClient,
// WithRangeOptions) win over both.
func OpenAsset(ctx context.Context, rawURL string, opts ...Option) (io.ReaderAt, int64, error) {
	r, err := ParseURL(rawURL)
	if err != nil {
		return nil, 0, err
	}
	pre := []Option{WithAPIURL(r.APIFor(os.Getenv("DANDI_API_URL")))}
	if k := os.Getenv("DANDI_API_KEY"); k != "" {
		pre = append(pre, WithAPIKey(k))
	}
	c := NewClient(append(pre, opts...)...)
	ropts := append([]rangeio.Option{rangeio.WithClient(c.hc)}, c.rangeOpt...)
	var target string
	switch r.Kind {
	case KindURL:
		target = r.URL
	case KindAsset:
		target = c.DownloadURL(r.AssetID)
		ropts = append(ropts, rangeio.WithHeader(c.AuthHeader()))
	case KindPath, KindPrefix, KindGlob:
		sel, err := c.Resolve(ctx, r)
		if err == nil && len(sel.Assets) == 0 && r.Kind == KindPrefix && strings.HasSuffix(r.Path, "/") {
			// A web URL's location names a folder; when it is really a
			// file (…/files?location=sub-1/sub-1.nwb), open that file.
			f := *r
			f.Kind, f.Path = KindPath, strings.TrimSuffix(r.Path, "/")
			sel, err = c.Resolve(ctx, &f)
		}
		if err != nil {
			return nil, 0, err
		}
		if len(sel.Assets) != 1 {
			return nil, 0, fmt.Errorf("dandi: %q names %d assets, want exactly one", rawURL, len(sel.Assets))
		}
		if a := &sel.Assets[0]; a.IsZarr() {
			return nil, 0, fmt.Errorf("dandi: %s is a Zarr asset (a directory of files, not one HDF5 file), which cannot be read remotely here: `neurodata fetch` downloads it; open it with hdmf-zarr's NWBZarrIO", a.Path)
		}
		target = c.DownloadURL(sel.Assets[0].AssetID)
		ropts = append(ropts, rangeio.WithHeader(c.AuthHeader()))
	default:
		return nil, 0, fmt.Errorf("dandi: %q names a %s, not one asset", rawURL, r.Kind)
	}
	if u, err := url.Parse(target); err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, 0, fmt.Errorf("dandi: cannot open %q", rawURL)
	}
	rd, err := rangeio.Open(ctx, target, ropts...)
	if err != nil {
		return nil, 0, fmt.Errorf("dandi: open %s: %w", rawURL, err)
	}
	return rd, rd.Size(), nil
}
