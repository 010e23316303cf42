package cli

import (
	"context"
	"encoding/json"
	"io"

	"github.com/neurodata/neurodata/nwb"
)

// inspectNWB writes the NWB view of a session (path, URL, or embedded
// example) to w: metadata, neurodata types, tables with row counts and
// columns, time series with shapes, rates and durations, processing
// modules and stimulus templates. asJSON selects the stable JSON form
// (nwb.Summary). The inspect command (inspect.go) calls this for --nwb.
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
