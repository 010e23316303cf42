package cli

import (
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/spf13/cobra"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/neurodata/neurodata/analysis/info"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet" // registers the Parquet writer
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

func parseInfoWindow(s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, ":")
	if !ok {
		return nil, usagef("--window %q: want START:STOP in seconds", s)
	}
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil || math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(hi > lo) {
		return nil, usagef("--window %q: want START:STOP with finite START < STOP (seconds)", s)
	}
	return []float64{lo, hi}, nil
}

// infoConditionLabels reads the stimulus column as numbers (NaN excluded) or
// text (empty excluded) and returns codes (−1 = excluded) and the labels.
func infoConditionLabels(ti *nwb.TimeIntervals, col string) ([]int, []string, error) {
	if !ti.HasColumn(col) {
		return nil, nil, usagef("--by %q: no such column in %s (columns: %s)", col, ti.Path, strings.Join(ti.ColumnNames(), ", "))
	}
	if v, err := ti.Float64s(col); err == nil {
		codes, uniq := info.Labels(v)
		names := make([]string, len(uniq))
		for i, u := range uniq {
			names[i] = strconv.FormatFloat(u, 'g', -1, 64)
		}
		return codes, names, nil
	}
	s, err := ti.Strings(col)
	if err != nil {
		return nil, nil, usagef("--by %q: not a numeric or text column: %v", col, err)
	}
	uniq := slices.Clone(s)
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	uniq = slices.DeleteFunc(uniq, func(x string) bool { return x == "" })
	codes := make([]int, len(s))
	for i, x := range s {
		codes[i] = -1
		if j, ok := slices.BinarySearch(uniq, x); ok && x != "" {
			codes[i] = j
		}
	}
	return codes, uniq, nil
}

func runAnalyzeInfo(cmd *cobra.Command, io *IOStreams, args []string, fl *infoFlags) error {
	if fl.intervals == "" || fl.by == "" {
		return usagef("--intervals and --by are required")
	}
	if fl.workers < 0 {
		return usagef("--workers %d: want >= 0", fl.workers)
	}
	win, err := parseInfoWindow(fl.window)
	if err != nil {
		return err
	}
	gcmi := strings.EqualFold(fl.estimator, "gcmi")
	var est info.Estimator
	if !gcmi {
		if est, err = info.ParseEstimator(fl.estimator); err != nil {
			return usagef("--estimator %q: want plugin, mm, pt, qe, shuffle, nsb or gcmi", fl.estimator)
		}
	}
	if fl.permutations < 0 || fl.permutations > 1_000_000 {
		return usagef("--permutations %d: want 0 to 1000000", fl.permutations)
	}
	if fl.out != "" {
		if _, ok := nwbarrow.FormatFromPath(fl.out); !ok {
			return usagef("--out %q: unknown extension (want .parquet, .arrow, .csv or .jsonl)", fl.out)
		}
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
	ti, err := f.Intervals(fl.intervals)
	if err != nil {
		return usagef("--intervals %q: %v", fl.intervals, err)
	}
	starts, stops, err := ti.StartStop()
	if err != nil {
		return err
	}
	codes, names, err := infoConditionLabels(ti, fl.by)
	if err != nil {
		return err
	}
	var stim []int
	var ws, we []float64
	for i, c := range codes {
		if c < 0 {
			continue
		}
		stim = append(stim, c)
		a, b := starts[i], stops[i]
		if win != nil {
			a, b = starts[i]+win[0], starts[i]+win[1]
		}
		ws, we = append(ws, a), append(we, b)
	}
	if len(names) < 2 || len(stim) < 4 {
		return usagef("--by %q: %d conditions over %d usable rows; need >= 2 conditions", fl.by, len(names), len(stim))
	}
	units, err := f.Units()
	if err != nil {
		return err
	}
	ids, err := units.IDs()
	if err != nil {
		return err
	}
	trains, err := units.AllSpikeTimes()
	if err != nil {
		return err
	}
	fmt.Fprintf(io.ErrOut, "info: %d units, %d trials, %d conditions of %q, estimator %s\n", len(ids), len(stim), len(names), fl.by, fl.estimator)
	counts := make([][]int, len(trains))
	for u, tr := range trains {
		if !slices.IsSorted(tr) {
			tr = slices.Clone(tr)
			slices.Sort(tr)
		}
		if counts[u], err = info.SpikeCounts(tr, ws, we); err != nil {
			return fmt.Errorf("unit %d: %w", ids[u], err)
		}
	}
	set := &info.Settings{Workers: fl.workers, Rand: rand.New(rand.NewPCG(fl.seed, 0x6e6575726f))}
	opt := &info.Options{Estimator: est, Bins: fl.bins, Permutations: fl.permutations}
	if gcmi {
		opt.Estimator = info.PlugIn // for the plug-in column and SSI
	}
	res, err := info.Units(stim, counts, opt, set)
	if err != nil {
		return err
	}
	out := infoResult{Provenance: infoProvenance{
		Tool: "neurodata analyze info", Version: Version, File: path, Intervals: ti.Path, By: fl.by,
		Window: win, Estimator: strings.ToLower(fl.estimator), Bins: infoBinsUsed(res), Permutations: fl.permutations,
		Seed: fl.seed, Trials: len(stim), Excluded: len(codes) - len(stim), Conditions: names,
		Units:   "mutual information in bits (log base 2) between the unit's spike count in the window and the condition; ssi in condition order",
		Created: time.Now().UTC().Format(time.RFC3339),
	}}
	for u, r := range res {
		row := infoUnit{UnitID: ids[u], MIBits: r.Bits, MIPlugInBits: r.PlugInBits, BiasBits: r.BiasBits, SSI: r.SSI}
		if gcmi {
			g, err := infoGCMIUnit(stim, counts[u], fl.permutations, set)
			if err != nil {
				return fmt.Errorf("unit %d: %w", ids[u], err)
			}
			row.MIBits, row.BiasBits = g.Observed, math.NaN()
			if fl.permutations > 0 {
				row.P, row.NullMeanBits = infoPtr(g.P), infoPtr(g.NullMean)
			}
		} else if fl.permutations > 0 {
			row.P, row.NullMeanBits = infoPtr(r.P), infoPtr(r.NullMeanBits)
		}
		out.Units = append(out.Units, row)
	}
	if fl.out != "" {
		if err := writeInfoTable(fl.out, &out); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "info: wrote %s\n", fl.out)
	}
	if fl.plotDir != "" {
		if err := plotInfo(fl.plotDir, &out); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "info: figures in %s\n", fl.plotDir)
	}
	if fl.asJSON {
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(infoJSONSafe(out))
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

func infoBinsUsed(res []info.UnitResult) int {
	if len(res) == 0 {
		return 0
	}
	return res[0].Bins
}

func infoPtr(v float64) *float64 { return &v }

// infoGCMIUnit is the Gaussian-copula MI (model-cd) between the spike count and
// the condition, with a permutation test.
func infoGCMIUnit(stim, counts []int, nPerm int, set *info.Settings) (info.Test, error) {
	x := make([][]float64, len(counts))
	for i, c := range counts {
		x[i] = []float64{float64(c)}
	}
	return info.Permute(len(stim), nil, nPerm, func(perm []int, _ *rand.Rand) (float64, error) {
		lab := make([]int, len(perm))
		for i, p := range perm {
			lab[i] = stim[p]
		}
		return info.GCMIModelCD(x, lab)
	}, set)
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
	mem := memory.DefaultAllocator
	rec, err := nwbarrow.FromColumns(mem, map[string]string{"neurodata.provenance": string(prov)},
		nwbarrow.Col{Name: "unit_id", Values: id},
		nwbarrow.Col{Name: "mi_bits", Values: mi, Unit: "bits", Description: "estimator " + r.Provenance.Estimator},
		nwbarrow.Col{Name: "mi_plugin_bits", Values: pl, Unit: "bits"},
		nwbarrow.Col{Name: "bias_bits", Values: bias, Unit: "bits", Description: "mi_plugin_bits - mi_bits"},
		nwbarrow.Col{Name: "p", Values: p, Description: "permutation p = (1 + #null >= obs)/(1 + n)"},
		nwbarrow.Col{Name: "ssi", Values: ssi, Unit: "bits", Description: "stimulus-specific information per condition: " + strings.Join(r.Provenance.Conditions, ",")},
	)
	if err != nil {
		return err
	}
	defer rec.Release()
	return nwbarrow.WriteRecordFile(path, format, mem, rec)
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
