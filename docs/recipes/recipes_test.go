package recipes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat"

	"github.com/neurodata/neurodata/analysis"
	"github.com/neurodata/neurodata/analysis/info"
	"github.com/neurodata/neurodata/analysis/rsa"
	"github.com/neurodata/neurodata/analysis/rsa/activations"
	"github.com/neurodata/neurodata/decoding"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/pipeline"
)

// openExample opens an embedded example session.
func openExample(name string) *nwb.File {
	r, size, err := examples.Open(name)
	if err != nil {
		log.Fatal(err)
	}
	f, err := nwb.NewReader(r, size)
	if err != nil {
		log.Fatal(err)
	}
	return f
}

// gratings returns the spike trains (seconds) of every unit and the drifting
// gratings presentations: start and stop times (s) and direction (deg, NaN
// for blank sweeps).
func gratings(f *nwb.File) (trains [][]float64, starts, stops, dir []float64) {
	units, err := f.Units()
	if err != nil {
		log.Fatal(err)
	}
	if trains, err = units.AllSpikeTimes(); err != nil {
		log.Fatal(err)
	}
	pres, err := f.Intervals("drifting_gratings_presentations")
	if err != nil {
		log.Fatal(err)
	}
	if starts, stops, err = pres.StartStop(); err != nil {
		log.Fatal(err)
	}
	if dir, err = pres.Float64s("orientation"); err != nil {
		log.Fatal(err)
	}
	return trains, starts, stops, dir
}

// truthUnit is the part of ecephys_gratings.truth.json the recipes compare
// against: the parameters each unit was simulated from.
type truthUnit struct {
	TuningClass   string  `json:"tuning_class"` // direction, orientation or untuned
	PrefDirection float64 `json:"pref_direction_deg"`
	MIBits        float64 `json:"mutual_information_bits"`
}

func gratingsTruth() []truthUnit {
	b, err := examples.ReadFile("ecephys_gratings.truth.json")
	if err != nil {
		log.Fatal(err)
	}
	var t struct{ Units []truthUnit }
	if err := json.Unmarshal(b, &t); err != nil {
		log.Fatal(err)
	}
	return t.Units
}

// angleDiff is the absolute difference of two angles in degrees, modulo period.
func angleDiff(a, b, period float64) float64 {
	d := math.Mod(math.Abs(a-b), period)
	return math.Min(d, period-d)
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	sort.Float64s(s)
	return stat.Quantile(0.5, stat.Empirical, s, nil)
}

// Recipe: tuning and selectivity (docs/recipes/tuning.md).
func Example_tuning() {
	f := openExample("ecephys_gratings")
	trains, starts, stops, dir := gratings(f)

	// Mean rate per direction over each 2 s presentation; NaN rows are blanks.
	cond, err := analysis.NumericConditions(dir)
	if err != nil {
		log.Fatal(err)
	}
	res, err := analysis.ConditionTuning(trains, starts, stops, cond, nil)
	if err != nil {
		log.Fatal(err)
	}
	dirs := make([]float64, len(res.Values))
	for i, v := range res.Values {
		dirs[i] = v[0]
	}
	fmt.Printf("%d units, %d directions x %d presentations, %d blanks\n",
		len(res.Units), len(dirs), res.NTrials[0], res.NBlank)

	// Selectivity per unit, grouped by how the unit was simulated.
	truth := gratingsTruth()
	gosi := map[string][]float64{}
	gdsi := map[string][]float64{}
	hits := map[string]int{}
	for i, u := range res.Units {
		d := analysis.Direction(dirs, u.RateHz)
		c := truth[i].TuningClass
		gosi[c] = append(gosi[c], d.GOSI)
		gdsi[c] = append(gdsi[c], d.GDSI)
		// A direction cell prefers one direction; an orientation cell two
		// opposite ones, so compare its doubled-angle vector modulo 180.
		pref, period := d.VectorPrefDirectionDeg, 360.0
		if c == "orientation" {
			pref, period = analysis.VectorPreferredOrientation(dirs, u.RateHz), 180
		}
		if angleDiff(pref, truth[i].PrefDirection, period) <= 22.5 {
			hits[c]++
		}
	}
	for _, c := range []string{"direction", "orientation", "untuned"} {
		fmt.Printf("%-11s n=%2d  median gOSI %.2f  gDSI %.2f  preferred within 22.5 deg of truth: %d\n",
			c, len(gosi[c]), median(gosi[c]), median(gdsi[c]), hits[c])
	}
	// Output:
	// 40 units, 8 directions x 16 presentations, 8 blanks
	// direction   n=15  median gOSI 0.12  gDSI 0.19  preferred within 22.5 deg of truth: 15
	// orientation n=14  median gOSI 0.27  gDSI 0.03  preferred within 22.5 deg of truth: 14
	// untuned     n=11  median gOSI 0.03  gDSI 0.02  preferred within 22.5 deg of truth: 1
}

// Recipe: information in bits and its bias (docs/recipes/information.md).
func Example_information() {
	f := openExample("ecephys_gratings")
	trains, starts, stops, dir := gratings(f)

	// Stimulus codes 0..7 per presentation; blanks (code -1) are dropped.
	codes, _ := info.Labels(dir)
	var keep []int
	for i, c := range codes {
		if c >= 0 {
			keep = append(keep, i)
		}
	}
	stim := make([]int, len(keep))
	ws, we := make([]float64, len(keep)), make([]float64, len(keep))
	for j, i := range keep {
		stim[j], ws[j], we[j] = codes[i], starts[i], stops[i]
	}
	// Spike counts per unit and presentation.
	resp := make([][]int, len(trains))
	for u, tr := range trains {
		var err error
		if resp[u], err = info.SpikeCounts(tr, ws, we); err != nil {
			log.Fatal(err)
		}
	}
	truth := gratingsTruth()
	var trueBits float64
	for _, t := range truth {
		trueBits += t.MIBits / float64(len(truth))
	}
	// The same counts through a biased and a bias-corrected estimator,
	// with every distinct count its own response bin (Bins: -1).
	for _, est := range []info.Estimator{info.PlugIn, info.PanzeriTreves, info.QuadraticExtrapolation} {
		set := &info.Settings{Rand: rand.New(rand.NewPCG(1, 2))}
		res, err := info.Units(stim, resp, &info.Options{Estimator: est, Bins: -1}, set)
		if err != nil {
			log.Fatal(err)
		}
		var mean float64
		for _, r := range res {
			mean += r.Bits / float64(len(res))
		}
		fmt.Printf("%-4s mean %.3f bits/unit\n", est, mean)
	}
	fmt.Printf("true mean %.3f bits/unit (from the simulation's rates)\n", trueBits)
	// Output:
	// plugin mean 1.230 bits/unit
	// pt   mean 0.646 bits/unit
	// qe   mean 0.736 bits/unit
	// true mean 0.556 bits/unit (from the simulation's rates)
}

// Recipe: decoding and chance levels (docs/recipes/decoding.md).
func Example_decoding() {
	f := openExample("ecephys_gratings")
	trains, starts, stops, dir := gratings(f)

	// Trials x units matrix of spike counts; labels are direction codes.
	codes, _ := info.Labels(dir)
	var y []int
	var rows []int
	for i, c := range codes {
		if c >= 0 {
			y = append(y, c)
			rows = append(rows, i)
		}
	}
	x := mat.NewDense(len(rows), len(trains), nil)
	for u, tr := range trains {
		for j, i := range rows {
			n, _ := info.SpikeCounts(tr, starts[i:i+1], stops[i:i+1])
			x.Set(j, u, float64(n[0]))
		}
	}
	folds, err := decoding.StratifiedKFold(y, 5, nil)
	if err != nil {
		log.Fatal(err)
	}
	bayes := func() decoding.Classifier { return &decoding.PoissonBayes{} }
	ideal := idealAccuracy() // Bayes-optimal accuracy, from the simulation
	fmt.Printf("%d trials, 8 directions; chance %.3f, binomial threshold (alpha 0.05, %d trials) %.3f\n",
		len(y), 1.0/8, len(y), decoding.ChanceThreshold(len(y), 8, 0.05))
	for _, n := range []int{1, 2, 4, 8, 40} {
		xn := x.Slice(0, len(y), 0, n) // the first n units
		cv, err := decoding.CrossValidate(bayes, xn, y, folds, nil)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("first %2d units: accuracy %.3f  (ideal observer %.3f)\n", n, cv.Accuracy, ideal[n])
	}
	// Is one unit's 0.2 above chance? Compare with decoders trained on
	// shuffled labels, with the same folds.
	one := x.Slice(0, len(y), 0, 1)
	perm, err := decoding.PermutationTest(bayes, one, y, folds, nil, 200, &decoding.Settings{Src: rand.NewPCG(1, 2)})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("1 unit vs 200 label permutations: null mean %.3f, null max %.3f, p = %.3f\n",
		stat.Mean(perm.Null, nil), slices.Max(perm.Null), perm.P)
	fmt.Printf("with only 16 trials the threshold is %.3f\n", decoding.ChanceThreshold(16, 8, 0.05))
	// Output:
	// 128 trials, 8 directions; chance 0.125, binomial threshold (alpha 0.05, 128 trials) 0.172
	// first  1 units: accuracy 0.259  (ideal observer 0.220)
	// first  2 units: accuracy 0.313  (ideal observer 0.374)
	// first  4 units: accuracy 0.703  (ideal observer 0.762)
	// first  8 units: accuracy 0.814  (ideal observer 0.878)
	// first 40 units: accuracy 1.000  (ideal observer 1.000)
	// 1 unit vs 200 label permutations: null mean 0.127, null max 0.227, p = 0.005
	// with only 16 trials the threshold is 0.250
}

// idealAccuracy maps a number of units (the first n in table order) to the
// accuracy of the Bayes-optimal decoder that knows the simulation's model
// (ecephys_gratings.truth.json, ideal_decoder).
func idealAccuracy() map[int]float64 {
	b, err := examples.ReadFile("ecephys_gratings.truth.json")
	if err != nil {
		log.Fatal(err)
	}
	var t struct {
		IdealDecoder struct {
			Results []struct {
				Population string
				NUnits     int `json:"n_units"`
				Accuracy   float64
			}
		} `json:"ideal_decoder"`
	}
	if err := json.Unmarshal(b, &t); err != nil {
		log.Fatal(err)
	}
	m := map[int]float64{}
	for _, r := range t.IdealDecoder.Results {
		if r.Population != "quality_good" {
			m[r.NUnits] = r.Accuracy
		}
	}
	return m
}

// Recipe: brains vs DNNs with RSA and CKA (docs/recipes/rsa.md).
func Example_rsa() {
	f := openExample("ophys_scenes")
	dff, err := f.SeriesOf("DfOverF")
	if err != nil || len(dff) == 0 {
		log.Fatal("no dF/F series: ", err)
	}
	s, err := dff[0].Read()
	if err != nil {
		log.Fatal(err)
	}
	signal := mat.NewDense(len(s.Times), s.Channels, s.Data) // frames x ROIs

	pres, err := f.Intervals("natural_scenes_presentations")
	if err != nil {
		log.Fatal(err)
	}
	onsets, _, err := pres.StartStop()
	if err != nil {
		log.Fatal(err)
	}
	frame, err := pres.Float64s("frame")
	if err != nil {
		log.Fatal(err)
	}
	// Mean dF/F in [onset, onset+0.5 s) per presentation, averaged per
	// image (frame -1 is the blank).
	win, err := rsa.WindowMeans(signal, s.Times, onsets, 0, 0.5)
	if err != nil {
		log.Fatal(err)
	}
	nImg := int(slices.Max(frame)) + 1
	resp := mat.NewDense(nImg, s.Channels, nil)
	n := make([]float64, nImg)
	for i, fr := range frame {
		if fr < 0 {
			continue
		}
		k := int(fr)
		n[k]++
		for c := 0; c < s.Channels; c++ {
			resp.Set(k, c, resp.At(k, c)+win.At(i, c))
		}
	}
	for k := range nImg {
		for c := 0; c < s.Channels; c++ {
			resp.Set(k, c, resp.At(k, c)/n[k])
		}
	}
	brain, err := rsa.ComputeRDM(resp, rsa.Correlation, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d images x %d ROIs\n", nImg, s.Channels)
	for _, layer := range []string{"layer_true", "layer_partial", "layer_random"} {
		b, err := examples.ReadFile("ophys_scenes." + layer + ".npy")
		if err != nil {
			log.Fatal(err)
		}
		a, err := activations.DecodeNPY(b)
		if err != nil {
			log.Fatal(err)
		}
		m, err := a.Matrix() // images x features
		if err != nil {
			log.Fatal(err)
		}
		model, err := rsa.ComputeRDM(m, rsa.Correlation, nil)
		if err != nil {
			log.Fatal(err)
		}
		rho, err := rsa.CompareRDMs(brain, model, rsa.Spearman)
		if err != nil {
			log.Fatal(err)
		}
		lin, deb, err := rsa.CKA(resp, m, nil)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("%-13s RSA spearman %.3f  linear CKA %.3f  debiased CKA %.3f\n", layer, rho, lin, deb)
	}
	// Output:
	// 40 images x 100 ROIs
	// layer_true    RSA spearman 0.577  linear CKA 0.740  debiased CKA 0.669
	// layer_partial RSA spearman 0.358  linear CKA 0.573  debiased CKA 0.426
	// layer_random  RSA spearman 0.024  linear CKA 0.266  debiased CKA 0.045
}

// Recipe: spike-train statistics and variability (docs/recipes/stats.md).
func Example_stats() {
	f := openExample("ecephys_gratings")
	units, err := f.Units()
	if err != nil {
		log.Fatal(err)
	}
	tu, err := units.SpikeTrains(nil)
	if err != nil {
		log.Fatal(err)
	}
	st := analysis.UnitStats(tu, nil)
	var rate, cv, lv []float64
	for _, s := range st {
		rate = append(rate, s.RateHz)
		cv = append(cv, s.CV)
		lv = append(lv, s.LV)
	}
	fmt.Printf("%d units: median rate %.2f Hz, ISI CV %.2f, LV %.2f\n", len(st), median(rate), median(cv), median(lv))

	// Fano factor of counts across repeats of one direction: the stimulus is
	// fixed, so what is left is trial-to-trial variability (1 for Poisson).
	trains, starts, stops, dir := gratings(f)
	var fano []float64
	for _, tr := range trains {
		var counts []float64
		for i, d := range dir {
			if d == 90 {
				n, _ := info.SpikeCounts(tr, starts[i:i+1], stops[i:i+1])
				counts = append(counts, float64(n[0]))
			}
		}
		fano = append(fano, analysis.FanoFactor(counts))
	}
	fmt.Printf("Fano factor of counts at 90 deg: median %.2f, range %.2f-%.2f over %d units\n",
		median(fano), slices.Min(fano), slices.Max(fano), len(fano))
	// Output:
	// 40 units: median rate 5.20 Hz, ISI CV 1.15, LV 0.96
	// Fano factor of counts at 90 deg: median 1.00, range 0.38-2.28 over 40 units
}

// Recipe: scaling to a whole data set (docs/recipes/scaling.md).
func Example_scaling() {
	out, err := os.MkdirTemp("", "recipe-scaling")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(out)

	// The same spec as scaling.yaml: every example session, two analyses,
	// each applied to the sessions whose name matches.
	tuning, _ := pipeline.ParseAnalysisFlag("tuning:intervals=drifting_gratings_presentations,by=orientation")
	tuning.Sessions = "*gratings*"
	place, _ := pipeline.ParseAnalysisFlag("place:position=processing/behavior/Position/position,bin=0.05")
	place.Sessions = "*place*"
	spec := &pipeline.Spec{
		Inputs:   []pipeline.Input{{Example: "ecephys_gratings"}, {Example: "behavior_place"}, {Example: "ophys_scenes"}},
		Analyses: []pipeline.Analysis{tuning, place},
		Out:      out,
		Jobs:     2,
	}
	for run := 1; run <= 2; run++ {
		m, err := pipeline.Run(context.Background(), spec, &pipeline.RunOptions{ToolVersion: "recipe"})
		if err != nil {
			log.Fatal(err)
		}
		s := m.Summary
		fmt.Printf("run %d: %d sessions, %d computed, %d cached, %d failed\n", run, s.Sessions, s.Computed, s.Cached, s.Failed)
		if run == 1 {
			for _, r := range m.Results {
				fmt.Println(" ", filepath.ToSlash(r.Path))
			}
		}
	}
	// Output:
	// run 1: 3 sessions, 2 computed, 0 cached, 0 failed
	//   analysis=place/session=behavior_place/part-0.parquet
	//   analysis=tuning/session=ecephys_gratings/part-0.parquet
	// run 2: 3 sessions, 0 computed, 2 cached, 0 failed
}
