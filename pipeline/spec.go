package pipeline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ErrSpec marks a bad spec or bad analysis parameters (the user's input, not
// the data): the CLI maps it to the usage exit code.
var ErrSpec = errors.New("pipeline: bad spec")

func specErrorf(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrSpec}, a...)...)
}

// Spec is a pipeline run: which sessions, which analyses with which
// parameters, where the results go and how much may run at once. It is read
// from YAML (ParseSpec; unknown fields are errors) or built from flags.
//
//	inputs:
//	  - path: ../shared/fixtures          # a file or a folder (every *.nwb below it)
//	  - example: ecephys_gratings         # an embedded example session
//	  - dandi: DANDI:000021/draft         # a dandiset ...
//	    glob: "sub-7*/*.nwb"              # ... filtered by a glob
//	    mode: stream                      # stream (HTTP range reads) or fetch
//	  - dandi: DANDI:000021/draft
//	    mode: fetch                       # download (verified) into cache first
//	    cache: dandi-cache
//	  - allen: visual-behavior-neuropixels@0.5.0/ecephys_session/1043752325  # needs RunOptions.Allen (pipeline/allenrun)
//	analyses:
//	  - tuning: {intervals: drifting_gratings_presentations, by: orientation}
//	    sessions: "*gratings*"            # only sessions whose name matches
//	  - decode: {intervals: drifting_gratings_presentations, by: orientation, decoder: bayes}
//	    sessions: "*gratings*"
//	out: results
//	jobs: 2
//	memory: 1GiB
type Spec struct {
	Inputs   []Input    `yaml:"inputs" json:"inputs"`
	Analyses []Analysis `yaml:"analyses" json:"analyses"`
	// Out is the results directory (default "results"); relative to the
	// working directory.
	Out string `yaml:"out,omitempty" json:"out,omitempty"`
	// Jobs bounds the sessions analysed at once (0 = GOMAXPROCS).
	Jobs int `yaml:"jobs,omitempty" json:"jobs,omitempty"`
	// Memory bounds the estimated bytes of the sessions in flight, e.g.
	// "2GiB" or "500MB" ("" = 1 GiB). A session needing more than the whole
	// budget runs alone.
	Memory string `yaml:"memory,omitempty" json:"memory,omitempty"`
	// Workers is the parallelism inside one analysis (0 = GOMAXPROCS / jobs).
	Workers int `yaml:"workers,omitempty" json:"workers,omitempty"`

	// dir is the spec file's directory: relative input paths resolve here.
	dir string
}

// Input is one source of sessions. Exactly one of Path, Example, DANDI,
// Allen is set.
type Input struct {
	Path    string `yaml:"path,omitempty" json:"path,omitempty"`
	Example string `yaml:"example,omitempty" json:"example,omitempty"`
	DANDI   string `yaml:"dandi,omitempty" json:"dandi,omitempty"`
	Allen   string `yaml:"allen,omitempty" json:"allen,omitempty"`
	// Glob filters a folder's or dandiset's files by relative path
	// ("*" does not cross "/", "**" does). Default "**/*.nwb".
	Glob string `yaml:"glob,omitempty" json:"glob,omitempty"`
	// Mode for remote sessions: "stream" (default; HTTP range reads) or
	// "fetch" (download into Cache first, verified against the archive's
	// digests and reused by later runs). Cache is relative to the spec's
	// folder; "" = the user cache dir's neurodata/dandi.
	Mode  string `yaml:"mode,omitempty" json:"mode,omitempty"`
	Cache string `yaml:"cache,omitempty" json:"cache,omitempty"`
}

// Analysis is one analysis applied to every matching session. Exactly one of
// the parameter blocks is set; its name is the analysis (and the results
// partition analysis=NAME) unless Name overrides it.
type Analysis struct {
	Name     string `yaml:"name,omitempty" json:"name,omitempty"`
	Sessions string `yaml:"sessions,omitempty" json:"sessions,omitempty"`

	Tuning *TuningParams `yaml:"tuning,omitempty" json:"tuning,omitempty"`
	Info   *InfoParams   `yaml:"info,omitempty" json:"info,omitempty"`
	Decode *DecodeParams `yaml:"decode,omitempty" json:"decode,omitempty"`
	RSA    *RSAParams    `yaml:"rsa,omitempty" json:"rsa,omitempty"`
	Place  *PlaceParams  `yaml:"place,omitempty" json:"place,omitempty"`
	PSTH   *PSTHParams   `yaml:"psth,omitempty" json:"psth,omitempty"`
	Stats  *StatsParams  `yaml:"stats,omitempty" json:"stats,omitempty"`
}

// Kinds are the analyses the pipeline implements, named like the
// `neurodata analyze` subcommands.
var Kinds = []string{"tuning", "psth", "info", "decode", "rsa", "place", "stats"}

// Kind is the analysis type (one of Kinds).
func (a *Analysis) Kind() string {
	switch {
	case a.Tuning != nil:
		return "tuning"
	case a.Info != nil:
		return "info"
	case a.Decode != nil:
		return "decode"
	case a.RSA != nil:
		return "rsa"
	case a.Place != nil:
		return "place"
	case a.PSTH != nil:
		return "psth"
	case a.Stats != nil:
		return "stats"
	}
	return ""
}

// ID is the partition name: Name, else Kind.
func (a *Analysis) ID() string {
	if a.Name != "" {
		return a.Name
	}
	return a.Kind()
}

// Params returns the analysis's parameter block.
func (a *Analysis) Params() any {
	switch a.Kind() {
	case "tuning":
		return a.Tuning
	case "info":
		return a.Info
	case "decode":
		return a.Decode
	case "rsa":
		return a.RSA
	case "place":
		return a.Place
	case "psth":
		return a.PSTH
	case "stats":
		return a.Stats
	}
	return nil
}

// Applies reports whether the analysis runs on the named session.
func (a *Analysis) Applies(session string) bool {
	if a.Sessions == "" {
		return true
	}
	ok, _ := path.Match(a.Sessions, session)
	return ok
}

var idRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// ParseSpec reads a YAML spec; unknown fields and bad parameters are errors
// wrapping ErrSpec. Relative input paths are resolved against dir.
func ParseSpec(r io.Reader, dir string) (*Spec, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	var s Spec
	if err := dec.Decode(&s); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, specErrorf("empty spec")
		}
		return nil, specErrorf("%v", err)
	}
	s.dir = dir
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// LoadSpec reads the YAML spec file at path.
func LoadSpec(p string) (*Spec, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	s, err := ParseSpec(bytes.NewReader(b), filepath.Dir(p))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return s, nil
}

// SetDir sets the directory relative input paths resolve against.
func (s *Spec) SetDir(dir string) { s.dir = dir }

// Validate checks the spec and every analysis's parameters.
func (s *Spec) Validate() error {
	if len(s.Inputs) == 0 {
		return specErrorf("no inputs")
	}
	if len(s.Analyses) == 0 {
		return specErrorf("no analyses")
	}
	for i, in := range s.Inputs {
		n := 0
		for _, v := range []string{in.Path, in.Example, in.DANDI, in.Allen} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			return specErrorf("inputs[%d]: want exactly one of path, example, dandi, allen", i)
		}
		switch in.Mode {
		case "", "stream", "fetch":
		default:
			return specErrorf("inputs[%d]: mode %q: want stream or fetch", i, in.Mode)
		}
	}
	seen := map[string]bool{}
	for i := range s.Analyses {
		a := &s.Analyses[i]
		n := 0
		for _, set := range []bool{a.Tuning != nil, a.Info != nil, a.Decode != nil, a.RSA != nil, a.Place != nil, a.PSTH != nil, a.Stats != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			return specErrorf("analyses[%d]: want exactly one of %s", i, strings.Join(Kinds, ", "))
		}
		id := a.ID()
		if !idRE.MatchString(id) {
			return specErrorf("analyses[%d]: name %q: letters, digits, _ . - only", i, id)
		}
		if seen[id] {
			return specErrorf("analyses[%d]: two analyses named %q: give one a name", i, id)
		}
		seen[id] = true
		if _, err := path.Match(a.Sessions, ""); err != nil {
			return specErrorf("analyses[%d]: sessions %q: %v", i, a.Sessions, err)
		}
		if v, ok := a.Params().(interface{ validate() error }); ok {
			if err := v.validate(); err != nil {
				return fmt.Errorf("analyses[%d] (%s): %w", i, id, err)
			}
		}
	}
	if s.Jobs < 0 || s.Workers < 0 {
		return specErrorf("jobs and workers must be ≥ 0")
	}
	if _, err := ParseBytes(s.Memory); err != nil {
		return err
	}
	return nil
}

// ParseBytes parses a size such as "512MiB", "2GB" or "1000000" ("" = 1 GiB).
func ParseBytes(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 1 << 30, nil
	}
	units := []struct {
		suf string
		mul int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"B", 1}}
	mul := int64(1)
	for _, u := range units {
		if strings.HasSuffix(strings.ToUpper(s), strings.ToUpper(u.suf)) {
			s, mul = strings.TrimSpace(s[:len(s)-len(u.suf)]), u.mul
			break
		}
	}
	var v float64
	if _, err := fmt.Sscanf(s, "%g", &v); err != nil || v <= 0 || v*float64(mul) > 1<<62 {
		return 0, specErrorf("memory %q: want a positive size like 512MiB or 2GB", s)
	}
	return int64(v * float64(mul)), nil
}

// ParseAnalysisFlag builds an Analysis from the command-line form
// KIND[:key=value,key=value...], e.g.
// "decode:intervals=trials,by=orientation,decoder=lda". Keys are the
// analyze subcommand's flag names; list values (rsa model) repeat the key.
// The values go through the same strict YAML decoding as a spec file.
func ParseAnalysisFlag(s string) (Analysis, error) {
	kind, rest, _ := strings.Cut(s, ":")
	var b strings.Builder
	name, sessions := "", ""
	fields := map[string][]string{}
	var order []string
	if strings.TrimSpace(rest) != "" {
		for _, kv := range splitTop(rest) {
			k, v, ok := strings.Cut(kv, "=")
			k = strings.TrimSpace(k)
			if !ok || k == "" {
				return Analysis{}, specErrorf("--analysis %q: %q is not key=value", s, kv)
			}
			switch k {
			case "name":
				name = v
				continue
			case "sessions":
				sessions = v
				continue
			}
			if _, dup := fields[k]; !dup {
				order = append(order, k)
			}
			fields[k] = append(fields[k], v)
		}
	}
	fmt.Fprintf(&b, "%s:\n", yamlQuote(strings.TrimSpace(kind)))
	if len(order) == 0 {
		b.Reset()
		fmt.Fprintf(&b, "%s: {}\n", yamlQuote(strings.TrimSpace(kind)))
	}
	for _, k := range order {
		vs := fields[k]
		if k == "model" || len(vs) > 1 {
			fmt.Fprintf(&b, "  %s:\n", yamlQuote(k))
			for _, v := range vs {
				fmt.Fprintf(&b, "    - %s\n", yamlScalar(v))
			}
			continue
		}
		fmt.Fprintf(&b, "  %s: %s\n", yamlQuote(k), yamlScalar(vs[0]))
	}
	if name != "" {
		fmt.Fprintf(&b, "name: %s\n", yamlQuote(name))
	}
	if sessions != "" {
		fmt.Fprintf(&b, "sessions: %s\n", yamlQuote(sessions))
	}
	dec := yaml.NewDecoder(strings.NewReader(b.String()))
	dec.KnownFields(true)
	var a Analysis
	if err := dec.Decode(&a); err != nil {
		return Analysis{}, specErrorf("--analysis %q: %v", s, err)
	}
	if a.Kind() == "" {
		return Analysis{}, specErrorf("--analysis %q: unknown analysis %q (want %s)", s, kind, strings.Join(Kinds, ", "))
	}
	return a, nil
}

// splitTop splits on commas that are not inside brackets.
func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '[', '{':
			depth++
		case ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func yamlQuote(s string) string {
	b, _ := yaml.Marshal(s)
	return strings.TrimSpace(string(b))
}

// yamlScalar keeps numbers, booleans and [lists] as YAML; everything else is
// quoted (so "0:0.5" stays a string).
func yamlScalar(v string) string {
	v = strings.TrimSpace(v)
	if strings.HasPrefix(v, "[") && strings.HasSuffix(v, "]") {
		return v
	}
	var x any
	if err := yaml.Unmarshal([]byte(v), &x); err == nil {
		switch x.(type) {
		case int, float64, bool:
			return v
		}
	}
	return yamlQuote(v)
}
