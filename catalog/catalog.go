// Package catalog is a curated list of open neuroscience data sets that
// suit course projects: Allen Brain Observatory (Visual Coding, Visual
// Behavior), the IBL Brain Wide Map and well-known DANDI dandisets for
// place, grid and head-direction cells, decision making and human single
// units. Each entry carries its archive identifier, size, species and
// areas, what it is good for and the exact neurodata commands to list,
// fetch and analyse it, plus the public records its identifier and size
// were checked against (Source).
//
// The entries live in catalog.json, embedded at build time and validated
// on load. Sizes are the archives' published totals at the date in
// SizeAsOf; an entry whose size could not be confirmed has SizeVerified
// false and says why in SizeNote (no size is estimated).
package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed catalog.json
var embedded []byte

// ErrCatalog is wrapped by every parse and validation error.
var ErrCatalog = errors.New("catalog")

// MaxBytes bounds a catalog document.
const MaxBytes = 4 << 20

// Archives an entry's identifier can name.
const (
	ArchiveDANDI = "dandi" // Identifier "DANDI:NNNNNN"
	ArchiveAllen = "allen" // Identifier "allen:<project>"
)

// Themes are the course themes an entry can be tagged with (the recipes in
// docs/recipes use the same words).
var Themes = []string{"tuning", "information", "decoding", "rsa", "stats", "scaling"}

// Entry is one data set.
type Entry struct {
	Name       string   `json:"name"`  // short unique slug, e.g. "peyrache-head-direction"
	Title      string   `json:"title"` // the data set's own title
	Archive    string   `json:"archive"`
	Identifier string   `json:"identifier"`        // "DANDI:000056" or "allen:visual-behavior-neuropixels"
	Aliases    []string `json:"aliases,omitempty"` // the same data under other identifiers (an allen: project, a DANDI mirror)
	Species    string   `json:"species"`
	Areas      []string `json:"areas"`
	Modality   string   `json:"modality"`

	// SizeMB is the published total in megabytes (10^6 bytes) over Files
	// files, as of SizeAsOf. Zero when SizeVerified is false.
	SizeMB       float64 `json:"size_mb"`
	Files        int     `json:"files"`
	SizeAsOf     string  `json:"size_as_of,omitempty"`
	SizeVerified bool    `json:"size_verified"`
	SizeNote     string  `json:"size_note,omitempty"` // why a size is unverified, or what it covers

	GoodFor string   `json:"good_for"`
	Themes  []string `json:"themes"`

	// Commands, each a complete neurodata command line. Ls browses the
	// data set, Fetch downloads a first session or subject (or, marked
	// with --dry-run, lists what a download would hold), Analyze runs one
	// analysis on the fetched file, Run processes many sessions.
	Ls      string `json:"ls"`
	Fetch   string `json:"fetch"`
	Analyze string `json:"analyze,omitempty"`
	Run     string `json:"run,omitempty"`

	// Source lists the public records (URLs or documents) the identifier,
	// size and paths were checked against.
	Source []string `json:"source"`
	Notes  string   `json:"notes,omitempty"`
}

// Catalog is a parsed catalog document.
type Catalog struct {
	Checked string  `json:"checked"` // date the entries were last checked (YYYY-MM-DD)
	Entries []Entry `json:"entries"`
}

var (
	loadOnce sync.Once
	loaded   *Catalog
	loadErr  error
)

// Load returns the embedded catalog, parsed and validated once.
func Load() (*Catalog, error) {
	loadOnce.Do(func() { loaded, loadErr = Parse(embedded) })
	return loaded, loadErr
}

// Entries returns the embedded entries. It panics if the embedded catalog
// is invalid, which the package tests rule out.
func Entries() []Entry {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return append([]Entry(nil), c.Entries...)
}

// Lookup returns the entry with the given name, identifier or alias
// (case-insensitive).
func Lookup(key string) (*Entry, error) {
	c, err := Load()
	if err != nil {
		return nil, err
	}
	k := strings.ToLower(strings.TrimSpace(key))
	for i := range c.Entries {
		e := &c.Entries[i]
		if strings.ToLower(e.Name) == k || strings.ToLower(e.Identifier) == k {
			return e, nil
		}
	}
	for i := range c.Entries { // aliases last: several entries may share one
		e := &c.Entries[i]
		for _, a := range e.Aliases {
			if strings.ToLower(a) == k {
				return e, nil
			}
		}
	}
	names := make([]string, len(c.Entries))
	for i, e := range c.Entries {
		names[i] = e.Name
	}
	sort.Strings(names)
	return nil, fmt.Errorf("%w: no entry %q (have %s)", ErrCatalog, key, strings.Join(names, ", "))
}

// Parse decodes and validates a catalog document. Unknown fields are
// errors, so a misspelt key cannot silently drop information.
func Parse(b []byte) (*Catalog, error) {
	if len(b) > MaxBytes {
		return nil, fmt.Errorf("%w: document of %d bytes exceeds %d", ErrCatalog, len(b), MaxBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Catalog
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCatalog, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data after the document", ErrCatalog)
	}
	if !dateRE.MatchString(c.Checked) {
		return nil, fmt.Errorf("%w: checked %q is not a YYYY-MM-DD date", ErrCatalog, c.Checked)
	}
	if len(c.Entries) == 0 {
		return nil, fmt.Errorf("%w: no entries", ErrCatalog)
	}
	seen := map[string]bool{}
	for i := range c.Entries {
		e := &c.Entries[i]
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i, err)
		}
		if seen[e.Name] {
			return nil, fmt.Errorf("%w: entry %d: duplicate name %q", ErrCatalog, i, e.Name)
		}
		seen[e.Name] = true
	}
	return &c, nil
}

var (
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	nameRE     = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)
	dandiIDRE  = regexp.MustCompile(`^DANDI:\d{6}$`)
	allenRefRE = regexp.MustCompile(`^allen:[a-z0-9][a-z0-9-]*$`)
)

// Validate checks an entry's fields without network access: required
// text, identifier syntax, a size with its date and source when verified
// (a reason when not), known themes, and commands that are neurodata
// command lines.
func (e *Entry) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrCatalog, e.Name, fmt.Sprintf(format, a...))
	}
	if !nameRE.MatchString(e.Name) {
		return fmt.Errorf("%w: name %q is not a lower-case slug", ErrCatalog, e.Name)
	}
	for field, v := range map[string]string{"title": e.Title, "species": e.Species, "modality": e.Modality, "good_for": e.GoodFor, "ls": e.Ls, "fetch": e.Fetch} {
		if strings.TrimSpace(v) == "" {
			return bad("%s is empty", field)
		}
	}
	if len(e.Areas) == 0 {
		return bad("no areas")
	}
	switch e.Archive {
	case ArchiveDANDI:
		if !dandiIDRE.MatchString(e.Identifier) {
			return bad("identifier %q is not DANDI:NNNNNN", e.Identifier)
		}
	case ArchiveAllen:
		if !allenRefRE.MatchString(e.Identifier) {
			return bad("identifier %q is not allen:<project>", e.Identifier)
		}
	default:
		return bad("archive %q is not %s or %s", e.Archive, ArchiveDANDI, ArchiveAllen)
	}
	for _, a := range e.Aliases {
		if !dandiIDRE.MatchString(a) && !allenRefRE.MatchString(a) {
			return bad("alias %q is neither DANDI:NNNNNN nor allen:<project>", a)
		}
	}
	if len(e.Source) == 0 {
		return bad("no source")
	}
	for _, s := range e.Source {
		if strings.TrimSpace(s) == "" {
			return bad("empty source")
		}
	}
	if e.SizeVerified {
		if e.SizeMB <= 0 || e.Files <= 0 || e.SizeAsOf == "" {
			return bad("a verified size needs size_mb > 0, files > 0 and size_as_of")
		}
	} else {
		if strings.TrimSpace(e.SizeNote) == "" {
			return bad("size_verified is false without a size_note saying why")
		}
		if e.SizeMB != 0 || e.Files != 0 {
			return bad("an unverified size must be 0 (never estimated)")
		}
	}
	if e.SizeMB < 0 || e.Files < 0 {
		return bad("negative size")
	}
	if len(e.Themes) == 0 {
		return bad("no themes")
	}
	for _, t := range e.Themes {
		if !isTheme(t) {
			return bad("unknown theme %q (themes: %s)", t, strings.Join(Themes, ", "))
		}
	}
	for field, cmd := range e.Commands() {
		args, err := SplitCommand(cmd)
		if err != nil {
			return bad("%s: %v", field, err)
		}
		if len(args) < 2 || args[0] != "neurodata" {
			return bad("%s %q does not start with neurodata and a verb", field, cmd)
		}
	}
	return nil
}

func isTheme(t string) bool {
	for _, x := range Themes {
		if t == x {
			return true
		}
	}
	return false
}

// Commands returns the entry's non-empty command lines by field name
// ("ls", "fetch", "analyze", "run").
func (e *Entry) Commands() map[string]string {
	m := map[string]string{}
	for k, v := range map[string]string{"ls": e.Ls, "fetch": e.Fetch, "analyze": e.Analyze, "run": e.Run} {
		if v != "" {
			m[k] = v
		}
	}
	return m
}

// DANDIIDs returns the six-digit dandiset ids the entry names, in its
// identifier and aliases.
func (e *Entry) DANDIIDs() []string {
	var ids []string
	for _, s := range append([]string{e.Identifier}, e.Aliases...) {
		if dandiIDRE.MatchString(s) {
			ids = append(ids, strings.TrimPrefix(s, "DANDI:"))
		}
	}
	return ids
}

// HasTheme reports whether the entry is tagged with theme t.
func (e *Entry) HasTheme(t string) bool {
	for _, x := range e.Themes {
		if x == t {
			return true
		}
	}
	return false
}

// SizeString renders the size for people: "477.6 GB in 214 files", or
// "unverified" when the size could not be confirmed.
func (e *Entry) SizeString() string {
	if !e.SizeVerified {
		return "unverified"
	}
	return fmt.Sprintf("%s in %d files", HumanMB(e.SizeMB), e.Files)
}

// HumanMB renders megabytes (10^6 bytes) with a decimal unit: MB, GB or TB.
func HumanMB(mb float64) string {
	switch {
	case mb >= 1e6:
		return fmt.Sprintf("%.2f TB", mb/1e6)
	case mb >= 1e3:
		return fmt.Sprintf("%.1f GB", mb/1e3)
	default:
		return fmt.Sprintf("%.0f MB", mb)
	}
}

// SplitCommand splits a command line into words the way a POSIX shell
// does for the simple lines the catalog and the recipes hold: words are
// separated by blanks, single quotes keep everything literally, double
// quotes keep blanks, a backslash escapes the next character, and a
// backslash before a newline joins lines. Invalid UTF-8 and anything needing more of a
// shell (variables, globbing, pipes, redirection) is an error.
func SplitCommand(s string) ([]string, error) {
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("command line %q is not valid UTF-8", s)
	}
	var (
		args  []string
		cur   strings.Builder
		inArg bool
	)
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r == ' ' || r == '\t' || r == '\n':
			if inArg {
				args = append(args, cur.String())
				cur.Reset()
				inArg = false
			}
		case r == '\\':
			if i+1 >= len(rs) {
				return nil, fmt.Errorf("trailing backslash in %q", s)
			}
			i++
			if rs[i] == '\n' {
				continue
			}
			cur.WriteRune(rs[i])
			inArg = true
		case r == '\'':
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unterminated single quote in %q", s)
			}
			cur.WriteString(string(rs[i+1 : j]))
			i = j
			inArg = true
		case r == '"':
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				switch rs[j] {
				case '\\':
					if j+1 < len(rs) && strings.ContainsRune(`"\$`+"`", rs[j+1]) {
						j++
					}
				case '$', '`':
					return nil, fmt.Errorf("shell expansion %q inside double quotes in %q", rs[j], s)
				}
				cur.WriteRune(rs[j])
			}
			if j >= len(rs) {
				return nil, fmt.Errorf("unterminated double quote in %q", s)
			}
			i = j
			inArg = true
		case strings.ContainsRune("|&;<>()$`*?[", r) || !inArg && (r == '#' || r == '~'):
			return nil, fmt.Errorf("unquoted shell syntax %q in %q: quote it or write the command without it", r, s)
		default:
			cur.WriteRune(r)
			inArg = true
		}
	}
	if inArg {
		args = append(args, cur.String())
	}
	return args, nil
}
