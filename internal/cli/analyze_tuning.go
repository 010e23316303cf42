package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/analysis"
	"github.com/neurodata/neurodata/internal/plots"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
	"github.com/neurodata/neurodata/pipeline"
)

func init() { addAnalyzer(newAnalyzeTuningCmd) }

// anCommon are the flags shared by analyze tuning|place|psth|stats.
type anCommon struct {
	example, units, out, plotDir string
	asJSON                       bool
	workers                      int
}

func (c *anCommon) add(cmd *cobra.Command, plotHelp string) {
	f := cmd.Flags()
	addExampleFlag(cmd, &c.example)
	f.StringVar(&c.units, "units", "all", "units to analyse: all, or good (quality == \"good\")")
	f.BoolVar(&c.asJSON, "json", false, "write JSON to stdout")
	f.StringVar(&c.out, "out", "", "also write the per-unit table to this file (.parquet, .arrow, .csv, .jsonl)")
	f.StringVar(&c.plotDir, "plot", "", "write figures (PNG and SVG) into this directory: "+plotHelp)
	f.IntVar(&c.workers, "workers", 0, "parallel workers (0 = GOMAXPROCS)")
}

func (c *anCommon) check() error {
	if c.units != "all" && c.units != "good" {
		return usagef("--units %q: want all or good", c.units)
	}
	if c.out != "" {
		if _, ok := nwbarrow.FormatFromPath(c.out); !ok {
			return usagef("--out %q: unknown extension (want .parquet, .arrow, .csv or .jsonl)", c.out)
		}
	}
	if c.workers < 0 {
		return usagef("--workers %d: want >= 0", c.workers)
	}
	return nil
}

// anOpen opens the session named by args/--example.
func anOpen(cmd *cobra.Command, args []string, c *anCommon) (*nwb.File, string, error) {
	arg, ex, err := sessionArg(args, c.example)
	if err != nil {
		return nil, "", err
	}
	f, err := openSession(cmd.Context(), arg, ex)
	if err != nil {
		return nil, "", err
	}
	name := arg
	if ex != "" {
		name = "example:" + ex
	}
	return f, name, nil
}

// jnum is a float64 that encodes NaN/Inf as JSON null.
type jnum float64

func (x jnum) MarshalJSON() ([]byte, error) {
	f := float64(x)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

func jnums(x []float64) []jnum {
	out := make([]jnum, len(x))
	for i, v := range x {
		out[i] = jnum(v)
	}
	return out
}

// anProvenance is written into JSON output and Arrow schema metadata.
type anProvenance struct {
	Tool     string            `json:"tool"`
	Version  string            `json:"version"`
	Analysis string            `json:"analysis_version"`
	File     string            `json:"file"`
	Created  string            `json:"created"`
	Units    string            `json:"units"`
	Params   map[string]string `json:"params"`
}

func newAnProvenance(tool, file, units string, p analysis.Provenance) anProvenance {
	params := map[string]string{}
	for k, v := range p.Params {
		params[k] = v
	}
	if p.Window != [2]float64{} {
		params["window_s"] = fmt.Sprintf("%g:%g", p.Window[0], p.Window[1])
	}
	if p.Align != "" {
		params["align"] = p.Align
	}
	if p.BinWidth != 0 {
		params["bin_s"] = fmt.Sprint(p.BinWidth)
	}
	if len(p.Bins) > 0 {
		params["bins"] = fmt.Sprint(p.Bins)
	}
	return anProvenance{Tool: "neurodata analyze " + tool, Version: Version, Analysis: p.Version, File: file,
		Created: time.Now().UTC().Format(time.RFC3339), Units: units, Params: params}
}

func anWriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func anWriteTable(path string, prov anProvenance, cols ...nwbarrow.Col) error {
	format, _ := nwbarrow.FormatFromPath(path)
	meta, err := json.Marshal(prov)
	if err != nil {
		return err
	}
	return nwbarrow.WriteColumnsFile(path, format, map[string]string{"neurodata.provenance": string(meta)}, cols...)
}

func anMkdir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--plot %s: %w", dir, err)
	}
	return nil
}

// ---- analyze tuning ----

type tuningFlags struct {
	anCommon
	intervals, by, window, align string
	running, angles              string
	runThreshold                 float64
	maxPlots                     int
}

func newAnalyzeTuningCmd(io *IOStreams) *cobra.Command {
	var fl tuningFlags
	cmd := &cobra.Command{
		Use:   "tuning FILE --intervals NAME --by COLUMN[,COLUMN]",
		Short: "Tuning curves and selectivity indices per unit against stimulus conditions",
		Long: `For every unit, counts spikes in each row of the intervals table NAME
(half-open [start, stop), or a --window relative to the row's start or stop
with --align) and reports the mean rate (Hz), SEM and trial count per
condition of --by (one column or several, comma-separated). Rows whose value
is NaN or empty (blank sweeps) are summarised separately as blank.

With a single numeric --by column holding directions in degrees (e.g.
orientation of drifting gratings; see --angles), also reports the direction indices, each
named after its family: g_osi/g_dsi (vector sum, Allen Neuropixels "osi"/"dsi")
and osi/dsi (peak-based, Allen two-photon), the preferred direction (grid
argmax and vector sum), plus lifetime sparseness and trial-to-trial
reliability (mean pairwise r of smoothed single-trial responses to the
preferred condition).`,
		Example: `  neurodata analyze tuning --example --intervals drifting_gratings_presentations --by orientation
  neurodata analyze tuning session.nwb --intervals trials --by direction --window 0:1 --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return runAnalyzeTuning(cmd, io, args, &fl) },
	}
	f := cmd.Flags()
	f.StringVar(&fl.intervals, "intervals", "", "intervals table name or path (e.g. drifting_gratings_presentations, trials)")
	f.StringVar(&fl.by, "by", "", "condition column(s) of the table, comma-separated")
	f.StringVar(&fl.window, "window", "", "response window START:STOP in seconds relative to --align (default: the whole row)")
	f.StringVar(&fl.align, "align", "start", "window anchor: start or stop of each row")
	f.StringVar(&fl.angles, "angles", "auto", "treat --by as directions in degrees for the direction indices: auto (column name contains orient, direction, angle or heading), yes, no")
	f.StringVar(&fl.running, "running", "", "running-speed TimeSeries path; adds running_modulation and running_p (AllenSDK: Welch t-test between running and stationary trials of the preferred condition)")
	f.Float64Var(&fl.runThreshold, "running-threshold", 1, "a trial is running when its mean speed in the window is at least this (speed units, e.g. cm/s)")
	f.IntVar(&fl.maxPlots, "max-plots", 24, "most units drawn per figure")
	fl.anCommon.add(cmd, "tuning_polar, tuning_curves, tuning_summary")
	_ = cmd.MarkFlagRequired("intervals")
	_ = cmd.MarkFlagRequired("by")
	return cmd
}

type tuningUnitOut struct {
	UnitID             int64  `json:"unit_id"`
	Preferred          string `json:"preferred"`
	PrefTie            bool   `json:"preferred_tie"`
	PrefDirection      jnum   `json:"pref_direction_deg"`
	VectorPrefDir      jnum   `json:"vector_pref_direction_deg"`
	VectorPrefOri      jnum   `json:"vector_pref_orientation_deg"`
	GOSI               jnum   `json:"g_osi"`
	GDSI               jnum   `json:"g_dsi"`
	OSI                jnum   `json:"osi"`
	DSI                jnum   `json:"dsi"`
	LifetimeSparseness jnum   `json:"lifetime_sparseness"`
	Reliability        jnum   `json:"reliability"`
	RunningModulation  *jnum  `json:"running_modulation,omitempty"`
	RunningP           *jnum  `json:"running_p,omitempty"`
	Rates              []jnum `json:"rates"`
	SEM                []jnum `json:"sem"`
	BlankRate          jnum   `json:"blank_rate"`
}

type tuningOut struct {
	Provenance anProvenance    `json:"provenance"`
	By         []string        `json:"by"`
	Conditions []string        `json:"conditions"`
	NTrials    []int           `json:"n_trials"`
	NBlank     int             `json:"n_blank"`
	Units      []tuningUnitOut `json:"units"`
}

// anStep validates p, opens the session of args/--example and runs the
// pipeline step on it: the shared body of analyze tuning|place|psth|stats.
func anStep[P interface{ Validate() error }, R any](cmd *cobra.Command, args []string, c *anCommon, p P,
	step func(context.Context, *nwb.File, P) (R, error)) (res R, name string, err error) {
	if err = p.Validate(); err != nil {
		return res, "", anStepErr(err)
	}
	f, name, err := anOpen(cmd, args, c)
	if err != nil {
		return res, "", err
	}
	defer f.Close()
	res, err = step(cmd.Context(), f, p)
	return res, name, anStepErr(err)
}

// anStepErr maps a pipeline step's error: bad parameters or input the user
// named (pipeline.ErrSpec) are usage errors.
func anStepErr(err error) error {
	if err != nil && errors.Is(err, pipeline.ErrSpec) {
		return &UsageError{Err: err}
	}
	return err
}

func runAnalyzeTuning(cmd *cobra.Command, io *IOStreams, args []string, fl *tuningFlags) error {
	if err := fl.check(); err != nil {
		return err
	}
	p := &pipeline.TuningParams{Intervals: fl.intervals, By: fl.by, Window: fl.window, Align: fl.align, Angles: fl.angles,
		Units: fl.units, Running: fl.running, RunningThreshold: fl.runThreshold, Workers: fl.workers}
	if fl.running != "" && fl.runThreshold == 0 {
		return usagef("--running-threshold 0: want > 0")
	}
	res, name, err := anStep(cmd, args, &fl.anCommon, p, pipeline.Tuning)
	if err != nil {
		return err
	}
	fmt.Fprintf(io.ErrOut, "tuning: %d units, %d rows of %s by %s\n", len(res.Units), res.Rows, res.IntervalsPath, fl.by)
	if res.RunningTrials >= 0 {
		fmt.Fprintf(io.ErrOut, "tuning: %d of %d trials running (mean speed >= %g %s)\n", res.RunningTrials, res.Rows, fl.runThreshold, res.SpeedUnit)
	}
	by := strings.Split(fl.by, ",")
	for i := range by {
		by[i] = strings.TrimSpace(by[i])
	}
	var dirs []float64
	if res.Direction {
		dirs = res.Values
	}
	out := tuningOut{Provenance: newAnProvenance("tuning", name, "rates and sem in Hz; directions in degrees", res.Provenance),
		By: by, Conditions: res.Conditions, NTrials: res.NTrials, NBlank: res.NBlank}
	out.Provenance.Params["intervals"] = res.IntervalsPath
	out.Provenance.Params["by"] = fl.by
	out.Provenance.Params["units"] = fl.units
	for _, r := range res.Units {
		row := tuningUnitOut{UnitID: r.UnitID, Preferred: r.Preferred, PrefTie: r.PrefTie, PrefDirection: jnum(r.PrefDirection),
			VectorPrefDir: jnum(r.VectorPrefDir), VectorPrefOri: jnum(r.VectorPrefOri), GOSI: jnum(r.GOSI), GDSI: jnum(r.GDSI),
			OSI: jnum(r.OSI), DSI: jnum(r.DSI), LifetimeSparseness: jnum(r.LifetimeSparseness), Reliability: jnum(r.Reliability),
			Rates: jnums(r.Rates), SEM: jnums(r.SEM), BlankRate: jnum(r.BlankRate)}
		if r.RunningModulation != nil {
			m, pv := jnum(*r.RunningModulation), jnum(*r.RunningP)
			row.RunningModulation, row.RunningP = &m, &pv
		}
		out.Units = append(out.Units, row)
	}
	if fl.out != "" {
		if err := writeTuningTable(fl.out, &out); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "tuning: wrote %s\n", fl.out)
	}
	if err := writeFigures(io, "tuning", fl.plotDir, func(dir string) error {
		return plotTuning(dir, &out, res, dirs, fl.maxPlots)
	}); err != nil {
		return err
	}
	if fl.asJSON {
		return anWriteJSON(io.Out, out)
	}
	tw := tabwriter.NewWriter(io.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "unit_id\tpreferred\tg_osi\tg_dsi\tosi\tdsi\tlifetime_sparseness\treliability\tpeak_rate_hz\t")
	for u, r := range out.Units {
		peak := math.NaN()
		if p, _ := analysis.Preferred(res.Units[u].Rates); p >= 0 {
			peak = res.Units[u].Rates[p]
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", r.UnitID, r.Preferred, fmtNum(r.GOSI), fmtNum(r.GDSI),
			fmtNum(r.OSI), fmtNum(r.DSI), fmtNum(r.LifetimeSparseness), fmtNum(r.Reliability), fmtNum(jnum(peak)))
	}
	return tw.Flush()
}

func fmtNum(x jnum) string {
	if math.IsNaN(float64(x)) {
		return "-"
	}
	return strconv.FormatFloat(float64(x), 'f', 3, 64)
}

func unjnum(x []jnum) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

func writeTuningTable(path string, o *tuningOut) error {
	n := len(o.Units)
	id := make([]int64, n)
	pref := make([]string, n)
	cols := map[string][]float64{}
	names := []string{"pref_direction_deg", "vector_pref_direction_deg", "vector_pref_orientation_deg", "g_osi", "g_dsi", "osi", "dsi", "lifetime_sparseness", "reliability", "blank_rate"}
	for _, c := range names {
		cols[c] = make([]float64, n)
	}
	rates, sem, ntr := make([][]float64, n), make([][]float64, n), make([][]int64, n)
	for i, u := range o.Units {
		id[i], pref[i] = u.UnitID, u.Preferred
		for _, p := range []struct {
			c string
			v jnum
		}{{"pref_direction_deg", u.PrefDirection}, {"vector_pref_direction_deg", u.VectorPrefDir}, {"vector_pref_orientation_deg", u.VectorPrefOri}, {"g_osi", u.GOSI}, {"g_dsi", u.GDSI},
			{"osi", u.OSI}, {"dsi", u.DSI}, {"lifetime_sparseness", u.LifetimeSparseness}, {"reliability", u.Reliability}, {"blank_rate", u.BlankRate}} {
			cols[p.c][i] = float64(p.v)
		}
		rates[i], sem[i] = unjnum(u.Rates), unjnum(u.SEM)
		ntr[i] = make([]int64, len(o.NTrials))
		for c, k := range o.NTrials {
			ntr[i][c] = int64(k)
		}
	}
	desc := map[string]string{
		"g_osi": "vector-sum orientation selectivity |sum R e^{2i theta}|/sum R (Allen Neuropixels osi)",
		"g_dsi": "vector-sum direction selectivity |sum R e^{i theta}|/sum R (Allen Neuropixels dsi)",
		"osi":   "peak OSI (R_pref - R_orth)/(R_pref + R_orth) (Allen two-photon osi_dg)",
		"dsi":   "peak DSI (R_pref - R_null)/(R_pref + R_null) (Allen two-photon dsi_dg)",
	}
	units := map[string]string{"pref_direction_deg": "deg", "vector_pref_direction_deg": "deg", "vector_pref_orientation_deg": "deg", "blank_rate": "Hz"}
	all := []nwbarrow.Col{{Name: "unit_id", Values: id}, {Name: "preferred", Values: pref, Description: "condition (" + strings.Join(o.By, ",") + ") with the largest mean rate"}}
	for _, c := range names {
		all = append(all, nwbarrow.Col{Name: c, Values: cols[c], Unit: units[c], Description: desc[c]})
	}
	all = append(all,
		nwbarrow.Col{Name: "rates", Values: rates, Unit: "Hz", Description: "mean rate per condition: " + strings.Join(o.Conditions, " | ")},
		nwbarrow.Col{Name: "sem", Values: sem, Unit: "Hz"},
		nwbarrow.Col{Name: "n_trials", Values: ntr, Description: "presentations per condition"})
	return anWriteTable(path, o.Provenance, all...)
}

func plotTuning(dir string, o *tuningOut, res *pipeline.TuningResult, dirs []float64, max int) error {
	if err := anMkdir(dir); err != nil {
		return err
	}
	n := min(len(o.Units), max)
	curves := make([]plots.UnitTuning, n)
	for i := 0; i < n; i++ {
		u := res.Units[i]
		curves[i] = plots.UnitTuning{Label: fmt.Sprintf("unit %d", o.Units[i].UnitID), Rate: u.Rates, SEM: u.SEM, Blank: float64(u.BlankRate)}
		if dirs != nil {
			curves[i].X = dirs
		} else {
			curves[i].Names = res.Conditions
		}
	}
	note := ""
	if len(o.Units) > n {
		note = fmt.Sprintf(" (first %d of %d units)", n, len(o.Units))
	}
	by := strings.Join(o.By, ",")
	blank := ""
	if o.NBlank > 0 {
		blank = "; dashed: blank"
	}
	if dirs != nil {
		if err := plots.TuningPolarGrid(filepath.Join(dir, "tuning_polar"), "Direction tuning, rate (Hz) ± SEM"+blank+note, curves, 6); err != nil {
			return err
		}
		var gosi, gdsi, pref []float64
		for _, u := range o.Units {
			gosi, gdsi, pref = append(gosi, float64(u.GOSI)), append(gdsi, float64(u.GDSI)), append(pref, float64(u.VectorPrefDir))
		}
		if err := plots.TuningSummary(filepath.Join(dir, "tuning_summary"), fmt.Sprintf("Population summary (%d units)", len(o.Units)), gosi, gdsi, pref); err != nil {
			return err
		}
	}
	xl := by
	if dirs != nil {
		xl = by + " (°)"
	}
	return plots.TuningCurveGrid(filepath.Join(dir, "tuning_curves"), "Tuning by "+by+", mean ± SEM"+blank+note, xl, curves, 4)
}
