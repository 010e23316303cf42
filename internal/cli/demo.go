package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/internal/report"
	"github.com/neurodata/neurodata/pipeline"
)

func init() { addCommand(newDemoCmd) }

func newDemoCmd(ios *IOStreams) *cobra.Command {
	var dir string
	var force bool
	cmd := &cobra.Command{
		Use:   "demo [-o DIR]",
		Short: "Run tuning, PSTHs, information, decoding, RSA and place fields on the embedded example sessions and write a report",
		Long: `Runs the pipeline (see neurodata run) on the three simulated sessions embedded
in the binary — drifting gratings (Neuropixels-like spikes), natural scenes
(two-photon dF/F with three "DNN layers") and a linear track (place cells) —
then writes DIR/report.html. Offline; a few seconds. The spec it runs is in
DIR/demo.yaml: copy it to start your own.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			t0 := time.Now()
			results := filepath.Join(dir, "results")
			s := pipeline.DemoSpec(results)
			if err := writeFileAtomic(filepath.Join(dir, "demo.yaml"), []byte(pipeline.DemoSpecYAML)); err != nil {
				return err
			}
			m, err := runPipeline(cmd, ios, s, &pipeline.RunOptions{Force: force})
			if err != nil {
				return err
			}
			r, err := report.Build(results, &report.Options{Title: "neurodata demo: three example sessions"})
			if err != nil {
				return err
			}
			html := filepath.Join(dir, "report.html")
			if err := writeReportHTML(r, html); err != nil {
				return err
			}
			fmt.Fprintf(ios.Out, "neurodata demo: %d sessions, %d analyses (%d computed, %d unchanged) in %.1f s\n",
				m.Summary.Sessions, len(m.Results), m.Summary.Computed, m.Summary.Cached, time.Since(t0).Seconds())
			fmt.Fprintf(ios.Out, "  spec     %s\n", filepath.Join(dir, "demo.yaml"))
			fmt.Fprintf(ios.Out, "  results  %s  (Parquet: analysis=NAME/session=SESSION/part-0.parquet, manifest.json)\n", results)
			fmt.Fprintf(ios.Out, "  report   %s  (open it in a browser)\n", html)
			fmt.Fprintf(ios.Out, "next: neurodata run %s -o %s   # edit the spec first; unchanged analyses are skipped\n", filepath.Join(dir, "demo.yaml"), results)
			return nil
		},
	}
	cmd.Flags().StringVarP(&dir, "out", "o", "neurodata-demo", "output directory")
	cmd.Flags().BoolVar(&force, "force", false, "recompute even if unchanged results exist")
	return cmd
}

// writeFileAtomic writes b to path atomically (writeAtomic).
func writeFileAtomic(path string, b []byte) error {
	return writeAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}
