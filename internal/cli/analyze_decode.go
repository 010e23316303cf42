package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/neurodata/neurodata/internal/plots"
	"github.com/neurodata/neurodata/pipeline"
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

type decodeResult struct {
	Provenance decodeProvenance `json:"provenance"`
	pipeline.DecodeScores
}

// pipelineErr maps the pipeline's parameter errors to usage errors whose
// message names the flag ("--window ..."), other errors unchanged.
func pipelineErr(err error, flags ...string) error {
	if err == nil || !errors.Is(err, pipeline.ErrSpec) {
		return err
	}
	msg := strings.TrimPrefix(err.Error(), pipeline.ErrSpec.Error()+": ")
	first, _, _ := strings.Cut(msg, " ")
	for _, f := range flags {
		if first == f {
			msg = "--" + msg
			break
		}
	}
	return &UsageError{Err: errors.New(msg)}
}

var decodeFlagNames = []string{"intervals", "by", "window", "decoder", "metric", "folds", "shuffle", "group", "units", "permutations", "time-resolved", "seed"}

func runAnalyzeDecode(cmd *cobra.Command, io *IOStreams, path, example string, fl *decodeFlags) error {
	perms, seed := fl.permutations, fl.seed
	p := &pipeline.DecodeParams{Intervals: fl.intervals, By: fl.by, Window: fl.window, Decoder: fl.decoder, Metric: fl.metric,
		Folds: fl.folds, Shuffle: fl.shuffle, Group: fl.group, Units: fl.units, Permutations: &perms,
		TimeResolved: fl.timeResolved, Seed: &seed, Workers: fl.workers}
	if err := p.Validate(); err != nil {
		return pipelineErr(err, decodeFlagNames...)
	}
	f, err := openSession(cmd.Context(), path, example)
	if err != nil {
		return err
	}
	defer f.Close()
	if example != "" {
		path = "example:" + example
	}
	res, err := pipeline.Decode(cmd.Context(), f, p, func(msg string) { fmt.Fprintln(io.ErrOut, msg) })
	if err != nil {
		return pipelineErr(err, decodeFlagNames...)
	}
	out := decodeResult{
		Provenance: decodeProvenance{
			Tool: "neurodata analyze decode", Version: Version, File: path, Intervals: res.Intervals, By: res.By,
			Window: res.Window, Decoder: res.Decoder, CV: res.CV, Units: fl.units, UnitIDs: res.UnitIDs,
			Trials: res.Trials, Excluded: res.Excluded, Permutations: res.Permutations, Seed: res.Seed,
			Created: time.Now().UTC().Format(time.RFC3339),
		},
		DecodeScores: res.DecodeScores,
	}
	if err := writeFigures(io, "decode", fl.plotDir, func(dir string) error { return plotDecode(dir, &out) }); err != nil {
		return err
	}
	if fl.asJSON {
		return anWriteJSON(io.Out, out)
	}
	fmt.Fprintf(io.Out, "accuracy           %.4f  (folds: %s)\n", out.Accuracy, fmtFloats(out.FoldAccuracy))
	fmt.Fprintf(io.Out, "balanced_accuracy  %.4f\n", out.BalancedAccuracy)
	fmt.Fprintf(io.Out, "chance             %.4f  (binomial threshold %.4f at alpha 0.05, %d trials)\n", out.Chance, out.ChanceThreshold, res.Trials)
	if out.P != nil {
		fmt.Fprintf(io.Out, "p                  %.4g  (%d permutations, null mean %.4f)\n", *out.P, fl.permutations, *out.NullMean)
	}
	fmt.Fprintf(io.Out, "confusion (rows true, columns predicted: %s)\n", strings.Join(out.Conditions, " "))
	for i, row := range out.Confusion {
		fmt.Fprintf(io.Out, "  %-8s %v\n", out.Conditions[i], row)
	}
	if t := out.Time; t != nil {
		fmt.Fprintf(io.Out, "time-resolved (bin %g s): time_s accuracy\n", t.BinS)
		for i := range t.Times {
			fmt.Fprintf(io.Out, "  %8.4f %.4f\n", t.Times[i], t.Accuracy[i])
		}
	}
	return nil
}

// writeFigures runs plot into dir when dir is set (--plot) and tells stderr
// where the figures of the verb went.
func writeFigures(io *IOStreams, verb, dir string, plot func(dir string) error) error {
	if dir == "" {
		return nil
	}
	if err := plot(dir); err != nil {
		return err
	}
	fmt.Fprintf(io.ErrOut, "%s: figures in %s\n", verb, dir)
	return nil
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
	t := r.Time
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
