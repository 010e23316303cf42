package pipeline

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Parameter blocks. Field names (yaml keys) are the flag names of the
// matching `neurodata analyze` subcommand; defaults are the flags'
// defaults. Workers never changes a result, so it is left out of the
// content key (json:"-").

// TuningParams are `neurodata analyze tuning`'s options.
type TuningParams struct {
	Intervals        string  `yaml:"intervals" json:"intervals"`
	By               string  `yaml:"by" json:"by"`
	Window           string  `yaml:"window,omitempty" json:"window,omitempty"`
	Align            string  `yaml:"align,omitempty" json:"align,omitempty"`
	Angles           string  `yaml:"angles,omitempty" json:"angles,omitempty"`
	Units            string  `yaml:"units,omitempty" json:"units,omitempty"`
	Running          string  `yaml:"running,omitempty" json:"running,omitempty"`
	RunningThreshold float64 `yaml:"running-threshold,omitempty" json:"running-threshold,omitempty"`
	Workers          int     `yaml:"workers,omitempty" json:"-"`
}

// InfoParams are `neurodata analyze info`'s options.
type InfoParams struct {
	Intervals    string `yaml:"intervals" json:"intervals"`
	By           string `yaml:"by" json:"by"`
	Window       string `yaml:"window,omitempty" json:"window,omitempty"`
	Estimator    string `yaml:"estimator,omitempty" json:"estimator,omitempty"`
	Permutations *int   `yaml:"permutations,omitempty" json:"permutations,omitempty"`
	Bins         int    `yaml:"bins,omitempty" json:"bins,omitempty"`
	Seed         uint64 `yaml:"seed,omitempty" json:"seed,omitempty"`
	Workers      int    `yaml:"workers,omitempty" json:"-"`
}

// DecodeParams are `neurodata analyze decode`'s options, plus Curve (the
// pipeline's accuracy-vs-neurons learning curve).
type DecodeParams struct {
	Intervals    string  `yaml:"intervals" json:"intervals"`
	By           string  `yaml:"by" json:"by"`
	Window       string  `yaml:"window,omitempty" json:"window,omitempty"`
	Decoder      string  `yaml:"decoder,omitempty" json:"decoder,omitempty"`
	Metric       string  `yaml:"metric,omitempty" json:"metric,omitempty"`
	Folds        string  `yaml:"folds,omitempty" json:"folds,omitempty"`
	Shuffle      bool    `yaml:"shuffle,omitempty" json:"shuffle,omitempty"`
	Group        string  `yaml:"group,omitempty" json:"group,omitempty"`
	Units        string  `yaml:"units,omitempty" json:"units,omitempty"`
	Permutations *int    `yaml:"permutations,omitempty" json:"permutations,omitempty"`
	TimeResolved float64 `yaml:"time-resolved,omitempty" json:"time-resolved,omitempty"`
	Seed         *uint64 `yaml:"seed,omitempty" json:"seed,omitempty"`
	// Curve lists population sizes for accuracy vs number of units (random
	// subsets, CurveRepeats each; default 10). Pipeline only.
	Curve        []int `yaml:"curve,omitempty" json:"curve,omitempty"`
	CurveRepeats int   `yaml:"curve-repeats,omitempty" json:"curve-repeats,omitempty"`
	Workers      int   `yaml:"workers,omitempty" json:"-"`
}

// RSAParams are `neurodata analyze rsa`'s options. Model entries are
// NAME=PATH; relative paths resolve against the session file's folder,
// then the spec's, then the embedded example files. With no model, files
// named SESSION.*.npy beside the session (or embedded with an example
// session) are the models.
type RSAParams struct {
	Intervals    string   `yaml:"intervals" json:"intervals"`
	By           string   `yaml:"by" json:"by"`
	Response     string   `yaml:"response" json:"response"`
	Window       string   `yaml:"window,omitempty" json:"window,omitempty"`
	Series       string   `yaml:"series,omitempty" json:"series,omitempty"`
	Kernel       string   `yaml:"kernel,omitempty" json:"kernel,omitempty"`
	Blank        *string  `yaml:"blank,omitempty" json:"blank,omitempty"`
	Model        []string `yaml:"model,omitempty" json:"model,omitempty"`
	RDM          string   `yaml:"rdm,omitempty" json:"rdm,omitempty"`
	ModelRDM     string   `yaml:"model-rdm,omitempty" json:"model-rdm,omitempty"`
	Compare      string   `yaml:"compare,omitempty" json:"compare,omitempty"`
	Permutations int      `yaml:"permutations,omitempty" json:"permutations,omitempty"`
	Bootstrap    int      `yaml:"bootstrap,omitempty" json:"bootstrap,omitempty"`
	Splits       int      `yaml:"splits,omitempty" json:"splits,omitempty"`
	Seed         uint64   `yaml:"seed,omitempty" json:"seed,omitempty"`
}

// PlaceParams are `neurodata analyze place`'s options.
type PlaceParams struct {
	Position     string  `yaml:"position" json:"position"`
	Bin          float64 `yaml:"bin,omitempty" json:"bin,omitempty"`
	Range        string  `yaml:"range,omitempty" json:"range,omitempty"`
	Smooth       float64 `yaml:"smooth,omitempty" json:"smooth,omitempty"`
	MinOccupancy float64 `yaml:"min-occupancy,omitempty" json:"min-occupancy,omitempty"`
	Epochs       string  `yaml:"epochs,omitempty" json:"epochs,omitempty"`
	Units        string  `yaml:"units,omitempty" json:"units,omitempty"`
	// Shuffles circular time shifts (at least MinShift seconds; nil = 20)
	// give each unit's z and p (0 = none); Seed seeds them (0 = 1).
	Shuffles int      `yaml:"shuffles,omitempty" json:"shuffles,omitempty"`
	MinShift *float64 `yaml:"min-shift,omitempty" json:"min-shift,omitempty"`
	Seed     uint64   `yaml:"seed,omitempty" json:"seed,omitempty"`
	// Pynapple uses spikes / epoch duration as the Skaggs mean rate
	// (pynapple parity) instead of the occupancy-weighted mean.
	Pynapple bool `yaml:"pynapple,omitempty" json:"pynapple,omitempty"`
	Workers  int  `yaml:"workers,omitempty" json:"-"`
}

func (p *TuningParams) validate() error {
	if err := requireIntervalsBy("tuning", p.Intervals, p.By); err != nil {
		return err
	}
	if _, _, err := parseWindow("window", p.Window); err != nil {
		return err
	}
	if err := oneOf("align", p.Align, "start", "stop"); err != nil {
		return err
	}
	if err := oneOf("angles", p.Angles, "auto", "yes", "no"); err != nil {
		return err
	}
	return oneOf("units", p.Units, "all", "good")
}

func (p *InfoParams) validate() error {
	if err := requireIntervalsBy("info", p.Intervals, p.By); err != nil {
		return err
	}
	if _, _, err := parseWindow("window", p.Window); err != nil {
		return err
	}
	if p.Permutations != nil && (*p.Permutations < 0 || *p.Permutations > 1_000_000) {
		return specErrorf("permutations %d: want 0 to 1000000", *p.Permutations)
	}
	return nil
}

func (p *DecodeParams) validate() error {
	if err := requireIntervalsBy("decode", p.Intervals, p.By); err != nil {
		return err
	}
	_, err := p.options()
	return err
}

func (p *RSAParams) validate() error {
	if err := requireIntervalsBy("rsa", p.Intervals, p.By); err != nil {
		return err
	}
	_, err := p.options()
	return err
}

func (p *PlaceParams) validate() error {
	if p.Position == "" {
		return specErrorf("place: position is required")
	}
	if p.Bin < 0 || math.IsInf(p.Bin, 0) || math.IsNaN(p.Bin) || p.Smooth < 0 || p.MinOccupancy < 0 {
		return specErrorf("place: bin, smooth and min-occupancy must be ≥ 0")
	}
	if p.Shuffles < 0 || p.Shuffles > 100000 || (p.MinShift != nil && !(*p.MinShift >= 0)) {
		return specErrorf("place: shuffles must be 0..100000 and min-shift ≥ 0")
	}
	if err := oneOf("units", p.Units, "all", "good"); err != nil {
		return err
	}
	if p.Range != "" {
		if _, _, err := parseWindow("range", p.Range); err != nil {
			return err
		}
	}
	return nil
}

// requireIntervalsBy checks the two parameters every per-condition step
// (tuning, info, decode, rsa) needs.
func requireIntervalsBy(kind, intervals, by string) error {
	if intervals == "" || by == "" {
		return specErrorf("%s: intervals and by are required", kind)
	}
	return nil
}

// oneOf checks that v is "" (the default) or one of choices; the error
// lists them ("want a, b or c").
func oneOf(name, v string, choices ...string) error {
	if v == "" || slices.Contains(choices, v) {
		return nil
	}
	want := choices[len(choices)-1]
	if n := len(choices); n > 1 {
		want = strings.Join(choices[:n-1], ", ") + " or " + want
	}
	return specErrorf("%s %q: want %s", name, v, want)
}

// parseWindow parses START:STOP seconds; "" gives ok = false.
func parseWindow(name, s string) (w [2]float64, ok bool, err error) {
	if s == "" {
		return w, false, nil
	}
	a, b, found := strings.Cut(s, ":")
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !found || err1 != nil || err2 != nil || math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(hi > lo) {
		return w, false, specErrorf("%s %q: want START:STOP with finite START < STOP", name, s)
	}
	return [2]float64{lo, hi}, true, nil
}

// Validate checks the parameters (errors wrap ErrSpec).
func (p *TuningParams) Validate() error { return p.validate() }

// Validate checks the parameters (errors wrap ErrSpec).
func (p *InfoParams) Validate() error { return p.validate() }

// Validate checks the parameters (errors wrap ErrSpec).
func (p *DecodeParams) Validate() error { return p.validate() }

// Validate checks the parameters (errors wrap ErrSpec).
func (p *RSAParams) Validate() error { return p.validate() }

// Validate checks the parameters (errors wrap ErrSpec).
func (p *PlaceParams) Validate() error { return p.validate() }

// workers gives withWorkers (run.go) each block's Workers field.
func (p *TuningParams) workers() *int { return &p.Workers }
func (p *InfoParams) workers() *int   { return &p.Workers }
func (p *DecodeParams) workers() *int { return &p.Workers }
func (p *PlaceParams) workers() *int  { return &p.Workers }
func (p *PSTHParams) workers() *int   { return &p.Workers }
func (p *StatsParams) workers() *int  { return &p.Workers }
