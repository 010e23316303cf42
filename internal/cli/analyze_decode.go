package cli

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"

	"github.com/neurodata/neurodata/decoding"
	"github.com/neurodata/neurodata/internal/plots"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/ts"
)

func init() { addAnalyzer(newAnalyzeDecodeCmd) }

type decodeFlags struct {
	intervals, by, window, decoder, metric, folds, units, group, plotDir, example string
	permutations, workers                                                         int
	timeResolved                                                                  float64
	seed                                                                          uint64
	asJSON, shuffle                                                               bool
}

func newAnalyzeDecodeCmd(io *IOStreams) *cobra.Command {
	var fl decodeFlags
	cmd := &cobra.Command{
		Use:   "decode FILE --intervals NAME --by COLUMN",
		Short: "Cross-validated population decoding of a stimulus column from spike counts",
		Long: `Counts every selected unit's spikes in each interval of the table NAME (by
default [start_time, stop_time), or [start_time+START, start_time+STOP) with
--window) and decodes the stimulus COLUMN from the population count vector
with a cross-validated classifier. Rows whose COLUMN is NaN or empty (blank
sweeps) are left out.

Decoders: bayes (Poisson naive Bayes on the mean count per condition, uniform
prior), logreg (standardised multinomial logistic regression, C = 1, L-BFGS),
lda (linear discriminant analysis; Ledoit–Wolf shrinkage when there are at
least as many units as training trials), template (nearest class mean,
correlation or Euclidean distance).

Folds are scikit-learn's StratifiedKFold(N) without shuffling (--folds N;
--shuffle permutes within classes using --seed), leave-one-out (--folds loo),
or GroupKFold(N) over the values of --group.
Reports accuracy (mean over folds), balanced accuracy, the confusion matrix,
chance (1/K), the binomial chance threshold at alpha = 0.05, and a label
permutation p-value. With --time-resolved BIN it also decodes every BIN-second
bin of the window and the temporal generalisation matrix (train at one bin,
test at every other), cross-validated across trials.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg, ex, err := sessionArg(args, fl.example)
			if err != nil {
				return err
			}
			return runAnalyzeDecode(cmd, io, arg, ex, &fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.intervals, "intervals", "", "intervals table name or path (e.g. drifting_gratings_presentations)")
	f.StringVar(&fl.by, "by", "", "stimulus column to decode (e.g. orientation)")
	f.StringVar(&fl.window, "window", "", "count window START:STOP in seconds relative to each interval's start_time (default: the whole interval)")
	f.StringVar(&fl.decoder, "decoder", "bayes", "bayes, logreg, lda or template")
	f.StringVar(&fl.metric, "metric", "correlation", "template distance: correlation or euclidean")
	f.StringVar(&fl.folds, "folds", "5", "number of stratified folds, or loo for leave-one-out")
	f.BoolVar(&fl.shuffle, "shuffle", false, "shuffle trials within each class before assigning stratified folds (uses --seed)")
	f.StringVar(&fl.group, "group", "", "keep trials with equal values of this column in one fold (GroupKFold)")
	f.StringVar(&fl.units, "units", "all", "units to use: N (the first N in table order), all, or good (quality == good)")
	f.IntVar(&fl.permutations, "permutations", 1000, "label permutations for the p-value (0 = none)")
	f.Float64Var(&fl.timeResolved, "time-resolved", 0, "also decode in bins of this width (seconds) across the window, with temporal generalisation")
	f.IntVar(&fl.workers, "workers", 0, "parallel workers (0 = GOMAXPROCS)")
	f.Uint64Var(&fl.seed, "seed", 1, "random seed for the permutations")
	f.BoolVar(&fl.asJSON, "json", false, "write JSON to stdout")
	f.StringVar(&fl.plotDir, "plot", "", "write figures (decode_confusion.png, decode_time.png, decode_generalization.png) into this directory")
	addExampleFlag(cmd, &fl.example)
	_ = cmd.MarkFlagRequired("intervals")
	_ = cmd.MarkFlagRequired("by")
	return cmd
}

// decodeProvenance and decodeResult are the stable JSON of the command.
type decodeProvenance struct {
	Tool         string    `json:"tool"`
	Version      string    `json:"version"`
	File         string    `json:"file"`
	Intervals    string    `json:"intervals"`
	By           string    `json:"by"`
	Window       []float64 `json:"window_s,omitempty"`
	Decoder      string    `json:"decoder"`
	CV           string    `json:"cv"`
	Units        string    `json:"units"`
	UnitIDs      []int64   `json:"unit_ids"`
	Trials       int       `json:"trials"`
	Excluded     int       `json:"excluded_trials"`
	Permutations int       `json:"permutations"`
	Seed         uint64    `json:"seed"`
	Created      string    `json:"created"`
}

type decodeTime struct {
	BinS           float64     `json:"bin_s"`
	Times          []float64   `json:"times_s"`
	Accuracy       []float64   `json:"accuracy"`
	FoldAccuracy   [][]float64 `json:"fold_accuracy"`
	Generalization [][]float64 `json:"generalization"`
}

type decodeResult struct {
	Provenance       decodeProvenance `json:"provenance"`
	Conditions       []string         `json:"conditions"`
	Accuracy         float64          `json:"accuracy"`
	BalancedAccuracy float64          `json:"balanced_accuracy"`
	Chance           float64          `json:"chance"`
	ChanceThreshold  float64          `json:"chance_threshold"`
	P                *float64         `json:"p"`
	NullMean         *float64         `json:"null_mean"`
	Confusion        [][]int          `json:"confusion"`
	FoldAccuracy     []float64        `json:"fold_accuracy"`
	TimeResolved     *decodeTime      `json:"time_resolved,omitempty"`
}

func decoderFactory(name, metric string, nUnits, minTrain int) (func() decoding.Classifier, string, error) {
	switch strings.ToLower(name) {
	case "bayes":
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
		case "correlation":
			if nUnits < 2 {
				return nil, "", usagef("--metric correlation needs at least 2 units")
			}
			m = decoding.Correlation
		case "euclidean":
			m = decoding.Euclidean
		default:
			return nil, "", usagef("--metric %q: want correlation or euclidean", metric)
		}
		return func() decoding.Classifier { return &decoding.NearestCentroid{Metric: m} }, "template (" + m.String() + ")", nil
	}
	return nil, "", usagef("--decoder %q: want bayes, logreg, lda or template", name)
}

// selectUnits resolves --units to row indexes of the units table.
func selectUnits(u *nwb.Units, spec string, n int) ([]int, error) {
	all := make([]int, n)
	for i := range all {
		all[i] = i
	}
	switch s := strings.ToLower(strings.TrimSpace(spec)); s {
	case "all", "":
		return all, nil
	case "good":
		if !u.HasColumn("quality") {
			return nil, usagef("--units good: the units table has no quality column")
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
			return nil, usagef("--units good: no unit has quality == good")
		}
		return out, nil
	default:
		k, err := strconv.Atoi(s)
		if err != nil || k < 1 {
			return nil, usagef("--units %q: want a positive number, all or good", spec)
		}
		if k > n {
			return nil, usagef("--units %d: the file has %d units", k, n)
		}
		return all[:k], nil
	}
}

func runAnalyzeDecode(cmd *cobra.Command, io *IOStreams, path, example string, fl *decodeFlags) error {
	win, err := parseDecodeWindow(fl.window)
	if err != nil {
		return err
	}
	if fl.permutations < 0 || fl.permutations > 1_000_000 {
		return usagef("--permutations %d: want 0 to 1000000", fl.permutations)
	}
	if fl.timeResolved < 0 || math.IsNaN(fl.timeResolved) || math.IsInf(fl.timeResolved, 0) {
		return usagef("--time-resolved %g: want a positive bin width in seconds", fl.timeResolved)
	}
	loo := strings.EqualFold(fl.folds, "loo")
	nFolds := 0
	if !loo {
		if nFolds, err = strconv.Atoi(fl.folds); err != nil || nFolds < 2 {
			return usagef("--folds %q: want a number ≥ 2 or loo", fl.folds)
		}
	}
	if _, _, err := decoderFactoryCheck(fl); err != nil {
		return err
	}
	f, err := openSession(cmd.Context(), path, example)
	if err != nil {
		return err
	}
	defer f.Close()
	if example != "" {
		path = "example:" + example
	}
	ti, err := f.Intervals(fl.intervals)
	if err != nil {
		return usagef("--intervals %q: %v", fl.intervals, err)
	}
	starts, stops, err := ti.StartStop()
	if err != nil {
		return err
	}
	codes, names, err := decodeLabels(ti, fl.by, "--by")
	if err != nil {
		return err
	}
	var groupCodes []int
	if fl.group != "" {
		if groupCodes, _, err = decodeLabels(ti, fl.group, "--group"); err != nil {
			return err
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
		return usagef("--by %q: %d conditions over %d usable rows; need ≥ 2 conditions", fl.by, len(names), len(rows))
	}
	// Trial windows.
	lo, hi := make([]float64, len(rows)), make([]float64, len(rows))
	minDur := math.Inf(1)
	for k, i := range rows {
		lo[k], hi[k] = starts[i], stops[i]
		if win != nil {
			lo[k], hi[k] = starts[i]+win[0], starts[i]+win[1]
		}
		minDur = math.Min(minDur, hi[k]-lo[k])
	}
	units, err := f.Units()
	if err != nil {
		return err
	}
	ids, err := units.IDs()
	if err != nil {
		return err
	}
	sel, err := selectUnits(units, fl.units, len(ids))
	if err != nil {
		return err
	}
	trains, err := units.AllSpikeTimes()
	if err != nil {
		return err
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

	// Folds.
	var folds decoding.Folds
	cvName := ""
	switch {
	case groups != nil:
		if loo || fl.shuffle {
			return usagef("--group needs a number of folds (no loo, no --shuffle)")
		}
		if folds, err = decoding.GroupKFold(groups, nFolds); err != nil {
			return usagef("--group %q: %v", fl.group, err)
		}
		cvName = fmt.Sprintf("GroupKFold(%d) by %s", nFolds, fl.group)
	case loo:
		if fl.shuffle {
			return usagef("--shuffle has no effect with --folds loo")
		}
		folds = decoding.LeaveOneOut(len(y))
		cvName = "LeaveOneOut"
	default:
		var rng *rand.Rand
		cvName = fmt.Sprintf("StratifiedKFold(%d), no shuffle", nFolds)
		if fl.shuffle {
			rng = rand.New(rand.NewPCG(fl.seed, 0x666f6c6473))
			cvName = fmt.Sprintf("StratifiedKFold(%d), shuffled (seed %d)", nFolds, fl.seed)
		}
		if folds, err = decoding.StratifiedKFold(y, nFolds, rng); err != nil {
			return usagef("--folds %d: %v", nFolds, err)
		}
	}
	minTrain := len(y)
	for k := 0; k < folds.NumFolds(); k++ {
		tr, _ := folds.Split(k)
		minTrain = min(minTrain, len(tr))
	}
	mk, decName, err := decoderFactory(fl.decoder, fl.metric, len(sel), minTrain)
	if err != nil {
		return err
	}
	set := &decoding.Settings{Workers: fl.workers, Src: rand.NewPCG(fl.seed, 0x6465636f6465)}
	fmt.Fprintf(io.ErrOut, "decode: %d units, %d trials, %d conditions of %q, %s, %s\n", len(sel), len(y), len(names), fl.by, decName, cvName)
	res, err := decoding.CrossValidate(mk, x, y, folds, set)
	if err != nil {
		return err
	}
	selIDs := make([]int64, len(sel))
	for j, u := range sel {
		selIDs[j] = ids[u]
	}
	out := decodeResult{
		Provenance: decodeProvenance{
			Tool: "neurodata analyze decode", Version: Version, File: path, Intervals: ti.Path, By: fl.by,
			Window: win, Decoder: decName, CV: cvName, Units: fl.units, UnitIDs: selIDs,
			Trials: len(y), Excluded: len(codes) - len(y), Permutations: fl.permutations, Seed: fl.seed,
			Created: time.Now().UTC().Format(time.RFC3339),
		},
		Conditions: names, Accuracy: res.Accuracy, BalancedAccuracy: res.BalancedAccuracy,
		Chance: res.Chance, ChanceThreshold: res.ChanceThreshold, FoldAccuracy: res.FoldAccuracy,
	}
	// Confusion over all conditions (a condition can be missing from y
	// only if it had no usable rows; keep names aligned with classes).
	out.Conditions = make([]string, len(res.Classes))
	for i, c := range res.Classes {
		out.Conditions[i] = names[c]
	}
	out.Confusion = res.Confusion
	if fl.permutations > 0 {
		fmt.Fprintf(io.ErrOut, "decode: %d label permutations\n", fl.permutations)
		pt, err := decoding.PermutationTest(mk, x, y, folds, groups, fl.permutations, set)
		if err != nil {
			return err
		}
		var m float64
		for _, v := range pt.Null {
			m += v / float64(len(pt.Null))
		}
		out.P, out.NullMean = &pt.P, &m
	}
	if fl.timeResolved > 0 {
		w0 := 0.0
		if win != nil {
			w0 = win[0]
		}
		nb := int(math.Floor(minDur/fl.timeResolved + 1e-9))
		if nb < 1 {
			return usagef("--time-resolved %g s: longer than the shortest window (%g s)", fl.timeResolved, minDur)
		}
		if nb > 2000 {
			return usagef("--time-resolved %g s: %d bins; use a wider bin (at most 2000 bins)", fl.timeResolved, nb)
		}
		fmt.Fprintf(io.ErrOut, "decode: time-resolved, %d bins of %g s, temporal generalisation\n", nb, fl.timeResolved)
		xs := make([]mat.Matrix, nb)
		times := make([]float64, nb)
		a, b := make([]float64, len(lo)), make([]float64, len(lo))
		for t := 0; t < nb; t++ {
			for k := range lo {
				a[k] = lo[k] + float64(t)*fl.timeResolved
				b[k] = a[k] + fl.timeResolved
			}
			xs[t] = countMatrix(a, b)
			times[t] = w0 + (float64(t)+0.5)*fl.timeResolved
		}
		tr, err := decoding.TemporalGeneralization(mk, xs, y, folds, set)
		if err != nil {
			return err
		}
		gen := make([][]float64, nb)
		for t := range gen {
			gen[t] = mat.Row(nil, t, tr.Generalization)
		}
		out.TimeResolved = &decodeTime{BinS: fl.timeResolved, Times: times, Accuracy: tr.Accuracy,
			FoldAccuracy: tr.FoldAccuracy, Generalization: gen}
	}
	if fl.plotDir != "" {
		if err := plotDecode(fl.plotDir, &out); err != nil {
			return err
		}
		fmt.Fprintf(io.ErrOut, "decode: figures in %s\n", fl.plotDir)
	}
	if fl.asJSON {
		enc := json.NewEncoder(io.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(io.Out, "accuracy           %.4f  (folds: %s)\n", out.Accuracy, fmtFloats(out.FoldAccuracy))
	fmt.Fprintf(io.Out, "balanced_accuracy  %.4f\n", out.BalancedAccuracy)
	fmt.Fprintf(io.Out, "chance             %.4f  (binomial threshold %.4f at alpha 0.05, %d trials)\n", out.Chance, out.ChanceThreshold, len(y))
	if out.P != nil {
		fmt.Fprintf(io.Out, "p                  %.4g  (%d permutations, null mean %.4f)\n", *out.P, fl.permutations, *out.NullMean)
	}
	fmt.Fprintf(io.Out, "confusion (rows true, columns predicted: %s)\n", strings.Join(out.Conditions, " "))
	for i, row := range out.Confusion {
		fmt.Fprintf(io.Out, "  %-8s %v\n", out.Conditions[i], row)
	}
	if t := out.TimeResolved; t != nil {
		fmt.Fprintf(io.Out, "time-resolved (bin %g s): time_s accuracy\n", t.BinS)
		for i := range t.Times {
			fmt.Fprintf(io.Out, "  %8.4f %.4f\n", t.Times[i], t.Accuracy[i])
		}
	}
	return nil
}

// decoderFactoryCheck validates --decoder/--metric before any file I/O.
func decoderFactoryCheck(fl *decodeFlags) (func() decoding.Classifier, string, error) {
	return decoderFactory(fl.decoder, fl.metric, 2, 1)
}

func fmtFloats(v []float64) string {
	if len(v) > 10 {
		return fmt.Sprintf("%d folds", len(v))
	}
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.FormatFloat(x, 'f', 4, 64)
	}
	return strings.Join(s, " ")
}

func plotDecode(dir string, r *decodeResult) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	title := fmt.Sprintf("%s, accuracy %.3f", r.Provenance.Decoder, r.Accuracy)
	if err := plots.DecodeConfusion(filepath.Join(dir, "decode_confusion.png"), title, r.Conditions, r.Confusion); err != nil {
		return err
	}
	t := r.TimeResolved
	if t == nil {
		return nil
	}
	if err := plots.DecodeOverTime(filepath.Join(dir, "decode_time.png"), "decoding "+r.Provenance.By+" over time",
		t.Times, t.Accuracy, t.FoldAccuracy, r.Chance, r.ChanceThreshold); err != nil {
		return err
	}
	return plots.DecodeGeneralization(filepath.Join(dir, "decode_generalization.png"), "temporal generalisation ("+r.Provenance.By+")",
		t.Times, t.Generalization, r.Chance)
}

func parseDecodeWindow(s string) ([]float64, error) {
	if s == "" {
		return nil, nil
	}
	a, b, ok := strings.Cut(s, ":")
	lo, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	hi, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if !ok || err1 != nil || err2 != nil || math.IsNaN(lo) || math.IsNaN(hi) || math.IsInf(lo, 0) || math.IsInf(hi, 0) || !(hi > lo) {
		return nil, usagef("--window %q: want START:STOP in seconds with finite START < STOP", s)
	}
	return []float64{lo, hi}, nil
}

// decodeLabels reads a column of the intervals table as numbers (NaN rows
// excluded) or text (empty rows excluded) and returns a code per row (−1 =
// excluded) and the sorted distinct values as labels.
func decodeLabels(ti *nwb.TimeIntervals, col, flag string) ([]int, []string, error) {
	if !ti.HasColumn(col) {
		return nil, nil, usagef("%s %q: no such column in %s (columns: %s)", flag, col, ti.Path, strings.Join(ti.ColumnNames(), ", "))
	}
	if v, err := ti.Float64s(col); err == nil {
		uniq := slices.DeleteFunc(slices.Clone(v), math.IsNaN)
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
		return nil, nil, usagef("%s %q: not a numeric or text column: %v", flag, col, err)
	}
	uniq := slices.DeleteFunc(slices.Clone(s), func(x string) bool { return x == "" })
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
