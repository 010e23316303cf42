package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/neurodata/neurodata/analysis"
	"github.com/neurodata/neurodata/dandi"
)

// Version is the pipeline's result format and step version; it is part of
// every content key, so changing a step's output recomputes it.
const Version = "pipeline/2"

// ErrPartial is returned (wrapped) by Run when some sessions or analyses
// failed and the others succeeded.
var ErrPartial = errors.New("pipeline: some sessions failed")

// RunOptions configure Run and RunSessionWith.
type RunOptions struct {
	// ToolVersion is the neurodata version; part of every content key.
	ToolVersion string
	Allen       AllenResolver
	DANDI       []dandi.Option
	// DANDIAPIURL is ResolveOptions.DANDIAPIURL (--api-url / DANDI_API_URL).
	DANDIAPIURL string
	// Progress receives one-line messages (nil = none); Run calls it from
	// one goroutine at a time.
	Progress func(string)
	// Force recomputes even when a result with the same key exists.
	Force bool
}

func (o *RunOptions) progress(format string, a ...any) {
	if o != nil && o.Progress != nil {
		o.Progress(fmt.Sprintf(format, a...))
	}
}

// RunSession is the per-session step as a pure function: it opens the
// session and runs every analysis of spec that applies to it, returning the
// results (write them with AnalysisResult.WriteParquet). It writes nothing.
// An error means the session could not be opened (nil result) or ctx was
// cancelled (the result holds the analyses finished before); a failing
// analysis is reported in its AnalysisResult.Error and the others still run.
func RunSession(ctx context.Context, ref SessionRef, spec *Spec) (*SessionResult, error) {
	return RunSessionWith(ctx, ref, spec, nil)
}

// RunSessionWith is RunSession with options (remote access, versions).
func RunSessionWith(ctx context.Context, ref SessionRef, spec *Spec, o *RunOptions) (*SessionResult, error) {
	out := &SessionResult{Session: ref}
	var todo []*Analysis
	for i := range spec.Analyses {
		if spec.Analyses[i].Applies(ref.Name) {
			todo = append(todo, &spec.Analyses[i])
		}
	}
	if len(todo) == 0 {
		return out, nil
	}
	f, err := openSession(ctx, ref, o)
	if err != nil {
		return nil, fmt.Errorf("session %s (%s): %w", ref.Name, ref.Location, err)
	}
	defer f.Close()
	version := ""
	if o != nil {
		version = o.ToolVersion
	}
	for _, a := range todo {
		if err := ctx.Err(); err != nil {
			return out, err // the analyses finished so far, for resuming
		}
		t0 := time.Now()
		r := AnalysisResult{Analysis: a.ID(), Kind: a.Kind(), Session: ref.Name, Key: Key(ref, a, version)}
		r.Params, _ = json.Marshal(a.Params())
		var err error
		switch a.Kind() {
		case "tuning":
			r.Tuning, err = Tuning(ctx, f, withWorkers(a.Tuning, spec.Workers))
		case "info":
			r.Info, err = Info(ctx, f, withWorkers(a.Info, spec.Workers))
		case "decode":
			r.Decode, err = Decode(ctx, f, withWorkers(a.Decode, spec.Workers), nil)
		case "rsa":
			var models []Model
			if models, err = sessionModels(ref, a.RSA, spec.dir); err == nil {
				r.RSA, err = RSA(ctx, f, a.RSA, models, nil)
			}
		case "place":
			r.Place, err = Place(ctx, f, withWorkers(a.Place, spec.Workers))
		case "psth":
			r.PSTH, err = PSTH(ctx, f, withWorkers(a.PSTH, spec.Workers))
		case "stats":
			r.Stats, err = Stats(ctx, f, withWorkers(a.Stats, spec.Workers))
		}
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			r.Error = err.Error()
		}
		r.Seconds = time.Since(t0).Seconds()
		out.Analyses = append(out.Analyses, r)
	}
	return out, nil
}

// withWorkers returns a copy of the parameter block p whose Workers is at
// least n (the spec's): the block itself belongs to the spec, which
// concurrent sessions share, so it is never written.
func withWorkers[P any, PP interface {
	*P
	workers() *int
}](p *P, n int) *P {
	q := *p
	w := PP(&q).workers()
	*w = max(*w, n)
	return &q
}

// Key is the content address of one analysis of one session:
// sha256(input digest, analysis name and kind, canonical parameters (JSON of
// the parameter block, workers excluded), neurodata version, pipeline
// Version).
func Key(ref SessionRef, a *Analysis, toolVersion string) string {
	params, _ := json.Marshal(a.Params())
	h := sha256.New()
	for _, s := range []string{ref.Digest, a.ID(), a.Kind(), string(params), toolVersion, Version} {
		fmt.Fprintf(h, "%d:%s\n", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Manifest describes a results directory: manifest.json.
type Manifest struct {
	Tool     string            `json:"tool"`
	Versions map[string]string `json:"versions"`
	Spec     *Spec             `json:"spec"`
	Started  time.Time         `json:"started"`
	Seconds  float64           `json:"seconds"`
	Inputs   []SessionRef      `json:"inputs"`
	Results  []ManifestEntry   `json:"results"`
	Errors   []ManifestError   `json:"errors"`
	Summary  ManifestSummary   `json:"summary"`
}

// ManifestEntry is one analysis of one session.
type ManifestEntry struct {
	Session  string `json:"session"`
	Analysis string `json:"analysis"`
	Kind     string `json:"kind"`
	Key      string `json:"key"`
	// Status is computed, cached (an unchanged result was kept) or failed.
	Status  string  `json:"status"`
	Seconds float64 `json:"seconds"`
	// Path is the Parquet file relative to the results directory.
	Path  string `json:"path,omitempty"`
	Error string `json:"error,omitempty"`
}

// ManifestError is a failure: of a whole session (Analysis "") or of one
// analysis.
type ManifestError struct {
	Session  string `json:"session"`
	Analysis string `json:"analysis,omitempty"`
	Error    string `json:"error"`
}

// ManifestSummary counts the outcome.
type ManifestSummary struct {
	Sessions       int `json:"sessions"`
	FailedSessions int `json:"failed_sessions"`
	Computed       int `json:"computed"`
	Cached         int `json:"cached"`
	Failed         int `json:"failed"`
}

// PartitionDir is the hive-style partition of one result.
func PartitionDir(out, analysisID, session string) string {
	return filepath.Join(out, "analysis="+analysisID, "session="+session)
}

// Result file names inside a partition.
const (
	PartFile   = "part-0.parquet"
	ResultFile = "result.json" // the full result (with matrices) for `neurodata report`
)

// Run resolves the spec's inputs and runs every session (in parallel, at
// most Jobs at once and within the Memory budget of estimated bytes),
// skipping analyses whose content key matches the stored result, and
// writes results/analysis=A/session=S/part-0.parquet (+ result.json) and
// manifest.json, each atomically. A failing session is recorded and the
// others go on; the error then wraps ErrPartial.
func Run(ctx context.Context, spec *Spec, o *RunOptions) (*Manifest, error) {
	if o == nil {
		o = &RunOptions{}
	}
	if p := o.Progress; p != nil {
		var pmu sync.Mutex
		o2 := *o
		o2.Progress = func(s string) {
			pmu.Lock()
			defer pmu.Unlock()
			p(s)
		}
		o = &o2
	}
	if err := spec.Validate(); err != nil {
		return nil, err
	}
	out := spec.Out
	if out == "" {
		out = "results"
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	m := &Manifest{Tool: "neurodata run", Spec: spec, Started: time.Now().UTC(),
		Versions: map[string]string{"neurodata": o.ToolVersion, "pipeline": Version, "analysis": analysis.Version, "go": runtime.Version()}}
	refs, err := Resolve(ctx, spec, &ResolveOptions{Allen: o.Allen, DANDI: o.DANDI, DANDIAPIURL: o.DANDIAPIURL})
	if err != nil {
		return nil, err
	}
	m.Inputs = refs
	budget, _ := ParseBytes(spec.Memory)
	jobs := spec.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	if spec.Workers == 0 {
		s2 := *spec
		s2.Workers = max(1, runtime.GOMAXPROCS(0)/jobs)
		spec = &s2
	}
	memSem := semaphore.NewWeighted(budget)
	jobSem := semaphore.NewWeighted(int64(jobs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	record := func(e ManifestEntry) {
		mu.Lock()
		defer mu.Unlock()
		m.Results = append(m.Results, e)
		if e.Error != "" {
			m.Errors = append(m.Errors, ManifestError{Session: e.Session, Analysis: e.Analysis, Error: e.Error})
		}
	}
	failSession := func(ref SessionRef, err error) {
		mu.Lock()
		defer mu.Unlock()
		m.Errors = append(m.Errors, ManifestError{Session: ref.Name, Error: err.Error()})
		m.Summary.FailedSessions++
	}
	for _, ref := range refs {
		var todo []Analysis
		for i := range spec.Analyses {
			a := &spec.Analyses[i]
			if !a.Applies(ref.Name) {
				continue
			}
			key := Key(ref, a, o.ToolVersion)
			dir := PartitionDir(out, a.ID(), ref.Name)
			if !o.Force && storedKey(dir) == key {
				record(ManifestEntry{Session: ref.Name, Analysis: a.ID(), Kind: a.Kind(), Key: key, Status: "cached",
					Path: filepath.ToSlash(filepath.Join("analysis="+a.ID(), "session="+ref.Name, PartFile))})
				continue
			}
			todo = append(todo, *a)
		}
		if len(todo) == 0 {
			continue
		}
		need := min(max(4*ref.Size, 16<<20), budget)
		if err := jobSem.Acquire(ctx, 1); err != nil {
			break
		}
		if err := memSem.Acquire(ctx, need); err != nil {
			jobSem.Release(1)
			break
		}
		wg.Add(1)
		go func(ref SessionRef, todo []Analysis) {
			defer wg.Done()
			defer jobSem.Release(1)
			defer memSem.Release(need)
			if testHookSession != nil {
				testHookSession(+1)
				defer testHookSession(-1)
			}
			sub := *spec
			sub.Analyses = todo
			o.progress("run: %s: %d analyses", ref.Name, len(todo))
			res, err := RunSessionWith(ctx, ref, &sub, o)
			if err != nil && (ctx.Err() == nil || res == nil) {
				if ctx.Err() == nil {
					o.progress("run: %s: FAILED: %v", ref.Name, err)
					failSession(ref, err)
				}
				return
			}
			// Interrupted: the analyses finished before are still written.
			for i := range res.Analyses {
				r := &res.Analyses[i]
				e := ManifestEntry{Session: ref.Name, Analysis: r.Analysis, Kind: r.Kind, Key: r.Key, Seconds: r.Seconds}
				if r.Error == "" {
					if err := writeResult(out, r); err != nil {
						r.Error = err.Error()
					}
				}
				if r.Error != "" {
					e.Status, e.Error = "failed", r.Error
					o.progress("run: %s: %s FAILED: %s", ref.Name, r.Analysis, r.Error)
				} else {
					e.Status = "computed"
					e.Path = filepath.ToSlash(filepath.Join("analysis="+r.Analysis, "session="+ref.Name, PartFile))
					o.progress("run: %s: %s done in %.2f s", ref.Name, r.Analysis, r.Seconds)
				}
				record(e)
			}
		}(ref, todo)
	}
	wg.Wait()
	sort.Slice(m.Results, func(a, b int) bool {
		if m.Results[a].Analysis != m.Results[b].Analysis {
			return m.Results[a].Analysis < m.Results[b].Analysis
		}
		return m.Results[a].Session < m.Results[b].Session
	})
	sort.Slice(m.Errors, func(a, b int) bool { return m.Errors[a].Session < m.Errors[b].Session })
	m.Summary.Sessions = len(refs)
	for _, e := range m.Results {
		switch e.Status {
		case "computed":
			m.Summary.Computed++
		case "cached":
			m.Summary.Cached++
		case "failed":
			m.Summary.Failed++
		}
	}
	m.Seconds = time.Since(m.Started).Seconds()
	if m.Errors == nil {
		m.Errors = []ManifestError{}
	}
	if err := writeJSONAtomic(filepath.Join(out, "manifest.json"), m); err != nil {
		return m, err
	}
	if err := ctx.Err(); err != nil {
		return m, err
	}
	if len(m.Errors) > 0 {
		return m, fmt.Errorf("%w: %d of %d sessions failed, %d analyses failed (see %s)", ErrPartial,
			m.Summary.FailedSessions, m.Summary.Sessions, m.Summary.Failed, filepath.Join(out, "manifest.json"))
	}
	return m, nil
}

// testHookSession, if set, is called with +1 when a session starts and −1
// when it ends (tests of the concurrency bounds).
var testHookSession func(delta int)

// storedKey reads the key of a stored result ("" if none or incomplete).
func storedKey(dir string) string {
	if _, err := os.Stat(filepath.Join(dir, PartFile)); err != nil {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(dir, ResultFile))
	if err != nil {
		return ""
	}
	var r struct {
		Key string `json:"key"`
	}
	if json.Unmarshal(b, &r) != nil {
		return ""
	}
	return r.Key
}

// writeResult writes the Parquet part, then result.json (the key marks the
// partition complete, so it goes last).
func writeResult(out string, r *AnalysisResult) error {
	dir := PartitionDir(out, r.Analysis, r.Session)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	os.Remove(filepath.Join(dir, ResultFile))
	if err := r.WriteParquet(filepath.Join(dir, PartFile)); err != nil {
		return err
	}
	return writeJSONAtomic(filepath.Join(dir, ResultFile), r)
}

func writeJSONAtomic(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("pipeline: %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("pipeline: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("pipeline: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("pipeline: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("pipeline: %w", err)
	}
	return nil
}

// ReadManifest reads DIR/manifest.json.
func ReadManifest(dir string) (*Manifest, error) {
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("pipeline: %s/manifest.json: %w", dir, err)
	}
	return &m, nil
}

// ReadResult reads the full result of one manifest entry.
func ReadResult(dir string, e ManifestEntry) (*AnalysisResult, error) {
	p := filepath.Join(PartitionDir(dir, e.Analysis, e.Session), ResultFile)
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("pipeline: %w", err)
	}
	var r AnalysisResult
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("pipeline: %s: %w", p, err)
	}
	return &r, nil
}
