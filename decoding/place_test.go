package decoding

import (
	"encoding/json"
	"math"
	"os"
	"sort"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// placeData is what the place test needs from behavior_place.nwb.
type placeData struct {
	T, X        []float64   // position samples (s, m)
	Spikes      [][]float64 // per unit (s)
	Start, Stop []float64   // laps
}

func loadPlace(t *testing.T) *placeData {
	t.Helper()
	nwb := needShared(t, "fixtures/default/behavior_place.nwb")
	const script = `
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
g = f["processing/behavior/Position/position"]
st, idx = f["units/spike_times"][:], f["units/spike_times_index"][:]
starts = np.concatenate([[0], idx[:-1]])
tr = f["intervals/trials"]
json.dump({"t": g["timestamps"][:].tolist(), "x": g["data"][:].tolist(),
           "spikes": [st[a:b].tolist() for a, b in zip(starts, idx)],
           "start": tr["start_time"][:].tolist(), "stop": tr["stop_time"][:].tolist()}, open(sys.argv[2], "w"))
`
	var d struct {
		T, X, Start, Stop []float64
		Spikes            [][]float64
	}
	h5pyJSON(t, script, nwb, &d)
	return &placeData{T: d.T, X: d.X, Spikes: d.Spikes, Start: d.Start, Stop: d.Stop}
}

// lapBins groups the position samples of the given laps into decoding bins
// of `per` consecutive 20 ms samples: counts (bins × units) of spikes in
// [t_first, t_last + 0.02) and the mean position.
func (p *placeData) lapBins(laps []int, per int) (*mat.Dense, *mat.Dense) {
	var cnt [][]float64
	var pos []float64
	for _, l := range laps {
		j0 := sort.SearchFloat64s(p.T, p.Start[l])
		j1 := sort.SearchFloat64s(p.T, p.Stop[l])
		for j := j0; j+per <= j1; j += per {
			a, b := p.T[j], p.T[j+per-1]+0.02
			row := make([]float64, len(p.Spikes))
			for u, s := range p.Spikes {
				row[u] = countWindow(s, a, b)
			}
			var x float64
			for k := j; k < j+per; k++ {
				x += p.X[k] / float64(per)
			}
			cnt = append(cnt, row)
			pos = append(pos, x)
		}
	}
	c := mat.NewDense(len(cnt), len(p.Spikes), nil)
	for i, r := range cnt {
		c.SetRow(i, r)
	}
	return c, mat.NewDense(len(pos), 1, pos)
}

// Continuous 1-D decoding on the behavior_place fixture: tuning curves
// fitted (FitTuning) on the odd laps decode position on the even laps about
// as well as the true rate maps of the truth file
// (units[i].rate_map_hz_reference_bins, 0.04 m bins) do.
func TestPlaceDecodeFixture(t *testing.T) {
	if testing.Short() {
		t.Skip("short mode")
	}
	p := loadPlace(t)
	raw, err := os.ReadFile(needShared(t, "fixtures/default/behavior_place.truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	var truth struct {
		Binning struct {
			Edges []float64 `json:"edges_m"`
		} `json:"reference_binning"`
		Units []struct {
			Map []float64 `json:"rate_map_hz_reference_bins"`
		} `json:"units"`
	}
	if err := json.Unmarshal(raw, &truth); err != nil {
		t.Fatal(err)
	}
	const per, tau = 10, 0.2 // 200 ms decoding bins
	var odd, even []int
	for l := range p.Start {
		if l%2 == 1 {
			odd = append(odd, l)
		} else {
			even = append(even, l)
		}
	}
	trC, trX := p.lapBins(odd, per)
	teC, teX := p.lapBins(even, per)
	g := Grid{Edges: [][]float64{truth.Binning.Edges}}
	fitted, _, err := FitTuning(g, trX, trC, tau)
	if err != nil {
		t.Fatal(err)
	}
	nb := g.NumBins()
	maps := make([][]float64, len(truth.Units))
	for u, un := range truth.Units {
		maps[u] = un.Map
	}
	trueMap, err := TuningFromRates(maps)
	if err != nil {
		t.Fatal(err)
	}
	if r, c := trueMap.Dims(); r != nb || c != len(p.Spikes) {
		t.Fatalf("true maps %d×%d, want %d bins × %d units", r, c, nb, len(p.Spikes))
	}
	medErr := func(tc *mat.Dense) float64 {
		got, err := (&BayesDecoder{Tuning: tc, BinSize: tau}).Decode(nil, teC, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		e := make([]float64, len(got))
		c := make([]float64, 1)
		for i, b := range got {
			e[i] = math.Abs(g.Center(c, b)[0] - teX.At(i, 0))
		}
		sort.Float64s(e)
		return e[len(e)/2]
	}
	ef, et := medErr(fitted), medErr(trueMap)
	n, _ := teC.Dims()
	t.Logf("%d test bins of %.1f s: median |error| fitted tuning %.3f m, true rate maps %.3f m (2 m track, 0.04 m bins)", n, tau, ef, et)
	if ef > et+0.04 || ef > 0.15 {
		t.Errorf("fitted-tuning median error %.3f m vs true maps %.3f m", ef, et)
	}
}
