package cli

import (
	"fmt"
	"math"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/nwbarrow"
	"github.com/neurodata/neurodata/pipeline"
)

func init() { addAnalyzer(newAnalyzeStatsCmd) }

type statsFlags struct {
	anCommon
	intervals  string
	fanoBin, r float64
}

func newAnalyzeStatsCmd(io *IOStreams) *cobra.Command {
	var fl statsFlags
	cmd := &cobra.Command{
		Use:   "stats FILE",
		Short: "Spike-train statistics per unit: rate, ISI, CV, CV2, LV, LvR, Fano factor",
		Long: `Reports per unit (Elephant conventions): number of spikes, mean rate
(spikes / duration of the session's spike span, or of --intervals), mean ISI,
ISI CV (population sd), CV2, LV, LvR (refractory constant --lvr-r seconds)
and the Fano factor (population variance / mean) of spike counts in
consecutive --fano-bin second bins, or per row of --intervals.`,
		Example: `  neurodata analyze stats --example
  neurodata analyze stats session.nwb --intervals trials --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runAnalyzeStats(cmd, io, args, &fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.intervals, "intervals", "", "restrict to the rows of this intervals table (rates over their total duration, Fano over rows)")
	f.Float64Var(&fl.fanoBin, "fano-bin", 1, "bin width in seconds for the Fano factor (without --intervals)")
	f.Float64Var(&fl.r, "lvr-r", 0.005, "LvR refractory constant R in seconds")
	fl.anCommon.add(cmd, "(none for stats)")
	return cmd
}

type statsUnitOut struct {
	UnitID  int64 `json:"unit_id"`
	NSpikes int   `json:"n_spikes"`
	Rate    jnum  `json:"rate_hz"`
	MeanISI jnum  `json:"mean_isi_s"`
	CV      jnum  `json:"cv"`
	CV2     jnum  `json:"cv2"`
	LV      jnum  `json:"lv"`
	LvR     jnum  `json:"lvr"`
	Fano    jnum  `json:"fano"`
}

func runAnalyzeStats(cmd *cobra.Command, io *IOStreams, args []string, fl *statsFlags) error {
	if err := fl.check(); err != nil {
		return err
	}
	if fl.plotDir != "" {
		return usagef("--plot: analyze stats draws no figures")
	}
	if !(fl.fanoBin > 0) || math.IsInf(fl.fanoBin, 0) || !(fl.r >= 0) {
		return usagef("--fano-bin must be > 0 and --lvr-r >= 0")
	}
	p := &pipeline.StatsParams{Intervals: fl.intervals, FanoBin: fl.fanoBin, LvRR: &fl.r, Units: fl.units, Workers: fl.workers}
	res, name, err := anStep(cmd, args, &fl.anCommon, p, pipeline.Stats)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(io.ErrOut, "stats:", w)
	}
	out := struct {
		Provenance anProvenance   `json:"provenance"`
		Units      []statsUnitOut `json:"units"`
	}{Provenance: newAnProvenance("stats", name, "rates in Hz, ISIs in seconds", res.Provenance)}
	for _, s := range res.Units {
		out.Units = append(out.Units, statsUnitOut{UnitID: s.UnitID, NSpikes: s.NSpikes, Rate: jnum(s.Rate), MeanISI: jnum(s.MeanISI),
			CV: jnum(s.CV), CV2: jnum(s.CV2), LV: jnum(s.LV), LvR: jnum(s.LvR), Fano: jnum(s.Fano)})
	}
	if fl.out != "" {
		n := len(out.Units)
		id, ns := make([]int64, n), make([]int64, n)
		cols := make([][]float64, 7)
		for c := range cols {
			cols[c] = make([]float64, n)
		}
		for i, u := range out.Units {
			id[i], ns[i] = u.UnitID, int64(u.NSpikes)
			for c, v := range []jnum{u.Rate, u.MeanISI, u.CV, u.CV2, u.LV, u.LvR, u.Fano} {
				cols[c][i] = float64(v)
			}
		}
		if err := anWriteTable(fl.out, out.Provenance,
			nwbarrow.Col{Name: "unit_id", Values: id}, nwbarrow.Col{Name: "n_spikes", Values: ns},
			nwbarrow.Col{Name: "rate_hz", Values: cols[0], Unit: "Hz"}, nwbarrow.Col{Name: "mean_isi_s", Values: cols[1], Unit: "s"},
			nwbarrow.Col{Name: "cv", Values: cols[2], Description: "ISI sd (ddof 0) / mean"}, nwbarrow.Col{Name: "cv2", Values: cols[3]},
			nwbarrow.Col{Name: "lv", Values: cols[4]}, nwbarrow.Col{Name: "lvr", Values: cols[5]},
			nwbarrow.Col{Name: "fano", Values: cols[6], Description: "var (ddof 0) / mean of counts"}); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "stats: wrote %s\n", fl.out)
	}
	if fl.asJSON {
		return anWriteJSON(io.Out, out)
	}
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "unit_id\tn_spikes\trate_hz\tmean_isi_s\tcv\tcv2\tlv\tlvr\tfano\t")
	for _, r := range out.Units {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.UnitID, r.NSpikes, fmtNum(r.Rate), fmtNum(r.MeanISI),
			fmtNum(r.CV), fmtNum(r.CV2), fmtNum(r.LV), fmtNum(r.LvR), fmtNum(r.Fano))
	}
	return tw.Flush()
}
