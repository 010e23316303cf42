package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/neurodata/neurodata/allen"
	"github.com/neurodata/neurodata/internal/fetch"
	"github.com/neurodata/neurodata/nwbarrow"
)

// This file adds the allen: references to `neurodata ls` (issue 4); ls.go
// calls addAllenLsFlags and runAllenLs.

// isAllenRef reports whether an argument names Allen data (allen:…).
func isAllenRef(s string) bool { return strings.HasPrefix(s, "allen:") }

const allenLsHelp = `

Allen Brain Observatory (allen:…): with allen: the projects and their
releases; with allen:<project>[@release] the release (latest by default):
its tables and data files; with --table the metadata table, typed (ids
int64, dates as UTC times, lists parsed), filtered by --where and printed
(--json: records) or written with --out (.parquet, .arrow, .csv, .jsonl).
Manifests and tables are kept in --cache-dir (tables verified by the
manifest's BLAKE2b-512).
Visual Coding projects list their sessions on DANDI.`

const allenLsExample = `
  neurodata ls allen:
  neurodata ls allen:visual-behavior-neuropixels@0.5.0
  neurodata ls allen:vbn --table ecephys_sessions --where 'session_number=1' --where 'structure_acronyms=VISp'
  neurodata ls allen:vbo --table ophys_experiment_table --out experiments.parquet`

// addAllenLs documents allen: references and registers their flags on ls.
func addAllenLs(cmd *cobra.Command) {
	cmd.Long += allenLsHelp
	cmd.Example += allenLsExample
	addAllenLsFlags(cmd.Flags())
}

// addAllenLsFlags registers the flags that only apply to allen: arguments.
func addAllenLsFlags(f *pflag.FlagSet) {
	f.String("table", "", "allen: print a metadata table of the release (e.g. ecephys_sessions)")
	f.StringArray("where", nil, "allen: keep rows where column=value (also !=, <, <=, >, >=; lists: = means contains; repeatable, all must hold)")
	f.String("out", "", "allen: write the table to a file (.parquet, .arrow, .csv, .jsonl) instead of printing it")
	addAllenCommonFlags(f)
}

// addAllenCommonFlags registers flags shared by ls and fetch.
func addAllenCommonFlags(f *pflag.FlagSet) {
	f.String("s3-url", "", "allen: S3 base URL replacing AWS (path-style <url>/<bucket>/<key>; default $ALLEN_S3_URL)")
	f.String("cache-dir", "", "allen: where ls keeps manifests and metadata tables (default $ALLEN_CACHE_DIR, else the user cache dir)")
}

func flagString(cmd *cobra.Command, name string) string {
	v, _ := cmd.Flags().GetString(name)
	return v
}

func flagBool(cmd *cobra.Command, name string) bool {
	v, _ := cmd.Flags().GetBool(name)
	return v
}

// allenCacheDir picks the directory ls keeps tables in.
func allenCacheDir(cmd *cobra.Command) (string, error) {
	return allenCacheDirFor(flagString(cmd, "cache-dir"))
}

// allenCacheDirFor is the Allen cache folder for a flag value d: d, else
// $ALLEN_CACHE_DIR, else the user cache dir's neurodata/allen (shared by
// allen ls/fetch and run, so one setting serves them all).
func allenCacheDirFor(d string) (string, error) {
	if d == "" {
		d = os.Getenv("ALLEN_CACHE_DIR")
	}
	if d == "" {
		uc, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("no cache directory (set --cache-dir or ALLEN_CACHE_DIR): %w", err)
		}
		d = filepath.Join(uc, "neurodata", "allen")
	}
	return filepath.Abs(d)
}

// allenErr maps the package's lookup errors to usage errors (exit 2).
func allenErr(err error) error {
	for _, e := range []error{allen.ErrUnknownProject, allen.ErrUnknownRelease, allen.ErrUnknownSession, allen.ErrUnknownTable, allen.ErrBadRef} {
		if errors.Is(err, e) {
			return &UsageError{Err: err}
		}
	}
	return apiErr(err)
}

type allenProjectInfo struct {
	Name      string   `json:"name"`
	Aliases   []string `json:"aliases"`
	Title     string   `json:"title"`
	Source    string   `json:"source"` // "s3" or "dandi"
	Bucket    string   `json:"bucket,omitempty"`
	Dandisets []string `json:"dandisets,omitempty"`
	Releases  []string `json:"releases,omitempty"`
	Error     string   `json:"error,omitempty"`
}

type allenReleaseInfo struct {
	Project   string   `json:"project"`
	Release   string   `json:"release"`
	Releases  []string `json:"releases"`
	Tables    []string `json:"tables"`
	DataFiles int      `json:"data_files"`
	Pipeline  string   `json:"pipeline,omitempty"`
}

func runAllenLs(cmd *cobra.Command, ios *IOStreams, arg string) error {
	ctx := cmd.Context()
	ref, err := allen.ParseRef(arg)
	if err != nil {
		return allenErr(err)
	}
	asJSON := flagBool(cmd, "json")
	client := allen.NewClient(flagString(cmd, "s3-url"), nil)
	tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	if ref.Kind != "" {
		return usagef("ls lists projects, releases and tables; use fetch for %s", arg)
	}
	if ref.Project == "" {
		var out []allenProjectInfo
		for _, p := range allen.Projects {
			pi := allenProjectInfo{Name: p.Name, Aliases: p.Aliases, Title: p.Title, Source: "s3", Bucket: p.Bucket, Dandisets: p.Dandisets}
			if p.Source == allen.DANDIMirror {
				pi.Source = "dandi"
			} else if rs, err := client.Releases(ctx, p); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				pi.Error = err.Error()
			} else {
				pi.Releases = rs
			}
			out = append(out, pi)
		}
		if asJSON {
			return writeJSONOut(ios, out)
		}
		for _, p := range out {
			where := "s3://" + p.Bucket
			if p.Source == "dandi" {
				where = "DANDI:" + strings.Join(p.Dandisets, ",")
			}
			rel := strings.Join(p.Releases, " ")
			switch {
			case p.Error != "":
				rel = "(releases unavailable: " + p.Error + ")"
			case p.Source == "dandi":
				rel = "(sessions: neurodata ls allen:" + p.Aliases[0] + ")"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, strings.Join(p.Aliases, ","), where, rel)
		}
		return nil
	}
	p, _ := allen.LookupProject(ref.Project)
	if p.Source == allen.DANDIMirror {
		return runAllenLsVC(ctx, cmd, ios, p, ref)
	}
	dir, err := allenCacheDir(cmd)
	if err != nil {
		return err
	}
	cache := &allen.Cache{Dir: dir, Client: client}
	if ios.IsTerminal {
		// Metadata tables can be large (units.csv ~130 MB): say what is
		// being fetched (AllenSDK#2631 shows nothing for minutes).
		cache.Fetcher = &fetch.Fetcher{Progress: &lineProgress{w: ios.ErrOut}}
	}
	rel, err := cache.Release(ctx, p, ref.Release)
	if err != nil {
		return allenErr(err)
	}
	if ref.Release == "" {
		fmt.Fprintf(ios.ErrOut, "%s: release %s (latest)\n", p.Name, rel.Name)
	}
	table := flagString(cmd, "table")
	wheres, _ := cmd.Flags().GetStringArray("where")
	if table == "" {
		if len(wheres) > 0 || flagString(cmd, "out") != "" {
			return usagef("--where and --out need --table (one of %s)", strings.Join(rel.Tables(), ", "))
		}
		rs, err := client.Releases(ctx, p)
		if err != nil {
			rs = []string{rel.Name} // manifest read from the cache, bucket unreachable
		}
		info := allenReleaseInfo{Project: p.Name, Release: rel.Name, Releases: rs, Tables: rel.Tables(), DataFiles: len(rel.Manifest.DataFiles)}
		for _, dp := range rel.Manifest.DataPipeline {
			info.Pipeline += dp.Name + " " + dp.Version + " "
		}
		info.Pipeline = strings.TrimSpace(info.Pipeline)
		if asJSON {
			return writeJSONOut(ios, info)
		}
		fmt.Fprintf(tw, "project\t%s\nrelease\t%s\nreleases\t%s\ntables\t%s\ndata files\t%d\npipeline\t%s\n",
			info.Project, info.Release, strings.Join(info.Releases, " "), strings.Join(info.Tables, " "), info.DataFiles, info.Pipeline)
		return nil
	}
	var conds []allen.Cond
	for _, w := range wheres {
		c, err := allen.ParseCond(w)
		if err != nil {
			return &UsageError{Err: err}
		}
		conds = append(conds, c)
	}
	t, err := cache.Table(ctx, rel, table)
	if err != nil {
		return allenErr(err)
	}
	if t, err = t.Filter(conds...); err != nil {
		return &UsageError{Err: err}
	}
	if out := flagString(cmd, "out"); out != "" {
		return writeAllenTable(ios, out, t, p.Name, rel.Name)
	}
	if asJSON {
		rows := make([]map[string]any, t.Rows)
		for r := range rows {
			m := make(map[string]any, len(t.Columns))
			for _, c := range t.Columns {
				m[c.Name] = c.Value(r)
			}
			rows[r] = m
		}
		return writeJSONOut(ios, rows)
	}
	for i, c := range t.Columns {
		if i > 0 {
			fmt.Fprint(tw, "\t")
		}
		fmt.Fprint(tw, c.Name)
	}
	fmt.Fprintln(tw)
	for r := 0; r < t.Rows; r++ {
		for i, c := range t.Columns {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, c.Format(r))
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintf(ios.ErrOut, "%s: %d rows\n", t.Name, t.Rows)
	return nil
}

// lineProgress reports each download on stderr in a few lines: its start
// and every further 25%.
type lineProgress struct {
	w    io.Writer
	mu   sync.Mutex
	done map[*fetch.Job][2]int64 // bytes, total
}

func (l *lineProgress) Start(j *fetch.Job, total, done int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.done == nil {
		l.done = map[*fetch.Job][2]int64{}
	}
	l.done[j] = [2]int64{done, total}
	fmt.Fprintf(l.w, "fetching %s (%s)\n", j.Name, humanBytes(total))
}

func (l *lineProgress) Add(j *fetch.Job, n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	d := l.done[j]
	if d[1] > 0 && (d[0]*4)/d[1] != ((d[0]+n)*4)/d[1] && d[0]+n < d[1] {
		fmt.Fprintf(l.w, "  %s: %d%%\n", j.Name, (d[0]+n)*100/d[1])
	}
	l.done[j] = [2]int64{d[0] + n, d[1]}
}

func (l *lineProgress) Finish(j *fetch.Job, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.done, j)
}

// allenRecordColumns converts a typed table for nwbarrow.FromTypedColumns.
func allenRecordColumns(t *allen.Table) []nwbarrow.TypedCol {
	cols := make([]nwbarrow.TypedCol, len(t.Columns))
	for i, c := range t.Columns {
		tc := nwbarrow.TypedCol{Name: c.Name, Valid: c.Valid}
		switch c.Type {
		case allen.Int64:
			tc.Values = c.Ints
		case allen.Float64:
			tc.Values = c.Floats
		case allen.Bool:
			tc.Values = c.Bools
		case allen.Time:
			tc.Values = c.Times
		case allen.StringList:
			tc.Values = c.StringLists
		case allen.Int64List:
			tc.Values = c.IntLists
		case allen.Float64List:
			tc.Values = c.FloatLists
		default:
			tc.Values = c.Strings
		}
		cols[i] = tc
	}
	return cols
}

func writeAllenTable(ios *IOStreams, out string, t *allen.Table, project, release string) error {
	f, ok := nwbarrow.FormatFromPath(out)
	if !ok {
		return usagef("--out %s: unknown extension (want .parquet, .arrow, .csv or .jsonl)", out)
	}
	meta := map[string]string{"allen.project": project, "allen.release": release, "allen.table": t.Name}
	if err := nwbarrow.WriteTypedColumnsFile(out, f, meta, allenRecordColumns(t)...); err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "%s: %d rows written to %s\n", t.Name, t.Rows, out)
	return nil
}

// runAllenLsVC lists the Visual Coding sessions of the DANDI mirrors.
func runAllenLsVC(ctx context.Context, cmd *cobra.Command, ios *IOStreams, p *allen.Project, ref *allen.Ref) error {
	if w, _ := cmd.Flags().GetStringArray("where"); flagString(cmd, "table") != "" || len(w) > 0 || flagString(cmd, "out") != "" {
		return usagef("%s has no metadata tables here: it is served from DANDI %s (ls lists its sessions)", p.Name, strings.Join(p.Dandisets, ", "))
	}
	dc := dandiClient(flagString(cmd, "api-url"), nil)
	ss, err := allen.VCSessions(ctx, dc, p, ref.Release)
	if err != nil {
		return apiErr(err)
	}
	if flagBool(cmd, "json") {
		return writeJSONOut(ios, ss)
	}
	tw := tabwriter.NewWriter(ios.Out, 0, 4, 2, ' ', 0)
	defer tw.Flush()
	for _, s := range ss {
		kind := "session"
		if s.LFP {
			kind = "lfp"
		}
		fmt.Fprintf(tw, "%d\t%s\tDANDI:%s/%s\t%s\t%d\n", s.SessionID, kind, s.Dandiset, s.Version, s.Path, s.Size)
	}
	return nil
}
