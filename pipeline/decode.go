package pipeline

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/neurodata/neurodata/decoding"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/ts"
)

// DecodeResult is the decoding step's result (also `neurodata analyze
// decode`'s): cross-validated accuracy, confusion matrix, chance levels,
// permutation p, and optionally accuracy over time (with temporal
// generalisation) and accuracy vs number of units.
type DecodeResult struct {
	By           string    `json:"by"`
	Intervals    string    `json:"intervals"`
	Window       []float64 `json:"window_s,omitempty"`
	Decoder      string    `json:"decoder"`
	CV           string    `json:"cv"`
	UnitIDs      []int64   `json:"unit_ids"`
	Trials       int       `json:"trials"`
	Excluded     int       `json:"excluded_trials"`
	Permutations int       `json:"permutations"`
	Seed         uint64    `json:"seed"`
	DecodeScores
	Curve []CurvePoint `json:"units_curve,omitempty"`
}

// DecodeScores are the decoding scores (DecodeResult without its
// provenance), the body of `neurodata analyze decode --json`.
type DecodeScores struct {
	Conditions       []string    `json:"conditions"`
	Accuracy         float64     `json:"accuracy"`
	BalancedAccuracy float64     `json:"balanced_accuracy"`
	Chance           float64     `json:"chance"`
	ChanceThreshold  float64     `json:"chance_threshold"`
	P                *float64    `json:"p"`
	NullMean         *float64    `json:"null_mean"`
	Confusion        [][]int     `json:"confusion"`
	FoldAccuracy     []float64   `json:"fold_accuracy"`
	Time             *DecodeTime `json:"time_resolved,omitempty"`
}

// DecodeTime is time-resolved decoding.
type DecodeTime struct {
	BinS           float64     `json:"bin_s"`
	Times          []float64   `json:"times_s"`
	Accuracy       []float64   `json:"accuracy"`
	FoldAccuracy   [][]float64 `json:"fold_accuracy"`
	Generalization [][]float64 `json:"generalization"`
}

// CurvePoint is the accuracy with Units randomly chosen units (mean and SD
// over repeats).
type CurvePoint struct {
	Units int     `json:"units"`
	Mean  float64 `json:"mean"`
	SD    float64 `json:"sd"`
}

type decodeOpts struct {
	win          []float64
	loo          bool
	nFolds       int
	permutations int
	seed         uint64
}

func (p *DecodeParams) options() (decodeOpts, error) {
	var o decodeOpts
	if p.Window != "" {
		w, _, err := parseWindow("window", p.Window)
		if err != nil {
			return o, err
		}
		o.win = w[:]
	}
	o.permutations = 1000
	if p.Permutations != nil {
		o.permutations = *p.Permutations
	}
	if o.permutations < 0 || o.permutations > 1_000_000 {
		return o, specErrorf("permutations %d: want 0 to 1000000", o.permutations)
	}
	o.seed = 1
	if p.Seed != nil {
		o.seed = *p.Seed
	}
	if p.TimeResolved < 0 || math.IsNaN(p.TimeResolved) || math.IsInf(p.TimeResolved, 0) {
		return o, specErrorf("time-resolved %g: want a positive bin width in seconds", p.TimeResolved)
	}
	folds := p.Folds
	if folds == "" {
		folds = "5"
	}
	o.loo = strings.EqualFold(folds, "loo")
	if !o.loo {
		n, err := strconv.Atoi(folds)
		if err != nil || n < 2 {
			return o, specErrorf("folds %q: want a number ≥ 2 or loo", folds)
		}
		o.nFolds = n
	}
	if _, _, err := DecoderFactory(p.Decoder, p.Metric, 2, 1); err != nil {
		return o, err
	}
	for _, n := range p.Curve {
		if n < 1 {
			return o, specErrorf("curve: sizes must be ≥ 1")
		}
	}
	if p.CurveRepeats < 0 {
		return o, specErrorf("curve-repeats must be ≥ 0")
	}
	return o, nil
}

// DecoderFactory returns a constructor for the named decoder (bayes, logreg,
// lda, template; "" = bayes) and its description.
func DecoderFactory(name, metric string, nUnits, minTrain int) (func() decoding.Classifier, string, error) {
	switch strings.ToLower(name) {
	case "bayes", "":
		return func() decoding.Classifier { return &decoding.PoissonBayes{} }, "bayes (Poisson naive Bayes, uniform prior)", nil
	case "logreg":
		return func() decoding.Classifier { return &decoding.LogisticRegression{Standardize: true} },
			"logreg (standardised, L2, C=1, L-BFGS)", nil
	case "lda":
		if nUnits >= minTrain {
			return func() decoding.Classifier { return &decoding.LDA{Shrinkage: true} }, "lda (Ledoit-Wolf shrinkage)", nil
		}
		return func() decoding.Classifier { return &decoding.LDA{} }, "lda (SVD solver)", nil
	case "template":
		var m decoding.Metric
		switch strings.ToLower(metric) {
		case "correlation", "":
			if nUnits < 2 {
				return nil, "", specErrorf("metric correlation needs at least 2 units")
			}
			m = decoding.Correlation
		case "euclidean":
			m = decoding.Euclidean
		default:
			return nil, "", specErrorf("metric %q: want correlation or euclidean", metric)
		}
		return func() decoding.Classifier { return &decoding.NearestCentroid{Metric: m} }, "template (" + m.String() + ")", nil
	}
	return nil, "", specErrorf("decoder %q: want bayes, logreg, lda or template", name)
}

// selectUnitRows resolves the units option (all, good, or the first N) to
// row indexes of the units table.
func selectUnitRows(u *nwb.Units, spec string, n int) ([]int, error) {
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	switch s := strings.ToLower(strings.TrimSpace(spec)); s {
	case "all", "":
		return all, nil
	case "good":
		if !u.HasColumn("quality") {
			return nil, specErrorf("units good: the units table has no quality column")
		}
		q, err := u.Strings("quality")
		if err != nil {
			return nil, err
		}
		var out []int
		for i, v := range q {
			if v == "good" {
				out = append(out, i)
			}
		}
		if len(out) == 0 {
			return nil, specErrorf("units good: no unit has quality == good")
		}
		return out, nil
	default:
		k, err := strconv.Atoi(s)
		if err != nil || k < 1 {
			return nil, specErrorf("units %q: want a positive number, all or good", spec)
		}
		if k > n {
			return nil, specErrorf("units %d: the file has %d units", k, n)
		}
		return all[:k], nil
	}
}

// Decode runs the decoding step on an open session. progress (may be nil)
// receives one-line status messages.
func Decode(ctx context.Context, f *nwb.File, p *DecodeParams, progress func(string)) (*DecodeResult, error) {
	if progress == nil {
		progress = func(string) {}
	}
	o, err := p.options()
	if err != nil {
		return nil, err
	}
	c, err := openConditions(f, p.Intervals, p.By, "")
	if err != nil {
		return nil, err
	}
	codes, names, starts, stops := c.codes, c.names, c.starts, c.stops
	var groupCodes []int
	if p.Group != "" {
		if groupCodes, _, err = labelsOf(c.ti, p.Group, "group", ""); err != nil {
			return nil, err
		}
	}
	var rows, y, groups []int
	for i, c := range codes {
		if c < 0 || (groupCodes != nil && groupCodes[i] < 0) {
			continue
		}
		rows = append(rows, i)
		y = append(y, c)
		if groupCodes != nil {
			groups = append(groups, groupCodes[i])
		}
	}
	if len(names) < 2 || len(rows) < 4 {
		return nil, specErrorf("by %q: %d conditions over %d usable rows; need ≥ 2 conditions", p.By, len(names), len(rows))
	}
	lo, hi := make([]float64, len(rows)), make([]float64, len(rows))
	minDur := math.Inf(1)
	for k, i := range rows {
		lo[k], hi[k] = starts[i], stops[i]
		if o.win != nil {
			lo[k], hi[k] = starts[i]+o.win[0], starts[i]+o.win[1]
		}
		minDur = math.Min(minDur, hi[k]-lo[k])
	}
	units, err := f.Units()
	if err != nil {
		return nil, err
	}
	ids, err := units.IDs()
	if err != nil {
		return nil, err
	}
	sel, err := selectUnitRows(units, p.Units, len(ids))
	if err != nil {
		return nil, err
	}
	trains, err := units.AllSpikeTimes()
	if err != nil {
		return nil, err
	}
	for _, u := range sel {
		if !ts.IsSorted(trains[u]) {
			trains[u] = slices.Clone(trains[u])
			slices.Sort(trains[u])
		}
	}
	countMatrix := func(a, b []float64) *mat.Dense {
		x := mat.NewDense(len(a), len(sel), nil)
		col := make([]int, len(a))
		for j, u := range sel {
			col = ts.CountWindows(col, trains[u], a, b)
			for k, c := range col {
				x.Set(k, j, float64(c))
			}
		}
		return x
	}
	x := countMatrix(lo, hi)

	var folds decoding.Folds
	cvName := ""
	switch {
	case groups != nil:
		if o.loo || p.Shuffle {
			return nil, specErrorf("group needs a number of folds (no loo, no shuffle)")
		}
		if folds, err = decoding.GroupKFold(groups, o.nFolds); err != nil {
			return nil, specErrorf("group %q: %v", p.Group, err)
		}
		cvName = fmt.Sprintf("GroupKFold(%d) by %s", o.nFolds, p.Group)
	case o.loo:
		if p.Shuffle {
			return nil, specErrorf("shuffle has no effect with folds loo")
		}
		folds = decoding.LeaveOneOut(len(y))
		cvName = "LeaveOneOut"
	default:
		var rng *rand.Rand
		cvName = fmt.Sprintf("StratifiedKFold(%d), no shuffle", o.nFolds)
		if p.Shuffle {
			rng = rand.New(rand.NewPCG(o.seed, 0x666f6c6473))
			cvName = fmt.Sprintf("StratifiedKFold(%d), shuffled (seed %d)", o.nFolds, o.seed)
		}
		if folds, err = decoding.StratifiedKFold(y, o.nFolds, rng); err != nil {
			return nil, specErrorf("folds %d: %v", o.nFolds, err)
		}
	}
	minTrain := len(y)
	for k := 0; k < folds.NumFolds(); k++ {
		tr, _ := folds.Split(k)
		minTrain = min(minTrain, len(tr))
	}
	mk, decName, err := DecoderFactory(p.Decoder, p.Metric, len(sel), minTrain)
	if err != nil {
		return nil, err
	}
	set := &decoding.Settings{Workers: p.Workers, Src: rand.NewPCG(o.seed, 0x6465636f6465)}
	progress(fmt.Sprintf("decode: %d units, %d trials, %d conditions of %q, %s, %s", len(sel), len(y), len(names), p.By, decName, cvName))
	res, err := decoding.CrossValidate(mk, x, y, folds, set)
	if err != nil {
		return nil, err
	}
	out := &DecodeResult{By: p.By, Intervals: c.ti.Path, Window: o.win, Decoder: decName, CV: cvName,
		Trials: len(y), Excluded: len(codes) - len(y), Permutations: o.permutations, Seed: o.seed,
		DecodeScores: DecodeScores{Accuracy: res.Accuracy, BalancedAccuracy: res.BalancedAccuracy, Chance: res.Chance,
			ChanceThreshold: res.ChanceThreshold, FoldAccuracy: res.FoldAccuracy, Confusion: res.Confusion}}
	for _, u := range sel {
		out.UnitIDs = append(out.UnitIDs, ids[u])
	}
	out.Conditions = make([]string, len(res.Classes))
	for i, c := range res.Classes {
		out.Conditions[i] = names[c]
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if o.permutations > 0 {
		progress(fmt.Sprintf("decode: %d label permutations", o.permutations))
		pt, err := decoding.PermutationTest(mk, x, y, folds, groups, o.permutations, set)
		if err != nil {
			return nil, err
		}
		var m float64
		for _, v := range pt.Null {
			m += v / float64(len(pt.Null))
		}
		pv := pt.P
		out.P, out.NullMean = &pv, &m
	}
	if p.TimeResolved > 0 {
		w0 := 0.0
		if o.win != nil {
			w0 = o.win[0]
		}
		nb := int(math.Floor(minDur/p.TimeResolved + 1e-9))
		if nb < 1 {
			return nil, specErrorf("time-resolved %g s: longer than the shortest window (%g s)", p.TimeResolved, minDur)
		}
		if nb > 2000 {
			return nil, specErrorf("time-resolved %g s: %d bins; use a wider bin (at most 2000 bins)", p.TimeResolved, nb)
		}
		progress(fmt.Sprintf("decode: time-resolved, %d bins of %g s, temporal generalisation", nb, p.TimeResolved))
		xs := make([]mat.Matrix, nb)
		times := make([]float64, nb)
		a, b := make([]float64, len(lo)), make([]float64, len(lo))
		for t := 0; t < nb; t++ {
			for k := range lo {
				a[k] = lo[k] + float64(t)*p.TimeResolved
				b[k] = a[k] + p.TimeResolved
			}
			xs[t] = countMatrix(a, b)
			times[t] = w0 + (float64(t)+0.5)*p.TimeResolved
		}
		tr, err := decoding.TemporalGeneralization(mk, xs, y, folds, set)
		if err != nil {
			return nil, err
		}
		gen := make([][]float64, nb)
		for t := range gen {
			gen[t] = mat.Row(nil, t, tr.Generalization)
		}
		out.Time = &DecodeTime{BinS: p.TimeResolved, Times: times, Accuracy: tr.Accuracy, FoldAccuracy: tr.FoldAccuracy, Generalization: gen}
	}
	if len(p.Curve) > 0 {
		var sizes []int
		for _, n := range p.Curve {
			if n <= len(sel) {
				sizes = append(sizes, n)
			}
		}
		reps := p.CurveRepeats
		if reps == 0 {
			reps = 10
		}
		if len(sizes) > 0 {
			progress(fmt.Sprintf("decode: accuracy vs units %v, %d repeats", sizes, reps))
			cset := &decoding.Settings{Workers: p.Workers, Src: rand.NewPCG(o.seed, 0x6375727665)}
			pts, err := decoding.LearningCurveUnits(mk, x, y, folds, sizes, reps, cset)
			if err != nil {
				return nil, err
			}
			for _, pt := range pts {
				out.Curve = append(out.Curve, CurvePoint{Units: pt.Size, Mean: pt.Mean, SD: pt.SD})
			}
		}
	}
	return out, nil
}

// openIntervals opens the intervals table at path and returns it with its
// start and stop times (seconds); a missing table is a spec error.
func openIntervals(f *nwb.File, path string) (ti *nwb.TimeIntervals, starts, stops []float64, err error) {
	if ti, err = f.Intervals(path); err != nil {
		return nil, nil, nil, specErrorf("intervals %q: %v", path, err)
	}
	if starts, stops, err = ti.StartStop(); err != nil {
		return nil, nil, nil, err
	}
	return ti, starts, stops, nil
}

// conditions is an intervals table with each row's condition code (−1 =
// excluded) from its by column: the input of the per-condition steps
// (decode, info, rsa).
type conditions struct {
	ti            *nwb.TimeIntervals
	starts, stops []float64 // seconds, one per row
	codes         []int     // per row, index into names or −1
	names         []string  // sorted distinct values of the by column
}

// openConditions opens the intervals table and labels its rows by the by
// column (blank as in labelsOf).
func openConditions(f *nwb.File, intervals, by, blank string) (*conditions, error) {
	ti, starts, stops, err := openIntervals(f, intervals)
	if err != nil {
		return nil, err
	}
	codes, names, err := labelsOf(ti, by, "by", blank)
	if err != nil {
		return nil, err
	}
	return &conditions{ti, starts, stops, codes, names}, nil
}

// labelsOf reads a column of an intervals table as numbers (NaN rows
// excluded) or text (empty rows excluded) and returns a code per row (−1 =
// excluded) and the sorted distinct values. Rows equal to blank are
// excluded too ("" = none; compared as a number when the column and blank
// are numeric, so "-1.0" matches −1).
func labelsOf(ti *nwb.TimeIntervals, col, name, blank string) ([]int, []string, error) {
	if !ti.HasColumn(col) {
		return nil, nil, specErrorf("%s %q: no such column in %s (columns: %s)", name, col, ti.Path, strings.Join(ti.ColumnNames(), ", "))
	}
	if v, err := ti.Float64s(col); err == nil {
		bv, berr := strconv.ParseFloat(blank, 64)
		numBlank := blank != "" && berr == nil
		uniq := slices.DeleteFunc(slices.Clone(v), func(x float64) bool {
			return math.IsNaN(x) || (numBlank && x == bv)
		})
		slices.Sort(uniq)
		uniq = slices.Compact(uniq)
		codes := make([]int, len(v))
		names := make([]string, len(uniq))
		for i, u := range uniq {
			names[i] = strconv.FormatFloat(u, 'g', -1, 64)
		}
		for i, x := range v {
			codes[i] = -1
			if j, ok := slices.BinarySearch(uniq, x); ok {
				codes[i] = j
			}
		}
		return codes, names, nil
	}
	s, err := ti.Strings(col)
	if err != nil {
		return nil, nil, specErrorf("%s %q: not a numeric or text column: %v", name, col, err)
	}
	uniq := slices.DeleteFunc(slices.Clone(s), func(x string) bool { return x == "" || x == blank })
	slices.Sort(uniq)
	uniq = slices.Compact(uniq)
	codes := make([]int, len(s))
	for i, x := range s {
		codes[i] = -1
		if j, ok := slices.BinarySearch(uniq, x); ok {
			codes[i] = j
		}
	}
	return codes, uniq, nil
}
