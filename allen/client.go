package allen

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/neurodata/neurodata/internal/fetch"
)

// EnvS3URL names the environment variable that overrides the S3 origin.
const EnvS3URL = "ALLEN_S3_URL"

// Client reads the cloud-cache buckets anonymously over HTTPS.
// The zero value is not usable; call NewClient.
type Client struct {
	// BaseURL, when set, replaces the AWS origin: bucket objects are read
	// path-style from BaseURL/<bucket>/<key> (a mirror or a test emulator).
	BaseURL string
	HTTP    *http.Client
}

// NewClient returns a client for base ("" uses $ALLEN_S3_URL, else AWS)
// with the retrying HTTP client of internal/fetch when hc is nil.
func NewClient(base string, hc *http.Client) *Client {
	if base == "" {
		base = os.Getenv(EnvS3URL)
	}
	if hc == nil {
		hc = fetch.NewHTTPClient(nil)
	}
	return &Client{BaseURL: strings.TrimSuffix(base, "/"), HTTP: hc}
}

// endpoint is the bucket's origin (path-style under BaseURL).
func (c *Client) endpoint(p *Project) string {
	if c.BaseURL != "" {
		return c.BaseURL + "/" + p.Bucket
	}
	return "https://" + p.Bucket + ".s3." + p.Region + ".amazonaws.com"
}

// ObjectURL maps a manifest URL to the URL to fetch: unchanged without
// BaseURL; with BaseURL, an AWS S3 URL (virtual-hosted or path-style) is
// re-rooted at BaseURL/<bucket>/<key> and any other URL kept. versionID,
// when set, is added as ?versionId=.
func (c *Client) ObjectURL(raw, versionID string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("allen: bad object URL %q: %w", raw, err)
	}
	if c.BaseURL != "" {
		if bucket, key, ok := s3BucketKey(u); ok {
			base, err := url.Parse(c.BaseURL)
			if err != nil {
				return "", fmt.Errorf("allen: bad base URL %q: %w", c.BaseURL, err)
			}
			nu := *base
			nu.Path = strings.TrimSuffix(base.Path, "/") + "/" + bucket + "/" + key
			nu.RawPath = ""
			nu.RawQuery = u.RawQuery
			u = &nu
		}
	}
	if versionID != "" {
		q := u.Query()
		if !q.Has("versionId") {
			q.Set("versionId", versionID)
			u.RawQuery = q.Encode()
		}
	}
	return u.String(), nil
}

// s3BucketKey recognises AWS S3 object URLs: <bucket>.s3[.<region>].amazonaws.com/<key>
// and s3[.<region>].amazonaws.com/<bucket>/<key>.
func s3BucketKey(u *url.URL) (bucket, key string, ok bool) {
	host := strings.ToLower(u.Hostname())
	rest, found := strings.CutSuffix(host, ".amazonaws.com")
	if !found {
		return "", "", false
	}
	p := strings.TrimPrefix(u.Path, "/")
	if rest == "s3" || strings.HasPrefix(rest, "s3.") || strings.HasPrefix(rest, "s3-") {
		bucket, key, ok = strings.Cut(p, "/")
		return bucket, key, ok && bucket != "" && key != ""
	}
	i := strings.Index(rest, ".s3")
	if i <= 0 || p == "" {
		return "", "", false
	}
	return rest[:i], p, true
}

// listResult is the ListObjectsV2 XML answer.
type listResult struct {
	XMLName               xml.Name `xml:"ListBucketResult"`
	Contents              []listObject
	IsTruncated           bool
	NextContinuationToken string
}

type listObject struct {
	Key  string
	Size int64
	ETag string
}

// maxListPages bounds ListObjectsV2 paging (1000 keys a page).
const maxListPages = 1000

// ListKeys lists the keys under prefix in the project's bucket with
// ListObjectsV2, following continuation tokens.
func (c *Client) ListKeys(ctx context.Context, p *Project, prefix string) ([]string, error) {
	var keys []string
	token := ""
	for page := 0; ; page++ {
		if page == maxListPages {
			return nil, fmt.Errorf("allen: listing %s/%s: more than %d pages", p.Bucket, prefix, maxListPages)
		}
		q := url.Values{"list-type": {"2"}, "prefix": {prefix}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		u := c.endpoint(p) + "/?" + q.Encode()
		b, err := c.get(ctx, u, 64<<20)
		if err != nil {
			return nil, err
		}
		lr, err := parseList(b)
		if err != nil {
			return nil, fmt.Errorf("allen: listing %s: %w", u, err)
		}
		for _, o := range lr.Contents {
			keys = append(keys, o.Key)
		}
		if !lr.IsTruncated {
			return keys, nil
		}
		if lr.NextContinuationToken == "" || lr.NextContinuationToken == token {
			return nil, fmt.Errorf("allen: listing %s: truncated without a new continuation token", u)
		}
		token = lr.NextContinuationToken
	}
}

func parseList(b []byte) (*listResult, error) {
	var lr listResult
	if err := xml.Unmarshal(b, &lr); err != nil {
		return nil, fmt.Errorf("ListBucketResult: %w", err)
	}
	return &lr, nil
}

// Releases lists the releases of a cloud-cache project, oldest first
// (manifests under <project>/manifests/; dandi-allen.md §3.2).
func (c *Client) Releases(ctx context.Context, p *Project) ([]string, error) {
	if p.Source != CloudCache {
		return nil, fmt.Errorf("allen: %s is served from DANDI %s; it has no cloud-cache releases", p.Name, strings.Join(p.Dandisets, ", "))
	}
	keys, err := c.ListKeys(ctx, p, p.Name+"/manifests/")
	if err != nil {
		return nil, err
	}
	var rs []string
	for _, k := range keys {
		if r, ok := releaseFromKey(p.Name, k); ok {
			rs = append(rs, r)
		}
	}
	SortReleases(rs)
	return rs, nil
}

// ResolveRelease returns release when it exists ("" or "latest" pick the
// newest). An unknown release is an ErrUnknownRelease error listing the
// closest ones.
func (c *Client) ResolveRelease(ctx context.Context, p *Project, release string) (string, error) {
	rs, err := c.Releases(ctx, p)
	if err != nil {
		return "", err
	}
	if len(rs) == 0 {
		return "", fmt.Errorf("allen: %s: no release manifests in bucket %s", p.Name, p.Bucket)
	}
	if release == "" || release == "latest" {
		return rs[len(rs)-1], nil
	}
	release = strings.TrimPrefix(release, "v")
	for _, r := range rs {
		if r == release {
			return r, nil
		}
	}
	return "", fmt.Errorf("allen: %w %q of %s%s", ErrUnknownRelease, release, p.Name, suggest(release, rs))
}

// ManifestBytes downloads the manifest of a release.
func (c *Client) ManifestBytes(ctx context.Context, p *Project, release string) ([]byte, error) {
	return c.get(ctx, c.endpoint(p)+"/"+manifestKey(p.Name, release), MaxManifestBytes)
}

// Manifest downloads and parses the manifest of a release, checking that
// it names the project and release asked for.
func (c *Client) Manifest(ctx context.Context, p *Project, release string) (*Manifest, error) {
	b, err := c.ManifestBytes(ctx, p, release)
	if err != nil {
		return nil, err
	}
	m, err := ParseManifest(b)
	if err != nil {
		return nil, err
	}
	if m.ProjectName != p.Name || m.ManifestVersion != release {
		return nil, fmt.Errorf("allen: manifest for %s %s names %s %s", p.Name, release, m.ProjectName, m.ManifestVersion)
	}
	return m, nil
}

// ErrNotFound is wrapped when the bucket answers 404.
var ErrNotFound = errors.New("not found")

// get reads a small object (listing, manifest) whole. The HTTP client
// retries connection errors, 429 and 5xx; a body cut short is retried
// here, up to four attempts.
func (c *Client) get(ctx context.Context, u string, limit int64) ([]byte, error) {
	var err error
	for attempt := 0; attempt < 4; attempt++ {
		var b []byte
		var retry bool
		b, retry, err = c.get1(ctx, u, limit)
		if err == nil || !retry || ctx.Err() != nil {
			return b, err
		}
		select {
		case <-time.After(time.Duration(attempt+1) * 50 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, err
}

func (c *Client) get1(ctx context.Context, u string, limit int64) (b []byte, retry bool, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, fmt.Errorf("allen: %w", err)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, false, fmt.Errorf("allen: %w", err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, false, fmt.Errorf("allen: GET %s: %w", u, ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, false, fmt.Errorf("allen: GET %s: HTTP %d", u, resp.StatusCode)
	}
	b, err = io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, true, fmt.Errorf("allen: GET %s: %w", u, err)
	}
	if int64(len(b)) > limit {
		return nil, false, fmt.Errorf("allen: GET %s: body larger than %d bytes", u, limit)
	}
	if resp.ContentLength >= 0 && int64(len(b)) != resp.ContentLength {
		return nil, true, fmt.Errorf("allen: GET %s: body %d bytes, Content-Length %d", u, len(b), resp.ContentLength)
	}
	return b, false, nil
}

// head learns an object's size (as AllenSDK does with list_object_versions).
func (c *Client) head(ctx context.Context, u string) (int64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodHead, u, nil)
	if err != nil {
		return -1, err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return -1, err
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return -1, fmt.Errorf("allen: HEAD %s: %w", u, ErrNotFound)
	}
	if resp.StatusCode != http.StatusOK {
		return -1, nil // let the fetcher probe the size
	}
	return resp.ContentLength, nil
}
