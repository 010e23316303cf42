package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/pipeline"
	"github.com/neurodata/neurodata/pipeline/allenrun"
)

func init() { addCommand(newRunCmd) }

type runFlags struct {
	inputs, analyses []string
	out, memory      string
	jobs, workers    int
	force, asJSON    bool
	apiURL, s3URL    string
	allenCache       string
}

func newRunCmd(ios *IOStreams) *cobra.Command {
	var fl runFlags
	cmd := &cobra.Command{
		Use:   "run [SPEC.yaml] [--input PATH|example:NAME|DANDI:ID ...] [--analysis KIND:key=value,... ...]",
		Short: "Run analyses over many sessions into a partitioned Parquet dataset (resumable)",
		Long: `Runs the analyses of a spec (YAML, unknown fields are errors) over every session
of its inputs: local files or folders (every *.nwb below), embedded examples,
DANDI dandisets (streamed with HTTP range reads, or mode: fetch into a
verified cache; glob filters; --api-url / DANDI_API_URL pick the API as for
ls and fetch), Allen sessions (allen:PROJECT[@RELEASE]/KIND/ID: Visual
Behavior from the cloud cache, fetched into --allen-cache and verified;
Visual Coding streamed from its DANDI mirror).
Analyses and their options are those of the analyze subcommands (tuning, psth,
info, decode, rsa, place, stats), with the same option names.

Sessions run in parallel (--jobs) within a memory budget (--memory, estimated
as 4 × file size per session). A failing session is reported and the others go
on (exit 3). Results go to OUT/analysis=NAME/session=SESSION/part-0.parquet
(plus result.json for the report) and OUT/manifest.json (spec, versions, inputs
with sha256 digests, timings, errors), each written atomically. A rerun skips
every analysis whose content key — sha256 of the input digest, analysis name,
parameters and neurodata version — matches the stored result, so an
interrupted run resumes and changing one parameter recomputes only that
analysis.

The same without a file: --input and --analysis (repeatable), e.g.
  --analysis decode:intervals=drifting_gratings_presentations,by=orientation,decoder=lda,sessions=*gratings*`,
		Example: `  neurodata run spec.yaml
  neurodata run --input ../shared/fixtures --analysis tuning:intervals=drifting_gratings_presentations,by=orientation,sessions=*gratings* --out results
  neurodata report results -o report.html`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runRun(cmd, ios, args, &fl) },
	}
	f := cmd.Flags()
	f.StringArrayVar(&fl.inputs, "input", nil, "input: a file or folder, example:NAME, a DANDI id/URL (DANDI:000021/draft), or allen:REF (repeatable)")
	f.StringArrayVar(&fl.analyses, "analysis", nil, "analysis KIND[:key=value,...] with the analyze subcommand's option names; name=, sessions= select the partition name and sessions (repeatable)")
	f.StringVarP(&fl.out, "out", "o", "", "results directory (default: the spec's out, else results)")
	f.StringVar(&fl.memory, "memory", "", "memory budget for sessions in flight, e.g. 2GiB (default: the spec's, else 1GiB)")
	f.IntVar(&fl.jobs, "jobs", 0, "sessions at once (default: the spec's, else GOMAXPROCS)")
	f.IntVar(&fl.workers, "workers", 0, "parallel workers inside one analysis (default GOMAXPROCS / jobs)")
	f.BoolVar(&fl.force, "force", false, "recompute even unchanged results")
	f.BoolVar(&fl.asJSON, "json", false, "write the manifest as JSON to stdout")
	f.StringVar(&fl.apiURL, "api-url", "", "DANDI API base URL for dandi inputs (default $DANDI_API_URL or the input's instance)")
	f.StringVar(&fl.s3URL, "s3-url", "", "Allen S3 base URL for allen inputs (a mirror; default $ALLEN_S3_URL, else AWS)")
	f.StringVar(&fl.allenCache, "allen-cache", "", "folder allen input sessions are fetched into (default $ALLEN_CACHE_DIR, else the user cache dir's neurodata/allen)")
	return cmd
}

// specFromFlags builds the run's spec from an optional file and the flags.
func specFromFlags(args []string, fl *runFlags) (*pipeline.Spec, error) {
	var s *pipeline.Spec
	if len(args) == 1 {
		var err error
		if s, err = pipeline.LoadSpec(args[0]); err != nil {
			if errors.Is(err, pipeline.ErrSpec) {
				return nil, &UsageError{Err: err}
			}
			return nil, err
		}
	} else {
		s = &pipeline.Spec{}
	}
	for _, in := range fl.inputs {
		switch {
		case strings.HasPrefix(in, "example:"):
			s.Inputs = append(s.Inputs, pipeline.Input{Example: strings.TrimPrefix(in, "example:")})
		case strings.HasPrefix(in, "allen:"):
			s.Inputs = append(s.Inputs, pipeline.Input{Allen: strings.TrimPrefix(in, "allen:")})
		case isRemote(in):
			s.Inputs = append(s.Inputs, pipeline.Input{DANDI: in})
		default:
			s.Inputs = append(s.Inputs, pipeline.Input{Path: in})
		}
	}
	for _, a := range fl.analyses {
		an, err := pipeline.ParseAnalysisFlag(a)
		if err != nil {
			return nil, &UsageError{Err: err}
		}
		s.Analyses = append(s.Analyses, an)
	}
	if fl.out != "" {
		s.Out = fl.out
	}
	if fl.memory != "" {
		s.Memory = fl.memory
	}
	if fl.jobs != 0 {
		s.Jobs = fl.jobs
	}
	if fl.workers != 0 {
		s.Workers = fl.workers
	}
	if len(args) == 0 && len(s.Inputs) == 0 && len(s.Analyses) == 0 {
		return nil, usagef("give a spec file, or --input and --analysis")
	}
	if err := s.Validate(); err != nil {
		return nil, &UsageError{Err: err}
	}
	return s, nil
}

func runRun(cmd *cobra.Command, ios *IOStreams, args []string, fl *runFlags) error {
	s, err := specFromFlags(args, fl)
	if err != nil {
		return err
	}
	o, err := runOptions(fl)
	if err != nil {
		return err
	}
	m, err := runPipeline(cmd, ios, s, o)
	if m != nil {
		if fl.asJSON {
			enc := json.NewEncoder(ios.Out)
			enc.SetIndent("", "  ")
			if e := enc.Encode(m); e != nil && err == nil {
				err = e
			}
		} else {
			writeRunSummary(ios.Out, m, s.Out)
		}
	}
	return err
}

// runOptions are the remote-access options of a run: the DANDI API
// override (--api-url, else DANDI_API_URL, applied per input as ls and fetch
// do) with DANDI_API_KEY, and the Allen resolver (pipeline/allenrun) with
// its cache folder and S3 base (--s3-url, else ALLEN_S3_URL).
func runOptions(fl *runFlags) (*pipeline.RunOptions, error) {
	api := fl.apiURL
	if api == "" {
		api = os.Getenv("DANDI_API_URL")
	}
	dir, err := allenCacheDirFor(fl.allenCache)
	if err != nil { // no user cache dir: a run of local inputs must still work
		dir = filepath.Join(os.TempDir(), "neurodata", "allen")
	}
	key := dandi.WithAPIKey(os.Getenv("DANDI_API_KEY"))
	vc := []dandi.Option{key} // the Visual Coding dandisets, on the archive or the --api-url mirror
	if api != "" {
		vc = append(vc, dandi.WithAPIURL(api))
	}
	return &pipeline.RunOptions{Force: fl.force, DANDIAPIURL: api, DANDI: []dandi.Option{key},
		Allen: allenrun.New(dir, fl.s3URL, vc...)}, nil
}

// runPipeline runs s with o (nil = local inputs only) with progress on
// stderr and maps the pipeline's errors to exit codes.
func runPipeline(cmd *cobra.Command, ios *IOStreams, s *pipeline.Spec, o *pipeline.RunOptions) (*pipeline.Manifest, error) {
	if s.Out == "" {
		s.Out = "results"
	}
	var ro pipeline.RunOptions
	if o != nil {
		ro = *o
	}
	ro.ToolVersion = Version
	ro.Progress = func(msg string) { fmt.Fprintln(ios.ErrOut, msg) } // pipeline.Run serialises the calls
	m, err := pipeline.Run(cmd.Context(), s, &ro)
	switch {
	case err == nil:
	case errors.Is(err, pipeline.ErrSpec):
		err = &UsageError{Err: err}
	case errors.Is(err, pipeline.ErrPartial):
		err = &PartialError{Err: err}
	}
	return m, err
}

func writeRunSummary(w io.Writer, m *pipeline.Manifest, out string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SESSION\tANALYSIS\tSTATUS\tSECONDS\tPATH")
	for _, e := range m.Results {
		p := e.Path
		if e.Error != "" {
			p = e.Error
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f\t%s\n", e.Session, e.Analysis, e.Status, e.Seconds, p)
	}
	tw.Flush()
	for _, e := range m.Errors {
		if e.Analysis == "" {
			fmt.Fprintf(w, "FAILED session %s: %s\n", e.Session, e.Error)
		}
	}
	fmt.Fprintf(w, "%d sessions (%d failed): %d computed, %d unchanged, %d failed in %.1f s; results in %s (manifest.json)\n",
		m.Summary.Sessions, m.Summary.FailedSessions, m.Summary.Computed, m.Summary.Cached, m.Summary.Failed, m.Seconds, out)
}
