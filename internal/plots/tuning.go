package plots

// Tuning figures: polar direction-tuning curves with error bars, linear
// condition-tuning curves, and a population summary of selectivity
// indices. Every figure is written as PNG and SVG (base + ".png"/".svg").

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// UnitTuning is one unit's tuning curve to draw.
type UnitTuning struct {
	Label string    // panel title, e.g. "unit 951009905"
	X     []float64 // condition values (degrees for polar plots)
	Names []string  // condition names for categorical axes (optional)
	Rate  []float64 // mean response per condition (Hz)
	SEM   []float64 // standard error per condition (Hz); NaN = none
	Blank float64   // response to blank presentations (Hz), NaN if none
}

var (
	colData   = color.RGBA{0, 114, 178, 255}   // blue (Okabe–Ito)
	colBlank  = color.RGBA{213, 94, 0, 255}    // vermillion
	colGrid   = color.RGBA{190, 190, 190, 255} // light grey
	colAccent = color.RGBA{0, 158, 115, 255}   // bluish green
	colWhite  = color.RGBA{255, 255, 255, 255}
)

// TuningPolarGrid draws one polar tuning curve per unit (closed curve
// through the mean rates at each direction, radial error bars of ±1 SEM,
// a dashed circle at the blank rate) in a grid with cols columns.
func TuningPolarGrid(base, title string, units []UnitTuning, cols int) error {
	if len(units) == 0 {
		return fmt.Errorf("plots: no units to draw")
	}
	panels := make([]*plot.Plot, len(units))
	for i, u := range units {
		p, err := polarPanel(u)
		if err != nil {
			return err
		}
		panels[i] = p
	}
	return saveGrid(base, title, panels, cols, 2.6*vg.Inch, 2.8*vg.Inch)
}

func polarPanel(u UnitTuning) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = u.Label
	p.Title.TextStyle.Font.Size = vg.Points(10)
	p.HideAxes()
	rmax := 0.0
	for i, r := range u.Rate {
		if !math.IsNaN(r) {
			e := 0.0
			if i < len(u.SEM) && !math.IsNaN(u.SEM[i]) {
				e = u.SEM[i]
			}
			rmax = math.Max(rmax, r+e)
		}
	}
	if !math.IsNaN(u.Blank) {
		rmax = math.Max(rmax, u.Blank)
	}
	if rmax <= 0 {
		rmax = 1
	}
	ring := niceStep(rmax / 2)
	outer := ring * math.Ceil(rmax/ring)
	// Grid: rings and spokes every 45°.
	for r := ring; r <= outer+1e-9; r += ring {
		l, err := plotter.NewLine(circle(r, 72))
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = colGrid, vg.Points(0.5)
		p.Add(l)
	}
	for a := 0.0; a < 360; a += 45 {
		x, y := polarXY(outer, a)
		l, _ := plotter.NewLine(plotter.XYs{{X: 0, Y: 0}, {X: x, Y: y}})
		l.Color, l.Width = colGrid, vg.Points(0.5)
		p.Add(l)
	}
	// Direction labels just outside the outer ring, ring label at 67.5°.
	var lab plotter.XYLabels
	for a := 0.0; a < 360; a += 90 {
		x, y := polarXY(outer*1.16, a)
		lab.XYs = append(lab.XYs, plotter.XY{X: x, Y: y})
		lab.Labels = append(lab.Labels, strconv.Itoa(int(a))+"°")
	}
	x, y := polarXY(outer, 67.5)
	lab.XYs = append(lab.XYs, plotter.XY{X: x, Y: y})
	lab.Labels = append(lab.Labels, trimFloat(outer)+" Hz")
	labels, err := plotter.NewLabels(lab)
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].Font.Size = vg.Points(7)
		labels.TextStyle[i].XAlign = draw.XCenter
		labels.TextStyle[i].YAlign = draw.YCenter
	}
	p.Add(labels)
	if !math.IsNaN(u.Blank) && u.Blank > 0 {
		l, _ := plotter.NewLine(circle(u.Blank, 72))
		l.Color, l.Dashes = colBlank, []vg.Length{vg.Points(3), vg.Points(2)}
		p.Add(l)
	}
	// Curve (closed) and error bars.
	var pts plotter.XYs
	for i, r := range u.Rate {
		if math.IsNaN(r) {
			continue
		}
		x, y := polarXY(r, u.X[i])
		pts = append(pts, plotter.XY{X: x, Y: y})
		if i < len(u.SEM) && !math.IsNaN(u.SEM[i]) && u.SEM[i] > 0 {
			x0, y0 := polarXY(math.Max(r-u.SEM[i], 0), u.X[i])
			x1, y1 := polarXY(r+u.SEM[i], u.X[i])
			eb, _ := plotter.NewLine(plotter.XYs{{X: x0, Y: y0}, {X: x1, Y: y1}})
			eb.Color, eb.Width = colData, vg.Points(1.5)
			p.Add(eb)
		}
	}
	if len(pts) > 0 {
		closed := append(append(plotter.XYs{}, pts...), pts[0])
		l, s, err := plotter.NewLinePoints(closed)
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = colData, vg.Points(1.5)
		s.Color, s.Radius = colData, vg.Points(2)
		p.Add(l, s)
	}
	lim := outer * 1.3
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -lim, lim, -lim, lim
	return p, nil
}

func polarXY(r, deg float64) (float64, float64) {
	a := deg * math.Pi / 180
	return r * math.Cos(a), r * math.Sin(a)
}

func circle(r float64, n int) plotter.XYs {
	xy := make(plotter.XYs, n+1)
	for i := range xy {
		xy[i].X, xy[i].Y = polarXY(r, 360*float64(i)/float64(n))
	}
	return xy
}

// niceStep rounds x to 1, 2 or 5 × 10^k.
func niceStep(x float64) float64 {
	if x <= 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return 1
	}
	e := math.Pow(10, math.Floor(math.Log10(x)))
	switch f := x / e; {
	case f <= 1:
		return e
	case f <= 2:
		return 2 * e
	case f <= 5:
		return 5 * e
	}
	return 10 * e
}

func trimFloat(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }

// ratePanel is one unit's panel of a grid: small title, rate (Hz) against
// xlabel.
func ratePanel(label, xlabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = label
	p.Title.TextStyle.Font.Size = vg.Points(10)
	p.X.Label.Text = xlabel
	p.Y.Label.Text = "rate (Hz)"
	return p
}

// TuningCurveGrid draws linear tuning curves (mean ± SEM per condition, a
// dashed line at the blank rate) in a grid. Conditions are placed at their
// X values, or at 0, 1, … with Names as tick labels when Names is set.
func TuningCurveGrid(base, title, xlabel string, units []UnitTuning, cols int) error {
	if len(units) == 0 {
		return fmt.Errorf("plots: no units to draw")
	}
	panels := make([]*plot.Plot, len(units))
	for i, u := range units {
		p := ratePanel(u.Label, xlabel)
		pts := make(errPoints, 0, len(u.Rate))
		for c, r := range u.Rate {
			if math.IsNaN(r) {
				continue
			}
			x := float64(c)
			if u.Names == nil && c < len(u.X) {
				x = u.X[c]
			}
			e := 0.0
			if c < len(u.SEM) && !math.IsNaN(u.SEM[c]) {
				e = u.SEM[c]
			}
			pts = append(pts, errPoint{x: x, y: r, lo: e, hi: e})
		}
		if len(pts) > 0 {
			l, s, err := plotter.NewLinePoints(pts)
			if err != nil {
				return err
			}
			l.Color, s.Color = colData, colData
			eb, err := plotter.NewYErrorBars(pts)
			if err != nil {
				return err
			}
			eb.Color = colData
			p.Add(l, s, eb)
			if !math.IsNaN(u.Blank) {
				bl, _ := plotter.NewLine(plotter.XYs{{X: pts[0].x, Y: u.Blank}, {X: pts[len(pts)-1].x, Y: u.Blank}})
				bl.Color, bl.Dashes = colBlank, []vg.Length{vg.Points(3), vg.Points(2)}
				p.Add(bl)
			}
		}
		if u.Names != nil {
			ticks := make([]plot.Tick, len(u.Names))
			for c, n := range u.Names {
				ticks[c] = plot.Tick{Value: float64(c), Label: n}
			}
			p.X.Tick.Marker = plot.ConstantTicks(ticks)
		}
		p.Y.Min = 0
		panels[i] = p
	}
	return saveGrid(base, title, panels, cols, 3*vg.Inch, 2.4*vg.Inch)
}

// TuningSummary draws the population summary: histograms of the
// vector-sum gOSI and gDSI and of the vector-sum preferred direction.
func TuningSummary(base, title string, gosi, gdsi, prefDeg []float64) error {
	mk := func(vals []float64, label string, lo, hi float64, bins int) (*plot.Plot, error) {
		p, _, err := unitHist(vals, label, lo, hi, bins)
		return p, err
	}
	a, err := mk(gosi, "gOSI (vector sum)", 0, 1, 10)
	if err != nil {
		return err
	}
	b, err := mk(gdsi, "gDSI (vector sum)", 0, 1, 10)
	if err != nil {
		return err
	}
	c, err := mk(prefDeg, "preferred direction (°, vector sum)", 0, 360, 16)
	if err != nil {
		return err
	}
	return saveGrid(base, title, []*plot.Plot{a, b, c}, 3, 3*vg.Inch, 2.6*vg.Inch)
}

// unitHist is a histogram panel of one value per unit over [lo, hi] in
// bins equal bins (values outside are counted in the end bins, NaN left
// out). It also returns the histogram (nil when no value is left).
func unitHist(vals []float64, label string, lo, hi float64, bins int) (*plot.Plot, *plotter.Histogram, error) {
	p := plot.New()
	p.X.Label.Text = label
	p.Y.Label.Text = "units"
	var v plotter.Values
	for _, x := range vals {
		if !math.IsNaN(x) {
			v = append(v, math.Min(math.Max(x, lo), hi))
		}
	}
	if len(v) == 0 {
		p.Title.Text = label + ": no values"
		return p, nil, nil
	}
	v = append(v, lo, hi) // pin the range, then remove their counts below
	h, err := plotter.NewHist(v, bins)
	if err != nil {
		return nil, nil, err
	}
	h.Bins[0].Weight--
	h.Bins[len(h.Bins)-1].Weight--
	h.FillColor, h.LineStyle.Color = colData, color.White
	p.Add(h)
	p.X.Min, p.X.Max = lo, hi
	return p, h, nil
}

// saveGrid lays panels out in cols columns with an overall title and writes
// base.png and base.svg atomically.
func saveGrid(base, title string, panels []*plot.Plot, cols int, w, h vg.Length) error {
	if cols <= 0 || cols > len(panels) {
		cols = len(panels)
	}
	rows := (len(panels) + cols - 1) / cols
	for _, p := range panels {
		if p == nil {
			continue
		}
		if _, ok := p.X.Tick.Marker.(plot.DefaultTicks); ok {
			p.X.Tick.Marker = plainTicks{}
		}
		if _, ok := p.Y.Tick.Marker.(plot.DefaultTicks); ok {
			p.Y.Tick.Marker = plainTicks{}
		}
	}
	const titleH = 0.4 * vg.Inch
	W, H := w*vg.Length(cols), h*vg.Length(rows)+titleH
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			if k := r*cols + c; k < len(panels) {
				grid[r][c] = panels[k]
			}
		}
	}
	render := func(cv draw.Canvas) {
		body := draw.Canvas{Canvas: cv.Canvas, Rectangle: vg.Rectangle{Min: cv.Min, Max: vg.Point{X: cv.Max.X, Y: cv.Max.Y - titleH}}}
		tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(6), PadY: vg.Points(6),
			PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(4)}
		cvs := plot.Align(grid, tiles, body)
		for r := range grid {
			for c := range grid[r] {
				if grid[r][c] != nil {
					grid[r][c].Draw(cvs[r][c])
				}
			}
		}
		if title != "" {
			sty := draw.TextStyle{Color: color.Black, Font: plot.DefaultFont, Handler: plot.DefaultTextHandler,
				XAlign: draw.XCenter, YAlign: draw.YCenter}
			sty.Font.Size = vg.Points(13)
			sty.Font = plot.DefaultFont
			sty.Font.Size = vg.Points(13)
			cv.FillText(sty, vg.Point{X: (cv.Min.X + cv.Max.X) / 2, Y: cv.Max.Y - titleH/2}, title)
		}
	}
	img := vgimg.NewWith(vgimg.UseWH(W, H), vgimg.UseDPI(110), vgimg.UseBackgroundColor(color.White))
	render(draw.New(img))
	if err := writePNG(base+".png", img); err != nil {
		return err
	}
	svg := vgsvg.New(W, H)
	render(draw.New(svg))
	return writeAtomic(base+".svg", func(f *os.File) error { _, err := svg.WriteTo(f); return err })
}

// writeAtomic writes via a temporary file in the same directory and renames
// it into place, so an interrupted run leaves no partial file.
func writeAtomic(path string, write func(*os.File) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("plots: %w", err)
	}
	if err := write(tmp); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("plots: writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("plots: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("plots: %w", err)
	}
	return nil
}

// plainTicks are gonum's default tick positions with labels printed in the
// shortest form ("25", not "25.00").
type plainTicks struct{}

func (plainTicks) Ticks(lo, hi float64) []plot.Tick {
	t := plot.DefaultTicks{}.Ticks(lo, hi)
	for i := range t {
		if t[i].Label != "" {
			t[i].Label = strconv.FormatFloat(t[i].Value, 'g', 4, 64)
		}
	}
	return t
}
