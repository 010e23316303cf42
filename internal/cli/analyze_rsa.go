package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/neurodata/neurodata/analysis/rsa"
	"github.com/neurodata/neurodata/internal/plots"
	"github.com/neurodata/neurodata/pipeline"
	"github.com/spf13/cobra"
)

func init() { addAnalyzer(newAnalyzeRSACmd) }

type rsaOpts struct {
	intervals, by, response, window, series, kernel, blank string
	rdm, modelRDM, compare, plot, example                  string
	models                                                 []string
	perms, boot, splits                                    int
	seed                                                   uint64
	json                                                   bool
}

func newAnalyzeRSACmd(ios *IOStreams) *cobra.Command {
	o := &rsaOpts{}
	cmd := &cobra.Command{
		Use:   "rsa [FILE|URL] --intervals NAME --by COLUMN --response spikes|dff --model NAME=PATH [--model ...]",
		Short: "Compare neural representations with model layers (RSA, CKA) with ceilings and significance",
		Long: `Representational similarity analysis of a session against model activations.

Responses per presentation of the --intervals table (spike rates in Hz over
the window, or mean dF/F over the window; with --kernel RISE:DECAY the dF/F
amplitude of each presentation is fitted by least squares with a
double-exponential calcium kernel, which separates overlapping responses)
are averaged per condition of --by. Presentations whose condition is NaN or
equal to --blank are left out. Condition i (sorted numerically, or
lexicographically for text columns) corresponds to row i of every model.

Models are .npy, .npz, .safetensors files or directories of them
(stimuli × features; trailing axes are flattened). With --example
ophys_scenes and no --model, the session's three embedded layers are used;
a --model path that does not exist is also looked up among the embedded
example files.

For each model: similarity (--compare; "cka" = linear CKA), a one-sided
permutation p of stimulus labels, a 95% bootstrap interval over stimuli,
the split-half noise ceiling (lower = Spearman–Brown reliability of the
data RDM, upper = its square root; repetitions are split, and for
crossnobis/poisson the halves use euclidean/correlation RDMs), linear and
debiased CKA; then the ranking and pairwise model comparisons (bootstrap,
Holm-corrected). --rdm crossnobis uses a Schäfer–Strimmer shrinkage noise
precision from the residuals, folds = repetitions of each condition.
--window START:STOP is relative to each presentation's start, in seconds
(default: the presentation for spikes, 0:0.5 for dF/F).`,
		Example: `  neurodata analyze rsa --example ophys_scenes --intervals natural_scenes_presentations --by frame --response dff --kernel 0.05:0.35
  neurodata analyze rsa session.nwb --intervals natural_scenes_presentations --by frame --response dff \
      --model conv5=conv5.npy --model fc7=fc7.npy --json --plot figs/`,
		RunE: func(cmd *cobra.Command, args []string) error { return runAnalyzeRSA(cmd, ios, o, args) },
	}
	f := cmd.Flags()
	f.StringVar(&o.intervals, "intervals", "", "intervals table with the presentations (e.g. natural_scenes_presentations)")
	f.StringVar(&o.by, "by", "", "condition column of the intervals table (e.g. frame)")
	f.StringVar(&o.response, "response", "", "response: spikes (rates of every unit) or dff (dF/F of every ROI)")
	f.StringVar(&o.window, "window", "", "response window START:STOP in seconds relative to each presentation start")
	f.StringVar(&o.series, "series", "", "dF/F series path (default: the first series in a DfOverF container)")
	f.StringVar(&o.kernel, "kernel", "", "dF/F only: fit amplitudes with a calcium kernel RISE:DECAY in seconds (e.g. 0.05:0.35)")
	f.StringVar(&o.blank, "blank", "-1", "condition value marking blank presentations (\"\" = none)")
	f.StringArrayVar(&o.models, "model", nil, "model activations NAME=PATH (repeatable; PATH a file or a directory of per-layer files)")
	f.StringVar(&o.rdm, "rdm", "correlation", "neural RDM: correlation|euclidean|crossnobis|poisson")
	f.StringVar(&o.modelRDM, "model-rdm", "", "model RDM: correlation|euclidean (default: euclidean for euclidean/crossnobis, else correlation)")
	f.StringVar(&o.compare, "compare", "spearman", "comparison: spearman|tau-a|tau-b|rho-a|corr|cosine|cosine_cov|corr_cov|cka")
	f.IntVar(&o.perms, "permutations", 1000, "stimulus-label permutations for p")
	f.IntVar(&o.boot, "bootstrap", 1000, "stimulus bootstrap samples for the intervals and pairwise tests")
	f.IntVar(&o.splits, "splits", 100, "random split-halves for the noise ceiling")
	f.Uint64Var(&o.seed, "seed", 1, "random seed (results are reproducible for a fixed seed)")
	f.BoolVar(&o.json, "json", false, "write the result as JSON on standard output")
	f.StringVar(&o.plot, "plot", "", "write rsa_rdms.png and rsa_models.png into this directory")
	addExampleFlag(cmd, &o.example)
	return cmd
}

// rsaModelResult is one model's row of the --json output (a stable
// contract): pipeline.RSAModel without the RDM, with the noise ceiling.
// pipeline.F writes NaN and ±Inf as null.
type rsaModelResult struct {
	Model        string        `json:"model"`
	Path         string        `json:"path"`
	Features     int           `json:"n_features"`
	Similarity   pipeline.F    `json:"similarity"`
	P            pipeline.F    `json:"p"`
	CI           [2]pipeline.F `json:"ci"`
	CeilingLower *pipeline.F   `json:"ceiling_lower"`
	CeilingUpper *pipeline.F   `json:"ceiling_upper"`
	CKA          pipeline.F    `json:"cka"`
	CKADebiased  pipeline.F    `json:"cka_debiased"`
}

// rsaResult is the --json output: pipeline.RSAResult without the RDMs and
// condition keys, with the file.
type rsaResult struct {
	File         string             `json:"file"`
	Intervals    string             `json:"intervals"`
	By           string             `json:"by"`
	Response     string             `json:"response"`
	Window       [2]pipeline.F      `json:"window_s"`
	Kernel       *[2]float64        `json:"kernel_s,omitempty"`
	RDM          string             `json:"rdm"`
	ModelRDM     string             `json:"model_rdm"`
	Compare      string             `json:"compare"`
	Conditions   int                `json:"n_conditions"`
	Channels     int                `json:"n_channels"`
	Presentation int                `json:"n_presentations"`
	Permutations int                `json:"permutations"`
	Bootstrap    int                `json:"bootstrap"`
	Seed         uint64             `json:"seed"`
	SplitHalfR   *pipeline.F        `json:"split_half_r"`
	Models       []rsaModelResult   `json:"models"`
	Ranking      []string           `json:"ranking"`
	Pairwise     []pipeline.RSAPair `json:"pairwise"`
}

var rsaFlagNames = []string{"intervals", "by", "response", "window", "series", "kernel", "blank", "model", "rdm", "model-rdm", "compare", "permutations", "bootstrap", "splits", "seed"}

func runAnalyzeRSA(cmd *cobra.Command, ios *IOStreams, o *rsaOpts, args []string) error {
	arg, ex, err := sessionArg(args, o.example)
	if err != nil {
		return err
	}
	if o.intervals == "" || o.by == "" {
		return usagef("--intervals and --by are required")
	}
	blank := o.blank
	p := &pipeline.RSAParams{Intervals: o.intervals, By: o.by, Response: o.response, Window: o.window, Series: o.series,
		Kernel: o.kernel, Blank: &blank, Model: o.models, RDM: o.rdm, ModelRDM: o.modelRDM, Compare: o.compare,
		Permutations: o.perms, Bootstrap: o.boot, Splits: o.splits, Seed: o.seed}
	if o.perms < 1 || o.boot < 2 || o.splits < 1 {
		return usagef("--permutations ≥ 1, --bootstrap ≥ 2 and --splits ≥ 1 are required")
	}
	if err := p.Validate(); err != nil {
		return pipelineErr(err, rsaFlagNames...)
	}
	f, err := openSession(cmd.Context(), arg, ex)
	if err != nil {
		return err
	}
	defer f.Close()
	specs := o.models
	if len(specs) == 0 && ex == "ophys_scenes" {
		specs = pipeline.ExampleModels
	}
	if len(specs) == 0 {
		return usagef("no --model NAME=PATH given")
	}
	models, err := pipeline.LoadModels(specs)
	if err != nil {
		return pipelineErr(err, rsaFlagNames...)
	}
	progress := func(msg string) {
		if strings.HasPrefix(msg, "warning:") {
			fmt.Fprintln(ios.ErrOut, "neurodata:", msg)
		} else if ios.IsTerminal {
			fmt.Fprintln(ios.ErrOut, msg)
		}
	}
	pr, err := pipeline.RSA(cmd.Context(), f, p, models, progress)
	if err != nil {
		return pipelineErr(err, rsaFlagNames...)
	}
	res := &rsaResult{File: arg, Intervals: o.intervals, By: o.by, Response: o.response, Window: pr.Window, Kernel: pr.Kernel,
		RDM: pr.RDM, ModelRDM: pr.ModelRDM, Compare: o.compare, Conditions: pr.Conditions, Channels: pr.Channels,
		Presentation: pr.Presentation, Permutations: pr.Permutations, Bootstrap: pr.Bootstrap, Seed: pr.Seed,
		SplitHalfR: pr.SplitHalfR, Ranking: pr.Ranking, Pairwise: pr.Pairwise}
	if ex != "" {
		res.File = "example:" + ex
	}
	if res.Pairwise == nil {
		res.Pairwise = []pipeline.RSAPair{}
	}
	var ceil *rsa.Ceiling
	if pr.CeilingLower != nil {
		ceil = &rsa.Ceiling{Lower: float64(*pr.CeilingLower), Upper: float64(*pr.CeilingUpper)}
	}
	var modelRDMs []*rsa.RDM
	for _, m := range pr.Models {
		res.Models = append(res.Models, rsaModelResult{Model: m.Model, Path: m.Path, Features: m.Features, Similarity: m.Similarity,
			P: m.P, CI: m.CI, CeilingLower: pr.CeilingLower, CeilingUpper: pr.CeilingUpper, CKA: m.CKA, CKADebiased: m.CKADebiased})
		modelRDMs = append(modelRDMs, &rsa.RDM{N: pr.Conditions, Vec: m.RDM})
	}
	if o.plot != "" {
		neural := &rsa.RDM{N: pr.Conditions, Vec: pr.NeuralRDM}
		if err := rsaPlots(o.plot, res, neural, modelRDMs, ceil, ios); err != nil {
			return err
		}
	}
	if o.json {
		return writeRSAJSON(ios.Out, res)
	}
	return writeRSAText(ios.Out, res)
}

func writeRSAJSON(w io.Writer, res *rsaResult) error {
	b, err := json.Marshal(res)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func writeRSAText(w io.Writer, res *rsaResult) error {
	fmt.Fprintf(w, "%s  %s by %s, %s responses: %d conditions × %d channels (%d presentations)\n",
		res.File, res.Intervals, res.By, res.Response, res.Conditions, res.Channels, res.Presentation)
	fmt.Fprintf(w, "neural RDM %s, model RDM %s, compare %s, %d permutations, %d bootstrap samples, seed %d\n\n",
		res.RDM, res.ModelRDM, res.Compare, res.Permutations, res.Bootstrap, res.Seed)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tFEATURES\tSIMILARITY\tP\t95% CI\tCEILING\tCKA\tCKA_DEBIASED")
	for _, m := range res.Models {
		ceil := "-"
		if m.CeilingLower != nil {
			ceil = fmt.Sprintf("[%.3f, %.3f]", *m.CeilingLower, *m.CeilingUpper)
		}
		fmt.Fprintf(tw, "%s\t%d\t%.4f\t%.4g\t[%.3f, %.3f]\t%s\t%.4f\t%.4f\n", m.Model, m.Features, m.Similarity, m.P, m.CI[0], m.CI[1], ceil, m.CKA, m.CKADebiased)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nranking: %s\n", strings.Join(res.Ranking, " > "))
	for _, p := range res.Pairwise {
		fmt.Fprintf(w, "  %s − %s = %+.4f  p = %.4g (Holm %.4g)\n", p.A, p.B, p.Diff, p.P, p.PHolm)
	}
	return nil
}

func rsaPlots(dir string, res *rsaResult, neural *rsa.RDM, models []*rsa.RDM, ceil *rsa.Ceiling, ios *IOStreams) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	titles := []string{"neural (" + res.RDM + ")"}
	rdms := []*rsa.RDM{neural}
	for i, m := range res.Models {
		titles = append(titles, m.Model)
		rdms = append(rdms, models[i])
	}
	p1 := filepath.Join(dir, "rsa_rdms.png")
	if err := plots.RDMPanels(p1, titles, rdms); err != nil {
		return err
	}
	var bars []plots.ModelBar
	for _, m := range res.Models {
		bars = append(bars, plots.ModelBar{Name: m.Model, Value: float64(m.Similarity), CILow: float64(m.CI[0]), CIHigh: float64(m.CI[1]), Significant: m.P < 0.05})
	}
	lo, up := math.NaN(), math.NaN()
	if ceil != nil {
		lo, up = ceil.Lower, ceil.Upper
	}
	label := res.Compare
	if label == "cka" {
		label = "linear CKA"
	}
	p2 := filepath.Join(dir, "rsa_models.png")
	if err := plots.ModelBars(p2, label+" (model vs neural)", bars, lo, up); err != nil {
		return err
	}
	fmt.Fprintf(ios.ErrOut, "wrote %s\nwrote %s\n", p1, p2)
	return nil
}
