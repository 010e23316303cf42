package allen

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Errors wrapped by lookups; the messages carry the closest valid names.
var (
	ErrUnknownProject = errors.New("unknown project")
	ErrUnknownRelease = errors.New("unknown release")
	ErrUnknownSession = errors.New("unknown session")
	ErrUnknownTable   = errors.New("unknown table")
	ErrBadRef         = errors.New("bad allen: reference")
)

// Source says where a project's files come from.
type Source int

const (
	CloudCache  Source = iota // an S3 bucket with release manifests
	DANDIMirror               // dandisets on the DANDI archive
)

// SessionKind maps a session word of a reference
// (allen:<project>/<kind>/<id>) to the metadata table and column holding
// the id; every row with that id contributes its file_id's data file.
type SessionKind struct {
	Name     string // "ecephys_session"
	Table    string // "ecephys_sessions"
	IDColumn string // "ecephys_session_id"
}

// Project is one Allen dataset.
type Project struct {
	Name    string   // "visual-behavior-neuropixels" (also the bucket prefix)
	Aliases []string // short names accepted in references ("vbn")
	Title   string
	Source  Source
	Bucket  string // CloudCache: the S3 bucket
	Region  string // CloudCache: the bucket's region
	// Tables are the metadata tables of a release (file names without .csv).
	Tables   []string
	Sessions []SessionKind
	// Dandisets are the DANDI mirrors searched in order (DANDIMirror).
	Dandisets []string
}

// Projects are the datasets the package knows (dandi-allen.md §3.2, §3.3).
var Projects = []*Project{
	{
		Name: "visual-behavior-neuropixels", Aliases: []string{"vbn"},
		Title:  "Visual Behavior Neuropixels (S3 cloud cache; DANDI mirror 000713)",
		Source: CloudCache, Bucket: "visual-behavior-neuropixels-data", Region: "us-west-2",
		Tables: []string{"ecephys_sessions", "behavior_sessions", "units", "probes", "channels"},
		Sessions: []SessionKind{
			{"ecephys_session", "ecephys_sessions", "ecephys_session_id"},
			{"behavior_session", "behavior_sessions", "behavior_session_id"},
			{"probe", "probes", "ecephys_probe_id"},
		},
	},
	{
		Name: "visual-behavior-ophys", Aliases: []string{"vbo"},
		Title:  "Visual Behavior Ophys (S3 cloud cache; DANDI mirror 000711)",
		Source: CloudCache, Bucket: "visual-behavior-ophys-data", Region: "us-west-2",
		Tables: []string{"behavior_session_table", "ophys_session_table", "ophys_experiment_table", "ophys_cells_table"},
		Sessions: []SessionKind{
			{"ophys_experiment", "ophys_experiment_table", "ophys_experiment_id"},
			{"ophys_session", "ophys_experiment_table", "ophys_session_id"},
			{"behavior_session", "behavior_session_table", "behavior_session_id"},
		},
	},
	{
		Name: "visual-coding-neuropixels", Aliases: []string{"vcn", "ecephys"},
		Title:  "Visual Coding Neuropixels (DANDI 000021 Brain Observatory 1.1, 000022 Functional Connectivity)",
		Source: DANDIMirror, Dandisets: []string{"000021", "000022"},
		Sessions: []SessionKind{{Name: "session"}, {Name: "ecephys_session"}},
	},
	{
		Name: "visual-coding-2p", Aliases: []string{"vc2p", "brain-observatory"},
		Title:  "Visual Coding 2-photon (DANDI 000728, converted to NWB 2)",
		Source: DANDIMirror, Dandisets: []string{"000728"},
		Sessions: []SessionKind{{Name: "session"}, {Name: "ophys_session"}},
	},
}

// LookupProject finds a project by name or alias (case-insensitive).
// An unknown name is an ErrUnknownProject error suggesting the closest ones.
func LookupProject(name string) (*Project, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	var all []string
	for _, p := range Projects {
		if p.Name == n {
			return p, nil
		}
		for _, a := range p.Aliases {
			if a == n {
				return p, nil
			}
		}
		all = append(all, p.Name)
		all = append(all, p.Aliases...)
	}
	return nil, fmt.Errorf("allen: %w %q%s", ErrUnknownProject, name, suggest(n, all))
}

// SessionKind returns the kind named word.
func (p *Project) SessionKind(word string) (SessionKind, error) {
	var names []string
	for _, k := range p.Sessions {
		if k.Name == word {
			return k, nil
		}
		names = append(names, k.Name)
	}
	return SessionKind{}, fmt.Errorf("allen: %w: %s has no %q files%s", ErrBadRef, p.Name, word, suggest(word, names))
}

// tableError reports an unknown table name with the closest valid ones.
func (p *Project) tableError(name string, have []string) error {
	return fmt.Errorf("allen: %w %q in %s%s", ErrUnknownTable, name, p.Name, suggest(name, have))
}

// Ref is a parsed allen: reference:
//
//	allen:                                        the projects
//	allen:<project>[@<release>]                   a project (latest release)
//	allen:<project>[@<release>]/<kind>/<id>       the data files of a session
//
// For DANDI-mirrored projects the release is the dandiset version.
type Ref struct {
	Project   string // "" for the project list
	Release   string // "" means the latest
	Kind      string // session kind word, e.g. "ecephys_session"
	SessionID int64  // valid when Kind != ""
}

// ParseRef parses an allen: reference without network access.
func ParseRef(s string) (*Ref, error) {
	rest, ok := strings.CutPrefix(s, "allen:")
	if !ok {
		return nil, fmt.Errorf("allen: %w %q: must start with allen:", ErrBadRef, s)
	}
	rest = strings.TrimPrefix(rest, "//")
	rest = strings.TrimSuffix(rest, "/")
	r := &Ref{}
	if rest == "" {
		return r, nil
	}
	parts := strings.Split(rest, "/")
	head := parts[0]
	if name, rel, ok := strings.Cut(head, "@"); ok {
		if rel == "" {
			return nil, fmt.Errorf("allen: %w %q: empty release after @", ErrBadRef, s)
		}
		head, r.Release = name, strings.TrimPrefix(rel, "v")
	}
	if head == "" {
		return nil, fmt.Errorf("allen: %w %q: empty project", ErrBadRef, s)
	}
	p, err := LookupProject(head)
	if err != nil {
		return nil, err
	}
	r.Project = p.Name
	switch len(parts) {
	case 1:
		return r, nil
	case 3:
		if _, err := p.SessionKind(parts[1]); err != nil {
			return nil, err
		}
		id, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil || id < 0 {
			return nil, fmt.Errorf("allen: %w %q: session id %q is not a non-negative integer", ErrBadRef, s, parts[2])
		}
		r.Kind, r.SessionID = parts[1], id
		return r, nil
	}
	return nil, fmt.Errorf("allen: %w %q: want allen:<project>[@release][/<kind>/<id>]", ErrBadRef, s)
}

// String renders the reference in canonical form.
func (r *Ref) String() string {
	s := "allen:" + r.Project
	if r.Release != "" {
		s += "@" + r.Release
	}
	if r.Kind != "" {
		s += "/" + r.Kind + "/" + strconv.FormatInt(r.SessionID, 10)
	}
	return s
}

// suggest renders "; did you mean a, b?" with the candidates closest to s
// by edit distance (at most three, only reasonably close ones), or
// "; valid: …" listing up to ten candidates when none is close.
func suggest(s string, candidates []string) string {
	best := Closest(s, candidates, 3)
	if len(best) > 0 {
		return "; did you mean " + strings.Join(best, ", ") + "?"
	}
	if len(candidates) == 0 {
		return ""
	}
	c := candidates
	more := ""
	if len(c) > 10 {
		c, more = c[:10], ", …"
	}
	return "; valid: " + strings.Join(c, ", ") + more
}

// Closest returns up to n candidates nearest to s by Levenshtein distance,
// keeping those within max(2, len(s)/2) edits and tied with the best
// (in candidate order). A
// candidate containing s (three or more characters) counts as one edit
// away.
func Closest(s string, candidates []string, n int) []string {
	type cd struct {
		c string
		d int
		i int
	}
	limit := max(2, len([]rune(s))/2)
	var cs []cd
	seen := map[string]bool{}
	for i, c := range candidates {
		if seen[c] {
			continue
		}
		seen[c] = true
		d := Levenshtein(s, c)
		if len(s) >= 3 && strings.Contains(c, s) {
			d = min(d, 1) // "mouse" for mouse_id, "session" for ecephys_session
		}
		if d <= limit {
			cs = append(cs, cd{c, d, i})
		}
	}
	sort.Slice(cs, func(a, b int) bool {
		if cs[a].d != cs[b].d {
			return cs[a].d < cs[b].d
		}
		return cs[a].i < cs[b].i
	})
	var out []string
	for i := 0; i < len(cs) && i < n && cs[i].d == cs[0].d; i++ {
		out = append(out, cs[i].c)
	}
	return out
}

// Levenshtein is the edit distance between a and b (insertions, deletions
// and substitutions of runes, each costing 1).
func Levenshtein(a, b string) int {
	x, y := []rune(a), []rune(b)
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(x); i++ {
		cur[0] = i
		for j := 1; j <= len(y); j++ {
			c := prev[j-1]
			if x[i-1] != y[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(y)]
}
