package plots

// Place-field figures: 1-D rate maps (rate vs position with occupancy
// shading of unvisited bins and the field centre) and 2-D heat maps.

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// UnitPlaceMap is one unit's rate map to draw.
type UnitPlaceMap struct {
	Label  string
	Rate   []float64 // Hz, row-major over the bins (NaN = unvisited/masked)
	Center []float64 // field centre per axis (feature units), NaN = none
}

// PlaceMaps1D draws 1-D rate maps (rate vs position) in a grid. centers are
// the bin centres; unvisited bins (NaN) leave gaps in the curve.
func PlaceMaps1D(base, title, xlabel string, centers []float64, units []UnitPlaceMap, cols int) error {
	if len(units) == 0 {
		return fmt.Errorf("plots: no units to draw")
	}
	panels := make([]*plot.Plot, len(units))
	for i, u := range units {
		p := ratePanel(u.Label, xlabel)
		top := 0.0
		var seg plotter.XYs
		flush := func() {
			if len(seg) > 0 {
				l, _ := plotter.NewLine(seg)
				l.Color, l.Width = colData, vg.Points(1.5)
				p.Add(l)
				seg = nil
			}
		}
		for b, r := range u.Rate {
			if math.IsNaN(r) {
				flush()
				continue
			}
			seg = append(seg, plotter.XY{X: centers[b], Y: r})
			top = math.Max(top, r)
		}
		flush()
		if top <= 0 {
			top = 1
		}
		if len(u.Center) > 0 && !math.IsNaN(u.Center[0]) {
			l, _ := plotter.NewLine(plotter.XYs{{X: u.Center[0], Y: 0}, {X: u.Center[0], Y: top * 1.08}})
			l.Color, l.Dashes = colBlank, []vg.Length{vg.Points(3), vg.Points(2)}
			p.Add(l)
		}
		p.Y.Min, p.Y.Max = 0, top*1.1
		if len(centers) > 1 {
			w := centers[1] - centers[0]
			p.X.Min, p.X.Max = centers[0]-w/2, centers[len(centers)-1]+w/2
		}
		panels[i] = p
	}
	return saveGrid(base, title, panels, cols, 3*vg.Inch, 2.2*vg.Inch)
}

type heat struct {
	nx, ny int
	x, y   []float64
	z      []float64 // row-major [ix*ny+iy]
}

func (h heat) Dims() (c, r int)   { return h.nx, h.ny }
func (h heat) Z(c, r int) float64 { return h.z[c*h.ny+r] }
func (h heat) X(c int) float64    { return h.x[c] }
func (h heat) Y(r int) float64    { return h.y[r] }

// PlaceMaps2D draws 2-D rate maps as heat maps (blue low, red high; white =
// unvisited), each scaled to its own peak (labelled in the title).
// xCenters/yCenters are the bin centres of the first and second axis; Rate
// is row-major with the second axis fastest.
func PlaceMaps2D(base, title string, xCenters, yCenters []float64, units []UnitPlaceMap, cols int) error {
	if len(units) == 0 {
		return fmt.Errorf("plots: no units to draw")
	}
	panels := make([]*plot.Plot, len(units))
	for i, u := range units {
		p := plot.New()
		peak := 0.0
		for _, r := range u.Rate {
			if !math.IsNaN(r) {
				peak = math.Max(peak, r)
			}
		}
		p.Title.Text = fmt.Sprintf("%s (peak %.3g Hz)", u.Label, peak)
		p.Title.TextStyle.Font.Size = vg.Points(10)
		pal := moreland.SmoothBlueRed()
		hm := plotter.NewHeatMap(heat{nx: len(xCenters), ny: len(yCenters), x: xCenters, y: yCenters, z: u.Rate}, pal.Palette(64))
		hm.NaN = colWhite
		hm.Min, hm.Max = 0, math.Max(peak, 1e-9)
		p.Add(hm)
		if len(u.Center) > 1 && !math.IsNaN(u.Center[0]) {
			s, _ := plotter.NewScatter(plotter.XYs{{X: u.Center[0], Y: u.Center[1]}})
			s.Color = colAccent
			p.Add(s)
		}
		panels[i] = p
	}
	return saveGrid(base, title, panels, cols, 2.8*vg.Inch, 2.8*vg.Inch)
}
