// Package dandi is a client for the DANDI archive REST API: dandisets,
// versions (latest published, else draft), assets with path/glob filters
// and metadata, verified downloads (through internal/fetch) and remote
// random access to assets (OpenAsset, through internal/rangeio).
package dandi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/neurodata/neurodata/internal/fetch"
	"github.com/neurodata/neurodata/internal/rangeio"
)

// Client talks to one DANDI API instance. It is safe for concurrent use.
type Client struct {
	base     string
	key      string
	hc       *http.Client
	pageSize int
	rangeOpt []rangeio.Option
}

// Option configures a Client (and OpenAsset).
type Option func(*Client)

// WithAPIURL sets the API base, e.g. "http://127.0.0.1:8080/api".
func WithAPIURL(u string) Option {
	return func(c *Client) {
		if u != "" {
			c.base = strings.TrimRight(u, "/")
		}
	}
}

// WithAPIKey sets the token sent as "Authorization: token KEY" to the API
// host only. The key is never printed or logged.
func WithAPIKey(k string) Option { return func(c *Client) { c.key = k } }

// WithHTTPClient replaces the retrying default client.
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.hc = hc } }

// WithPageSize sets the page size of listings (default 1000, the maximum).
func WithPageSize(n int) Option { return func(c *Client) { c.pageSize = n } }

// WithRangeOptions passes options to rangeio for OpenAsset.
func WithRangeOptions(o ...rangeio.Option) Option {
	return func(c *Client) { c.rangeOpt = append(c.rangeOpt, o...) }
}

// NewClient returns a client for DefaultAPIURL unless WithAPIURL is given.
func NewClient(opts ...Option) *Client {
	c := &Client{base: DefaultAPIURL, pageSize: 1000}
	for _, o := range opts {
		o(c)
	}
	if c.hc == nil {
		c.hc = fetch.NewHTTPClient(nil)
	}
	if c.pageSize <= 0 || c.pageSize > 1000 {
		c.pageSize = 1000
	}
	return c
}

// APIURL returns the API base in use.
func (c *Client) APIURL() string { return c.base }

// HTTPClient returns the client's HTTP client.
func (c *Client) HTTPClient() *http.Client { return c.hc }

// AuthHeader returns the headers to send to the API host (nil without a
// key).
func (c *Client) AuthHeader() http.Header {
	if c.key == "" {
		return nil
	}
	return http.Header{"Authorization": {"token " + c.key}}
}

// Errors wrapped by API calls.
var (
	ErrNotFound = errors.New("not found")
	ErrAuth     = errors.New("access refused (set DANDI_API_KEY?)")
)

// APIError is an unexpected API status.
type APIError struct {
	Status int
	URL    string
	Detail string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("dandi: %s: HTTP %d %s", e.URL, e.Status, e.Detail)
}

// maxJSON bounds an API response body.
const maxJSON = 256 << 20

func (c *Client) sameHost(u string) bool {
	return hostOf(u) == hostOf(c.base)
}

func (c *Client) getJSON(ctx context.Context, u string, v any) error {
	return c.getJSONLimited(ctx, u, v, maxJSON)
}

// getJSONLimited is getJSON with a smaller bound on the body (Zarr
// listing pages and summaries are small; a larger answer is refused).
func (c *Client) getJSONLimited(ctx context.Context, u string, v any, maxJSON int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("dandi: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	if c.key != "" && c.sameHost(u) {
		req.Header.Set("Authorization", "token "+c.key)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("dandi: GET %s: %w", redact(u), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSON+1))
	if err != nil {
		return fmt.Errorf("dandi: GET %s: %w", redact(u), err)
	}
	if int64(len(body)) > maxJSON {
		return fmt.Errorf("dandi: GET %s: response larger than %d bytes", redact(u), maxJSON)
	}
	if resp.StatusCode != http.StatusOK {
		var d struct {
			Detail string `json:"detail"`
		}
		json.Unmarshal(body, &d)
		e := &APIError{Status: resp.StatusCode, URL: redact(u), Detail: d.Detail}
		switch resp.StatusCode {
		case http.StatusNotFound:
			return fmt.Errorf("%w: %w", ErrNotFound, e)
		case http.StatusUnauthorized, http.StatusForbidden:
			return fmt.Errorf("%w: %w", ErrAuth, e)
		}
		return e
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("dandi: GET %s: bad JSON: %w", redact(u), err)
	}
	return nil
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "<unparseable URL>"
	}
	return p.Redacted()
}

type page struct {
	Count   *int              `json:"count"`
	Next    *string           `json:"next"`
	Results []json.RawMessage `json:"results"`
}

// maxPages bounds a listing, so a hostile server cannot loop us forever.
const maxPages = 100000

// paginate fetches every page of a DRF listing. When page 1 carries count
// and its next link is the same URL with page=2, the remaining pages are
// fetched concurrently (5 at a time, as dandi-cli does); otherwise next
// links are followed one by one.
func (c *Client) paginate(ctx context.Context, first string, each func(json.RawMessage) error) error {
	u, err := url.Parse(first)
	if err != nil {
		return err
	}
	q := u.Query()
	q.Set("page_size", strconv.Itoa(c.pageSize))
	u.RawQuery = q.Encode()
	var p page
	if err := c.getJSON(ctx, u.String(), &p); err != nil {
		return err
	}
	for _, r := range p.Results {
		if err := each(r); err != nil {
			return err
		}
	}
	if p.Next == nil {
		return nil
	}
	if p.Count != nil && isPage2(u, *p.Next) && len(p.Results) > 0 {
		per := len(p.Results)
		pages := (*p.Count + per - 1) / per
		if pages > maxPages {
			return fmt.Errorf("dandi: listing claims %d pages", pages)
		}
		res := make([][]json.RawMessage, pages+1)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(5)
		for k := 2; k <= pages; k++ {
			g.Go(func() error {
				pu := *u
				qq := pu.Query()
				qq.Set("page", strconv.Itoa(k))
				pu.RawQuery = qq.Encode()
				var pp page
				if err := c.getJSON(gctx, pu.String(), &pp); err != nil {
					return err
				}
				res[k] = pp.Results
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for _, rs := range res {
			for _, r := range rs {
				if err := each(r); err != nil {
					return err
				}
			}
		}
		return nil
	}
	next := *p.Next
	for n := 1; next != ""; n++ {
		if n > maxPages {
			return fmt.Errorf("dandi: more than %d pages at %s", maxPages, redact(first))
		}
		if hostOf(next) != u.Host {
			return fmt.Errorf("dandi: refusing next-page link to another host (%s)", redact(next))
		}
		var pp page
		if err := c.getJSON(ctx, next, &pp); err != nil {
			return err
		}
		for _, r := range pp.Results {
			if err := each(r); err != nil {
				return err
			}
		}
		next = ""
		if pp.Next != nil {
			next = *pp.Next
		}
	}
	return nil
}

// isPage2 reports whether next is u with page=2 and nothing else changed.
func isPage2(u *url.URL, next string) bool {
	n, err := url.Parse(next)
	if err != nil || n.Host != u.Host || strings.TrimRight(n.Path, "/") != strings.TrimRight(u.Path, "/") {
		return false
	}
	nq, uq := n.Query(), u.Query()
	if nq.Get("page") != "2" {
		return false
	}
	nq.Del("page")
	uq.Del("page")
	return nq.Encode() == uq.Encode()
}

// VersionInfo summarises a version.
type VersionInfo struct {
	Version    string    `json:"version"`
	Name       string    `json:"name"`
	AssetCount int       `json:"asset_count"`
	Size       int64     `json:"size"`
	Status     string    `json:"status"`
	Created    time.Time `json:"created"`
	Modified   time.Time `json:"modified"`
}

// Dandiset is a dandiset as listed by the API.
type Dandiset struct {
	Identifier                 string       `json:"identifier"`
	Created                    time.Time    `json:"created"`
	Modified                   time.Time    `json:"modified"`
	ContactPerson              string       `json:"contact_person"`
	EmbargoStatus              string       `json:"embargo_status"`
	MostRecentPublishedVersion *VersionInfo `json:"most_recent_published_version"`
	DraftVersion               *VersionInfo `json:"draft_version"`
}

// Dandisets lists dandisets, optionally filtered by the server's free-text
// search.
func (c *Client) Dandisets(ctx context.Context, search string) ([]Dandiset, error) {
	u := c.base + "/dandisets/"
	if search != "" {
		u += "?search=" + url.QueryEscape(search)
	}
	var out []Dandiset
	err := c.paginate(ctx, u, func(m json.RawMessage) error {
		var d Dandiset
		if err := json.Unmarshal(m, &d); err != nil {
			return fmt.Errorf("dandi: dandiset list: %w", err)
		}
		out = append(out, d)
		return nil
	})
	return out, err
}

// Dandiset returns one dandiset.
func (c *Client) Dandiset(ctx context.Context, id string) (*Dandiset, error) {
	var d Dandiset
	if err := c.getJSON(ctx, c.base+"/dandisets/"+url.PathEscape(id)+"/", &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// Versions lists a dandiset's versions.
func (c *Client) Versions(ctx context.Context, id string) ([]VersionInfo, error) {
	var out []VersionInfo
	err := c.paginate(ctx, c.base+"/dandisets/"+url.PathEscape(id)+"/versions/", func(m json.RawMessage) error {
		var v VersionInfo
		if err := json.Unmarshal(m, &v); err != nil {
			return fmt.Errorf("dandi: version list: %w", err)
		}
		out = append(out, v)
		return nil
	})
	return out, err
}

// ResolveVersion returns version when given (checking it exists), else the
// most recent published version, else "draft".
func (c *Client) ResolveVersion(ctx context.Context, id, version string) (string, error) {
	if version != "" {
		var v json.RawMessage
		if err := c.getJSON(ctx, c.base+"/dandisets/"+url.PathEscape(id)+"/versions/"+url.PathEscape(version)+"/info/", &v); err != nil {
			return "", err
		}
		return version, nil
	}
	d, err := c.Dandiset(ctx, id)
	if err != nil {
		return "", err
	}
	if d.MostRecentPublishedVersion != nil && d.MostRecentPublishedVersion.Version != "" {
		return d.MostRecentPublishedVersion.Version, nil
	}
	if d.DraftVersion == nil {
		return "", fmt.Errorf("dandi: dandiset %s has no versions: %w", id, ErrNotFound)
	}
	return "draft", nil
}

// AssetMetadata holds the fields of an asset's metadata the client uses.
type AssetMetadata struct {
	Identifier       string            `json:"identifier"`
	Path             string            `json:"path"`
	ContentSize      int64             `json:"contentSize"`
	ContentURL       []string          `json:"contentUrl"`
	Digest           map[string]string `json:"digest"`
	EncodingFormat   string            `json:"encodingFormat"`
	BlobDateModified string            `json:"blobDateModified"`
	DateModified     string            `json:"dateModified"`
}

// Asset is an asset as listed by the API.
type Asset struct {
	AssetID  string         `json:"asset_id"`
	Blob     *string        `json:"blob"`
	Zarr     *string        `json:"zarr"`
	Path     string         `json:"path"`
	Size     int64          `json:"size"`
	Created  time.Time      `json:"created"`
	Modified time.Time      `json:"modified"`
	Metadata *AssetMetadata `json:"metadata,omitempty"`
}

// Mtime is the time to give the local copy: blobDateModified, falling
// back to modified (as dandi-cli does).
func (a *Asset) Mtime() time.Time {
	if a.Metadata != nil {
		for _, s := range []string{a.Metadata.BlobDateModified} {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t
			}
		}
	}
	return a.Modified
}

// AssetQuery filters an asset listing with the server's rules.
type AssetQuery struct {
	Path     string // exact path if one matches, else case-insensitive prefix
	HasPath  bool   // send path= even when Path is ""
	Glob     string // `*` matches anything, case-insensitive
	Metadata bool   // include metadata (avoids one request per asset)
	Order    string // created (default), modified, path; "-" reverses
}

// Assets lists the assets of a dandiset version.
func (c *Client) Assets(ctx context.Context, id, version string, q AssetQuery) ([]Asset, error) {
	v := url.Values{}
	if q.Path != "" || q.HasPath {
		v.Set("path", q.Path)
	}
	if q.Glob != "" {
		v.Set("glob", q.Glob)
	}
	if q.Metadata {
		v.Set("metadata", "true")
	}
	if q.Order != "" {
		v.Set("order", q.Order)
	}
	u := c.base + "/dandisets/" + url.PathEscape(id) + "/versions/" + url.PathEscape(version) + "/assets/"
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	var out []Asset
	var mu sync.Mutex
	err := c.paginate(ctx, u, func(m json.RawMessage) error {
		var a Asset
		if err := json.Unmarshal(m, &a); err != nil {
			return fmt.Errorf("dandi: asset list: %w", err)
		}
		mu.Lock()
		out = append(out, a)
		mu.Unlock()
		return nil
	})
	return out, err
}

// Asset returns one asset with its metadata (GET /assets/{id}/info/).
func (c *Client) Asset(ctx context.Context, assetID string) (*Asset, error) {
	var a Asset
	if err := c.getJSON(ctx, c.base+"/assets/"+url.PathEscape(assetID)+"/info/", &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// DownloadURL is the API route that redirects to the asset's bytes.
func (c *Client) DownloadURL(assetID string) string {
	return c.base + "/assets/" + url.PathEscape(assetID) + "/download/"
}
