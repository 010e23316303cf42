package cli

import (
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet" // registers the Parquet writer
	"github.com/neurodata/neurodata/pipeline"
)

func init() { addAnalyzer(newAnalyzeInfoCmd) }

type infoFlags struct {
	example                                        string
	intervals, by, window, estimator, out, plotDir string
	permutations, bins, workers                    int
	seed                                           uint64
	asJSON                                         bool
}

func newAnalyzeInfoCmd(io *IOStreams) *cobra.Command {
	var fl infoFlags
	cmd := &cobra.Command{
		Use:   "info [FILE|URL] --intervals NAME --by COLUMN",
		Short: "Mutual information (bits) between each unit's spike count and a stimulus column",
		Long: `For every unit, counts spikes in each interval of the table NAME (by default
[start_time, stop_time), or [start_time+START, start_time+STOP) with --window),
and estimates the mutual information in bits between the count and the
stimulus COLUMN (rows whose value is NaN or empty, such as blank sweeps, are
left out). Reports the chosen estimator, the plug-in value, the estimated bias,
a permutation p-value and the stimulus-specific information per condition.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAnalyzeInfo(cmd, io, args, &fl)
		},
	}
	f := cmd.Flags()
	addExampleFlag(cmd, &fl.example)
	f.StringVar(&fl.intervals, "intervals", "", "intervals table name or path (e.g. drifting_gratings_presentations)")
	f.StringVar(&fl.by, "by", "", "stimulus column of the intervals table (e.g. orientation)")
	f.StringVar(&fl.window, "window", "", "count window START:STOP in seconds relative to each interval's start_time (default: the whole interval)")
	f.StringVar(&fl.estimator, "estimator", "pt", "plugin, mm, pt, qe, shuffle, nsb or gcmi (Gaussian-copula, model-cd, on the raw counts; bins then only apply to mi_plugin_bits and ssi)")
	f.IntVar(&fl.permutations, "permutations", 1000, "label permutations for the p-value (0 = none)")
	f.IntVar(&fl.bins, "bins", 0, "equipopulated response bins (0 = max(2, min trials per condition / 4); -1 = every count its own bin)")
	f.IntVar(&fl.workers, "workers", 0, "parallel workers (0 = GOMAXPROCS)")
	f.Uint64Var(&fl.seed, "seed", 1, "random seed (permutations, sub-sampling)")
	f.BoolVar(&fl.asJSON, "json", false, "write JSON to stdout")
	f.StringVar(&fl.out, "out", "", "also write the per-unit table to this file (.parquet, .arrow, .csv, .jsonl)")
	f.StringVar(&fl.plotDir, "plot", "", "write figures (info_mi.png, info_ssi.png) into this directory")
	return cmd
}

// infoUnit is one row of the result (JSON field names are the stable API).
type infoUnit struct {
	UnitID       int64     `json:"unit_id"`
	MIBits       float64   `json:"mi_bits"`
	MIPlugInBits float64   `json:"mi_plugin_bits"`
	BiasBits     float64   `json:"bias_bits"`
	P            *float64  `json:"p"`
	NullMeanBits *float64  `json:"null_mean_bits"`
	SSI          []float64 `json:"ssi"`
}

type infoProvenance struct {
	Tool         string    `json:"tool"`
	Version      string    `json:"version"`
	File         string    `json:"file"`
	Intervals    string    `json:"intervals"`
	By           string    `json:"by"`
	Window       []float64 `json:"window_s,omitempty"`
	Estimator    string    `json:"estimator"`
	Bins         int       `json:"bins"`
	Permutations int       `json:"permutations"`
	Seed         uint64    `json:"seed"`
	Trials       int       `json:"trials"`
	Excluded     int       `json:"excluded_trials"`
	Conditions   []string  `json:"conditions"`
	Units        string    `json:"units_description"`
	Created      string    `json:"created"`
}

type infoResult struct {
	Provenance infoProvenance `json:"provenance"`
	Units      []infoUnit     `json:"units"`
}

func runAnalyzeInfo(cmd *cobra.Command, io *IOStreams, args []string, fl *infoFlags) error {
	if fl.intervals == "" || fl.by == "" {
		return usagef("--intervals and --by are required")
	}
	if fl.workers < 0 {
		return usagef("--workers %d: want >= 0", fl.workers)
	}
	if fl.seed == 0 {
		return usagef("--seed 0: want a non-zero seed")
	}
	if fl.out != "" {
		if _, ok := nwbarrow.FormatFromPath(fl.out); !ok {
			return usagef("--out %q: unknown extension (want .parquet, .arrow, .csv or .jsonl)", fl.out)
		}
	}
	p := &pipeline.InfoParams{Intervals: fl.intervals, By: fl.by, Window: fl.window, Estimator: fl.estimator,
		Permutations: &fl.permutations, Bins: fl.bins, Seed: fl.seed, Workers: fl.workers}
	if err := p.Validate(); err != nil {
		return anStepErr(err)
	}
	arg, ex, err := sessionArg(args, fl.example)
	if err != nil {
		return err
	}
	f, err := openSession(cmd.Context(), arg, ex)
	if err != nil {
		return err
	}
	defer f.Close()
	path := arg
	if ex != "" {
		path = "example:" + ex
	}
	res, err := pipeline.Info(cmd.Context(), f, p)
	if err != nil {
		return anStepErr(err)
	}
	fmt.Fprintf(io.ErrOut, "info: %d units, %d trials, %d conditions of %q, estimator %s\n", len(res.Units), res.Trials, len(res.Conditions), fl.by, res.Estimator)
	out := infoResult{Provenance: infoProvenance{
		Tool: "neurodata analyze info", Version: Version, File: path, Intervals: res.IntervalsPath, By: fl.by,
		Window: res.Window, Estimator: res.Estimator, Bins: res.Bins, Permutations: res.Permutations,
		Seed: res.Seed, Trials: res.Trials, Excluded: res.Excluded, Conditions: res.Conditions,
		Units:   "mutual information in bits (log base 2) between the unit's spike count in the window and the condition; ssi in condition order",
		Created: time.Now().UTC().Format(time.RFC3339),
	}}
	for _, r := range res.Units {
		row := infoUnit{UnitID: r.UnitID, MIBits: float64(r.MIBits), MIPlugInBits: float64(r.MIPlugInBits), BiasBits: float64(r.BiasBits), SSI: r.SSI}
		if res.Permutations > 0 {
			pv, nm := float64(r.P), float64(r.NullMeanBits)
			row.P, row.NullMeanBits = &pv, &nm
		}
		out.Units = append(out.Units, row)
	}
	if fl.out != "" {
		if err := writeInfoTable(fl.out, &out); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "info: wrote %s\n", fl.out)
	}
	if err := writeFigures(io, "info", fl.plotDir, func(dir string) error { return plotInfo(dir, &out) }); err != nil {
		return err
	}
	if fl.asJSON {
		return anWriteJSON(io.Out, infoJSONSafe(out))
	}
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "unit_id\tmi_bits\tmi_plugin_bits\tbias_bits\tp\t")
	for _, r := range out.Units {
		p := "-"
		if r.P != nil {
			p = fmt.Sprintf("%.4f", *r.P)
		}
		fmt.Fprintf(tw, "%d\t%.4f\t%.4f\t%.4f\t%s\t\n", r.UnitID, r.MIBits, r.MIPlugInBits, r.BiasBits, p)
	}
	return tw.Flush()
}

// jsonSafe replaces NaN (not representable in JSON) by null via a copy.
func infoJSONSafe(r infoResult) any {
	type unit struct {
		UnitID       int64      `json:"unit_id"`
		MIBits       *float64   `json:"mi_bits"`
		MIPlugInBits *float64   `json:"mi_plugin_bits"`
		BiasBits     *float64   `json:"bias_bits"`
		P            *float64   `json:"p"`
		NullMeanBits *float64   `json:"null_mean_bits"`
		SSI          []*float64 `json:"ssi"`
	}
	fin := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	units := make([]unit, len(r.Units))
	for i, u := range r.Units {
		units[i] = unit{UnitID: u.UnitID, MIBits: fin(u.MIBits), MIPlugInBits: fin(u.MIPlugInBits),
			BiasBits: fin(u.BiasBits), P: u.P, NullMeanBits: u.NullMeanBits}
		for _, s := range u.SSI {
			units[i].SSI = append(units[i].SSI, fin(s))
		}
	}
	return map[string]any{"provenance": r.Provenance, "units": units}
}

func writeInfoTable(path string, r *infoResult) error {
	format, _ := nwbarrow.FormatFromPath(path)
	n := len(r.Units)
	id := make([]int64, n)
	mi, pl, bias, p := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	ssi := make([][]float64, n)
	for i, u := range r.Units {
		id[i], mi[i], pl[i], bias[i], ssi[i] = u.UnitID, u.MIBits, u.MIPlugInBits, u.BiasBits, u.SSI
		p[i] = math.NaN()
		if u.P != nil {
			p[i] = *u.P
		}
	}
	prov, err := json.Marshal(r.Provenance)
	if err != nil {
		return err
	}
	return nwbarrow.WriteColumnsFile(path, format, map[string]string{"neurodata.provenance": string(prov)},
		nwbarrow.Col{Name: "unit_id", Values: id},
		nwbarrow.Col{Name: "mi_bits", Values: mi, Unit: "bits", Description: "estimator " + r.Provenance.Estimator},
		nwbarrow.Col{Name: "mi_plugin_bits", Values: pl, Unit: "bits"},
		nwbarrow.Col{Name: "bias_bits", Values: bias, Unit: "bits", Description: "mi_plugin_bits - mi_bits"},
		nwbarrow.Col{Name: "p", Values: p, Description: "permutation p = (1 + #null >= obs)/(1 + n)"},
		nwbarrow.Col{Name: "ssi", Values: ssi, Unit: "bits", Description: "stimulus-specific information per condition: " + strings.Join(r.Provenance.Conditions, ",")},
	)
}

// plotInfo writes info_mi.png (estimate vs plug-in per unit) and
// info_ssi.png (SSI per condition for the five most informative units).
func plotInfo(dir string, r *infoResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	p := plot.New()
	p.Title.Text = "Mutual information per unit"
	p.X.Label.Text = "plug-in MI (bits)"
	p.Y.Label.Text = r.Provenance.Estimator + " MI (bits)"
	pts := make(plotter.XYs, 0, len(r.Units))
	hi := 0.0
	for _, u := range r.Units {
		if !math.IsNaN(u.MIBits) {
			pts = append(pts, plotter.XY{X: u.MIPlugInBits, Y: u.MIBits})
			hi = math.Max(hi, math.Max(u.MIPlugInBits, u.MIBits))
		}
	}
	sc, err := plotter.NewScatter(pts)
	if err != nil {
		return err
	}
	id, err := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: hi, Y: hi}})
	if err != nil {
		return err
	}
	p.Add(sc, id)
	if err := infoSavePlot(p, filepath.Join(dir, "info_mi.png")); err != nil {
		return err
	}
	order := make([]int, len(r.Units))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch x, y := r.Units[a].MIBits, r.Units[b].MIBits; {
		case x > y:
			return -1
		case x < y:
			return 1
		}
		return 0
	})
	q := plot.New()
	q.Title.Text = "Stimulus-specific information (top units)"
	q.X.Label.Text = r.Provenance.By
	ticks := make([]plot.Tick, len(r.Provenance.Conditions))
	for c, name := range r.Provenance.Conditions {
		ticks[c] = plot.Tick{Value: float64(c), Label: name}
	}
	q.X.Tick.Marker = plot.ConstantTicks(ticks)
	q.Legend.Top = true
	q.Legend.XOffs = vg.Points(-4)
	q.Legend.Padding = vg.Points(1)
	q.Y.Label.Text = "SSI (bits)"
	for k := 0; k < min(5, len(order)); k++ {
		u := r.Units[order[k]]
		xy := make(plotter.XYs, len(u.SSI))
		for c, v := range u.SSI {
			xy[c] = plotter.XY{X: float64(c), Y: v}
		}
		l, err := plotter.NewLine(xy)
		if err != nil {
			return err
		}
		l.Color = infoColor(k)
		q.Add(l)
		q.Legend.Add(strconv.FormatInt(u.UnitID, 10), l)
	}
	return infoSavePlot(q, filepath.Join(dir, "info_ssi.png"))
}

// savePlot writes the figure to a temporary file and renames it into place.
func infoSavePlot(p *plot.Plot, path string) error {
	tmp := path + ".tmp.png"
	if err := p.Save(6*vg.Inch, 4*vg.Inch, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// infoColor is a colour-blind-safe palette (Okabe–Ito).
func infoColor(k int) color.Color {
	pal := []color.RGBA{{0, 114, 178, 255}, {213, 94, 0, 255}, {0, 158, 115, 255}, {204, 121, 167, 255}, {230, 159, 0, 255}}
	return pal[k%len(pal)]
}
