package analysis

import (
	"fmt"
	"math"

	"github.com/neurodata/neurodata/ts"
)

// PSTHSettings configures PSTH. nil means defaults.
type PSTHSettings struct {
	// Smooth is an optional Gaussian sigma in seconds applied to each
	// unit's mean rate (0 = none).
	Smooth float64
	// KeepTrials keeps per-event counts (units × events × bins).
	KeepTrials bool
	Workers    int
}

// PSTHResult holds peri-stimulus time histograms of several units around
// the same events.
type PSTHResult struct {
	Edges   []float64   // bin edges relative to the event, seconds (len = bins+1)
	Centers []float64   // bin centres, seconds
	RateHz  [][]float64 // per unit, mean rate per bin across events (Hz)
	SEMHz   [][]float64 // per unit, SEM across events (ddof = 1)
	NEvents int
	// Trials[u][e][b] are the counts per event and bin (KeepTrials only).
	Trials     [][][]int `json:",omitempty"`
	Provenance Provenance
}

// PSTH bins each unit's spikes relative to every event time in half-open
// bins of binWidth seconds from `from` to `to` seconds around the event (the
// last bin may be shortened to end at `to`), and averages across events.
func PSTH(trains [][]float64, events []float64, from, to, binWidth float64, s *PSTHSettings) (*PSTHResult, error) {
	var st PSTHSettings
	if s != nil {
		st = *s
	}
	if !(to > from) || !(binWidth > 0) {
		return nil, fmt.Errorf("analysis: PSTH window [%g, %g] s with %g s bins is empty", from, to, binWidth)
	}
	nb := int(math.Ceil((to-from)/binWidth - 1e-9))
	if nb > 1<<22 || nb*len(events) > 1<<30 {
		return nil, fmt.Errorf("analysis: PSTH with %d bins × %d events is too large", nb, len(events))
	}
	edges := make([]float64, nb+1)
	for i := range edges {
		edges[i] = from + float64(i)*binWidth
	}
	edges[nb] = to
	res := &PSTHResult{Edges: edges, Centers: make([]float64, nb), NEvents: len(events),
		RateHz: make([][]float64, len(trains)), SEMHz: make([][]float64, len(trains))}
	for i := range res.Centers {
		res.Centers[i] = (edges[i] + edges[i+1]) / 2
	}
	if st.KeepTrials {
		res.Trials = make([][][]int, len(trains))
	}
	// Absolute window per (event, bin): counted as one window list per unit.
	ws := make([]float64, 0, nb*len(events))
	we := make([]float64, 0, nb*len(events))
	for _, e := range events {
		for b := 0; b < nb; b++ {
			ws = append(ws, e+edges[b])
			we = append(we, e+edges[b+1])
		}
	}
	win, err := ts.NewWindowSet(ws, we) // classified once, counted per unit
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	ts.ParallelFor(len(trains), st.Workers, func(u int) {
		c := win.Count(nil, trains[u])
		mean := make([]float64, nb)
		sem := make([]float64, nb)
		ne := float64(len(events))
		for b := 0; b < nb; b++ {
			w := edges[b+1] - edges[b]
			var s1, s2 float64
			for e := range events {
				r := float64(c[e*nb+b]) / w
				s1 += r
				s2 += r * r
			}
			mean[b], sem[b] = math.NaN(), math.NaN()
			if ne > 0 {
				mean[b] = s1 / ne
			}
			if ne > 1 {
				v := (s2 - ne*mean[b]*mean[b]) / (ne - 1)
				sem[b] = math.Sqrt(math.Max(v, 0) / ne)
			}
		}
		if st.Smooth > 0 {
			mean = GaussianSmooth1D(nil, mean, st.Smooth/binWidth)
		}
		res.RateHz[u], res.SEMHz[u] = mean, sem
		if st.KeepTrials {
			tr := make([][]int, len(events))
			for e := range tr {
				tr[e] = c[e*nb : (e+1)*nb : (e+1)*nb]
			}
			res.Trials[u] = tr
		}
	})
	res.Provenance = Provenance{Analysis: "psth", Version: Version, Window: [2]float64{from, to}, BinWidth: binWidth,
		Bins: []int{nb}, Params: map[string]string{"smooth_s": fmt.Sprint(st.Smooth)}}
	return res, nil
}

// Raster returns each event's spike times relative to the event in the
// closed window [from, to] seconds (see ts.Align).
func Raster(train, events []float64, from, to float64) [][]float64 {
	return ts.Align(train, events, from, to)
}
