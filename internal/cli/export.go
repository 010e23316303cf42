package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet" // registers Parquet output
	"github.com/spf13/cobra"
)

func init() { addCommand(newExportCmd) }

type exportOpts struct {
	tables  []string
	format  string
	out     string
	all     string
	series  bool
	example string
	batch   int
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
	f.IntVar(&o.batch, "batch-rows", 1<<16, "rows per record batch (Parquet row group)")
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
	f, err := openSession(cmd.Context(), arg, ex)
	if err != nil {
		return err
	}
	defer f.Close()
	mem := memory.NewGoAllocator()
	opts := []nwbarrow.Option{nwbarrow.WithBatchRows(o.batch)}

	if o.all != "" {
		return exportAll(cmd, ios, f, o.all, format, o.series, mem, opts)
	}
	for _, name := range o.tables {
		out := o.out
		if out == "" {
			out = safeName(name) + format.Ext()
		}
		if err := exportOne(cmd, ios, f, name, out, format, mem, opts); err != nil {
			return err
		}
	}
	return nil
}

// exportOne exports one table/series/spikes selection to out ("-" = stdout).
func exportOne(cmd *cobra.Command, ios *IOStreams, f *nwb.File, name, out string, format nwbarrow.Format, mem memory.Allocator, opts []nwbarrow.Option) error {
	if cmd.Context().Err() != nil {
		return cmd.Context().Err()
	}
	rr, err := openSelection(f, name, mem, opts)
	if err != nil {
		return err
	}
	defer rr.Release()
	for _, why := range nwbarrow.Skipped(rr.Schema()) {
		fmt.Fprintf(ios.ErrOut, "neurodata: warning: %s: column left out: %s\n", name, why)
	}
	if out == "-" {
		return nwbarrow.Write(ios.Out, format, mem, rr)
	}
	if err := nwbarrow.WriteFile(out, format, mem, rr); err != nil {
		return err
	}
	fmt.Fprintln(ios.Out, out)
	return nil
}

// openSelection maps a --table value to a record stream.
func openSelection(f *nwb.File, name string, mem memory.Allocator, opts []nwbarrow.Option) (array.RecordReader, error) {
	if name == "spikes" || name == "units_spikes" {
		u, err := f.Units()
		if err != nil {
			return nil, err
		}
		return nwbarrow.Spikes(mem, u, opts...)
	}
	if strings.HasPrefix(name, "/") && f.IsA(name, "TimeSeries") {
		s, err := f.TimeSeries(name)
		if err != nil {
			return nil, err
		}
		return nwbarrow.Series(mem, s, opts...)
	}
	t, err := f.ResolveTable(name)
	if err != nil {
		if errors.Is(err, nwb.ErrNotFound) {
			var names []string
			if tabs, terr := f.Tables(); terr == nil {
				for _, ti := range tabs {
					names = append(names, ti.Path)
				}
			}
			return nil, &UsageError{Err: fmt.Errorf("%w; tables in this file: %s", err, strings.Join(names, ", "))}
		}
		return nil, err
	}
	return nwbarrow.Table(mem, t, opts...)
}

// exportAll writes every table (and spikes, and optionally every series)
// into dir; failures of single items make a PartialError.
func exportAll(cmd *cobra.Command, ios *IOStreams, f *nwb.File, dir string, format nwbarrow.Format, series bool, mem memory.Allocator, opts []nwbarrow.Option) error {
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
		if err := exportOne(cmd, ios, f, it, out, format, mem, opts); err != nil {
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
