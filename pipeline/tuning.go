package pipeline

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/neurodata/neurodata/analysis"
	"github.com/neurodata/neurodata/analysis/info"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/ts"
	"math/rand/v2"
)

// TuningResult is the tuning step's result: mean rate ± SEM per condition
// of every unit, with selectivity indices (analysis.ConditionTuning,
// analysis.Direction). Rates are in Hz, directions in degrees.
type TuningResult struct {
	By         string       `json:"by"`
	Conditions []string     `json:"conditions"`
	Values     Fs           `json:"values,omitempty"` // numeric condition values (single numeric --by)
	Direction  bool         `json:"direction"`        // indices computed with Values as degrees
	NTrials    []int        `json:"n_trials"`
	NBlank     int          `json:"n_blank"`
	Units      []TuningUnit `json:"units"`

	// IntervalsPath is the resolved intervals table; Rows its row count.
	IntervalsPath string `json:"intervals_path"`
	Rows          int    `json:"rows"`
	// RunningTrials counts the trials with mean speed ≥ RunningThreshold
	// (-1 without a running series); SpeedUnit is the series' unit.
	RunningTrials int    `json:"running_trials"`
	SpeedUnit     string `json:"speed_unit,omitempty"`
	// Provenance is analysis.ConditionTuning's (window, align, version).
	Provenance analysis.Provenance `json:"-"`
}

// TuningUnit is one unit's tuning.
type TuningUnit struct {
	UnitID             int64  `json:"unit_id"`
	Preferred          string `json:"preferred"`
	PrefTie            bool   `json:"preferred_tie"`
	PrefDirection      F      `json:"pref_direction_deg"`
	VectorPrefDir      F      `json:"vector_pref_direction_deg"`
	VectorPrefOri      F      `json:"vector_pref_orientation_deg"`
	GOSI               F      `json:"g_osi"`
	GDSI               F      `json:"g_dsi"`
	OSI                F      `json:"osi"`
	DSI                F      `json:"dsi"`
	LifetimeSparseness F      `json:"lifetime_sparseness"`
	Reliability        F      `json:"reliability"`
	// RunningModulation and RunningP (AllenSDK: Welch t-test between running
	// and stationary trials of the preferred condition) are set only with
	// TuningParams.Running.
	RunningModulation *F `json:"running_modulation,omitempty"`
	RunningP          *F `json:"running_p,omitempty"`
	Rates             Fs `json:"rates_hz"`
	SEM               Fs `json:"sem_hz"`
	BlankRate         F  `json:"blank_rate_hz"`
}

// loadUnits reads the units (optionally quality == good) as spike trains.
func loadUnits(f *nwb.File, which string) (*ts.Units, error) {
	u, err := f.Units()
	if err != nil {
		return nil, err
	}
	all, err := u.SpikeTrains(nil)
	if err != nil {
		return nil, err
	}
	if which == "good" {
		if _, ok := all.Strings["quality"]; !ok {
			return nil, specErrorf("units good: the units table has no quality column")
		}
		all = all.Select(all.Where("quality", "good"))
	}
	if all.Len() == 0 {
		return nil, specErrorf("no units selected")
	}
	return all, nil
}

// Tuning runs the tuning step on an open session.
func Tuning(ctx context.Context, f *nwb.File, p *TuningParams) (*TuningResult, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	win, hasWin, _ := parseWindow("window", p.Window)
	align := analysis.AlignStart
	if p.Align == "stop" {
		align = analysis.AlignStop
	}
	ti, starts, stops, err := openIntervals(f, p.Intervals)
	if err != nil {
		return nil, err
	}
	by := strings.Split(p.By, ",")
	for i := range by {
		if by[i] = strings.TrimSpace(by[i]); by[i] == "" {
			return nil, specErrorf("by %q: empty column name", p.By)
		}
	}
	cond, numeric, err := conditionsOf(ti, by)
	if err != nil {
		return nil, err
	}
	units, err := loadUnits(f, p.Units)
	if err != nil {
		return nil, err
	}
	set := &analysis.ConditionSettings{Align: align, Workers: p.Workers, KeepTrials: p.Running != ""}
	if hasWin {
		set.Window = win
	}
	res, err := analysis.ConditionTuning(units.Trains, starts, stops, cond, set)
	if err != nil {
		return nil, specErrorf("%v", err)
	}
	if len(res.Conditions) == 0 {
		return nil, specErrorf("by %q: every row is blank", p.By)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ws, we, _ := analysis.Windows(starts, stops, set.Window, align)
	out := &TuningResult{By: p.By, Conditions: res.Conditions, NTrials: res.NTrials, NBlank: res.NBlank,
		IntervalsPath: ti.Path, Rows: len(starts), RunningTrials: -1, Provenance: res.Provenance}
	var running []bool
	if p.Running != "" {
		thr := p.RunningThreshold
		if thr == 0 {
			thr = 1
		}
		speed, unit, err := readSeries(f, "running", p.Running)
		if err != nil {
			return nil, err
		}
		running, _ = analysis.RunningTrials(speed, ws, we, thr)
		out.RunningTrials, out.SpeedUnit = 0, unit
		for _, r := range running {
			if r {
				out.RunningTrials++
			}
		}
	}
	direction := numeric && len(by) == 1
	switch p.Angles {
	case "", "auto":
		n := strings.ToLower(by[0])
		direction = direction && (strings.Contains(n, "orient") || strings.Contains(n, "direction") || strings.Contains(n, "angle") || strings.Contains(n, "heading"))
	case "no":
		direction = false
	case "yes":
		if !direction {
			return nil, specErrorf("angles yes needs a single numeric by column")
		}
	}
	out.Direction = direction
	var dirs []float64
	if numeric && len(by) == 1 {
		for _, v := range res.Values {
			dirs = append(dirs, v[0])
		}
		out.Values = dirs
	}
	nan := F(math.NaN())
	for u, r := range res.Units {
		row := TuningUnit{UnitID: units.IDs[u], Rates: r.RateHz, SEM: r.SEMHz, BlankRate: F(r.BlankRateHz),
			PrefDirection: nan, VectorPrefDir: nan, VectorPrefOri: nan, GOSI: nan, GDSI: nan, OSI: nan, DSI: nan, Reliability: nan,
			LifetimeSparseness: F(analysis.LifetimeSparseness(r.RateHz))}
		pi, tie := analysis.Preferred(r.RateHz)
		row.PrefTie = tie
		if pi >= 0 {
			row.Preferred = res.Conditions[pi]
			var pw, pe []float64
			for i, c := range res.Condition {
				if c == pi {
					pw, pe = append(pw, ws[i]), append(pe, we[i])
				}
			}
			row.Reliability = F(analysis.SpikeTrialReliability(units.Trains[u], pw, pe, 0, 0))
			if running != nil {
				keep := make([]bool, len(res.Condition))
				for i, c := range res.Condition {
					keep[i] = c == pi
				}
				m, pv := analysis.RunningModulation(analysis.SplitRunning(r.TrialRateHz, running, keep))
				jm, jp := F(m), F(pv)
				row.RunningModulation, row.RunningP = &jm, &jp
			}
		}
		if direction {
			d := analysis.Direction(dirs, r.RateHz)
			row.PrefDirection, row.VectorPrefDir = F(d.PrefDirectionDeg), F(d.VectorPrefDirectionDeg)
			row.VectorPrefOri = F(analysis.VectorPreferredOrientation(dirs, r.RateHz))
			row.GOSI, row.GDSI, row.OSI, row.DSI = F(d.GOSI), F(d.GDSI), F(d.PeakOSI), F(d.PeakDSI)
		}
		out.Units = append(out.Units, row)
	}
	return out, nil
}

// readSeries reads the TimeSeries at path (named by the parameter param in
// errors: a missing series is the user's input, ErrSpec) and its unit.
func readSeries(f *nwb.File, param, path string) (*ts.Series, string, error) {
	tsr, err := f.TimeSeries(path)
	if err != nil {
		return nil, "", specErrorf("%s %q: %v", param, path, err)
	}
	sm, err := tsr.Read()
	if err != nil {
		return nil, "", err
	}
	s, err := sm.Series()
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", path, err)
	}
	return s, sm.Unit, nil
}

// conditionsOf reads the by columns as numbers when all are numeric, else
// as text.
func conditionsOf(ti *nwb.TimeIntervals, by []string) (analysis.Conditions, bool, error) {
	var nums [][]float64
	numeric := true
	for i, c := range by {
		c = strings.TrimSpace(c)
		by[i] = c
		if !ti.HasColumn(c) {
			return analysis.Conditions{}, false, specErrorf("by %q: no such column in %s (columns: %s)", c, ti.Path, strings.Join(ti.ColumnNames(), ", "))
		}
		v, err := ti.Float64s(c)
		if err != nil {
			numeric = false
			break
		}
		nums = append(nums, v)
	}
	if numeric {
		cond, err := analysis.NumericConditions(nums...)
		return cond, true, err
	}
	var strs [][]string
	for _, c := range by {
		s, err := ti.Strings(c)
		if err != nil {
			v, err2 := ti.Float64s(c)
			if err2 != nil {
				return analysis.Conditions{}, false, specErrorf("by %q: not a numeric or text column: %v", c, err)
			}
			s = make([]string, len(v))
			for i, x := range v {
				if !math.IsNaN(x) {
					s[i] = strconv.FormatFloat(x, 'g', -1, 64)
				}
			}
		}
		strs = append(strs, s)
	}
	cond, err := analysis.StringConditions(strs...)
	return cond, false, err
}

// InfoResult is the information step's result: mutual information between
// each unit's spike count and the condition, in bits (analysis/info.Units).
type InfoResult struct {
	By           string     `json:"by"`
	Estimator    string     `json:"estimator"`
	Conditions   []string   `json:"conditions"`
	Trials       int        `json:"trials"`
	Bins         int        `json:"bins"`
	Permutations int        `json:"permutations"`
	Units        []InfoUnit `json:"units"`
	// IntervalsPath is the resolved table; Window the count window relative
	// to each row's start (nil = the whole row); Excluded the rows with a
	// blank (NaN or empty) condition.
	IntervalsPath string    `json:"intervals_path"`
	Window        []float64 `json:"window_s,omitempty"`
	Excluded      int       `json:"excluded_trials"`
	Seed          uint64    `json:"seed"`
}

// InfoUnit is one unit's information.
type InfoUnit struct {
	UnitID       int64 `json:"unit_id"`
	MIBits       F     `json:"mi_bits"`
	MIPlugInBits F     `json:"mi_plugin_bits"`
	BiasBits     F     `json:"bias_bits"`
	P            F     `json:"p"`
	NullMeanBits F     `json:"null_mean_bits"`
	SSI          Fs    `json:"ssi_bits"`
}

// Info runs the information step on an open session.
func Info(ctx context.Context, f *nwb.File, p *InfoParams) (*InfoResult, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	win, hasWin, _ := parseWindow("window", p.Window)
	estName := strings.ToLower(p.Estimator)
	if estName == "" {
		estName = "pt"
	}
	// gcmi (Gaussian copula, model-cd, on the raw counts) replaces mi_bits,
	// p and the null; the binned plug-in still gives mi_plugin_bits and SSI.
	gcmi := estName == "gcmi"
	est := info.PlugIn
	if !gcmi {
		var err error
		if est, err = info.ParseEstimator(estName); err != nil {
			return nil, specErrorf("estimator %q: want plugin, mm, pt, qe, shuffle, nsb or gcmi", p.Estimator)
		}
	}
	perms := 1000
	if p.Permutations != nil {
		perms = *p.Permutations
	}
	seed := p.Seed
	if seed == 0 {
		seed = 1
	}
	c, err := openConditions(f, p.Intervals, p.By, "")
	if err != nil {
		return nil, err
	}
	codes, names, starts, stops := c.codes, c.names, c.starts, c.stops
	var stim []int
	var ws, we []float64
	for i, c := range codes {
		if c < 0 {
			continue
		}
		a, b := starts[i], stops[i]
		if hasWin {
			a, b = starts[i]+win[0], starts[i]+win[1]
		}
		stim, ws, we = append(stim, c), append(ws, a), append(we, b)
	}
	if len(names) < 2 || len(stim) < 4 {
		return nil, specErrorf("by %q: %d conditions over %d usable rows; need ≥ 2 conditions", p.By, len(names), len(stim))
	}
	units, err := loadUnits(f, "all")
	if err != nil {
		return nil, err
	}
	counts := make([][]int, units.Len())
	for u, tr := range units.Trains {
		if !slices.IsSorted(tr) {
			tr = slices.Clone(tr)
			slices.Sort(tr)
		}
		if counts[u], err = info.SpikeCounts(tr, ws, we); err != nil {
			return nil, fmt.Errorf("unit %d: %w", units.IDs[u], err)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set := &info.Settings{Workers: p.Workers, Rand: rand.New(rand.NewPCG(seed, 0x6e6575726f))}
	res, err := info.Units(stim, counts, &info.Options{Estimator: est, Bins: p.Bins, Permutations: perms}, set)
	if err != nil {
		return nil, err
	}
	out := &InfoResult{By: p.By, Estimator: estName, Conditions: names, Trials: len(stim), Permutations: perms,
		IntervalsPath: c.ti.Path, Excluded: len(codes) - len(stim), Seed: seed}
	if hasWin {
		out.Window = win[:]
	}
	nan := F(math.NaN())
	for u, r := range res {
		out.Bins = r.Bins
		row := InfoUnit{UnitID: units.IDs[u], MIBits: F(r.Bits), MIPlugInBits: F(r.PlugInBits),
			BiasBits: F(r.BiasBits), P: F(r.P), NullMeanBits: F(r.NullMeanBits), SSI: r.SSI}
		if gcmi {
			g, err := gcmiUnit(stim, counts[u], perms, set)
			if err != nil {
				return nil, fmt.Errorf("unit %d: %w", units.IDs[u], err)
			}
			row.MIBits, row.BiasBits, row.P, row.NullMeanBits = F(g.Observed), nan, F(g.P), F(g.NullMean)
		}
		if perms == 0 {
			row.P, row.NullMeanBits = nan, nan
		}
		out.Units = append(out.Units, row)
	}
	return out, nil
}

// gcmiUnit is the Gaussian-copula MI (model-cd) between the spike count and
// the condition, with a permutation test.
func gcmiUnit(stim, counts []int, nPerm int, set *info.Settings) (info.Test, error) {
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

// PlaceResult is the place step's result: 1-D or 2-D rate maps and Skaggs
// information per unit (analysis.PlaceFields). Rates in Hz, information in
// bits, positions in the position series' unit.
type PlaceResult struct {
	Position  string      `json:"position"`
	Unit      string      `json:"unit"`  // of the position (e.g. m)
	Edges     []Fs        `json:"edges"` // bin edges per axis
	Shape     []int       `json:"shape"`
	Occupancy Fs          `json:"occupancy_s"`
	Units     []PlaceUnit `json:"units"`
	Samples   int         `json:"position_samples"`
	Shuffles  int         `json:"shuffles"`
	// Warnings are the epochs table's repairs (ts.IntervalSet).
	Warnings []string `json:"warnings,omitempty"`
	// Provenance is analysis.PlaceFields' (bins, version).
	Provenance analysis.Provenance `json:"-"`
}

// PlaceUnit is one unit's rate map and summary.
type PlaceUnit struct {
	UnitID        int64 `json:"unit_id"`
	BitsPerSpike  F     `json:"bits_per_spike"`
	BitsPerSecond F     `json:"bits_per_second"`
	Sparsity      F     `json:"sparsity"`
	PeakRate      F     `json:"peak_rate_hz"`
	MeanRate      F     `json:"mean_rate_hz"`
	FieldCenter   Fs    `json:"field_center"`
	RateMap       Fs    `json:"rate_map_hz"`
	// BitsCorrected is BitsPerSpike minus the first-order sampling bias
	// (B-1)/(2 N ln 2); FieldCOM and FieldWidth per axis; Z and P against
	// the circular shifts (NaN without shuffles).
	BitsCorrected F  `json:"bits_per_spike_corrected"`
	FieldCOM      Fs `json:"field_com"`
	FieldWidth    Fs `json:"field_width"`
	Z             F  `json:"z"`
	P             F  `json:"p"`
}

// Place runs the place step on an open session.
func Place(ctx context.Context, f *nwb.File, p *PlaceParams) (*PlaceResult, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	bin := p.Bin
	if bin == 0 {
		bin = 0.02
	}
	pos, posUnit, err := readSeries(f, "position", p.Position)
	if err != nil {
		return nil, err
	}
	if pos.Channels > 2 {
		return nil, specErrorf("position %q has %d columns; want 1-D or 2-D", p.Position, pos.Channels)
	}
	units, err := loadUnits(f, p.Units)
	if err != nil {
		return nil, err
	}
	rng, hasRange, _ := parseWindow("range", p.Range)
	axes := make([]analysis.Axis, pos.Channels)
	for d := range axes {
		lo, hi := rng[0], rng[1]
		if !hasRange {
			lo, hi = math.Inf(1), math.Inf(-1)
			for i := 0; i < pos.Len(); i++ {
				if v := pos.At(i, d); !math.IsNaN(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
			if lo > hi {
				return nil, fmt.Errorf("%s: column %d has no finite positions", p.Position, d)
			}
		}
		n := int(math.Round((hi - lo) / bin)) // exact multiples up to rounding
		if math.Abs(float64(n)*bin-(hi-lo)) > 1e-9*math.Max(1, hi-lo) {
			n = int(math.Ceil((hi - lo) / bin))
		}
		if n < 1 || n > 100000 {
			return nil, specErrorf("bin %g gives %d bins over [%g, %g]", bin, n, lo, hi)
		}
		axes[d] = analysis.Axis{Name: []string{"x", "y"}[d], Bins: n, Min: lo, Max: lo + float64(n)*bin}
	}
	minShift, seed := 20.0, p.Seed
	if p.MinShift != nil {
		minShift = *p.MinShift
	}
	if seed == 0 {
		seed = 1
	}
	set := &analysis.PlaceSettings{Shuffles: p.Shuffles, MinShift: minShift, Rand: rand.New(rand.NewPCG(seed, 0x706c616365)),
		Tuning: analysis.TuningSettings{MinOccupancy: p.MinOccupancy, Workers: p.Workers}}
	if p.Pynapple {
		set.MeanRate = analysis.MeanEpochRate
	}
	var warnings []string
	if p.Smooth > 0 {
		set.Tuning.Smooth = []float64{p.Smooth, p.Smooth}
	}
	if p.Epochs != "" {
		ti, err := f.Intervals(p.Epochs)
		if err != nil {
			return nil, specErrorf("epochs %q: %v", p.Epochs, err)
		}
		ep, warns, err := ti.IntervalSet(nil)
		if err != nil {
			return nil, err
		}
		for _, w := range warns {
			warnings = append(warnings, fmt.Sprint(w))
		}
		set.Tuning.Epochs = ep
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := analysis.PlaceFields(units.Trains, pos, axes, set)
	if err != nil {
		return nil, err
	}
	tr := res.Tuning
	out := &PlaceResult{Position: p.Position, Unit: posUnit, Shape: tr.Shape, Occupancy: tr.OccupancySeconds,
		Samples: pos.Len(), Shuffles: p.Shuffles, Warnings: warnings, Provenance: tr.Provenance}
	for _, a := range tr.Axes {
		out.Edges = append(out.Edges, a.Edges)
	}
	for u, pu := range res.Units {
		out.Units = append(out.Units, PlaceUnit{UnitID: units.IDs[u], BitsPerSpike: F(pu.BitsPerSpike), BitsPerSecond: F(pu.BitsPerSecond),
			Sparsity: F(pu.Sparsity), PeakRate: F(pu.PeakRateHz), MeanRate: F(tr.MeanRateHz[u]), FieldCenter: pu.FieldCenter, RateMap: tr.RateHz[u],
			BitsCorrected: F(pu.BitsPerSpikeCorrected), FieldCOM: pu.FieldCOM, FieldWidth: pu.FieldWidth, Z: F(pu.Z), P: F(pu.P)})
	}
	return out, nil
}
