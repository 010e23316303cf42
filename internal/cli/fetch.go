package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/neurodata/neurodata/allen"
	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/internal/fetch"
)

func init() { addCommand(newFetchCmd) }

type fetchOptions struct {
	output           string
	jobs             int
	existing         string
	include, exclude []string
	dryRun, json     bool
	apiURL           string
}

// dandiClient builds a client from --api-url / DANDI_API_URL (which win
// over the URL's own instance) and DANDI_API_KEY (never printed).
func dandiClient(flagURL string, r *dandi.Resource) *dandi.Client {
	api := flagURL
	if api == "" {
		api = os.Getenv("DANDI_API_URL")
	}
	if r != nil {
		api = r.APIFor(api)
	}
	return dandi.NewClient(dandi.WithAPIURL(api), dandi.WithAPIKey(os.Getenv("DANDI_API_KEY")))
}

func newFetchCmd(ios *IOStreams) *cobra.Command {
	var o fetchOptions
	cmd := &cobra.Command{
		Use:   "fetch URL|ID...",
		Short: "Download dandisets or assets from DANDI, verified and resumable",
		Long: `fetch downloads DANDI assets into DIR/<dandiset id>/<asset path>.

Every identifier form dandi-cli accepts works: DANDI:000021[/version],
000021, archive web URLs (…/dandiset/000021/draft/files?location=sub-1),
API URLs (…/assets/?path=… or ?glob=…, asset URLs) and
dandi://dandi/000021@version/path. Without a version the most recent
published version is used, else draft; the choice is printed. The
version's metadata is written to DIR/<dandiset id>/dandiset.yaml, as
dandi-cli does.

Files are written to NAME.ndpart, fetched in ranged parts (--jobs files at
once), resumed with Range + If-Range after an interruption, verified
against the dandi-etag and sha256 from the asset metadata on every
completion, stamped with the asset's mtime and renamed into place; a
partial or corrupt file never appears under its final name. Network
errors, 429 and 5xx are retried with jittered backoff honouring
Retry-After; stalled transfers are restarted.

Zarr assets (.nwb.zarr) become directories DIR/<dandiset id>/<asset
path>/: their files are listed page by page, fetched --jobs at once into
<asset path>.ndpart/, each verified against its MD5, and the directory is
renamed into place only when the tree checksum computed from the local
files equals the asset's dandi:dandi-zarr-checksum. An interrupted run
resumes (entries already fetched are kept). neurodata reads HDF5 NWB only:
open a fetched .nwb.zarr with hdmf-zarr / pynwb (NWBZarrIO).

--existing says what to do with a file already present: refresh (default:
keep it when size and digest match; a matching mtime from an earlier
verified fetch stands in for the digest), skip, overwrite-different
(always compare digests), overwrite, error. For a Zarr directory the
policy applies to the tree: refresh keeps it when its files and tree
checksum match, else rebuilds it fetching only the changed entries.

The API base comes from --api-url, then DANDI_API_URL, then the URL. The
key in DANDI_API_KEY is sent as "Authorization: token …" to the API host
only and never printed.

Exit status: 0 all files verified or skipped, 3 some files failed (each
is listed), 4 access refused, 2 bad arguments, 130 interrupted.`,
		Example: `  neurodata fetch DANDI:000021 -o data
  neurodata fetch --dry-run 'https://dandiarchive.org/dandiset/000021/draft/files?location=sub-1'
  neurodata fetch --include '*.nwb' --exclude '*ophys*' --jobs 8 000021
  neurodata fetch --api-url http://127.0.0.1:8080/api DANDI:000021/draft`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("fetch needs at least one URL or dandiset id")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 && isAllenRef(args[0]) { // allen: hook (issue 4), see allen_fetch.go
				return runAllenFetch(cmd, ios, args)
			}
			return runFetch(cmd.Context(), ios, &o, args)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.output, "output", "o", ".", "destination directory")
	f.IntVarP(&o.jobs, "jobs", "J", 6, "files downloaded at once")
	f.StringVar(&o.existing, "existing", "refresh", "policy for existing files: refresh|skip|overwrite-different|overwrite|error")
	f.StringArrayVar(&o.include, "include", nil, "only assets whose path matches this glob (repeatable; * within a name, ** across /)")
	f.StringArrayVar(&o.exclude, "exclude", nil, "skip assets whose path matches this glob (repeatable)")
	f.BoolVar(&o.dryRun, "dry-run", false, "list what would be fetched and the total size, fetch nothing")
	f.BoolVar(&o.json, "json", false, "print a JSON summary on stdout")
	f.StringVar(&o.apiURL, "api-url", "", "DANDI API base URL (default $DANDI_API_URL or the URL's instance)")
	addAllenFetch(cmd) // allen: hook (issue 4), see allen_fetch.go
	return cmd
}

// zarrTarget is a Zarr asset to fetch with the client that resolved it.
type zarrTarget struct {
	client *dandi.Client
	job    dandi.ZarrJob
}

// fetchSummary is the --json output (fields may be added, never renamed).
type fetchSummary struct {
	Targets []fetchTarget `json:"targets"`
	Files   int           `json:"files"`
	Bytes   int64         `json:"bytes"` // bytes received (or planned, with --dry-run)
	// Downloaded, Skipped and Failed count files by outcome.
	Downloaded int          `json:"downloaded"`
	Skipped    int          `json:"skipped"`
	Failed     int          `json:"failed"`
	Seconds    float64      `json:"seconds"`
	DryRun     bool         `json:"dry_run"`
	Items      []fetchItem  `json:"items"`
	Errors     []fetchError `json:"errors"`
}

type fetchTarget struct {
	Input    string `json:"input"`
	APIURL   string `json:"api_url"`
	Dandiset string `json:"dandiset,omitempty"`
	Version  string `json:"version,omitempty"`
	Resolved bool   `json:"version_resolved"`
	Assets   int    `json:"assets"`
	// Metadata is the dandiset.yaml written for the target, if any.
	Metadata string `json:"metadata,omitempty"`
}

type fetchItem struct {
	Path string `json:"path"`
	Dest string `json:"dest"`
	// Kind is "zarr" for a Zarr asset (Dest is then a directory, Size its
	// total bytes and Entries its file count); "" for a file.
	Kind    string            `json:"kind,omitempty"`
	Entries int               `json:"entries,omitempty"`
	Size    int64             `json:"size"`
	Status  string            `json:"status"`
	Bytes   int64             `json:"bytes"`
	Resumed bool              `json:"resumed,omitempty"`
	Digests map[string]string `json:"digests,omitempty"`
	Error   string            `json:"error,omitempty"`
	Note    string            `json:"note,omitempty"`
}

// zarrNote tells users what to do with a fetched Zarr NWB.
const zarrNote = "Zarr NWB: neurodata reads HDF5 NWB only; open it with hdmf-zarr/pynwb (NWBZarrIO)"

type fetchError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

func runFetch(ctx context.Context, ios *IOStreams, o *fetchOptions, args []string) error {
	policy, err := fetch.ParseExisting(o.existing)
	if err != nil {
		return &UsageError{Err: err}
	}
	if o.jobs < 1 || o.jobs > 256 {
		return usagef("--jobs must be between 1 and 256")
	}
	for _, g := range append(append([]string(nil), o.include...), o.exclude...) {
		if _, err := filepath.Match(g, ""); err != nil {
			return usagef("bad glob %q: %v", g, err)
		}
	}
	out, err := filepath.Abs(o.output)
	if err != nil {
		return err
	}
	start := time.Now()
	var sum fetchSummary
	sum.DryRun = o.dryRun
	var jobs []fetch.Job
	var zjobs []zarrTarget
	var client *dandi.Client
	type metaTarget struct {
		client *dandi.Client
		sel    *dandi.Selection
		target int // index in sum.Targets
	}
	var metas []metaTarget
	for _, a := range args {
		r, err := dandi.ParseURL(a)
		if err != nil {
			return &UsageError{Err: err}
		}
		if r.Kind == dandi.KindDandisetList || r.Kind == dandi.KindURL {
			return usagef("%q does not name dandiset assets", a)
		}
		client = dandiClient(o.apiURL, r)
		sel, err := client.Resolve(ctx, r)
		if err != nil {
			return apiErr(err)
		}
		if sel.DandisetID != "" {
			how := "as given"
			if sel.VersionResolved {
				how = "most recent published, else draft"
			}
			fmt.Fprintf(ios.ErrOut, "%s: dandiset %s version %s (%s), %d assets\n", a, sel.DandisetID, sel.Version, how, len(sel.Assets))
		}
		po := dandi.PlanOptions{Include: o.include, Exclude: o.exclude, Zarr: true}
		js, skipped, err := client.Plan(sel, out, po)
		if err != nil {
			return err
		}
		for _, s := range skipped {
			fmt.Fprintln(ios.ErrOut, "skipping", s)
		}
		zs, err := client.PlanZarrs(sel, out, po)
		if err != nil {
			return err
		}
		for _, z := range zs {
			zjobs = append(zjobs, zarrTarget{client, z})
		}
		sum.Targets = append(sum.Targets, fetchTarget{Input: a, APIURL: client.APIURL(), Dandiset: sel.DandisetID, Version: sel.Version, Resolved: sel.VersionResolved, Assets: len(js) + len(zs)})
		if sel.DandisetID != "" {
			metas = append(metas, metaTarget{client, sel, len(sum.Targets) - 1})
		}
		jobs = append(jobs, js...)
	}
	sum.Files = len(jobs) + len(zjobs)
	if o.dryRun {
		for _, j := range jobs {
			sum.Bytes += j.Size
			sum.Items = append(sum.Items, fetchItem{Path: j.Name, Dest: j.Dest, Size: j.Size, Status: "planned"})
			if !o.json {
				fmt.Fprintf(ios.Out, "%s\t%d\n", j.Dest, j.Size)
			}
		}
		for _, z := range zjobs {
			sum.Bytes += z.job.Size
			sum.Items = append(sum.Items, fetchItem{Path: z.job.Path, Dest: z.job.Dest, Kind: "zarr", Size: z.job.Size, Status: "planned", Note: zarrNote})
			if !o.json {
				fmt.Fprintf(ios.Out, "%s%c\t%d\t(Zarr directory)\n", z.job.Dest, filepath.Separator, z.job.Size)
			}
		}
		sum.Seconds = time.Since(start).Seconds()
		if o.json {
			return writeJSONOut(ios, sum)
		}
		fmt.Fprintf(ios.Out, "total: %d files, %d bytes (%s)\n", sum.Files, sum.Bytes, humanBytes(sum.Bytes))
		return nil
	}
	// DIR/<dandiset id>/dandiset.yaml: the version metadata, as dandi-cli
	// writes it. A failure here does not stop the downloads; it makes the
	// run partial (exit 3).
	metaFailed := 0
	for _, m := range metas {
		p, err := m.client.WriteDandisetYAML(ctx, m.sel, out)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			metaFailed++
			rel := m.sel.DandisetID + "/" + dandi.DandisetYAML
			sum.Errors = append(sum.Errors, fetchError{Path: rel, Error: err.Error()})
			fmt.Fprintf(ios.ErrOut, "%s: %v\n", rel, err)
			continue
		}
		sum.Targets[m.target].Metadata = p
	}
	f := &fetch.Fetcher{Jobs: o.jobs, Existing: policy, Root: out, Client: client.HTTPClient()}
	var bars *barProgress
	if ios.IsTerminal {
		var total int64
		for _, j := range jobs {
			total += j.Size
		}
		for _, z := range zjobs {
			total += z.job.Size
		}
		bars = newBarProgress(ios, total)
		f.Progress = bars
	}
	res, ferr := f.Fetch(ctx, jobs)
	authFailed := 0
	for _, r := range res {
		if sum.record(ios, r, nil, ferr != nil) {
			authFailed++
		}
	}
	// Zarr assets, one after the other, each with --jobs entries at once.
	for _, z := range zjobs {
		if ferr == nil {
			ferr = ctx.Err()
		}
		if ferr != nil {
			break
		}
		zf := *f
		zf.Progress = nil
		zo := &dandi.ZarrFetchOptions{Fetcher: &zf}
		if bars != nil {
			zo.Progress = bars
		} else {
			fmt.Fprintf(ios.ErrOut, "%s: Zarr asset, fetching into %s%c\n", z.job.Path, z.job.Dest, filepath.Separator)
		}
		zr := z.client.FetchZarr(ctx, z.job, zo)
		if ctx.Err() != nil {
			ferr = ctx.Err()
		}
		if sum.record(ios, zr.Result, nil, ferr != nil) {
			authFailed++
		}
		it := &sum.Items[len(sum.Items)-1]
		it.Kind, it.Entries, it.Note = "zarr", zr.Entries, zarrNote
		switch {
		case zr.Err == nil && zr.Checksum == "":
			fmt.Fprintf(ios.ErrOut, "%s: %s (existing directory kept unverified, --existing %s); %s\n", z.job.Path, zr.Status, o.existing, zarrNote)
		case zr.Err == nil:
			fmt.Fprintf(ios.ErrOut, "%s: %s, %d entries (%d fetched, %d kept), tree checksum %s verified; %s\n",
				z.job.Path, zr.Status, zr.Entries, zr.EntriesDownloaded, zr.EntriesSkipped, zr.Checksum, zarrNote)
		}
	}
	if bars != nil {
		bars.done()
	}
	sum.Seconds = time.Since(start).Seconds()
	if o.json {
		if err := writeJSONOut(ios, sum); err != nil {
			return err
		}
	}
	fmt.Fprintf(ios.ErrOut, "%d downloaded, %d skipped, %d failed; %s in %.1f s\n", sum.Downloaded, sum.Skipped, sum.Failed, humanBytes(sum.Bytes), sum.Seconds)
	err = fetchExit(ferr, sum.Failed, sum.Files, authFailed, sum.Downloaded+sum.Skipped)
	if err == nil && metaFailed > 0 {
		err = &PartialError{Err: fmt.Errorf("%d %s file(s) not written", metaFailed, dandi.DandisetYAML)}
	}
	return err
}

// record adds one fetch result to s: its item, its bytes and its outcome
// count. Files in allen.StatusLinked count in *linked when linked is not nil;
// any other status but downloaded or skipped is a failure, listed in
// s.Errors and, unless quiet, printed to stderr. auth reports a failure
// caused by fetch.ErrAuth.
func (s *fetchSummary) record(ios *IOStreams, r fetch.Result, linked *int, quiet bool) (auth bool) {
	it := fetchItem{Path: r.Job.Name, Dest: r.Job.Dest, Size: r.Job.Size, Status: string(r.Status), Bytes: r.Bytes, Resumed: r.Resumed, Digests: r.Digests}
	s.Bytes += r.Bytes
	switch {
	case r.Status == fetch.StatusDownloaded:
		s.Downloaded++
	case r.Status == fetch.StatusSkipped:
		s.Skipped++
	case linked != nil && r.Status == allen.StatusLinked:
		*linked++
	default:
		s.Failed++
		msg := "not attempted"
		if r.Err != nil {
			msg = r.Err.Error()
		}
		auth = errors.Is(r.Err, fetch.ErrAuth)
		it.Error = msg
		s.Errors = append(s.Errors, fetchError{Path: r.Job.Name, Error: msg})
		if !quiet {
			fmt.Fprintln(ios.ErrOut, "error:", msg)
		}
	}
	s.Items = append(s.Items, it)
	return auth
}

// fetchExit maps the outcome of a fetch to the command's error: ferr as is,
// else an AuthError when every one of the failed files (of total) failed on
// authentication and none succeeded, else a PartialError when any failed.
func fetchExit(ferr error, failed, total, authFailed, succeeded int) error {
	if ferr != nil {
		return ferr
	}
	if failed > 0 {
		err := fmt.Errorf("%d of %d files failed", failed, total)
		if authFailed == failed && succeeded == 0 {
			return &AuthError{Err: err}
		}
		return &PartialError{Err: err}
	}
	return nil
}

// apiErr maps API failures to exit codes.
func apiErr(err error) error {
	if errors.Is(err, dandi.ErrAuth) {
		return &AuthError{Err: err}
	}
	return err
}

func writeJSONOut(ios *IOStreams, v any) error {
	enc := json.NewEncoder(ios.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 5; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// barProgress draws one bar per active file plus a total on stderr.
type barProgress struct {
	p     *mpb.Progress
	total *mpb.Bar
	mu    sync.Mutex
	bars  map[*fetch.Job]*mpb.Bar
}

func newBarProgress(ios *IOStreams, total int64) *barProgress {
	p := mpb.New(mpb.WithOutput(ios.ErrOut), mpb.WithWidth(32), mpb.WithRefreshRate(200*time.Millisecond))
	t := p.AddBar(total, mpb.BarPriority(1<<30),
		mpb.PrependDecorators(decor.Name("total "), decor.CountersKibiByte("% .1f / % .1f")),
		mpb.AppendDecorators(decor.AverageSpeed(decor.SizeB1024(0), "% .1f")))
	return &barProgress{p: p, total: t, bars: map[*fetch.Job]*mpb.Bar{}}
}

func (b *barProgress) Start(j *fetch.Job, total, done int64) {
	name := j.Name
	if len(name) > 40 {
		name = "…" + name[len(name)-39:]
	}
	bar := b.p.AddBar(total, mpb.BarRemoveOnComplete(),
		mpb.PrependDecorators(decor.Name(name, decor.WC{W: 41, C: decor.DindentRight})),
		mpb.AppendDecorators(decor.Percentage()))
	bar.SetCurrent(done)
	b.total.IncrInt64(done)
	b.mu.Lock()
	b.bars[j] = bar
	b.mu.Unlock()
}

func (b *barProgress) Add(j *fetch.Job, n int64) {
	b.mu.Lock()
	bar := b.bars[j]
	b.mu.Unlock()
	if bar != nil {
		bar.IncrInt64(n)
	}
	b.total.IncrInt64(n)
}

func (b *barProgress) Finish(j *fetch.Job, err error) {
	b.mu.Lock()
	bar := b.bars[j]
	delete(b.bars, j)
	b.mu.Unlock()
	if bar != nil {
		bar.Abort(true)
	}
}

func (b *barProgress) done() {
	b.total.Abort(false)
	b.p.Wait()
}
