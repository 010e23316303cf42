package pipeline

import (
	"context"
	"math"
	"strconv"
	"strings"

	"github.com/neurodata/neurodata/analysis"
	"github.com/neurodata/neurodata/nwb"
)

// PSTHParams are `neurodata analyze psth`'s options, plus Rasters (how
// many units keep their spike rasters for the report; default 6).
type PSTHParams struct {
	Intervals string  `yaml:"intervals" json:"intervals"`
	Align     string  `yaml:"align,omitempty" json:"align,omitempty"`
	Window    string  `yaml:"window,omitempty" json:"window,omitempty"`
	Bin       float64 `yaml:"bin,omitempty" json:"bin,omitempty"`
	Smooth    float64 `yaml:"smooth,omitempty" json:"smooth,omitempty"`
	Where     string  `yaml:"where,omitempty" json:"where,omitempty"`
	Units     string  `yaml:"units,omitempty" json:"units,omitempty"`
	Rasters   int     `yaml:"rasters,omitempty" json:"rasters,omitempty"`
	Workers   int     `yaml:"workers,omitempty" json:"-"`
}

// PSTHResult is the PSTH step's result (analysis.PSTH): mean rate ± SEM
// per bin around the events for every unit, and the rasters of the most
// modulated units. Times in seconds from the event, rates in Hz.
type PSTHResult struct {
	Intervals string       `json:"intervals"`
	Where     string       `json:"where,omitempty"`
	Centers   Fs           `json:"bin_centers_s"`
	BinS      float64      `json:"bin_s"`
	NEvents   int          `json:"n_events"`
	Units     []PSTHUnit   `json:"units"`
	Rasters   []PSTHRaster `json:"rasters"`
	// Provenance is analysis.PSTH's (window, bin width, version).
	Provenance analysis.Provenance `json:"-"`
}

// PSTHUnit is one unit's PSTH.
type PSTHUnit struct {
	UnitID int64 `json:"unit_id"`
	Rates  Fs    `json:"rates_hz"`
	SEM    Fs    `json:"sem_hz"`
}

// PSTHRaster is one unit's spike times relative to each event.
type PSTHRaster struct {
	UnitID int64       `json:"unit_id"`
	Spikes [][]float64 `json:"spikes_s"`
}

func (p *PSTHParams) window() ([2]float64, error) {
	w := p.Window
	if w == "" {
		w = "-0.5:1"
	}
	win, _, err := parseWindow("window", w)
	return win, err
}

func (p *PSTHParams) validate() error {
	if p.Intervals == "" {
		return specErrorf("psth: intervals is required")
	}
	win, err := p.window()
	if err != nil {
		return err
	}
	bin := p.Bin
	if bin == 0 {
		bin = 0.01
	}
	if !(bin > 0) || math.IsInf(bin, 0) || (win[1]-win[0])/bin > 1e6 {
		return specErrorf("bin %g: want a positive bin width with at most 1e6 bins in the window", p.Bin)
	}
	if p.Smooth < 0 || p.Rasters < 0 {
		return specErrorf("smooth and rasters must be ≥ 0")
	}
	if err := oneOf("align", p.Align, "start", "stop"); err != nil {
		return err
	}
	if p.Where != "" && !strings.Contains(p.Where, "=") {
		return specErrorf("where %q: want COLUMN=VALUE", p.Where)
	}
	return nil
}

// Validate checks the parameters (errors wrap ErrSpec).
func (p *PSTHParams) Validate() error { return p.validate() }

// PSTH runs the PSTH step on an open session.
func PSTH(ctx context.Context, f *nwb.File, p *PSTHParams) (*PSTHResult, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	win, _ := p.window()
	bin := p.Bin
	if bin == 0 {
		bin = 0.01
	}
	nRast := p.Rasters
	if nRast == 0 {
		nRast = 6
	}
	ti, starts, stops, err := openIntervals(f, p.Intervals)
	if err != nil {
		return nil, err
	}
	events := starts
	if p.Align == "stop" {
		events = stops
	}
	if p.Where != "" {
		col, val, _ := strings.Cut(p.Where, "=")
		if !ti.HasColumn(col) {
			return nil, specErrorf("where %q: no column %q in %s (%s)", p.Where, col, ti.Path, strings.Join(ti.ColumnNames(), ", "))
		}
		var keep []bool
		if nums, err := ti.Float64s(col); err == nil {
			v, perr := strconv.ParseFloat(val, 64)
			if perr != nil {
				return nil, specErrorf("where %q: column %s is numeric, value %q is not", p.Where, col, val)
			}
			for _, x := range nums {
				keep = append(keep, x == v)
			}
		} else {
			strs, err := ti.Strings(col)
			if err != nil {
				return nil, specErrorf("where %q: %v", p.Where, err)
			}
			for _, x := range strs {
				keep = append(keep, x == val)
			}
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
		return nil, specErrorf("no events selected from %s", ti.Path)
	}
	units, err := loadUnits(f, p.Units)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := analysis.PSTH(units.Trains, events, win[0], win[1], bin, &analysis.PSTHSettings{Smooth: p.Smooth, Workers: p.Workers})
	if err != nil {
		return nil, specErrorf("%v", err)
	}
	out := &PSTHResult{Intervals: ti.Path, Where: p.Where, Centers: res.Centers, BinS: bin, NEvents: res.NEvents, Provenance: res.Provenance}
	for u := range res.RateHz {
		out.Units = append(out.Units, PSTHUnit{UnitID: units.IDs[u], Rates: res.RateHz[u], SEM: res.SEMHz[u]})
	}
	// Rasters of the units whose PSTH is most modulated (max − min rate).
	mod := func(i int) float64 {
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, r := range res.RateHz[i] {
			if !math.IsNaN(r) {
				lo, hi = math.Min(lo, r), math.Max(hi, r)
			}
		}
		return hi - lo
	}
	order := make([]int, len(res.RateHz))
	for i := range order {
		order[i] = i
	}
	for a := 1; a < len(order); a++ { // insertion sort, stable, descending
		for b := a; b > 0 && mod(order[b]) > mod(order[b-1]); b-- {
			order[b], order[b-1] = order[b-1], order[b]
		}
	}
	for _, u := range order[:min(nRast, len(order))] {
		out.Rasters = append(out.Rasters, PSTHRaster{UnitID: units.IDs[u], Spikes: analysis.Raster(units.Trains[u], events, win[0], win[1])})
	}
	return out, nil
}
