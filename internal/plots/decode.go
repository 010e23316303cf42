package plots

// Decoding figures: confusion matrix, decoding accuracy over time and the
// temporal generalisation matrix (gonum/plot, written as PNG atomically).

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// grid is a heat-map grid with row 0 drawn at the top (matrix layout).
type grid struct {
	rows, cols int
	z          func(r, c int) float64
	xs, ys     []float64 // cell centres; nil = indexes
}

func (g grid) Dims() (c, r int)   { return g.cols, g.rows }
func (g grid) Z(c, r int) float64 { return g.z(r, c) }
func (g grid) X(c int) float64 {
	if g.xs != nil {
		return g.xs[c]
	}
	return float64(c)
}
func (g grid) Y(r int) float64 {
	if g.ys != nil {
		return g.ys[r]
	}
	return float64(r)
}

// labelTicks puts text labels at integer positions (reversed for rows
// drawn top-down).
type labelTicks struct {
	labels  []string
	reverse bool
}

func (t labelTicks) Ticks(min, max float64) []plot.Tick {
	out := make([]plot.Tick, len(t.labels))
	n := len(t.labels)
	for i, l := range t.labels {
		v := float64(i)
		if t.reverse {
			v = float64(n - 1 - i)
		}
		out[i] = plot.Tick{Value: v, Label: l}
	}
	return out
}

// cellLabels writes a text label at the centre of every cell.
type cellLabels struct {
	rows, cols int
	text       func(r, c int) string
	dark       func(r, c int) bool
}

func (l cellLabels) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	sty := draw.TextStyle{Color: color.Black, Font: p.X.Tick.Label.Font, Handler: plot.DefaultTextHandler,
		XAlign: draw.XCenter, YAlign: draw.YCenter}
	sty.Font.Size = vg.Points(9)
	for r := 0; r < l.rows; r++ {
		for col := 0; col < l.cols; col++ {
			s := sty
			if l.dark(r, col) {
				s.Color = color.White
			}
			pt := vg.Point{X: trX(float64(col)), Y: trY(float64(l.rows - 1 - r))}
			c.FillText(s, pt, l.text(r, col))
		}
	}
}

// DecodeConfusion draws the confusion matrix (rows = true class, columns =
// predicted) coloured by the fraction of each true class, with the counts
// written in the cells, and writes a PNG to path.
func DecodeConfusion(path, title string, labels []string, cm [][]int) error {
	k := len(labels)
	if k == 0 || len(cm) != k {
		return fmt.Errorf("plots: confusion matrix with %d rows for %d labels", len(cm), k)
	}
	frac := make([][]float64, k)
	for i, row := range cm {
		if len(row) != k {
			return fmt.Errorf("plots: confusion row %d has %d columns, want %d", i, len(row), k)
		}
		var tot int
		for _, v := range row {
			tot += v
		}
		frac[i] = make([]float64, k)
		for j, v := range row {
			if tot > 0 {
				frac[i][j] = float64(v) / float64(tot)
			}
		}
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "predicted"
	p.Y.Label.Text = "true"
	pal := palette.Heat(255, 1)
	hm := plotter.NewHeatMap(grid{rows: k, cols: k, z: func(r, c int) float64 { return frac[k-1-r][c] }}, reversed{pal})
	hm.Min, hm.Max = 0, 1
	p.Add(hm)
	p.Add(cellLabels{rows: k, cols: k,
		text: func(r, c int) string { return fmt.Sprint(cm[r][c]) },
		dark: func(r, c int) bool { return frac[r][c] > 0.6 }})
	p.X.Tick.Marker = labelTicks{labels: labels}
	p.Y.Tick.Marker = labelTicks{labels: labels, reverse: true}
	side := vg.Length(math.Max(4, 0.5*float64(k)+2)) * vg.Inch
	return saveFigure(path, side, side, func(dc draw.Canvas) { p.Draw(dc) })
}

// reversed flips a palette (so that 0 is light and 1 dark).
type reversed struct{ p palette.Palette }

func (r reversed) Colors() []color.Color {
	c := r.p.Colors()
	out := make([]color.Color, len(c))
	for i := range c {
		out[i] = c[len(c)-1-i]
	}
	return out
}

// DecodeOverTime draws cross-validated accuracy per time bin (mean over
// folds with a ±1 SEM band when foldAcc is given) against time in seconds,
// with chance (1/K) and the binomial significance threshold as horizontal
// lines (NaN omits either), and writes a PNG to path.
func DecodeOverTime(path, title string, times, acc []float64, foldAcc [][]float64, chance, threshold float64) error {
	if len(times) == 0 || len(times) != len(acc) {
		return fmt.Errorf("plots: %d times for %d accuracies", len(times), len(acc))
	}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "time from interval start (s)"
	p.Y.Label.Text = "cross-validated accuracy"
	p.Y.Min, p.Y.Max = 0, 1
	if len(foldAcc) == len(acc) {
		n := len(acc)
		band := make(plotter.XYs, 2*n)
		for t := 0; t < n; t++ {
			sem := semAt(foldAcc[t])
			band[t] = plotter.XY{X: times[t], Y: acc[t] + sem}
			band[2*n-1-t] = plotter.XY{X: times[t], Y: acc[t] - sem}
		}
		poly, err := plotter.NewPolygon(band)
		if err != nil {
			return err
		}
		poly.Color = color.NRGBA{0, 114, 178, 60}
		poly.LineStyle.Width = 0
		poly.LineStyle.Color = color.Transparent
		p.Add(poly)
	}
	line := make(plotter.XYs, len(acc))
	for i := range acc {
		line[i] = plotter.XY{X: times[i], Y: acc[i]}
	}
	l, pts, err := plotter.NewLinePoints(line)
	if err != nil {
		return err
	}
	l.Color, pts.Color = color.RGBA{0, 114, 178, 255}, color.RGBA{0, 114, 178, 255}
	l.Width = vg.Points(1.5)
	p.Add(l, pts)
	p.Legend.Add("accuracy", l)
	x0, x1 := times[0], times[len(times)-1]
	for _, h := range []struct {
		y    float64
		name string
		dash bool
	}{{chance, "chance 1/K", false}, {threshold, "binomial p<0.05", true}} {
		if math.IsNaN(h.y) {
			continue
		}
		hl, err := plotter.NewLine(plotter.XYs{{X: x0, Y: h.y}, {X: x1, Y: h.y}})
		if err != nil {
			return err
		}
		hl.Color = color.Gray{Y: 100}
		if h.dash {
			hl.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		}
		p.Add(hl)
		p.Legend.Add(h.name, hl)
	}
	p.Legend.Top = true
	return saveFigure(path, 6*vg.Inch, 4*vg.Inch, func(dc draw.Canvas) { p.Draw(dc) })
}

func semAt(fa []float64) float64 {
	if len(fa) < 2 {
		return 0
	}
	var m, v float64
	for _, a := range fa {
		m += a / float64(len(fa))
	}
	for _, a := range fa {
		v += (a - m) * (a - m)
	}
	return math.Sqrt(v/float64(len(fa)-1)) / math.Sqrt(float64(len(fa)))
}

// DecodeGeneralization draws the temporal generalisation matrix gen[train
// bin][test bin] (accuracy) as a heat map centred on chance (blue below,
// red above), training time on the vertical axis, and writes a PNG.
func DecodeGeneralization(path, title string, times []float64, gen [][]float64, chance float64) error {
	n := len(times)
	if n == 0 || len(gen) != n {
		return fmt.Errorf("plots: generalisation matrix with %d rows for %d times", len(gen), n)
	}
	for i, r := range gen {
		if len(r) != n {
			return fmt.Errorf("plots: generalisation row %d has %d columns, want %d", i, len(r), n)
		}
	}
	if !(chance > 0 && chance < 1) {
		return fmt.Errorf("plots: chance %g outside (0, 1)", chance)
	}
	pal := &chanceMap{inner: moreland.SmoothBlueRed(), chance: chance}
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "test time (s)"
	p.Y.Label.Text = "train time (s)"
	hm := plotter.NewHeatMap(grid{rows: n, cols: n, xs: times, ys: times, z: func(r, c int) float64 { return gen[r][c] }}, pal.Palette(255))
	hm.Min, hm.Max = 0, 1
	p.Add(hm)
	cb := plot.New()
	cb.HideX()
	cb.Y.Label.Text = "accuracy"
	cb.Add(&plotter.ColorBar{ColorMap: pal, Vertical: true})
	cb.Y.Min, cb.Y.Max = 0, 1
	return saveFigure(path, 6.5*vg.Inch, 5*vg.Inch, func(dc draw.Canvas) {
		w := dc.Max.X - dc.Min.X
		p.Draw(draw.Crop(dc, 0, -1.2*vg.Inch, 0, 0))
		cb.Draw(draw.Crop(dc, w-1.1*vg.Inch, 0, 0.3*vg.Inch, -0.3*vg.Inch))
	})
}

// chanceMap is a diverging colour map over accuracies in [0, 1] whose
// neutral middle colour sits at chance: blue below chance, red above.
type chanceMap struct {
	inner  palette.DivergingColorMap
	chance float64
}

func (m *chanceMap) u(v float64) float64 {
	switch {
	case v <= 0:
		return 0
	case v >= 1:
		return 1
	case v < m.chance:
		return 0.5 * v / m.chance
	default:
		return 0.5 + 0.5*(v-m.chance)/(1-m.chance)
	}
}

func (m *chanceMap) At(v float64) (color.Color, error) {
	m.inner.SetMin(0)
	m.inner.SetMax(1)
	return m.inner.At(m.u(v))
}
func (m *chanceMap) Max() float64       { return 1 }
func (m *chanceMap) Min() float64       { return 0 }
func (m *chanceMap) SetMax(float64)     {}
func (m *chanceMap) SetMin(float64)     {}
func (m *chanceMap) Alpha() float64     { return m.inner.Alpha() }
func (m *chanceMap) SetAlpha(a float64) { m.inner.SetAlpha(a) }

// Palette samples n colours evenly over [0, 1].
func (m *chanceMap) Palette(n int) palette.Palette {
	c := make([]color.Color, n)
	for i := range c {
		c[i], _ = m.At(float64(i) / float64(n-1))
	}
	return colors(c)
}

type colors []color.Color

func (c colors) Colors() []color.Color { return c }
