package dandi

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
)

// Kind is what a resource identifier names.
type Kind int

const (
	KindDandisetList Kind = iota // the list of dandisets of an instance
	KindDandiset                 // a dandiset, at Version or the resolved default
	KindAsset                    // one asset by id
	KindPrefix                   // assets whose path starts with Path (server `path=` rule; a folder ends in "/")
	KindPath                     // the single asset at exactly Path
	KindGlob                     // assets matching Glob (server `glob=` rule: `*` only)
	KindURL                      // a plain file URL (for OpenAsset)
)

var kindNames = [...]string{"dandiset-list", "dandiset", "asset", "prefix", "path", "glob", "url"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Resource is a parsed DANDI identifier or URL.
type Resource struct {
	Kind Kind
	// APIURL is the API base ("https://api.dandiarchive.org/api") named by
	// the identifier; "" means the client's default.
	APIURL     string
	Instance   string // instance name when given ("dandi", "dandi-sandbox", ...)
	DandisetID string // six digits
	Version    string // "draft", a published id, or "" (resolve: published else draft)
	AssetID    string
	Path       string // KindPrefix / KindPath
	Glob       string // KindGlob
	URL        string // KindURL
}

// Instance is a known DANDI deployment.
type Instance struct {
	Name   string
	GUI    string // web UI origin
	APIURL string
}

// Instances are the deployments whose names and hosts the parser knows
// (dandi-cli dandi/consts.py, see ../shared/reference/dandi-allen.md §1.1).
var Instances = []Instance{
	{"dandi", "https://dandiarchive.org", "https://api.dandiarchive.org/api"},
	{"dandi-sandbox", "https://sandbox.dandiarchive.org", "https://api.sandbox.dandiarchive.org/api"},
	{"linc", "https://lincbrain.org", "https://api.lincbrain.org/api"},
	{"dandi-api-local-docker-tests", "http://localhost:8085", "http://localhost:8000/api"},
}

// DefaultAPIURL is the public archive's API.
const DefaultAPIURL = "https://api.dandiarchive.org/api"

func instanceByName(name string) *Instance {
	for i := range Instances {
		if strings.EqualFold(Instances[i].Name, name) {
			return &Instances[i]
		}
	}
	return nil
}

func instanceByHost(host string) *Instance {
	for i := range Instances {
		for _, u := range []string{Instances[i].GUI, Instances[i].APIURL} {
			if p, err := url.Parse(u); err == nil && strings.EqualFold(p.Host, host) {
				return &Instances[i]
			}
		}
	}
	return nil
}

// ErrBadURL is wrapped by every parse error.
var ErrBadURL = errors.New("unrecognised DANDI identifier or URL")

var (
	reID        = `(\d{6})`
	reVersion   = `(draft|\d+\.\d+\.\d+)`
	reBare      = regexp.MustCompile(`^` + reID + `(?:[/@]` + reVersion + `)?/?$`)
	rePrefixed  = regexp.MustCompile(`^([A-Za-z][A-Za-z0-9-]*):` + reID + `(?:/` + reVersion + `)?/?$`)
	reGUI       = regexp.MustCompile(`^/?(?:#/)?dandiset/` + reID + `(?:/` + reVersion + `)?(?:/files)?/?$`)
	reUUIDLike  = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	reDandiPath = regexp.MustCompile(`^` + reID + `(?:@` + reVersion + `)?(?:/(.*))?$`)
)

// ParseURL parses every identifier form dandi-cli accepts (docs
// ref/urls.rst, dandiarchive._dandi_url_parser) plus a bare id:
//
//	000021, 000021/draft, DANDI:000021[/version], DANDI-SANDBOX:…
//	https://identifiers.org/DANDI:000021[/version]
//	https://dandiarchive.org[/#]/dandiset/000021[/version][/files[?location=folder]]
//	https://api.dandiarchive.org/api/dandisets/[000021[/versions[/v[/info]]]]
//	…/api/dandisets/000021/versions/v/assets/?path=prefix | ?glob=pattern
//	…/api/assets/<uuid>[/download|/info] and …/versions/v/assets/<uuid>[/download]
//	dandi://<instance>/000021[@version][/path | /folder/]
//
// A web URL on an unknown host is taken to be a mirror whose API lives at
// /api on the same origin. Other http(s) URLs become KindURL. Identifiers
// are parsed without network access.
func ParseURL(s string) (*Resource, error) {
	s = strings.TrimSpace(s)
	bad := func(why string) (*Resource, error) {
		return nil, fmt.Errorf("dandi: %w %q: %s", ErrBadURL, s, why)
	}
	if s == "" {
		return bad("empty")
	}
	if m := reBare.FindStringSubmatch(s); m != nil {
		return &Resource{Kind: KindDandiset, DandisetID: m[1], Version: m[2]}, nil
	}
	if m := rePrefixed.FindStringSubmatch(s); m != nil {
		in := instanceByName(m[1])
		if in == nil {
			return bad("unknown instance " + m[1])
		}
		return &Resource{Kind: KindDandiset, Instance: in.Name, APIURL: in.APIURL, DandisetID: m[2], Version: m[3]}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return bad(err.Error())
	}
	switch strings.ToLower(u.Scheme) {
	case "dandi":
		return parseDandiScheme(s, u)
	case "http", "https":
	default:
		return bad("not a DANDI identifier, dandi:// or http(s) URL")
	}
	if strings.EqualFold(u.Host, "identifiers.org") {
		r, err := ParseURL(strings.TrimPrefix(u.Path, "/"))
		if err != nil || r.Instance == "" {
			return bad("identifiers.org URL must name DANDI:<id>[/version]")
		}
		return r, nil
	}
	origin := u.Scheme + "://" + u.Host
	if i := strings.Index(u.Path, "/api/"); i >= 0 || strings.HasSuffix(u.Path, "/api") {
		if i < 0 {
			i = len(u.Path) - len("/api")
		}
		return parseAPI(s, origin+u.Path[:i+len("/api")], strings.Trim(u.Path[i+len("/api"):], "/"), u.Query())
	}
	// Web UI: the route may sit in the fragment (/#/dandiset/...), with
	// the query inside the fragment too.
	route, rawq := u.Path, u.RawQuery
	if u.Fragment != "" {
		f := u.Fragment
		if j := strings.IndexByte(f, '?'); j >= 0 {
			f, rawq = f[:j], f[j+1:]
		}
		route = "/#" + f
		if !strings.HasPrefix(f, "/") {
			route = "/#/" + f
		}
	}
	if m := reGUI.FindStringSubmatch(route); m != nil {
		r := &Resource{Kind: KindDandiset, DandisetID: m[1], Version: m[2]}
		if in := instanceByHost(u.Host); in != nil {
			r.Instance, r.APIURL = in.Name, in.APIURL
		} else {
			r.APIURL = origin + "/api"
		}
		q, _ := url.ParseQuery(rawq)
		if loc := strings.Trim(q.Get("location"), "/"); loc != "" {
			r.Kind, r.Path = KindPrefix, loc+"/" // location always names a folder
		}
		return r, nil
	}
	return &Resource{Kind: KindURL, URL: s}, nil
}

func parseAPI(s, base, rest string, q url.Values) (*Resource, error) {
	bad := func(why string) (*Resource, error) {
		return nil, fmt.Errorf("dandi: %w %q: %s", ErrBadURL, s, why)
	}
	r := &Resource{APIURL: base}
	if in := instanceByHost(hostOf(base)); in != nil {
		r.Instance = in.Name
	}
	seg := strings.Split(rest, "/")
	if rest == "" {
		seg = nil
	}
	if n := len(seg); n > 0 && (seg[n-1] == "download" || seg[n-1] == "info") {
		seg = seg[:n-1]
	}
	switch {
	case len(seg) == 1 && seg[0] == "dandisets":
		r.Kind = KindDandisetList
		return r, nil
	case len(seg) == 2 && seg[0] == "assets":
		if !reUUIDLike.MatchString(seg[1]) {
			return bad("asset id is not a uuid")
		}
		r.Kind, r.AssetID = KindAsset, strings.ToLower(seg[1])
		return r, nil
	case len(seg) >= 2 && seg[0] == "dandisets":
	default:
		return bad("unsupported API path")
	}
	if !regexp.MustCompile(`^` + reID + `$`).MatchString(seg[1]) {
		return bad("dandiset id must be six digits")
	}
	r.Kind, r.DandisetID = KindDandiset, seg[1]
	seg = seg[2:]
	if len(seg) == 0 {
		return r, nil
	}
	if seg[0] != "versions" {
		return bad("unsupported API path")
	}
	if len(seg) == 1 {
		return r, nil
	}
	if !regexp.MustCompile(`^` + reVersion + `$`).MatchString(seg[1]) {
		return bad("bad version " + seg[1])
	}
	r.Version = seg[1]
	seg = seg[2:]
	switch {
	case len(seg) == 0:
		return r, nil
	case seg[0] != "assets":
		return bad("unsupported API path")
	case len(seg) == 1:
		if q.Has("path") {
			r.Kind, r.Path = KindPrefix, q.Get("path")
		} else if q.Has("glob") {
			r.Kind, r.Glob = KindGlob, q.Get("glob")
		}
		return r, nil
	case len(seg) == 2 && reUUIDLike.MatchString(seg[1]):
		r.Kind, r.AssetID = KindAsset, strings.ToLower(seg[1])
		return r, nil
	}
	return bad("unsupported API path")
}

func parseDandiScheme(s string, u *url.URL) (*Resource, error) {
	bad := func(why string) (*Resource, error) {
		return nil, fmt.Errorf("dandi: %w %q: %s", ErrBadURL, s, why)
	}
	in := instanceByName(u.Host)
	if in == nil {
		return bad("unknown instance " + u.Host)
	}
	// Take the path from the raw string: url.Parse would unescape it.
	rest := s[strings.Index(s, "://")+3:]
	rest = rest[len(u.Host):]
	rest = strings.TrimPrefix(rest, "/")
	m := reDandiPath.FindStringSubmatch(rest)
	if m == nil {
		return bad("want dandi://<instance>/<id>[@version][/path]")
	}
	r := &Resource{Kind: KindDandiset, Instance: in.Name, APIURL: in.APIURL, DandisetID: m[1], Version: m[2]}
	if p := m[3]; p != "" {
		if strings.HasSuffix(p, "/") {
			r.Kind, r.Path = KindPrefix, p
		} else {
			r.Kind, r.Path = KindPath, p
		}
	}
	return r, nil
}

func hostOf(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return p.Host
}

// APIFor picks the API base for r given an override (--api-url or
// DANDI_API_URL): the override wins for bare ids, instance-prefixed ids
// and URLs of known instances (so DANDI:000021 can be fetched from a
// mirror); a URL on any other host keeps its own API. "" means the
// client's default.
func (r *Resource) APIFor(override string) string {
	if override != "" && (r.Instance != "" || r.APIURL == "") {
		return override
	}
	return r.APIURL
}
