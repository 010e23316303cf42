package cli

import (
	"context"
	"encoding/json"
	"io"

	"github.com/neurodata/neurodata/nwb"
	"github.com/spf13/cobra"
)

// inspectNWB writes the NWB view of a session (path, URL, or embedded
// example) to w: metadata, neurodata types, tables with row counts and
// columns, time series with shapes, rates and durations, processing
// modules and stimulus templates. asJSON selects the stable JSON form
// (nwb.Summary). The inspect command (inspect.go) calls this for NWB files.
func inspectNWB(ctx context.Context, w io.Writer, arg, example string, asJSON bool) error {
	f, err := openSession(ctx, arg, example)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeNWBSummary(w, f, asJSON)
}

// writeNWBSummary renders nwb.Summarize(f) as text or JSON.
func writeNWBSummary(w io.Writer, f *nwb.File, asJSON bool) error {
	s, err := nwb.Summarize(f)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(s)
	}
	return s.WriteText(w)
}

// When no other file registers an "inspect" verb (inspect.go, owned by the
// HDF5 work, normally does and calls inspectNWB for NWB files), register a
// minimal NWB-only one so `neurodata inspect --example` works. Files'
// init functions run in file-name order, so inspect.go's registration is
// already visible here.
func init() {
	for _, mk := range commands {
		if mk(&IOStreams{In: nil, Out: io.Discard, ErrOut: io.Discard}).Name() == "inspect" {
			return
		}
	}
	addCommand(newInspectNWBCmd)
}

func newInspectNWBCmd(ios *IOStreams) *cobra.Command {
	var example string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "inspect [FILE|URL]",
		Short: "Show what an NWB file holds: metadata, types, tables, time series",
		Example: `  neurodata inspect --example
  neurodata inspect session.nwb --json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			arg, ex, err := sessionArg(args, example)
			if err != nil {
				return err
			}
			return inspectNWB(cmd.Context(), ios.Out, arg, ex, asJSON)
		},
	}
	addExampleFlag(cmd, &example)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}
