package plots

// RSA figures: RDMs side by side and the model comparison bar chart with
// its noise-ceiling band, drawn with gonum/plot and written as PNG.

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/neurodata/neurodata/analysis/rsa"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// rdmGrid shows an RDM as a heat map of per-panel percentiles (ranks
// scaled to 0–100), the usual RSA display, so that panels with different
// dissimilarity scales are comparable by eye. Row 0 is drawn at the top.
type rdmGrid struct {
	n   int
	pct []float64 // square, percentile of each off-diagonal entry
}

func newRDMGrid(r *rsa.RDM) rdmGrid {
	rk := rsa.Ranks(r.Vec)
	m := float64(len(rk))
	v := &rsa.RDM{N: r.N, Vec: make([]float64, len(rk))}
	for i, x := range rk {
		if m > 1 {
			v.Vec[i] = 100 * (x - 1) / (m - 1)
		}
	}
	return rdmGrid{n: r.N, pct: v.Square()}
}

func (g rdmGrid) Dims() (c, r int)   { return g.n, g.n }
func (g rdmGrid) Z(c, r int) float64 { return g.pct[(g.n-1-r)*g.n+c] }
func (g rdmGrid) X(c int) float64    { return float64(c) }
func (g rdmGrid) Y(r int) float64    { return float64(r) }

// RDMPanels draws the RDMs side by side (one panel each, titled) and
// writes a PNG to path. Colour is the percentile of each dissimilarity
// within its own RDM (blue = similar, red = dissimilar).
func RDMPanels(path string, titles []string, rdms []*rsa.RDM) error {
	if len(rdms) == 0 || len(titles) != len(rdms) {
		return fmt.Errorf("plots: %d titles for %d RDMs", len(titles), len(rdms))
	}
	pal := moreland.SmoothBlueRed()
	pal.SetMin(0)
	pal.SetMax(100)
	row := make([]*plot.Plot, len(rdms))
	for i, r := range rdms {
		p := plot.New()
		p.Title.Text = titles[i]
		hm := plotter.NewHeatMap(newRDMGrid(r), pal.Palette(255))
		hm.Min, hm.Max = 0, 100
		p.Add(hm)
		p.HideAxes()
		row[i] = p
	}
	const panel = 3.2 * vg.Inch
	W, H := panel*vg.Length(len(rdms)), panel+0.3*vg.Inch
	return saveFigure(path, W, H, func(dc draw.Canvas) {
		// Title strip for the colour meaning, then the panels.
		tiles := draw.Tiles{Rows: 1, Cols: len(rdms), PadX: vg.Millimeter * 2, PadTop: 0.3 * vg.Inch, PadBottom: vg.Millimeter}
		canv := plot.Align([][]*plot.Plot{row}, tiles, dc)
		for i, p := range row {
			p.Draw(canv[0][i])
		}
		dc.FillText(draw.TextStyle{Color: color.Black, Font: plot.New().Title.TextStyle.Font, Handler: plot.DefaultTextHandler, XAlign: draw.XCenter},
			vg.Point{X: W / 2, Y: H - 0.2*vg.Inch}, "dissimilarity percentile: blue = similar, red = dissimilar")
	})
}

// ModelBar is one model's similarity to the data with its interval.
type ModelBar struct {
	Name          string
	Value         float64
	CILow, CIHigh float64 // NaN to omit the error bar
	Significant   bool    // marked with * above the bar
}

// ModelBars draws the models' similarity to the data as bars with
// confidence intervals, over a grey band from ceilLower to ceilUpper (the
// noise ceiling; NaN omits it), and writes a PNG to path.
func ModelBars(path, ylabel string, bars []ModelBar, ceilLower, ceilUpper float64) error {
	if len(bars) == 0 {
		return fmt.Errorf("plots: no models to draw")
	}
	p := plot.New()
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	lo, hi := 0.0, 0.0
	vals := make(plotter.Values, len(bars))
	names := make([]string, len(bars))
	for i, b := range bars {
		vals[i] = b.Value
		names[i] = b.Name
		lo, hi = math.Min(lo, b.Value), math.Max(hi, b.Value)
		if !math.IsNaN(b.CIHigh) {
			lo, hi = math.Min(lo, b.CILow), math.Max(hi, b.CIHigh)
		}
	}
	if !math.IsNaN(ceilLower) && !math.IsNaN(ceilUpper) {
		band, err := plotter.NewPolygon(plotter.XYs{
			{X: -0.6, Y: ceilLower}, {X: float64(len(bars)) - 0.4, Y: ceilLower},
			{X: float64(len(bars)) - 0.4, Y: ceilUpper}, {X: -0.6, Y: ceilUpper},
		})
		if err != nil {
			return fmt.Errorf("plots: %w", err)
		}
		band.Color = color.Gray{Y: 210}
		band.LineStyle.Width = 0
		p.Add(band)
		p.Legend.Add("noise ceiling", band)
		hi = math.Max(hi, ceilUpper)
		lo = math.Min(lo, ceilLower)
	}
	bc, err := plotter.NewBarChart(vals, 0.5*vg.Inch)
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	bc.Color = color.RGBA{R: 70, G: 110, B: 170, A: 255}
	bc.LineStyle.Width = 0
	p.Add(bc)
	var eb errPoints
	for i, b := range bars {
		if !math.IsNaN(b.CIHigh) {
			eb = append(eb, errPoint{x: float64(i), y: b.Value, lo: b.Value - b.CILow, hi: b.CIHigh - b.Value})
		}
	}
	if len(eb) > 0 {
		e, err := plotter.NewYErrorBars(eb)
		if err != nil {
			return fmt.Errorf("plots: %w", err)
		}
		p.Add(e)
	}
	var stars plotter.XYLabels
	for i, b := range bars {
		if b.Significant {
			y := b.Value
			if !math.IsNaN(b.CIHigh) {
				y = math.Max(y, b.CIHigh)
			}
			stars.XYs = append(stars.XYs, plotter.XY{X: float64(i), Y: y + 0.03*(hi-lo+1e-9)})
			stars.Labels = append(stars.Labels, "*")
		}
	}
	if len(stars.XYs) > 0 {
		l, err := plotter.NewLabels(stars)
		if err == nil {
			for i := range l.TextStyle {
				l.TextStyle[i].XAlign = draw.XCenter
			}
			p.Add(l)
		}
	}
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(bars))-0.4
	p.Y.Min, p.Y.Max = math.Min(lo, 0)-0.05*(hi-lo+1e-9), hi+0.1*(hi-lo+1e-9)
	p.Legend.Top = true
	w := vg.Length(1.5+1.1*float64(len(bars))) * vg.Inch
	return saveFigure(path, w, 4*vg.Inch, func(dc draw.Canvas) { p.Draw(dc) })
}

type errPoint struct{ x, y, lo, hi float64 }
type errPoints []errPoint

func (e errPoints) Len() int                    { return len(e) }
func (e errPoints) XY(i int) (float64, float64) { return e[i].x, e[i].y }
func (e errPoints) YError(i int) (float64, float64) {
	return e[i].lo, e[i].hi
}

// saveFigure draws a figure of w × h and writes it to path: SVG when path
// ends in .svg, else PNG (white background), atomically.
func saveFigure(path string, w, h vg.Length, render func(draw.Canvas)) error {
	if strings.EqualFold(filepath.Ext(path), ".svg") {
		svg := vgsvg.New(w, h)
		render(draw.New(svg))
		return writeAtomic(path, func(f *os.File) error { _, err := svg.WriteTo(f); return err })
	}
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseBackgroundColor(color.White))
	render(draw.New(img))
	return writePNG(path, img)
}

// writePNG writes img atomically (writeAtomic), so an interrupted run
// leaves no partial figure.
func writePNG(path string, img *vgimg.Canvas) error {
	return writeAtomic(path, func(f *os.File) error {
		_, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(f)
		return err
	})
}
