package plots

// Figures for `neurodata report`: information per unit, decoding accuracy
// vs number of units, and cross-session summaries. Each writes SVG when the
// path ends in .svg, else PNG.

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// InfoPerUnit draws each unit's mutual information (bits), units sorted by
// it: bars for the bias-corrected estimate, dots for the plug-in estimate,
// bars in the accent colour where the permutation p < 0.05.
func InfoPerUnit(path, title, estimator string, mi, plugin, p []float64) error {
	n := len(mi)
	if n == 0 || len(plugin) != n || len(p) != n {
		return fmt.Errorf("plots: information for %d units with %d plug-in and %d p values", n, len(plugin), len(p))
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return nanLow(mi[order[a]]) > nanLow(mi[order[b]]) })
	pl := plot.New()
	pl.Title.Text = title
	pl.X.Label.Text = "units, sorted by information"
	pl.Y.Label.Text = "mutual information (bits)"
	var sig, ns plotter.Values = make(plotter.Values, n), make(plotter.Values, n)
	dots := make(plotter.XYs, n)
	for k, i := range order {
		v := zeroNaN(mi[i])
		if p[i] < 0.05 {
			sig[k] = v
		} else {
			ns[k] = v
		}
		dots[k] = plotter.XY{X: float64(k), Y: zeroNaN(plugin[i])}
	}
	w := vg.Points(math.Max(2, 300/float64(n)))
	b1, err := plotter.NewBarChart(sig, w)
	if err != nil {
		return err
	}
	b1.Color, b1.LineStyle.Width = colAccent, 0
	b2, err := plotter.NewBarChart(ns, w)
	if err != nil {
		return err
	}
	b2.Color, b2.LineStyle.Width = colGrid, 0
	sc, err := plotter.NewScatter(dots)
	if err != nil {
		return err
	}
	sc.GlyphStyle.Color, sc.GlyphStyle.Radius = colBlank, vg.Points(2)
	pl.Add(b1, b2, sc)
	pl.Legend.Add(estimator+" estimate, p < 0.05", b1)
	pl.Legend.Add(estimator+" estimate, not significant", b2)
	pl.Legend.Add("plug-in (biased upward)", sc)
	pl.Legend.Top = true
	pl.X.Tick.Marker = plot.ConstantTicks(nil)
	pl.Y.Min = 0
	return saveFigure(path, 7*vg.Inch, 3.6*vg.Inch, func(dc draw.Canvas) { pl.Draw(dc) })
}

// AccuracyVsUnits draws the cross-validated accuracy against the number of
// units decoded from (mean ± SD over random subsets) with chance and the
// binomial chance threshold.
func AccuracyVsUnits(path, title string, units []int, mean, sd []float64, chance, threshold float64) error {
	n := len(units)
	if n == 0 || len(mean) != n || len(sd) != n {
		return fmt.Errorf("plots: curve with %d sizes, %d means, %d SDs", n, len(mean), len(sd))
	}
	pl := plot.New()
	pl.Title.Text = title
	pl.X.Label.Text = "number of units (random subsets)"
	pl.Y.Label.Text = "accuracy"
	pts := make(errPoints, n)
	xys := make(plotter.XYs, n)
	maxX := 0.0
	for i := range units {
		s := zeroNaN(sd[i])
		pts[i] = errPoint{x: float64(units[i]), y: mean[i], lo: s, hi: s}
		xys[i] = plotter.XY{X: float64(units[i]), Y: mean[i]}
		maxX = math.Max(maxX, float64(units[i]))
	}
	line, sc, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	line.Color, sc.Color = colData, colData
	eb, err := plotter.NewYErrorBars(pts)
	if err != nil {
		return err
	}
	eb.Color = colData
	pl.Add(line, sc, eb)
	pl.Legend.Add("mean ± SD", line, sc)
	addHLine(pl, chance, 0, maxX, colGrid, "chance (1/K)")
	addHLine(pl, threshold, 0, maxX, colBlank, "binomial threshold, α = 0.05")
	pl.Y.Min, pl.Y.Max = 0, 1
	pl.X.Min = 0
	pl.Legend.YOffs = 0.9 * vg.Inch // bottom right, above the chance lines
	return saveFigure(path, 6*vg.Inch, 4*vg.Inch, func(dc draw.Canvas) { pl.Draw(dc) })
}

// SessionSeries is one named series of values, one per session.
type SessionSeries struct {
	Name   string
	Values []float64 // per session; NaN = none
	Low    []float64 // optional interval per session (NaN = none)
	High   []float64
}

// SessionValues is a cross-session dot plot: sessions along x, one marker
// style per series, optional intervals, and an optional reference line (ref
// NaN = none) labelled refLabel.
func SessionValues(path, title, ylabel string, sessions []string, series []SessionSeries, ref float64, refLabel string) error {
	if len(sessions) == 0 || len(series) == 0 {
		return fmt.Errorf("plots: no sessions to summarise")
	}
	pl := plot.New()
	pl.Title.Text = title
	pl.Y.Label.Text = ylabel
	cols := []color.Color{colData, colBlank, colAccent, color.RGBA{204, 121, 167, 255}, color.RGBA{230, 159, 0, 255}, color.RGBA{86, 180, 233, 255}}
	k := len(series)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, s := range series {
		for i, v := range s.Values {
			if !math.IsNaN(v) {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
			if s.High != nil && !math.IsNaN(s.High[i]) {
				hi = math.Max(hi, s.High[i])
			}
			if s.Low != nil && !math.IsNaN(s.Low[i]) {
				lo = math.Min(lo, s.Low[i])
			}
		}
	}
	for si, s := range series {
		if len(s.Values) != len(sessions) {
			return fmt.Errorf("plots: series %s has %d values for %d sessions", s.Name, len(s.Values), len(sessions))
		}
		off := (float64(si) - float64(k-1)/2) * 0.12
		var xys plotter.XYs
		var pts errPoints
		for i, v := range s.Values {
			if math.IsNaN(v) {
				continue
			}
			xys = append(xys, plotter.XY{X: float64(i) + off, Y: v})
			if s.Low != nil && !math.IsNaN(s.Low[i]) {
				pts = append(pts, errPoint{x: float64(i) + off, y: v, lo: v - s.Low[i], hi: s.High[i] - v})
			}
		}
		if len(xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(xys)
		if err != nil {
			return err
		}
		sc.GlyphStyle.Color = cols[si%len(cols)]
		sc.GlyphStyle.Radius = vg.Points(4)
		sc.GlyphStyle.Shape = draw.CircleGlyph{}
		pl.Add(sc)
		if len(pts) > 0 {
			eb, err := plotter.NewYErrorBars(pts)
			if err != nil {
				return err
			}
			eb.Color = cols[si%len(cols)]
			pl.Add(eb)
		}
		if len(series) > 1 || !math.IsNaN(ref) {
			pl.Legend.Add(s.Name, sc)
		}
	}
	if !math.IsNaN(ref) {
		addHLine(pl, ref, -0.5, float64(len(sessions))-0.5, colGrid, refLabel)
	}
	// Axis from 0 for non-negative data, with head room for the legend.
	if !math.IsInf(lo, 0) {
		if !math.IsNaN(ref) {
			lo, hi = math.Min(lo, ref), math.Max(hi, ref)
		}
		if lo >= 0 {
			pl.Y.Min = 0
		} else {
			pl.Y.Min = lo - 0.1*(hi-lo+1e-9)
		}
		pl.Y.Max = hi + 0.35*(hi-pl.Y.Min+1e-9)
	}
	pl.X.Min, pl.X.Max = -0.5, float64(len(sessions))-0.5
	pl.X.Tick.Marker = labelTicks{labels: sessions}
	per := 2.0 // inches per session with horizontal labels
	if len(sessions) > 5 {
		per = 0.9
		pl.X.Tick.Label.Rotation = math.Pi / 6
		pl.X.Tick.Label.XAlign, pl.X.Tick.Label.YAlign = draw.XRight, draw.YTop
	}
	pl.Legend.Top = true
	w := vg.Length(math.Max(5, per*float64(len(sessions))+1.5)) * vg.Inch
	return saveFigure(path, w, 4*vg.Inch, func(dc draw.Canvas) { pl.Draw(dc) })
}

func addHLine(pl *plot.Plot, y, x0, x1 float64, c color.Color, label string) {
	if math.IsNaN(y) {
		return
	}
	l, err := plotter.NewLine(plotter.XYs{{X: x0, Y: y}, {X: x1, Y: y}})
	if err != nil {
		return
	}
	l.Color = c
	l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	l.Width = vg.Points(1.5)
	pl.Add(l)
	if label != "" {
		pl.Legend.Add(label, l)
	}
}

func zeroNaN(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}

func nanLow(v float64) float64 {
	if math.IsNaN(v) {
		return math.Inf(-1)
	}
	return v
}
