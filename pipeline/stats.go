package pipeline

import (
	"context"
	"fmt"
	"math"

	"github.com/neurodata/neurodata/analysis"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/ts"
)

// StatsParams are `neurodata analyze stats`'s options.
type StatsParams struct {
	// Intervals restricts the spikes to the rows of this table (rates over
	// their total duration, the Fano factor over rows); "" = the whole
	// session's spike span with the Fano factor over FanoBin bins.
	Intervals string `yaml:"intervals,omitempty" json:"intervals,omitempty"`
	// FanoBin is the Fano factor's bin width in seconds (0 = 1 s).
	FanoBin float64 `yaml:"fano-bin,omitempty" json:"fano-bin,omitempty"`
	// LvRR is LvR's refractory constant in seconds (nil = 0.005).
	LvRR    *float64 `yaml:"lvr-r,omitempty" json:"lvr-r,omitempty"`
	Units   string   `yaml:"units,omitempty" json:"units,omitempty"`
	Workers int      `yaml:"workers,omitempty" json:"-"`
}

func (p *StatsParams) validate() error {
	if p.FanoBin < 0 || math.IsInf(p.FanoBin, 0) || math.IsNaN(p.FanoBin) || (p.LvRR != nil && !(*p.LvRR >= 0 && !math.IsInf(*p.LvRR, 0))) {
		return specErrorf("stats: fano-bin must be > 0 and lvr-r ≥ 0")
	}
	return oneOf("units", p.Units, "all", "good")
}

// Validate checks the parameters (errors wrap ErrSpec).
func (p *StatsParams) Validate() error { return p.validate() }

// StatsResult is the spike-train statistics step's result
// (analysis.UnitStats, Elephant conventions): per unit the spike count,
// mean rate (Hz), mean ISI (s), ISI CV, CV2, LV, LvR and the Fano factor.
type StatsResult struct {
	Intervals string      `json:"intervals,omitempty"`
	FanoBinS  float64     `json:"fano_bin_s"`
	LvRRS     float64     `json:"lvr_r_s"`
	SupportS  float64     `json:"support_s"` // total duration the rates are over
	Units     []StatsUnit `json:"units"`
	// Warnings are the intervals table's repairs (ts.IntervalSet).
	Warnings   []string            `json:"warnings,omitempty"`
	Provenance analysis.Provenance `json:"-"`
}

// StatsUnit is one unit's spike-train statistics.
type StatsUnit struct {
	UnitID  int64 `json:"unit_id"`
	NSpikes int   `json:"n_spikes"`
	Rate    F     `json:"rate_hz"`
	MeanISI F     `json:"mean_isi_s"`
	CV      F     `json:"cv"`
	CV2     F     `json:"cv2"`
	LV      F     `json:"lv"`
	LvR     F     `json:"lvr"`
	Fano    F     `json:"fano"`
}

// Stats runs the spike-train statistics step on an open session.
func Stats(ctx context.Context, f *nwb.File, p *StatsParams) (*StatsResult, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	fanoBin, r := p.FanoBin, 0.005
	if fanoBin == 0 {
		fanoBin = 1
	}
	if p.LvRR != nil {
		r = *p.LvRR
	}
	units, err := loadUnits(f, p.Units)
	if err != nil {
		return nil, err
	}
	out := &StatsResult{Intervals: p.Intervals, FanoBinS: fanoBin, LvRRS: r}
	var ws, we []float64
	if p.Intervals != "" {
		ti, err := f.Intervals(p.Intervals)
		if err != nil {
			return nil, specErrorf("intervals %q: %v", p.Intervals, err)
		}
		ep, warns, err := ti.IntervalSet(nil)
		if err != nil {
			return nil, err
		}
		for _, w := range warns {
			out.Warnings = append(out.Warnings, fmt.Sprint(w))
		}
		if ws, we, err = ti.StartStop(); err != nil {
			return nil, err
		}
		units = units.Restrict(ep)
	} else {
		bins, err := ts.NewBins(units.Support, fanoBin)
		if err != nil {
			return nil, specErrorf("fano-bin: %v", err)
		}
		ws, we = bins.Left, bins.Right
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := analysis.UnitStats(units, &analysis.StatsSettings{Workers: p.Workers, LvRRefractory: r})
	out.SupportS = units.Support.Duration()
	out.Provenance = analysis.Provenance{Analysis: "spike_stats", Version: analysis.Version, BinWidth: fanoBin,
		Params: map[string]string{"lvr_r_s": fmt.Sprint(r), "intervals": p.Intervals, "support_s": fmt.Sprint(out.SupportS)}}
	counts := units.CountWindows(ws, we, p.Workers)
	for u, s := range st {
		c := make([]float64, len(counts[u]))
		for i, v := range counts[u] {
			c[i] = float64(v)
		}
		out.Units = append(out.Units, StatsUnit{UnitID: units.IDs[u], NSpikes: s.NSpikes, Rate: F(s.RateHz), MeanISI: F(s.MeanISI),
			CV: F(s.CV), CV2: F(s.CV2), LV: F(s.LV), LvR: F(s.LvR), Fano: F(analysis.FanoFactor(c))})
	}
	return out, nil
}
