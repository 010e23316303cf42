package dandi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/neurodata/neurodata/internal/fetch"
)

// ZarrInfo is a Zarr archive as GET /api/zarr/{zarr_id}/ describes it.
type ZarrInfo struct {
	Name     string  `json:"name"`
	Dandiset string  `json:"dandiset"`
	ZarrID   string  `json:"zarr_id"`
	Status   string  `json:"status"`   // "Complete" once the checksum is current
	Checksum *string `json:"checksum"` // dandi-zarr-checksum, null while pending
	// FileCount and Size (bytes) are the archive's totals.
	FileCount int64 `json:"file_count"`
	Size      int64 `json:"size"`
}

// ZarrEntry is one file of a Zarr archive as the files listing reports
// it. ETag is the entry's plain MD5 (lower-case hex, quotes removed).
type ZarrEntry struct {
	Key          string `json:"Key"`
	LastModified string `json:"LastModified"`
	ETag         string `json:"ETag"`
	Size         int64  `json:"Size"`
}

// Mtime parses LastModified (zero when absent or unparseable).
func (e *ZarrEntry) Mtime() time.Time {
	t, err := time.Parse(time.RFC3339Nano, e.LastModified)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Listing bounds: the archive clamps limit to 1000; a page body larger
// than maxZarrPage or an archive with more than MaxZarrEntries entries is
// refused rather than held in memory.
const (
	maxZarrLimit = 1000
	maxZarrPage  = 16 << 20
	// MaxZarrEntries bounds the entries of one Zarr listing.
	MaxZarrEntries = 10_000_000
)

// Zarr returns a Zarr archive's summary (GET /zarr/{id}/).
func (c *Client) Zarr(ctx context.Context, zarrID string) (*ZarrInfo, error) {
	var z ZarrInfo
	if err := c.getJSONLimited(ctx, c.base+"/zarr/"+url.PathEscape(zarrID)+"/", &z, 1<<20); err != nil {
		return nil, err
	}
	if z.FileCount < 0 || z.Size < 0 {
		return nil, fmt.Errorf("dandi: zarr %s: negative file_count %d or size %d", zarrID, z.FileCount, z.Size)
	}
	return &z, nil
}

// ZarrFileURL is the API route that redirects (302) to one entry's bytes.
func (c *Client) ZarrFileURL(zarrID, key string) string {
	return c.base + "/zarr/" + url.PathEscape(zarrID) + "/files/?" + url.Values{"prefix": {key}, "download": {"true"}}.Encode()
}

// ZarrListOptions shape ZarrFiles.
type ZarrListOptions struct {
	Prefix string
	// Limit is the page size (default and maximum 1000).
	Limit int
	// MaxEntries refuses listings with more entries (default and
	// maximum MaxZarrEntries).
	MaxEntries int
}

// ZarrFiles lists a Zarr archive's entries in key order (GET
// /zarr/{id}/files/?prefix=&limit=, following "next" links). Every page is
// validated: keys pass CheckZarrKey and strictly increase (no repeats, no
// loops), ETags are MD5s, sizes are in range, pages hold at most Limit
// entries and "next" stays on the API host.
func (c *Client) ZarrFiles(ctx context.Context, zarrID string, o ZarrListOptions) ([]ZarrEntry, error) {
	limit := o.Limit
	if limit <= 0 || limit > maxZarrLimit {
		limit = maxZarrLimit
	}
	maxEntries := o.MaxEntries
	if maxEntries <= 0 || maxEntries > MaxZarrEntries {
		maxEntries = MaxZarrEntries
	}
	v := url.Values{"limit": {strconv.Itoa(limit)}}
	if o.Prefix != "" {
		v.Set("prefix", o.Prefix)
	}
	first := c.base + "/zarr/" + url.PathEscape(zarrID) + "/files/?" + v.Encode()
	var out []ZarrEntry
	after := ""
	next := first
	for pages := 0; next != ""; pages++ {
		if pages > maxEntries/limit+1 || pages >= maxPages {
			return nil, fmt.Errorf("dandi: zarr %s: listing has more pages than %d entries need", zarrID, maxEntries)
		}
		if hostOf(next) != hostOf(c.base) {
			return nil, fmt.Errorf("dandi: zarr %s: refusing next-page link to another host (%s)", zarrID, redact(next))
		}
		var raw json.RawMessage
		if err := c.getJSONLimited(ctx, next, &raw, maxZarrPage); err != nil {
			return nil, err
		}
		es, nx, err := ParseZarrPage(raw, after, limit)
		if err != nil {
			return nil, fmt.Errorf("dandi: zarr %s: page %d: %w", zarrID, pages+1, err)
		}
		if len(out)+len(es) > maxEntries {
			return nil, fmt.Errorf("dandi: zarr %s: more than %d entries", zarrID, maxEntries)
		}
		if len(es) == 0 && nx != "" {
			return nil, fmt.Errorf("dandi: zarr %s: page %d is empty but has a next link", zarrID, pages+1)
		}
		out = append(out, es...)
		if len(es) > 0 {
			after = es[len(es)-1].Key
		}
		next = nx
	}
	return out, nil
}

// ParseZarrPage decodes one page of a Zarr files listing and validates
// it: at most limit results; each key passes CheckZarrKey and is greater
// than the previous one (the first greater than after, "" for the first
// page); ETag is an MD5 (surrounding quotes dropped, lower-cased); Size is
// between 0 and fetch.MaxDandiFileSize. next is "" on the last page.
func ParseZarrPage(body []byte, after string, limit int) (entries []ZarrEntry, next string, err error) {
	var p struct {
		Next    *string         `json:"next"`
		Results json.RawMessage `json:"results"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, "", fmt.Errorf("bad JSON: %w", err)
	}
	// Count results before decoding them, so a hostile page cannot make
	// us allocate more than limit entries.
	dec := json.NewDecoder(bytes.NewReader(p.Results))
	if len(bytes.TrimSpace(p.Results)) == 0 || string(bytes.TrimSpace(p.Results)) == "null" {
		return nil, "", fmt.Errorf("no results array")
	}
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('[') {
		return nil, "", fmt.Errorf("results is not an array")
	}
	prev := after
	for dec.More() {
		if len(entries) >= limit {
			return nil, "", fmt.Errorf("more than %d results in one page", limit)
		}
		var e ZarrEntry
		if err := dec.Decode(&e); err != nil {
			return nil, "", fmt.Errorf("result %d: %w", len(entries), err)
		}
		if err := CheckZarrKey(e.Key); err != nil {
			return nil, "", err
		}
		if e.Key <= prev {
			return nil, "", fmt.Errorf("zarr key %q is not after %q (listing out of order or repeated)", trunc(e.Key), trunc(prev))
		}
		prev = e.Key
		e.ETag = strings.ToLower(strings.Trim(e.ETag, `"`))
		if !reMD5.MatchString(e.ETag) {
			return nil, "", fmt.Errorf("zarr key %q: ETag %q is not an MD5", trunc(e.Key), trunc(e.ETag))
		}
		if e.Size < 0 || e.Size > fetch.MaxDandiFileSize {
			return nil, "", fmt.Errorf("zarr key %q: size %d out of range", trunc(e.Key), e.Size)
		}
		entries = append(entries, e)
	}
	if p.Next != nil {
		next = *p.Next
		if u, err := url.Parse(next); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, "", fmt.Errorf("bad next link %q", trunc(next))
		}
	}
	return entries, next, nil
}

// parseZarrChecksum splits "{md5}-{count}--{size}".
func parseZarrChecksum(s string) (count, size int64, ok bool) {
	if !ValidZarrChecksum(s) {
		return 0, 0, false
	}
	rest := s[33:]
	c, z, _ := strings.Cut(rest, "--")
	count, err1 := strconv.ParseInt(c, 10, 64)
	size, err2 := strconv.ParseInt(z, 10, 64)
	return count, size, err1 == nil && err2 == nil && count >= 0 && size >= 0
}
