package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/internal/report"
)

func init() { addCommand(newReportCmd) }

func newReportCmd(ios *IOStreams) *cobra.Command {
	var out, format, title string
	var maxUnits int
	cmd := &cobra.Command{
		Use:   "report RESULTS [-o report.html | --format png -o DIR]",
		Short: "Turn `neurodata run` results into one self-contained HTML report, or figure files",
		Long: `Reads RESULTS/manifest.json and the results of a neurodata run and writes one
HTML file (inline SVG figures and CSS, no scripts, nothing fetched from the
network): a cross-session summary, then a section per session with tuning
curves, place maps, information per unit, decoding accuracy (vs number of
units and over time), confusion matrices, RDMs and model comparisons with
noise ceilings. Each figure has a caption saying how to read it.

With --format png (or svg) the figures are written as individual files into
the directory -o instead.`,
		Example: `  neurodata report results -o report.html
  neurodata report results --format png -o figures/`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "html" && format != "png" && format != "svg" {
				return usagef("--format %q: want html, png or svg", format)
			}
			if _, err := os.Stat(filepath.Join(args[0], "manifest.json")); err != nil {
				return usagef("%s is not a neurodata run results directory (no manifest.json)", args[0])
			}
			r, err := report.Build(args[0], &report.Options{Title: title, MaxUnits: maxUnits})
			if err != nil {
				return err
			}
			if format != "html" {
				if out == "" {
					out = "figures"
				}
				paths, err := r.WriteFigures(out, format)
				if err != nil {
					return err
				}
				fmt.Fprintf(ios.Out, "%d figures in %s\n", len(paths), out)
				return nil
			}
			if out == "" {
				out = "report.html"
			}
			if err := writeReportHTML(r, out); err != nil {
				return err
			}
			fmt.Fprintln(ios.Out, out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "out", "o", "", "output file (html; default report.html) or directory (png, svg; default figures)")
	f.StringVar(&format, "format", "html", "html, png or svg")
	f.StringVar(&title, "title", "", "report title")
	f.IntVar(&maxUnits, "max-units", 12, "most units drawn per per-unit figure")
	return cmd
}

// writeReportHTML writes the report atomically (writeAtomic).
func writeReportHTML(r *report.Report, out string) error {
	return writeAtomic(out, r.WriteHTML)
}

// writeAtomic creates path's folder and writes path (mode 0644) through a
// temporary file beside it and a rename, so no half-written file is ever
// at path.
func writeAtomic(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	err = write(tmp)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
