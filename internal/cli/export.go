package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
	nwbparquet "github.com/neurodata/neurodata/nwbarrow/parquet" // also registers Parquet output
	"github.com/spf13/cobra"
)

func init() { addCommand(newExportCmd) }

type exportOpts struct {
	tables      []string
	format      string
	out         string
	all         string
	series      bool
	example     string
	batch       int
	compression string
}

func newExportCmd(ios *IOStreams) *cobra.Command {
	o := &exportOpts{}
	cmd := &cobra.Command{
		Use:   "export [FILE|URL] --table NAME [--format parquet|arrow|csv|jsonl] [-o OUT]",
		Short: "Export NWB tables, spike trains and time series as Parquet, Arrow, CSV or JSON Lines",
		Long: `Export NWB content for the ML ecosystem (pandas, polars, DuckDB, R arrow).

--table selects what to export:
  units, trials, electrodes, epochs    the standard tables
  NAME                                 any table by group name (e.g. drifting_gratings_presentations)
  /hdf5/path                           a table or a TimeSeries by its path in the file
  spikes                               spike trains in long format (unit_id, spike_time)

Ragged columns become lists, regions list<int64> row indices, object
references the referenced path; units, descriptions and NWB types go to the
Arrow schema metadata. --all DIR writes every table (plus units_spikes, and
with --series every time series) into DIR. Files are written to a temporary
name and renamed, so an interrupted export leaves no partial file.

Output goes to -o (default TABLE.<format> in the current directory; "-" is
standard output); the format defaults to the -o extension, else Parquet.
Written paths are printed on standard output, one per line.`,
		Example: `  neurodata export --example --table units -o units.parquet
  neurodata export session.nwb --table trials --format csv -o -
  neurodata export session.nwb --all tables/ --series
  neurodata export https://dandiarchive.org/dandiset/000021/draft/files?location=sub-x/sub-x.nwb --table units`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("want at most one NWB file, got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return runExport(cmd, ios, o, args) },
	}
	f := cmd.Flags()
	f.StringSliceVarP(&o.tables, "table", "t", nil, "table to export (repeatable): units|trials|electrodes|epochs|spikes|NAME|/hdf5/path")
	f.StringVarP(&o.format, "format", "f", "", "output format: parquet (default), arrow, csv, jsonl")
	f.StringVarP(&o.out, "output", "o", "", "output file (\"-\" = stdout); default TABLE.<format>")
	f.StringVar(&o.all, "all", "", "export every table into this directory")
	f.BoolVar(&o.series, "series", false, "with --all, also export every time series")
	f.IntVar(&o.batch, "batch-rows", 1<<16, "maximum rows per record batch")
	f.StringVar(&o.compression, "compression", "", "Parquet codec for every column: snappy, zstd, zstd:LEVEL, gzip, brotli, lz4, none (default: Snappy, floating-point columns uncompressed)")
	addExampleFlag(cmd, &o.example)
	return cmd
}

func runExport(cmd *cobra.Command, ios *IOStreams, o *exportOpts, args []string) error {
	arg, ex, err := sessionArg(args, o.example)
	if err != nil {
		return err
	}
	if o.all == "" && len(o.tables) == 0 {
		return usagef("nothing to export: give --table NAME or --all DIR")
	}
	if o.all != "" && (len(o.tables) > 0 || o.out != "") {
		return usagef("--all exports every table; do not combine it with --table or -o")
	}
	if o.series && o.all == "" {
		return usagef("--series only applies with --all (export one series with --table /path/to/series)")
	}
	if len(o.tables) > 1 && o.out != "" {
		return usagef("-o names one output; with several --table values omit -o")
	}
	if o.batch <= 0 {
		return usagef("--batch-rows must be positive")
	}
	format := nwbarrow.Parquet
	if o.format != "" {
		if format, err = nwbarrow.ParseFormat(o.format); err != nil {
			return &UsageError{Err: err}
		}
	} else if o.out != "" && o.out != "-" {
		if f, ok := nwbarrow.FormatFromPath(o.out); ok {
			format = f
		}
	}
	if o.out == "-" && format != nwbarrow.CSV && format != nwbarrow.JSONL && isTerminal(ios.Out) {
		return usagef("refusing to write binary %s to a terminal; use -o FILE or --format csv|jsonl", format)
	}
	opts := []nwbarrow.Option{nwbarrow.WithBatchRows(o.batch)}
	if o.compression != "" {
		if format != nwbarrow.Parquet {
			return usagef("--compression applies to Parquet output, not %s", format)
		}
		codec, level, err := parseCompression(o.compression)
		if err != nil {
			return err
		}
		opts = append(opts, nwbarrow.WithCompression(codec, level))
	}
	f, err := openSession(cmd.Context(), arg, ex)
	if err != nil {
		return err
	}
	defer f.Close()

	if o.all != "" {
		return exportAll(cmd, ios, f, o.all, format, o.series, opts)
	}
	for _, name := range o.tables {
		out := o.out
		if out == "" {
			out = safeName(name) + format.Ext()
		}
		if err := exportOne(cmd, ios, f, name, out, format, opts); err != nil {
			return err
		}
	}
	return nil
}

// parseCompression splits "zstd:3" into codec and level (0 = default).
func parseCompression(s string) (string, int, error) {
	codec, lv, ok := strings.Cut(strings.ToLower(s), ":")
	if !slices.Contains(nwbparquet.Codecs(), codec) {
		return "", 0, usagef("--compression %q: unknown codec (want one of %s)", s, strings.Join(nwbparquet.Codecs(), ", "))
	}
	level := 0
	if ok {
		n, err := strconv.Atoi(lv)
		if err != nil {
			return "", 0, usagef("--compression %q: level %q is not an integer", s, lv)
		}
		level = n
	}
	return codec, level, nil
}

// exportOne exports one table/series/spikes selection to out ("-" = stdout).
func exportOne(cmd *cobra.Command, ios *IOStreams, f *nwb.File, name, out string, format nwbarrow.Format, opts []nwbarrow.Option) error {
	if cmd.Context().Err() != nil {
		return cmd.Context().Err()
	}
	sel, err := nwbarrow.Select(f, name, opts...)
	if err != nil {
		if errors.Is(err, nwb.ErrNotFound) {
			var names []string
			if tabs, terr := f.Tables(); terr == nil {
				for _, ti := range tabs {
					names = append(names, ti.Path)
				}
			}
			return &UsageError{Err: fmt.Errorf("%w; tables in this file: %s", err, strings.Join(names, ", "))}
		}
		return err
	}
	defer sel.Close()
	for _, why := range sel.Skipped() {
		fmt.Fprintf(ios.ErrOut, "neurodata: warning: %s: column left out: %s\n", name, why)
	}
	if out == "-" {
		return sel.Write(ios.Out, format)
	}
	if err := sel.WriteFile(out, format); err != nil {
		return err
	}
	fmt.Fprintln(ios.Out, out)
	return nil
}

// exportAll writes every table (and spikes, and optionally every series)
// into dir; failures of single items make a PartialError.
func exportAll(cmd *cobra.Command, ios *IOStreams, f *nwb.File, dir string, format nwbarrow.Format, series bool, opts []nwbarrow.Option) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tabs, err := f.Tables()
	if err != nil {
		return err
	}
	var items []string
	for _, t := range tabs {
		items = append(items, t.Path)
	}
	if u, err := f.Units(); err == nil && u.HasColumn("spike_times") {
		items = append(items, "spikes")
	}
	if series {
		objs, err := f.AllTimeSeries()
		if err != nil {
			return err
		}
		for _, o := range objs {
			items = append(items, o.Path)
		}
	}
	if len(items) == 0 {
		fmt.Fprintln(ios.ErrOut, "neurodata: no tables in this file")
		return nil
	}
	used := map[string]int{}
	var failed []string
	for _, it := range items {
		base := safeName(it)
		if it == "spikes" {
			base = "units_spikes"
		}
		if n := used[base]; n > 0 {
			base = fmt.Sprintf("%s_%d", base, n+1)
		}
		used[base]++
		out := filepath.Join(dir, base+format.Ext())
		if err := exportOne(cmd, ios, f, it, out, format, opts); err != nil {
			if cmd.Context().Err() != nil {
				return cmd.Context().Err()
			}
			if errors.Is(err, nwbarrow.ErrNoData) {
				fmt.Fprintf(ios.ErrOut, "neurodata: skipped %s: %v\n", it, err)
				continue
			}
			fmt.Fprintf(ios.ErrOut, "neurodata: %s: %v\n", it, err)
			failed = append(failed, it)
		}
	}
	if len(failed) > 0 {
		err := fmt.Errorf("%d of %d exports failed: %s", len(failed), len(items), strings.Join(failed, ", "))
		if len(failed) == len(items) {
			return err
		}
		return &PartialError{Err: err}
	}
	return nil
}

// safeName turns a table name or HDF5 path into a file base name:
// "/intervals/trials" → "intervals_trials", "/units" → "units".
func safeName(s string) string {
	s = strings.Trim(s, "/")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "table"
	}
	return b.String()
}

func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
