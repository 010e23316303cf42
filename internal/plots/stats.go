package plots

// Spike-train statistics figure for `neurodata report` (analysis stats).

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// statsMax is the right end of the CV, LV and Fano histograms: larger
// values are counted in the last bin.
const statsMax = 3

// SpikeStatsSummary draws the population summary of the spike-train
// statistics, one value per unit in each slice: histograms of the firing
// rate (log10 Hz), the ISI CV, the local variation LV and the Fano factor.
// The last three have a dashed line at 1, their value for a Poisson
// process (below: more regular, above: burstier or more variable);
// values above 3 fall in the last bin. Writes base.png and base.svg.
func SpikeStatsSummary(base, title string, rateHz, cv, lv, fano []float64) error {
	n := len(rateHz)
	if n == 0 || len(cv) != n || len(lv) != n || len(fano) != n {
		return fmt.Errorf("plots: spike statistics of %d units with %d CV, %d LV and %d Fano values", n, len(cv), len(lv), len(fano))
	}
	logRate := make([]float64, n)
	for i, r := range rateHz {
		logRate[i] = math.NaN() // silent units have no log rate
		if r > 0 {
			logRate[i] = math.Log10(r)
		}
	}
	rp, _, err := unitHist(logRate, "firing rate (log10 Hz)", -2, 2, 16)
	if err != nil {
		return err
	}
	panels := []*plot.Plot{rp}
	for _, c := range []struct {
		v     []float64
		label string
	}{{cv, "ISI CV"}, {lv, "local variation LV"}, {fano, "Fano factor"}} {
		p, h, err := unitHist(c.v, fmt.Sprintf("%s (last bin ≥ %d)", c.label, statsMax), 0, statsMax, 15)
		if err != nil {
			return err
		}
		if h != nil {
			top := 0.0
			for _, b := range h.Bins {
				top = math.Max(top, b.Weight)
			}
			ln, err := plotter.NewLine(plotter.XYs{{X: 1, Y: 0}, {X: 1, Y: top}})
			if err != nil {
				return err
			}
			ln.Color, ln.Dashes, ln.Width = colBlank, []vg.Length{vg.Points(4), vg.Points(3)}, vg.Points(1.2)
			p.Add(ln)
			p.Legend.Add("Poisson", ln)
			p.Legend.Top = true
		}
		panels = append(panels, p)
	}
	return saveGrid(base, title, panels, 4, 2.6*vg.Inch, 2.6*vg.Inch)
}
