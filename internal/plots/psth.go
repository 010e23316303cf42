package plots

// Peri-event figures: a spike raster above the PSTH (mean ± SEM) of one
// unit, sharing the time axis.

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// UnitPSTH is one unit's peri-event data.
type UnitPSTH struct {
	Label   string
	Raster  [][]float64 // per event, spike times relative to the event (s)
	Centers []float64   // PSTH bin centres (s)
	Width   float64     // bin width (s)
	Rate    []float64   // mean rate per bin (Hz)
	SEM     []float64   // SEM per bin (Hz)
}

// RasterPSTH draws each unit as a raster (one row per event, ticks at spike
// times) above its PSTH with a ±1 SEM band and a line at the event time;
// units are laid out side by side in cols columns.
func RasterPSTH(base, title string, units []UnitPSTH, cols int) error {
	if len(units) == 0 {
		return fmt.Errorf("plots: no units to draw")
	}
	if cols <= 0 || cols > len(units) {
		cols = len(units)
	}
	// Two plot rows per unit row: raster then PSTH.
	var panels []*plot.Plot
	rowsOfUnits := (len(units) + cols - 1) / cols
	grid := make([]*plot.Plot, 0, 2*rowsOfUnits*cols)
	for r := 0; r < rowsOfUnits; r++ {
		ras := make([]*plot.Plot, cols)
		ps := make([]*plot.Plot, cols)
		for c := 0; c < cols; c++ {
			k := r*cols + c
			if k >= len(units) {
				continue
			}
			a, b, err := rasterPanels(units[k])
			if err != nil {
				return err
			}
			ras[c], ps[c] = a, b
		}
		grid = append(grid, ras...)
		grid = append(grid, ps...)
	}
	panels = grid
	return saveGridRows(base, title, panels, cols, 3.2*vg.Inch, 2.1*vg.Inch)
}

func rasterPanels(u UnitPSTH) (*plot.Plot, *plot.Plot, error) {
	lo, hi := math.Inf(1), math.Inf(-1)
	if len(u.Centers) > 0 {
		lo, hi = u.Centers[0]-u.Width/2, u.Centers[len(u.Centers)-1]+u.Width/2
	}
	ras := plot.New()
	ras.Title.Text = u.Label
	ras.Title.TextStyle.Font.Size = vg.Points(10)
	ras.Y.Label.Text = "event"
	var pts plotter.XYs
	for e, row := range u.Raster {
		for _, t := range row {
			pts = append(pts, plotter.XY{X: t, Y: float64(e + 1)})
		}
	}
	if len(pts) > 0 {
		s, err := plotter.NewScatter(pts)
		if err != nil {
			return nil, nil, err
		}
		s.GlyphStyle.Shape = tick{}
		s.GlyphStyle.Radius = vg.Points(1.6)
		s.GlyphStyle.Color = colData
		ras.Add(s)
	}
	ras.Y.Min, ras.Y.Max = 0, float64(len(u.Raster))+1
	ras.X.Min, ras.X.Max = lo, hi
	ras.Add(zeroLine(0, ras.Y.Max))
	ps := plot.New()
	ps.X.Label.Text = "time from event (s)"
	ps.Y.Label.Text = "rate (Hz)"
	var mean, band plotter.XYs
	top := 0.0
	for i, c := range u.Centers {
		r := u.Rate[i]
		if math.IsNaN(r) {
			continue
		}
		mean = append(mean, plotter.XY{X: c, Y: r})
		e := 0.0
		if i < len(u.SEM) && !math.IsNaN(u.SEM[i]) {
			e = u.SEM[i]
		}
		band = append(band, plotter.XY{X: c, Y: r + e})
		top = math.Max(top, r+e)
	}
	for i := len(mean) - 1; i >= 0; i-- {
		e := band[i].Y - mean[i].Y
		band = append(band, plotter.XY{X: mean[i].X, Y: math.Max(mean[i].Y-e, 0)})
	}
	if len(mean) > 0 {
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return nil, nil, err
		}
		poly.Color = colGrid
		poly.LineStyle.Width = 0
		l, err := plotter.NewLine(mean)
		if err != nil {
			return nil, nil, err
		}
		l.Color, l.Width = colData, vg.Points(1.5)
		ps.Add(poly, l)
	}
	ps.Y.Min = 0
	if top <= 0 {
		top = 1
	}
	ps.Y.Max = top * 1.1
	ps.X.Min, ps.X.Max = lo, hi
	ps.Add(zeroLine(0, ps.Y.Max))
	return ras, ps, nil
}

func zeroLine(y0, y1 float64) *plotter.Line {
	l, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: y0}, {X: 0, Y: y1}})
	l.Color, l.Dashes = colBlank, []vg.Length{vg.Points(3), vg.Points(2)}
	return l
}

// saveGridRows is saveGrid for panels already ordered row by row with
// nil holes (cols per row).
func saveGridRows(base, title string, panels []*plot.Plot, cols int, w, h vg.Length) error {
	return saveGrid(base, title, panels, cols, w, h)
}

// tick is a vertical raster tick glyph of height 2·Radius.
type tick struct{}

func (tick) DrawGlyph(c *draw.Canvas, sty draw.GlyphStyle, pt vg.Point) {
	c.StrokeLine2(draw.LineStyle{Color: sty.Color, Width: vg.Points(0.8)}, pt.X, pt.Y-sty.Radius, pt.X, pt.Y+sty.Radius)
}
