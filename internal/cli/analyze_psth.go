package cli

import (
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/analysis"
	"github.com/neurodata/neurodata/internal/plots"
	"github.com/neurodata/neurodata/nwbarrow"
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
	win, _, err := anWindow("--window", fl.window)
	if err != nil {
		return err
	}
	if !(fl.bin > 0) || math.IsInf(fl.bin, 0) || (win[1]-win[0])/fl.bin > 1e6 {
		return usagef("--bin %g: want a positive bin width with at most 1e6 bins in the window", fl.bin)
	}
	if fl.smooth < 0 {
		return usagef("--smooth %g: want >= 0", fl.smooth)
	}
	align, err := anAlign(fl.align)
	if err != nil {
		return err
	}
	f, name, err := anOpen(cmd, args, &fl.anCommon)
	if err != nil {
		return err
	}
	defer f.Close()
	ti, err := f.Intervals(fl.intervals)
	if err != nil {
		return usagef("--intervals %q: %v", fl.intervals, err)
	}
	starts, stops, err := ti.StartStop()
	if err != nil {
		return err
	}
	events := starts
	if align == analysis.AlignStop {
		events = stops
	}
	if fl.where != "" {
		col, val, ok := strings.Cut(fl.where, "=")
		if !ok || !ti.HasColumn(col) {
			return usagef("--where %q: want COLUMN=VALUE with a column of %s (%s)", fl.where, ti.Path, strings.Join(ti.ColumnNames(), ", "))
		}
		keep, err := psthWhere(ti.Float64s, ti.Strings, col, val)
		if err != nil {
			return usagef("--where %q: %v", fl.where, err)
		}
		var ev []float64
		for i, k := range keep {
			if k {
				ev = append(ev, events[i])
			}
		}
		events = ev
	}
	if len(events) == 0 {
		return usagef("no events selected from %s", ti.Path)
	}
	units, err := anUnits(f, fl.units)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.ErrOut, "psth: %d units, %d events, window %g:%g s, %g s bins\n", units.Len(), len(events), win[0], win[1], fl.bin)
	res, err := analysis.PSTH(units.Trains, events, win[0], win[1], fl.bin, &analysis.PSTHSettings{Smooth: fl.smooth, Workers: fl.workers})
	if err != nil {
		return usagef("%v", err)
	}
	out := psthOut{Provenance: newAnProvenance("psth", name, "rates and sem in Hz; times in seconds from the event", res.Provenance),
		Centers: res.Centers, NEvents: res.NEvents}
	out.Provenance.Params["intervals"] = ti.Path
	out.Provenance.Params["align"] = fl.align
	out.Provenance.Params["where"] = fl.where
	out.Provenance.Params["units"] = fl.units
	for u := range res.RateHz {
		out.Units = append(out.Units, psthUnitOut{UnitID: units.IDs[u], Rates: jnums(res.RateHz[u]), SEM: jnums(res.SEMHz[u])})
	}
	if fl.out != "" {
		n := len(out.Units)
		id := make([]int64, n)
		r, s := make([][]float64, n), make([][]float64, n)
		for i, u := range out.Units {
			id[i], r[i], s[i] = u.UnitID, res.RateHz[i], res.SEMHz[i]
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
	if fl.plotDir != "" {
		if err := anMkdir(fl.plotDir); err != nil {
			return err
		}
		n := min(units.Len(), fl.maxPlots)
		up := make([]plots.UnitPSTH, n)
		for i := 0; i < n; i++ {
			up[i] = plots.UnitPSTH{Label: fmt.Sprintf("unit %d", units.IDs[i]), Raster: analysis.Raster(units.Trains[i], events, win[0], win[1]),
				Centers: res.Centers, Width: fl.bin, Rate: res.RateHz[i], SEM: res.SEMHz[i]}
		}
		title := fmt.Sprintf("%d events of %s (aligned to %s); PSTH mean ± SEM", len(events), ti.Path, fl.align)
		if units.Len() > n {
			title += fmt.Sprintf(" (first %d of %d units)", n, units.Len())
		}
		if err := plots.RasterPSTH(filepath.Join(fl.plotDir, "psth"), title, up, 4); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "psth: figures in %s\n", fl.plotDir)
	}
	if fl.asJSON {
		return anWriteJSON(io.Out, out)
	}
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "unit_id\tmean_hz\tpeak_hz\tpeak_time_s\t")
	for u, r := range res.RateHz {
		var m, pk float64
		pt := math.NaN()
		for b, v := range r {
			m += v / float64(len(r))
			if v > pk || math.IsNaN(pt) {
				pk, pt = v, res.Centers[b]
			}
		}
		fmt.Fprintf(tw, "%d\t%.3f\t%.3f\t%.3f\t\n", units.IDs[u], m, pk, pt)
	}
	return tw.Flush()
}

// psthWhere matches rows whose column equals val (numerically when the
// column is numeric).
func psthWhere(floats func(string) ([]float64, error), strs func(string) ([]string, error), col, val string) ([]bool, error) {
	if v, err := floats(col); err == nil {
		x, err := strconv.ParseFloat(val, 64)
		if err != nil {
			return nil, fmt.Errorf("column %s is numeric, value %q is not", col, val)
		}
		keep := make([]bool, len(v))
		for i := range v {
			keep[i] = v[i] == x
		}
		return keep, nil
	}
	s, err := strs(col)
	if err != nil {
		return nil, err
	}
	keep := make([]bool, len(s))
	for i := range s {
		keep[i] = s[i] == val
	}
	return keep, nil
}
