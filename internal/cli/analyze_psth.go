package cli

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/internal/plots"
	"github.com/neurodata/neurodata/nwbarrow"
	"github.com/neurodata/neurodata/pipeline"
)

func init() { addAnalyzer(newAnalyzePSTHCmd) }

type psthFlags struct {
	anCommon
	intervals, align, window, where string
	bin, smooth                     float64
	maxPlots                        int
}

func newAnalyzePSTHCmd(io *IOStreams) *cobra.Command {
	var fl psthFlags
	cmd := &cobra.Command{
		Use:   "psth FILE --intervals NAME",
		Short: "Peri-stimulus time histograms and rasters around the rows of an intervals table",
		Long: `Aligns every unit's spikes to the start (or --align stop) of each row of the
intervals table NAME, counts them in half-open bins of --bin seconds over
--window, and reports the mean rate (Hz) and SEM across events per bin.
--where COLUMN=VALUE keeps only matching rows (e.g. --where orientation=90).`,
		Example: `  neurodata analyze psth --example --intervals drifting_gratings_presentations --window -0.5:2.5 --bin 0.05 --plot figs
  neurodata analyze psth session.nwb --intervals trials --where stimCategory=1 --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runAnalyzePSTH(cmd, io, args, &fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.intervals, "intervals", "", "intervals table name or path whose rows are the events")
	f.StringVar(&fl.align, "align", "start", "event time: start or stop of each row")
	f.StringVar(&fl.window, "window", "-0.5:1", "window START:STOP in seconds around each event")
	f.Float64Var(&fl.bin, "bin", 0.01, "bin width in seconds")
	f.Float64Var(&fl.smooth, "smooth", 0, "Gaussian smoothing sigma in seconds applied to the mean rate (0 = none)")
	f.StringVar(&fl.where, "where", "", "keep rows with COLUMN=VALUE")
	f.IntVar(&fl.maxPlots, "max-plots", 12, "most units drawn")
	fl.anCommon.add(cmd, "psth (raster above PSTH per unit)")
	_ = cmd.MarkFlagRequired("intervals")
	return cmd
}

type psthUnitOut struct {
	UnitID int64  `json:"unit_id"`
	Rates  []jnum `json:"rates"`
	SEM    []jnum `json:"sem"`
}

type psthOut struct {
	Provenance anProvenance  `json:"provenance"`
	Centers    []float64     `json:"bin_centers_s"`
	NEvents    int           `json:"n_events"`
	Units      []psthUnitOut `json:"units"`
}

func runAnalyzePSTH(cmd *cobra.Command, io *IOStreams, args []string, fl *psthFlags) error {
	if err := fl.check(); err != nil {
		return err
	}
	if !(fl.bin > 0) {
		return usagef("--bin %g: want a positive bin width", fl.bin)
	}
	p := &pipeline.PSTHParams{Intervals: fl.intervals, Align: fl.align, Window: fl.window, Bin: fl.bin, Smooth: fl.smooth,
		Where: fl.where, Units: fl.units, Rasters: max(fl.maxPlots, 1), Workers: fl.workers}
	if fl.window == "" {
		return usagef("--window \"\": want START:STOP")
	}
	res, name, err := anStep(cmd, args, &fl.anCommon, p, pipeline.PSTH)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.ErrOut, "psth: %d units, %d events, window %s s, %g s bins\n", len(res.Units), res.NEvents, fl.window, fl.bin)
	out := psthOut{Provenance: newAnProvenance("psth", name, "rates and sem in Hz; times in seconds from the event", res.Provenance),
		Centers: res.Centers, NEvents: res.NEvents}
	out.Provenance.Params["intervals"] = res.Intervals
	out.Provenance.Params["align"] = fl.align
	out.Provenance.Params["where"] = fl.where
	out.Provenance.Params["units"] = fl.units
	for _, u := range res.Units {
		out.Units = append(out.Units, psthUnitOut{UnitID: u.UnitID, Rates: jnums(u.Rates), SEM: jnums(u.SEM)})
	}
	if fl.out != "" {
		n := len(out.Units)
		id := make([]int64, n)
		r, s := make([][]float64, n), make([][]float64, n)
		for i, u := range out.Units {
			id[i], r[i], s[i] = u.UnitID, res.Units[i].Rates, res.Units[i].SEM
		}
		cs := make([]string, len(res.Centers))
		for i, c := range res.Centers {
			cs[i] = strconv.FormatFloat(c, 'g', 6, 64)
		}
		if err := anWriteTable(fl.out, out.Provenance,
			nwbarrow.Col{Name: "unit_id", Values: id},
			nwbarrow.Col{Name: "rates", Values: r, Unit: "Hz", Description: "mean rate per bin; bin centres (s): " + strings.Join(cs, ",")},
			nwbarrow.Col{Name: "sem", Values: s, Unit: "Hz"}); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "psth: wrote %s\n", fl.out)
	}
	if err := writeFigures(io, "psth", fl.plotDir, func(dir string) error { return plotPSTH(dir, res, fl.align) }); err != nil {
		return err
	}
	if fl.asJSON {
		return anWriteJSON(io.Out, out)
	}
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "unit_id\tmean_hz\tpeak_hz\tpeak_time_s\t")
	for _, u := range res.Units {
		r := u.Rates
		var m, pk float64
		pt := math.NaN()
		for b, v := range r {
			m += v / float64(len(r))
			if v > pk || math.IsNaN(pt) {
				pk, pt = v, res.Centers[b]
			}
		}
		fmt.Fprintf(tw, "%d\t%.3f\t%.3f\t%.3f\t\n", u.UnitID, m, pk, pt)
	}
	return tw.Flush()
}

// plotPSTH draws the raster + PSTH figure of the units whose rasters the
// pipeline kept (the most modulated, max − min rate) into dir/psth.png.
func plotPSTH(dir string, res *pipeline.PSTHResult, align string) error {
	if err := anMkdir(dir); err != nil {
		return err
	}
	byID := make(map[int64]pipeline.PSTHUnit, len(res.Units))
	for _, u := range res.Units {
		byID[u.UnitID] = u
	}
	var up []plots.UnitPSTH
	for _, r := range res.Rasters {
		u := byID[r.UnitID]
		up = append(up, plots.UnitPSTH{Label: fmt.Sprintf("unit %d", r.UnitID), Raster: r.Spikes,
			Centers: res.Centers, Width: res.BinS, Rate: u.Rates, SEM: u.SEM})
	}
	title := fmt.Sprintf("%d events of %s (aligned to %s); PSTH mean ± SEM", res.NEvents, res.Intervals, align)
	if len(res.Units) > len(up) {
		title += fmt.Sprintf(" (%d most modulated of %d units)", len(up), len(res.Units))
	}
	return plots.RasterPSTH(filepath.Join(dir, "psth"), title, up, 4)
}
