// Package report turns a `neurodata run` results directory into one
// self-contained HTML file (inline SVG figures, no scripts, no network) with
// a cross-session summary and a section per session, or into individual
// PNG/SVG figure files.
package report

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/neurodata/neurodata/analysis/rsa"
	"github.com/neurodata/neurodata/internal/plots"
	"github.com/neurodata/neurodata/pipeline"
)

// Options configure Build. nil means defaults.
type Options struct {
	// Title of the report (default "neurodata report").
	Title string
	// MaxUnits is the most units drawn per per-unit figure (default 12).
	MaxUnits int
}

// Figure is one figure of the report.
type Figure struct {
	Name    string // file name stem, unique in the report
	Title   string
	Caption string // how to read the figure, for students
	draw    func(path string) error
}

// Fact is one headline number of a section.
type Fact struct{ Label, Value string }

// Block is one analysis of one session (or of the summary).
type Block struct {
	Analysis string
	Kind     string
	Headline string // one-line result for the summary table
	Facts    []Fact
	Figures  []Figure
	Error    string
}

// Section is the summary or one session.
type Section struct {
	ID, Title string
	Subtitle  string
	Blocks    []Block
	Failed    string // the session could not be opened
}

// Report is a built report, ready to render.
type Report struct {
	Title    string
	Dir      string
	Manifest *pipeline.Manifest
	Summary  Section
	Sessions []Section
}

// Build reads the manifest and results of a results directory.
func Build(dir string, o *Options) (*Report, error) {
	if o == nil {
		o = &Options{}
	}
	if o.Title == "" {
		o.Title = "neurodata report"
	}
	if o.MaxUnits <= 0 {
		o.MaxUnits = 12
	}
	m, err := pipeline.ReadManifest(dir)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	r := &Report{Title: o.Title, Dir: dir, Manifest: m}
	bySession := map[string][]pipeline.ManifestEntry{}
	for _, e := range m.Results {
		bySession[e.Session] = append(bySession[e.Session], e)
	}
	failed := map[string]string{}
	for _, e := range m.Errors {
		if e.Analysis == "" {
			failed[e.Session] = e.Error
		}
	}
	results := map[string][]*pipeline.AnalysisResult{} // by analysis ID, in session order
	var sessionOrder []string
	for _, in := range m.Inputs {
		sessionOrder = append(sessionOrder, in.Name)
		sec := Section{ID: "s-" + in.Name, Title: in.Name, Subtitle: fmt.Sprintf("%s %s · %.1f MB · %s", in.Kind, in.Location, float64(in.Size)/1e6, shortDigest(in.Digest))}
		if msg, ok := failed[in.Name]; ok {
			sec.Failed = msg
		}
		entries := bySession[in.Name]
		sort.Slice(entries, func(a, b int) bool { return kindOrder(entries[a].Kind) < kindOrder(entries[b].Kind) })
		for _, e := range entries {
			b := Block{Analysis: e.Analysis, Kind: e.Kind}
			if e.Status == "failed" {
				b.Error = e.Error
				sec.Blocks = append(sec.Blocks, b)
				continue
			}
			res, err := pipeline.ReadResult(dir, e)
			if err != nil {
				b.Error = err.Error()
				sec.Blocks = append(sec.Blocks, b)
				continue
			}
			results[e.Analysis] = append(results[e.Analysis], res)
			sessionBlock(&b, res, o)
			sec.Blocks = append(sec.Blocks, b)
		}
		if sec.Failed == "" && len(sec.Blocks) == 0 {
			sec.Subtitle += " · no analysis applies to this session"
		}
		r.Sessions = append(r.Sessions, sec)
	}
	r.Summary = summarySection(m, results)
	return r, nil
}

func kindOrder(k string) int {
	for i, x := range []string{"tuning", "psth", "place", "stats", "info", "decode", "rsa"} {
		if x == k {
			return i
		}
	}
	return 99
}

func shortDigest(d string) string {
	if i := strings.IndexByte(d, ':'); i >= 0 && len(d) > i+13 {
		return d[:i+13] + "…"
	}
	return d
}

func f3(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	return fmt.Sprintf("%.3f", v)
}

func fig(name, title, caption string, draw func(path string) error) Figure {
	return Figure{Name: name, Title: title, Caption: caption, draw: draw}
}

// grid adapts the plots functions that write BASE.png and BASE.svg to a
// single path: the other format is removed.
func grid(path string, write func(base string) error) error {
	ext := filepath.Ext(path)
	base := strings.TrimSuffix(path, ext)
	if err := write(base); err != nil {
		return err
	}
	for _, e := range []string{".png", ".svg"} {
		if e != ext {
			os.Remove(base + e)
		}
	}
	return nil
}

// topUnits returns up to n indexes sorted by score, descending (NaN last).
func topUnits(n int, score func(i int) float64, total int) []int {
	idx := make([]int, total)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool {
		x, y := score(idx[a]), score(idx[b])
		if math.IsNaN(y) {
			return !math.IsNaN(x)
		}
		return x > y
	})
	if len(idx) > n {
		idx = idx[:n]
	}
	return idx
}

func sessionBlock(b *Block, res *pipeline.AnalysisResult, o *Options) {
	s := res.Session
	pre := s + "_" + res.Analysis
	switch {
	case res.Tuning != nil:
		t := res.Tuning
		top := topUnits(o.MaxUnits, func(i int) float64 {
			if t.Direction {
				return float64(t.Units[i].GOSI)
			}
			return float64(t.Units[i].LifetimeSparseness)
		}, len(t.Units))
		var curves []plots.UnitTuning
		var gosi, gdsi, pref []float64
		nSel := 0
		for _, u := range t.Units {
			gosi, gdsi, pref = append(gosi, float64(u.GOSI)), append(gdsi, float64(u.GDSI)), append(pref, float64(u.VectorPrefDir))
			if float64(u.GOSI) > 0.2 {
				nSel++
			}
		}
		for _, i := range top {
			u := t.Units[i]
			c := plots.UnitTuning{Label: fmt.Sprintf("unit %d", u.UnitID), Rate: u.Rates, SEM: u.SEM, Blank: float64(u.BlankRate)}
			if t.Direction {
				c.X = t.Values
			} else {
				c.Names = t.Conditions
			}
			curves = append(curves, c)
		}
		b.Facts = append(b.Facts, Fact{"units", fmt.Sprint(len(t.Units))}, Fact{"conditions of " + t.By, fmt.Sprint(len(t.Conditions))})
		b.Headline = fmt.Sprintf("%d units × %d conditions", len(t.Units), len(t.Conditions))
		if t.Direction {
			b.Headline = fmt.Sprintf("median global OSI %.2f; %d of %d units with global OSI > 0.2", median(gosi), nSel, len(t.Units))
			b.Facts = append(b.Facts, Fact{"units with global OSI > 0.2", fmt.Sprintf("%d of %d", nSel, len(t.Units))}, Fact{"median global OSI", f3(median(gosi))})
		}
		what := fmt.Sprintf("the %d most selective of %d units", len(curves), len(t.Units))
		blank := ""
		if t.NBlank > 0 {
			blank = " The dashed line is the rate during blank (grey screen) presentations: a unit is driven by the stimulus where its curve is above it."
		}
		if t.Direction {
			b.Figures = append(b.Figures, fig(pre+"_polar", "Direction tuning (polar)",
				"Each panel is one unit ("+what+"): the distance from the centre is the mean firing rate (Hz) for gratings drifting in that direction, with ±1 SEM error bars. A unit tuned to one orientation has two lobes 180° apart; a direction-selective unit has one."+blank,
				func(p string) error {
					return grid(p, func(base string) error {
						return plots.TuningPolarGrid(base, "Direction tuning, rate (Hz) ± SEM", curves, 4)
					})
				}))
			b.Figures = append(b.Figures, fig(pre+"_summary", "Selectivity across the population",
				"Global orientation and direction selectivity (vector-sum indices, 0 = untuned, 1 = responds to one orientation/direction only) of every unit, and the distribution of preferred directions.",
				func(p string) error {
					return grid(p, func(base string) error {
						return plots.TuningSummary(base, fmt.Sprintf("Population summary (%d units)", len(t.Units)), gosi, gdsi, pref)
					})
				}))
		}
		xl := t.By
		if t.Direction {
			xl += " (°)"
		}
		b.Figures = append(b.Figures, fig(pre+"_curves", "Tuning curves",
			"Mean firing rate (Hz, ± SEM across presentations) for each condition of "+t.By+", "+what+"."+blank,
			func(p string) error {
				return grid(p, func(base string) error {
					return plots.TuningCurveGrid(base, "Tuning by "+t.By+", mean ± SEM", xl, curves, 4)
				})
			}))
	case res.PSTH != nil:
		ps := res.PSTH
		b.Facts = append(b.Facts, Fact{"units", fmt.Sprint(len(ps.Units))}, Fact{"events", fmt.Sprintf("%d rows of %s", ps.NEvents, ps.Intervals)},
			Fact{"bin", fmt.Sprintf("%g s", ps.BinS)})
		b.Headline = fmt.Sprintf("%d units around %d events", len(ps.Units), ps.NEvents)
		var us []plots.UnitPSTH
		for _, r := range ps.Rasters {
			for _, u := range ps.Units {
				if u.UnitID == r.UnitID {
					us = append(us, plots.UnitPSTH{Label: fmt.Sprintf("unit %d", u.UnitID), Raster: r.Spikes, Centers: ps.Centers, Width: ps.BinS, Rate: u.Rates, SEM: u.SEM})
				}
			}
		}
		if len(us) > 0 {
			b.Figures = append(b.Figures, fig(pre+"_raster", "Rasters and PSTHs",
				fmt.Sprintf("Top of each panel: one row per event (%d rows of %s), a tick per spike, time 0 = event onset. Bottom: the peri-stimulus time histogram, the mean rate (Hz) in %g s bins ± SEM across events. Shown: the %d units whose rate changes most around the events.", ps.NEvents, ps.Intervals, ps.BinS, len(us)),
				func(p string) error {
					return grid(p, func(base string) error { return plots.RasterPSTH(base, "Spikes around each event", us, 3) })
				}))
		}
	case res.Stats != nil:
		st := res.Stats
		var rate, cv, cv2, lv, fano []float64
		burst := 0
		for _, u := range st.Units {
			rate, cv, cv2 = append(rate, float64(u.Rate)), append(cv, float64(u.CV)), append(cv2, float64(u.CV2))
			lv, fano = append(lv, float64(u.LV)), append(fano, float64(u.Fano))
			if float64(u.LV) > 1 {
				burst++
			}
		}
		span := "whole recording"
		if st.Intervals != "" {
			span = "rows of " + st.Intervals
		}
		b.Facts = append(b.Facts, Fact{"units", fmt.Sprint(len(st.Units))}, Fact{"time analysed", fmt.Sprintf("%.1f s (%s)", st.SupportS, span)},
			Fact{"median rate (Hz)", f3(median(rate))}, Fact{"median ISI CV", f3(median(cv))}, Fact{"median CV2", f3(median(cv2))},
			Fact{"median LV (1 = Poisson, < 1 regular, > 1 bursty)", f3(median(lv))},
			Fact{"units with LV > 1 (bursty)", fmt.Sprintf("%d of %d", burst, len(st.Units))},
			Fact{fmt.Sprintf("median Fano factor (%g s bins; 1 = Poisson)", st.FanoBinS), f3(median(fano))})
		b.Headline = fmt.Sprintf("median rate %.2f Hz, ISI CV %.2f, LV %.2f, Fano %.2f over %d units", median(rate), median(cv), median(lv), median(fano), len(st.Units))
		if len(st.Units) > 0 {
			b.Figures = append(b.Figures, fig(pre+"_spiketrains", "Firing regularity across the population",
				fmt.Sprintf("One histogram per statistic over the %d units (%s): the mean firing rate (log scale), the ISI coefficient of variation (SD/mean of the intervals between spikes), the local variation LV (compares neighbouring intervals, so slow rate changes do not inflate it) and the Fano factor (variance/mean of spike counts in %g s bins). The dashed line at 1 is a Poisson process: values below mean more regular firing, above burstier or more variable firing. Values above 3 are counted in the last bin.", len(st.Units), span, st.FanoBinS),
				func(p string) error {
					return grid(p, func(base string) error {
						return plots.SpikeStatsSummary(base, fmt.Sprintf("Spike-train statistics (%d units)", len(st.Units)), rate, cv, lv, fano)
					})
				}))
		}
	case res.Info != nil:
		in := res.Info
		var mi, pl, pv []float64
		nSig := 0
		for _, u := range in.Units {
			mi, pl, pv = append(mi, float64(u.MIBits)), append(pl, float64(u.MIPlugInBits)), append(pv, pnan(float64(u.P)))
			if float64(u.P) < 0.05 {
				nSig++
			}
		}
		b.Facts = append(b.Facts, Fact{"units", fmt.Sprint(len(in.Units))}, Fact{"estimator", in.Estimator},
			Fact{"trials", fmt.Sprint(in.Trials)}, Fact{"response bins", fmt.Sprint(in.Bins)},
			Fact{"median information (bits)", f3(median(mi))}, Fact{"units with p < 0.05", fmt.Sprintf("%d of %d (%d permutations)", nSig, len(in.Units), in.Permutations)})
		b.Headline = fmt.Sprintf("median %.2f bits per unit about %s; %d of %d units significant", median(mi), in.By, nSig, len(in.Units))
		b.Figures = append(b.Figures, fig(pre+"_mi", "Information per unit",
			fmt.Sprintf("How many bits each unit's spike count carries about %s (log2 of %d conditions = %.2f bits is the maximum). Bars: the %s estimate, which subtracts the sampling bias; orange dots: the naive plug-in estimate, which is biased upward with few trials. Green bars are significant in a label-permutation test (p < 0.05).",
				in.By, len(in.Conditions), math.Log2(float64(len(in.Conditions))), in.Estimator),
			func(p string) error {
				return plots.InfoPerUnit(p, "Mutual information with "+in.By+" per unit", in.Estimator, mi, pl, pv)
			}))
	case res.Decode != nil:
		d := res.Decode
		pstr := "–"
		if d.P != nil {
			pstr = fmt.Sprintf("%.3g (%d permutations)", *d.P, d.Permutations)
		}
		b.Facts = append(b.Facts, Fact{"decoder", d.Decoder}, Fact{"cross-validation", d.CV},
			Fact{"units × trials", fmt.Sprintf("%d × %d", len(d.UnitIDs), d.Trials)},
			Fact{"accuracy", f3(d.Accuracy)}, Fact{"chance (1/K)", f3(d.Chance)}, Fact{"binomial threshold (α = 0.05)", f3(d.ChanceThreshold)}, Fact{"p", pstr})
		title := fmt.Sprintf("%s, accuracy %.3f", d.Decoder, d.Accuracy)
		b.Headline = fmt.Sprintf("accuracy %.3f decoding %s from %d units (chance %.3f, p = %s)", d.Accuracy, d.By, len(d.UnitIDs), d.Chance, pstr)
		b.Figures = append(b.Figures, fig(pre+"_confusion", "Confusion matrix",
			"Rows: the true "+d.By+" of held-out trials; columns: what the decoder predicted. Numbers are trial counts, colour the fraction of the row. A perfect decoder fills the diagonal; confusions between neighbouring or opposite directions show what the population cannot tell apart.",
			func(p string) error { return plots.DecodeConfusion(p, title, d.Conditions, d.Confusion) }))
		if len(d.Curve) > 0 {
			var n []int
			var mean, sd []float64
			for _, c := range d.Curve {
				n, mean, sd = append(n, c.Units), append(mean, c.Mean), append(sd, c.SD)
			}
			b.Figures = append(b.Figures, fig(pre+"_units", "Accuracy vs number of units",
				"Cross-validated accuracy when decoding from random subsets of units (mean ± SD over subsets). Accuracy above the dashed orange binomial threshold is better than chance at α = 0.05; the slope shows how much each extra neuron adds.",
				func(p string) error {
					return plots.AccuracyVsUnits(p, "Decoding "+d.By+" from more units", n, mean, sd, d.Chance, d.ChanceThreshold)
				}))
		}
		if t := d.Time; t != nil {
			b.Figures = append(b.Figures, fig(pre+"_time", "Accuracy over time",
				fmt.Sprintf("Accuracy of a decoder trained and tested in each %.3g s bin after stimulus onset (time 0), ± SEM over folds: when does the information appear and how long does it last?", t.BinS),
				func(p string) error {
					return plots.DecodeOverTime(p, "decoding "+d.By+" over time", t.Times, t.Accuracy, t.FoldAccuracy, d.Chance, d.ChanceThreshold)
				}))
			b.Figures = append(b.Figures, fig(pre+"_generalization", "Temporal generalisation",
				"Accuracy of a decoder trained at one time bin (rows) and tested at another (columns); red = high accuracy, white = chance, blue = below chance. High accuracy only on the diagonal means the code changes over time; high accuracy everywhere means the same code persists through the window.",
				func(p string) error {
					return plots.DecodeGeneralization(p, "temporal generalisation ("+d.By+")", t.Times, t.Generalization, d.Chance)
				}))
		}
	case res.RSA != nil:
		rs := res.RSA
		ceil := "–"
		if rs.CeilingLower != nil {
			ceil = fmt.Sprintf("[%.3f, %.3f]", float64(*rs.CeilingLower), float64(*rs.CeilingUpper))
		}
		b.Facts = append(b.Facts, Fact{"conditions × channels", fmt.Sprintf("%d × %d (%d presentations)", rs.Conditions, rs.Channels, rs.Presentation)},
			Fact{"neural RDM", rs.RDM}, Fact{"model RDM", rs.ModelRDM}, Fact{"comparison", rs.Compare}, Fact{"noise ceiling", ceil},
			Fact{"ranking", strings.Join(rs.Ranking, " > ")})
		b.Headline = "ranking " + strings.Join(rs.Ranking, " > ") + "; noise ceiling " + ceil
		for _, m := range rs.Models {
			b.Facts = append(b.Facts, Fact{"model " + m.Model, fmt.Sprintf("%s %.3f, 95%% CI [%.3f, %.3f], p = %.3g; linear CKA %.3f", rs.Compare, float64(m.Similarity), float64(m.CI[0]), float64(m.CI[1]), float64(m.P), float64(m.CKA))})
		}
		titles := []string{"neural (" + rs.RDM + ")"}
		rdms := []*rsa.RDM{{N: rs.Conditions, Vec: rs.NeuralRDM}}
		for _, m := range rs.Models {
			titles = append(titles, m.Model)
			rdms = append(rdms, &rsa.RDM{N: rs.Conditions, Vec: m.RDM})
		}
		b.Figures = append(b.Figures, fig(pre+"_rdms", "Representational dissimilarity matrices",
			fmt.Sprintf("Each matrix compares every pair of the %d stimuli (%s): how differently the neurons (first panel) or a model layer respond to them. Colours are percentiles, so matrices on different scales can be compared by eye: a model that shares the brain's geometry has the same pattern of blue and red.", rs.Conditions, rs.By),
			func(p string) error { return plots.RDMPanels(p, titles, rdms) }))
		var bars []plots.ModelBar
		for _, m := range rs.Models {
			bars = append(bars, plots.ModelBar{Name: m.Model, Value: float64(m.Similarity), CILow: float64(m.CI[0]), CIHigh: float64(m.CI[1]), Significant: float64(m.P) < 0.05})
		}
		lo, up := math.NaN(), math.NaN()
		if rs.CeilingLower != nil {
			lo, up = float64(*rs.CeilingLower), float64(*rs.CeilingUpper)
		}
		label := rs.Compare
		if label == "cka" {
			label = "linear CKA"
		}
		b.Figures = append(b.Figures, fig(pre+"_models", "Model comparison with noise ceiling",
			"How well each model's RDM matches the neural RDM ("+label+", bootstrap 95% CI over stimuli; significant models marked). The grey band is the noise ceiling: the best any model can do given the noise in the data, estimated from split halves of the repetitions. A model reaching the band explains all the explainable structure.",
			func(p string) error { return plots.ModelBars(p, label+" (model vs neural)", bars, lo, up) }))
	case res.Place != nil:
		pl := res.Place
		var bps []float64
		for _, u := range pl.Units {
			bps = append(bps, float64(u.BitsPerSpike))
		}
		b.Facts = append(b.Facts, Fact{"units", fmt.Sprint(len(pl.Units))}, Fact{"bins", fmt.Sprint(pl.Shape)}, Fact{"median Skaggs information (bits/spike)", f3(median(bps))})
		b.Headline = fmt.Sprintf("median %.2f bits/spike over %d units", median(bps), len(pl.Units))
		if len(pl.Shape) == 1 && len(pl.Edges) == 1 {
			e := pl.Edges[0]
			centers := make([]float64, len(e)-1)
			for i := range centers {
				centers[i] = (e[i] + e[i+1]) / 2
			}
			top := topUnits(o.MaxUnits, func(i int) float64 { return float64(pl.Units[i].BitsPerSpike) }, len(pl.Units))
			xlabel := "position"
			if pl.Unit != "" {
				xlabel += " (" + pl.Unit + ")"
			}
			var maps []plots.UnitPlaceMap
			for _, i := range top {
				u := pl.Units[i]
				maps = append(maps, plots.UnitPlaceMap{Label: fmt.Sprintf("unit %d, %.2f bits/spike", u.UnitID, float64(u.BitsPerSpike)), Rate: u.RateMap, Center: u.FieldCenter})
			}
			b.Figures = append(b.Figures, fig(pre+"_maps", "Place fields",
				fmt.Sprintf("Firing rate (Hz) along the track for the %d units with the most spatial information (Skaggs bits per spike). A place cell fires in one stretch of the track (its field, centre marked); gaps are positions never visited.", len(maps)),
				func(p string) error {
					return grid(p, func(base string) error { return plots.PlaceMaps1D(base, "Rate maps", xlabel, centers, maps, 4) })
				}))
		}
	}
}

func pnan(p float64) float64 {
	if math.IsNaN(p) {
		return 1
	}
	return p
}

func median(v []float64) float64 {
	var x []float64
	for _, a := range v {
		if !math.IsNaN(a) {
			x = append(x, a)
		}
	}
	if len(x) == 0 {
		return math.NaN()
	}
	sort.Float64s(x)
	n := len(x)
	if n%2 == 1 {
		return x[n/2]
	}
	return (x[n/2-1] + x[n/2]) / 2
}

// summarySection compares sessions analysis by analysis.
func summarySection(m *pipeline.Manifest, results map[string][]*pipeline.AnalysisResult) Section {
	sec := Section{ID: "summary", Title: "Summary across sessions",
		Subtitle: fmt.Sprintf("%d sessions, %d failed · %d analyses computed, %d unchanged from an earlier run, %d failed · run took %.1f s",
			m.Summary.Sessions, m.Summary.FailedSessions, m.Summary.Computed, m.Summary.Cached, m.Summary.Failed, m.Seconds)}
	ids := make([]string, 0, len(results))
	for id := range results {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(a, b int) bool {
		ka, kb := kindOrder(results[ids[a]][0].Kind), kindOrder(results[ids[b]][0].Kind)
		if ka != kb {
			return ka < kb
		}
		return ids[a] < ids[b]
	})
	for _, id := range ids {
		rs := results[id]
		b := Block{Analysis: id, Kind: rs[0].Kind}
		var sessions []string
		for _, r := range rs {
			sessions = append(sessions, r.Session)
		}
		name := "summary_" + id
		if len(rs) < 2 {
			continue // a cross-session figure of one session says nothing; see its section
		}
		switch b.Kind {
		case "tuning":
			med := sessionMedians(rs, func(r *pipeline.AnalysisResult) []float64 {
				return unitValues(r.Tuning.Units, func(u pipeline.TuningUnit) pipeline.F { return u.GOSI })
			})
			if allNaN(med) {
				continue
			}
			b.Figures = append(b.Figures, fig(name, "Orientation selectivity per session",
				"Median global orientation selectivity index (0 = untuned, 1 = one orientation only) of each session's units. Sessions of the same recording stored differently should agree exactly.",
				func(p string) error {
					return plots.SessionValues(p, "median global OSI", "global OSI", sessions, []plots.SessionSeries{{Name: "median over units", Values: med}}, math.NaN(), "")
				}))
		case "info":
			var med, q []float64
			for _, r := range rs {
				var v []float64
				for _, u := range r.Info.Units {
					v = append(v, float64(u.MIBits))
				}
				med = append(med, median(v))
				sort.Float64s(v)
				q = append(q, v[len(v)-1])
			}
			b.Figures = append(b.Figures, fig(name, "Information per session",
				"Median and maximum information (bits) carried by single units in each session.",
				func(p string) error {
					return plots.SessionValues(p, "information per unit", "bits", sessions, []plots.SessionSeries{{Name: "median unit", Values: med}, {Name: "best unit", Values: q}}, math.NaN(), "")
				}))
		case "decode":
			var acc, ch []float64
			chance := math.NaN()
			for _, r := range rs {
				acc, ch = append(acc, r.Decode.Accuracy), append(ch, r.Decode.ChanceThreshold)
				chance = r.Decode.Chance
			}
			b.Figures = append(b.Figures, fig(name, "Decoding accuracy per session",
				"Cross-validated accuracy of each session's population decoder, with the binomial significance threshold of that session and chance (dashed).",
				func(p string) error {
					return plots.SessionValues(p, "decoding accuracy", "accuracy", sessions,
						[]plots.SessionSeries{{Name: "accuracy", Values: acc}, {Name: "binomial threshold (α = 0.05)", Values: ch}}, chance, "chance")
				}))
		case "rsa":
			models := map[string]int{}
			var names []string
			for _, r := range rs {
				for _, mm := range r.RSA.Models {
					if _, ok := models[mm.Model]; !ok {
						models[mm.Model] = len(names)
						names = append(names, mm.Model)
					}
				}
			}
			series := make([]plots.SessionSeries, len(names)+1)
			for i, n := range names {
				series[i] = plots.SessionSeries{Name: n, Values: nans(len(rs)), Low: nans(len(rs)), High: nans(len(rs))}
			}
			series[len(names)] = plots.SessionSeries{Name: "noise ceiling (lower)", Values: nans(len(rs))}
			for si, r := range rs {
				for _, mm := range r.RSA.Models {
					k := models[mm.Model]
					series[k].Values[si], series[k].Low[si], series[k].High[si] = float64(mm.Similarity), float64(mm.CI[0]), float64(mm.CI[1])
				}
				if r.RSA.CeilingLower != nil {
					series[len(names)].Values[si] = float64(*r.RSA.CeilingLower)
				}
			}
			b.Figures = append(b.Figures, fig(name, "Model similarity per session",
				"Each model's similarity to each session's neural RDM (95% CI), with the lower bound of the noise ceiling.",
				func(p string) error {
					return plots.SessionValues(p, "model vs neural RDM", rs[0].RSA.Compare, sessions, series, math.NaN(), "")
				}))
		case "place":
			med := sessionMedians(rs, func(r *pipeline.AnalysisResult) []float64 {
				return unitValues(r.Place.Units, func(u pipeline.PlaceUnit) pipeline.F { return u.BitsPerSpike })
			})
			b.Figures = append(b.Figures, fig(name, "Spatial information per session",
				"Median Skaggs information (bits per spike) of each session's units.",
				func(p string) error {
					return plots.SessionValues(p, "spatial information", "bits/spike", sessions, []plots.SessionSeries{{Name: "median unit", Values: med}}, math.NaN(), "")
				}))
		case "stats":
			stat := func(v func(pipeline.StatsUnit) pipeline.F) []float64 {
				return sessionMedians(rs, func(r *pipeline.AnalysisResult) []float64 { return unitValues(r.Stats.Units, v) })
			}
			cv := stat(func(u pipeline.StatsUnit) pipeline.F { return u.CV })
			lv := stat(func(u pipeline.StatsUnit) pipeline.F { return u.LV })
			fano := stat(func(u pipeline.StatsUnit) pipeline.F { return u.Fano })
			if allNaN(cv) && allNaN(lv) && allNaN(fano) {
				continue
			}
			b.Figures = append(b.Figures, fig(name, "Firing regularity per session",
				"Median ISI CV, local variation LV and Fano factor of each session's units; 1 (dashed) is a Poisson process. Sessions of the same recording stored differently should agree exactly.",
				func(p string) error {
					return plots.SessionValues(p, "spike-train statistics (median over units)", "CV, LV, Fano factor", sessions,
						[]plots.SessionSeries{{Name: "ISI CV", Values: cv}, {Name: "LV", Values: lv}, {Name: "Fano factor", Values: fano}}, 1, "Poisson")
				}))
		}
		sec.Blocks = append(sec.Blocks, b)
	}
	return sec
}

// sessionMedians is, for each result, the median (NaN left out) of the
// per-unit values of.
func sessionMedians(rs []*pipeline.AnalysisResult, of func(*pipeline.AnalysisResult) []float64) []float64 {
	med := make([]float64, len(rs))
	for i, r := range rs {
		med[i] = median(of(r))
	}
	return med
}

// unitValues picks one number per unit.
func unitValues[U any](units []U, v func(U) pipeline.F) []float64 {
	out := make([]float64, len(units))
	for i, u := range units {
		out[i] = float64(v(u))
	}
	return out
}

func nans(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = math.NaN()
	}
	return v
}

func allNaN(v []float64) bool {
	for _, x := range v {
		if !math.IsNaN(x) {
			return false
		}
	}
	return true
}

// Figures lists every figure of the report: the summary's, then each
// session's.
func (r *Report) Figures() []Figure {
	var out []Figure
	for _, s := range append([]Section{r.Summary}, r.Sessions...) {
		for _, b := range s.Blocks {
			out = append(out, b.Figures...)
		}
	}
	return out
}

// WriteFigures writes every figure into dir as NAME.png or NAME.svg
// (format "png" or "svg") and returns the paths.
func (r *Report) WriteFigures(dir, format string) ([]string, error) {
	if format != "png" && format != "svg" {
		return nil, fmt.Errorf("report: format %q: want png or svg", format)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var paths []string
	for _, f := range r.Figures() {
		p := filepath.Join(dir, f.Name+"."+format)
		if err := f.draw(p); err != nil {
			return paths, fmt.Errorf("report: figure %s: %w", f.Name, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// svgOf renders a figure to inline SVG markup (without the XML prelude).
func svgOf(f Figure, tmp string) ([]byte, error) {
	p := filepath.Join(tmp, f.Name+".svg")
	if err := f.draw(p); err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	os.Remove(p)
	if err != nil {
		return nil, err
	}
	if i := bytes.Index(b, []byte("<svg")); i > 0 {
		b = b[i:]
	}
	return b, nil
}
