package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/neurodata/neurodata/analysis/rsa"
	"github.com/neurodata/neurodata/analysis/rsa/activations"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/internal/plots"
	"github.com/neurodata/neurodata/nwb"
	"github.com/spf13/cobra"
	"gonum.org/v1/gonum/mat"
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

// rsaModelResult is one model's row of the --json output (a stable contract).
type rsaModelResult struct {
	Model        string     `json:"model"`
	Path         string     `json:"path"`
	Features     int        `json:"n_features"`
	Similarity   float64    `json:"similarity"`
	P            float64    `json:"p"`
	CI           [2]float64 `json:"ci"`
	CeilingLower *float64   `json:"ceiling_lower"`
	CeilingUpper *float64   `json:"ceiling_upper"`
	CKA          float64    `json:"cka"`
	CKADebiased  float64    `json:"cka_debiased"`
}

type rsaPair struct {
	A, B  string
	Diff  float64
	P     float64
	PHolm float64
}

type rsaResult struct {
	File         string           `json:"file"`
	Intervals    string           `json:"intervals"`
	By           string           `json:"by"`
	Response     string           `json:"response"`
	Window       [2]float64       `json:"window_s"`
	Kernel       *[2]float64      `json:"kernel_s,omitempty"`
	RDM          string           `json:"rdm"`
	ModelRDM     string           `json:"model_rdm"`
	Compare      string           `json:"compare"`
	Conditions   int              `json:"n_conditions"`
	Channels     int              `json:"n_channels"`
	Presentation int              `json:"n_presentations"`
	Permutations int              `json:"permutations"`
	Bootstrap    int              `json:"bootstrap"`
	Seed         uint64           `json:"seed"`
	SplitHalfR   *float64         `json:"split_half_r"`
	Models       []rsaModelResult `json:"models"`
	Ranking      []string         `json:"ranking"`
	Pairwise     []struct {
		A     string  `json:"a"`
		B     string  `json:"b"`
		Diff  float64 `json:"difference"`
		P     float64 `json:"p"`
		PHolm float64 `json:"p_holm"`
	} `json:"pairwise"`
}

func parseRange(s, flag string) (a, b float64, err error) {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return 0, 0, usagef("--%s %q: want START:STOP", flag, s)
	}
	a, err1 := strconv.ParseFloat(s[:i], 64)
	b, err2 := strconv.ParseFloat(s[i+1:], 64)
	if err1 != nil || err2 != nil || !(b > a) {
		return 0, 0, usagef("--%s %q: want two numbers START:STOP with STOP > START", flag, s)
	}
	return a, b, nil
}

func runAnalyzeRSA(cmd *cobra.Command, ios *IOStreams, o *rsaOpts, args []string) error {
	arg, ex, err := sessionArg(args, o.example)
	if err != nil {
		return err
	}
	if o.intervals == "" || o.by == "" {
		return usagef("--intervals and --by are required")
	}
	if o.response != "spikes" && o.response != "dff" {
		return usagef("--response must be spikes or dff, not %q", o.response)
	}
	method := rsa.Method(o.rdm)
	switch method {
	case rsa.Correlation, rsa.Euclidean, rsa.Crossnobis, rsa.Poisson:
	default:
		return usagef("--rdm must be correlation, euclidean, crossnobis or poisson, not %q", o.rdm)
	}
	modelMethod := rsa.Method(o.modelRDM)
	if modelMethod == "" {
		modelMethod = rsa.Correlation
		if method == rsa.Euclidean || method == rsa.Crossnobis {
			modelMethod = rsa.Euclidean
		}
	}
	if modelMethod != rsa.Correlation && modelMethod != rsa.Euclidean {
		return usagef("--model-rdm must be correlation or euclidean, not %q", o.modelRDM)
	}
	useCKA := o.compare == "cka"
	cmp := rsa.Compare(o.compare)
	if cmp == "pearson" {
		cmp = rsa.Pearson
	}
	if !useCKA {
		ok := false
		for _, c := range rsa.Compares {
			ok = ok || c == cmp
		}
		if !ok {
			return usagef("--compare %q: want one of spearman, tau-a, tau-b, rho-a, corr, cosine, cosine_cov, corr_cov, cka", o.compare)
		}
	}
	if o.perms < 1 || o.boot < 2 || o.splits < 1 {
		return usagef("--permutations ≥ 1, --bootstrap ≥ 2 and --splits ≥ 1 are required")
	}
	var w0, w1 float64
	windowSet := o.window != ""
	if windowSet {
		if w0, w1, err = parseRange(o.window, "window"); err != nil {
			return err
		}
	} else if o.response == "dff" {
		w0, w1 = 0, 0.5
	}
	var kernel *[2]float64
	if o.kernel != "" {
		if o.response != "dff" {
			return usagef("--kernel applies to --response dff only")
		}
		a, b, err := parseRange(o.kernel, "kernel")
		if err != nil {
			return err
		}
		if a <= 0 {
			return usagef("--kernel %q: rise time must be > 0", o.kernel)
		}
		kernel = &[2]float64{a, b}
	}

	f, err := openSession(cmd.Context(), arg, ex)
	if err != nil {
		return err
	}
	defer f.Close()
	progress := func(format string, a ...any) {
		if ios.IsTerminal {
			fmt.Fprintf(ios.ErrOut, "rsa: "+format+"\n", a...)
		}
	}

	ti, err := f.Intervals(o.intervals)
	if err != nil {
		return usagef("--intervals %s: %v", o.intervals, err)
	}
	starts, stops, err := ti.StartStop()
	if err != nil {
		return err
	}
	keys, labels, err := conditionLabels(ti, o.by, o.blank)
	if err != nil {
		return err
	}

	// Per-presentation responses.
	var resp *mat.Dense
	switch o.response {
	case "dff":
		progress("reading dF/F")
		resp, err = dffResponses(f, o.series, starts, w0, w1, kernel)
	case "spikes":
		progress("counting spikes")
		resp, err = spikeResponses(f, starts, stops, w0, w1, windowSet)
	}
	if err != nil {
		return err
	}
	if len(keys) < 3 {
		return fmt.Errorf("rsa: %d conditions in %s, need at least 3", len(keys), o.by)
	}
	tr, err := rsa.NewTrials(resp, labels)
	if err != nil {
		return err
	}
	_, nch := resp.Dims()
	means, _, err := tr.MeanPatterns(nil)
	if err != nil {
		return err
	}

	neural, err := neuralRDM(tr, means, method)
	if err != nil {
		return err
	}
	gNeural := rsa.NewGram(means, nil)

	models, err := loadModels(o.models, ex)
	if err != nil {
		return err
	}
	res := &rsaResult{File: arg, Intervals: o.intervals, By: o.by, Response: o.response, Window: [2]float64{w0, w1}, Kernel: kernel,
		RDM: string(method), ModelRDM: string(modelMethod), Compare: o.compare, Conditions: len(keys), Channels: nch,
		Presentation: len(tr.Cond), Permutations: o.perms, Bootstrap: o.boot, Seed: o.seed}
	if ex != "" {
		res.File = "example:" + ex
	}
	if !windowSet && o.response == "spikes" {
		res.Window = [2]float64{0, math.NaN()}
	}

	var ceil *rsa.Ceiling
	if !useCKA {
		c, rHalf, err := rsa.SplitHalfCeiling(tr, ceilingMethod(method), cmp, o.splits, rand.New(rand.NewPCG(o.seed, 2)), nil)
		if err != nil {
			fmt.Fprintf(ios.ErrOut, "neurodata: warning: no noise ceiling: %v\n", err)
		} else {
			ceil, res.SplitHalfR = &c, &rHalf
		}
	}

	var modelRDMs []*rsa.RDM
	var grams []*rsa.Gram
	for mi, m := range models {
		if err := cmd.Context().Err(); err != nil {
			return err
		}
		if m.gram.N != len(keys) {
			return fmt.Errorf("model %s (%s): %w: shape %v has %d rows but %s has %d conditions (%s)",
				m.name, m.path, activations.ErrShape, m.shape, m.gram.N, o.by, len(keys), keyPreview(keys))
		}
		g := m.gram
		progress("model %d/%d %s (%d features)", mi+1, len(models), m.name, g.P)
		var mr *rsa.RDM
		if modelMethod == rsa.Euclidean {
			mr = rsa.EuclideanRDM(g)
		} else {
			mr = rsa.CorrelationRDM(g)
		}
		modelRDMs, grams = append(modelRDMs, mr), append(grams, g)
		out := rsaModelResult{Model: m.name, Path: m.path, Features: g.P}
		out.CKA, _ = rsa.LinearCKA(gNeural, g)
		out.CKADebiased, _ = rsa.DebiasedCKA(gNeural, g)
		rng := rand.New(rand.NewPCG(o.seed, 1))
		var pr *rsa.PermutationResult
		if useCKA {
			pr, err = rsa.PermutationTestCKA(gNeural, g, o.perms, rng, nil)
		} else {
			pr, err = rsa.PermutationTest(neural, mr, cmp, o.perms, rng, nil)
		}
		if err != nil {
			return fmt.Errorf("model %s: %w", m.name, err)
		}
		out.Similarity, out.P = pr.Observed, pr.P
		if ceil != nil {
			lo, up := ceil.Lower, ceil.Upper
			out.CeilingLower, out.CeilingUpper = &lo, &up
		}
		res.Models = append(res.Models, out)
	}
	progress("bootstrap")
	var bs *rsa.BootstrapResult
	brng := rand.New(rand.NewPCG(o.seed, 3))
	if useCKA {
		bs, err = rsa.BootstrapCKA(gNeural, grams, o.boot, 0.95, brng, nil)
	} else {
		bs, err = rsa.BootstrapStimuli(neural, modelRDMs, cmp, o.boot, 0.95, brng, nil)
	}
	if err != nil {
		return err
	}
	for i := range res.Models {
		res.Models[i].CI = [2]float64{bs.CILow[i], bs.CIHigh[i]}
	}
	order := make([]int, len(res.Models))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return res.Models[order[a]].Similarity > res.Models[order[b]].Similarity })
	for _, i := range order {
		res.Ranking = append(res.Ranking, res.Models[i].Model)
	}
	if len(res.Models) > 1 {
		pw, err := rsa.PairwiseComparisons(bs, rsa.Holm)
		if err != nil {
			return err
		}
		for a := 0; a < len(res.Models); a++ {
			for b := a + 1; b < len(res.Models); b++ {
				res.Pairwise = append(res.Pairwise, struct {
					A     string  `json:"a"`
					B     string  `json:"b"`
					Diff  float64 `json:"difference"`
					P     float64 `json:"p"`
					PHolm float64 `json:"p_holm"`
				}{res.Models[a].Model, res.Models[b].Model, pw.Diff[a][b], pw.P[a][b], pw.PAdj[a][b]})
			}
		}
	}
	if res.Pairwise == nil {
		res.Pairwise = res.Pairwise[:0]
	}

	if o.plot != "" {
		if err := rsaPlots(o.plot, res, neural, modelRDMs, ceil, ios); err != nil {
			return err
		}
	}
	if o.json {
		return writeRSAJSON(ios.Out, res)
	}
	return writeRSAText(ios.Out, res)
}

// conditionLabels maps each presentation to a condition index (−1 for
// blank), conditions sorted numerically (or as text).
func conditionLabels(ti *nwb.TimeIntervals, by, blank string) ([]string, []int, error) {
	if !ti.HasColumn(by) {
		return nil, nil, usagef("--by %s: no such column in %s (columns: %s)", by, ti.Path, strings.Join(ti.ColumnNames(), ", "))
	}
	if vals, err := ti.Float64s(by); err == nil {
		bv, berr := strconv.ParseFloat(blank, 64)
		var uniq []float64
		set := map[float64]bool{}
		for _, v := range vals {
			if math.IsNaN(v) || (blank != "" && berr == nil && v == bv) || set[v] {
				continue
			}
			set[v] = true
			uniq = append(uniq, v)
		}
		sort.Float64s(uniq)
		idx := map[float64]int{}
		keys := make([]string, len(uniq))
		for i, v := range uniq {
			idx[v] = i
			keys[i] = strconv.FormatFloat(v, 'g', -1, 64)
		}
		labels := make([]int, len(vals))
		for i, v := range vals {
			if c, ok := idx[v]; ok {
				labels[i] = c
			} else {
				labels[i] = -1
			}
		}
		return keys, labels, nil
	}
	vals, err := ti.Strings(by)
	if err != nil {
		return nil, nil, fmt.Errorf("--by %s: neither numeric nor text: %w", by, err)
	}
	set := map[string]bool{}
	var keys []string
	for _, v := range vals {
		if v == "" || v == blank || set[v] {
			continue
		}
		set[v] = true
		keys = append(keys, v)
	}
	sort.Strings(keys)
	idx := map[string]int{}
	for i, k := range keys {
		idx[k] = i
	}
	labels := make([]int, len(vals))
	for i, v := range vals {
		if c, ok := idx[v]; ok {
			labels[i] = c
		} else {
			labels[i] = -1
		}
	}
	return keys, labels, nil
}

func keyPreview(keys []string) string {
	if len(keys) <= 6 {
		return strings.Join(keys, ", ")
	}
	return strings.Join(keys[:3], ", ") + ", …, " + strings.Join(keys[len(keys)-2:], ", ")
}

func dffResponses(f *nwb.File, path string, starts []float64, w0, w1 float64, kernel *[2]float64) (*mat.Dense, error) {
	var s *nwb.TimeSeries
	var err error
	if path != "" {
		if s, err = f.TimeSeries(path); err != nil {
			return nil, usagef("--series %s: %v", path, err)
		}
	} else {
		ss, err := f.SeriesOf("DfOverF")
		if err != nil || len(ss) == 0 {
			return nil, fmt.Errorf("rsa: no dF/F series (DfOverF container) in the file; name one with --series: %v", err)
		}
		s = ss[0]
	}
	sm, err := s.Read()
	if err != nil {
		return nil, err
	}
	ch := max(sm.Channels, 1)
	sig := mat.NewDense(len(sm.Times), ch, sm.Data)
	if kernel != nil {
		h := rsa.DoubleExponential(kernel[0], kernel[1])
		return rsa.KernelAmplitudes(sig, sm.Times, starts, h, 10*kernel[1])
	}
	return rsa.WindowMeans(sig, sm.Times, starts, w0, w1)
}

func spikeResponses(f *nwb.File, starts, stops []float64, w0, w1 float64, windowSet bool) (*mat.Dense, error) {
	u, err := f.Units()
	if err != nil {
		return nil, err
	}
	trains, err := u.AllSpikeTimes()
	if err != nil {
		return nil, err
	}
	from, to := starts, stops
	if windowSet {
		from, to = make([]float64, len(starts)), make([]float64, len(starts))
		for i, s := range starts {
			from[i], to[i] = s+w0, s+w1
		}
	}
	return rsa.SpikeRates(trains, from, to)
}

func neuralRDM(tr *rsa.Trials, means *mat.Dense, m rsa.Method) (*rsa.RDM, error) {
	switch m {
	case rsa.Crossnobis:
		res, dof, err := rsa.Residuals(tr)
		if err != nil {
			return nil, err
		}
		prec, err := rsa.NoisePrecision(res, dof, rsa.ShrinkageDiag)
		if err != nil {
			return nil, err
		}
		return rsa.CrossnobisRDM(tr, prec, nil)
	case rsa.Poisson:
		return rsa.PoissonRDM(means, nil)
	}
	return rsa.ComputeRDM(means, m, nil)
}

// ceilingMethod is the RDM recomputed on split halves for the ceiling.
func ceilingMethod(m rsa.Method) rsa.Method {
	if m == rsa.Euclidean || m == rsa.Crossnobis {
		return rsa.Euclidean
	}
	return rsa.Correlation
}

// loadedModel keeps only what every model computation needs: the Gram
// statistics (stimuli × stimuli). .npy layers are memory-mapped and
// streamed in feature blocks, never decoded whole.
type loadedModel struct {
	name, path string
	shape      []int
	gram       *rsa.Gram
}

func modelFromArray(name, path string, a *activations.Array) (loadedModel, error) {
	x, err := a.Matrix()
	if err != nil {
		return loadedModel{}, fmt.Errorf("model %s: %w", name, err)
	}
	return loadedModel{name, path, a.Shape, rsa.NewGram(x, nil)}, nil
}

func loadModels(specs []string, example string) ([]loadedModel, error) {
	if len(specs) == 0 && example == "ophys_scenes" {
		specs = []string{"layer_true=ophys_scenes.layer_true.npy", "layer_partial=ophys_scenes.layer_partial.npy", "layer_random=ophys_scenes.layer_random.npy"}
	}
	if len(specs) == 0 {
		return nil, usagef("no --model NAME=PATH given")
	}
	var out []loadedModel
	add := func(name, path string, a *activations.Array) error {
		m, err := modelFromArray(name, path, a)
		if err == nil {
			out = append(out, m)
		}
		return err
	}
	for _, s := range specs {
		name, path, ok := strings.Cut(s, "=")
		if !ok || name == "" || path == "" {
			return nil, usagef("--model %q: want NAME=PATH", s)
		}
		fi, statErr := os.Stat(path)
		switch {
		case statErr == nil && fi.IsDir():
			arrs, err := activations.OpenDir(path)
			if err != nil {
				return nil, err
			}
			for _, a := range arrs {
				if err := add(name+"/"+a.Name, filepath.Join(path, a.Name), a); err != nil {
					return nil, err
				}
			}
		case statErr == nil && strings.EqualFold(filepath.Ext(path), ".npy"):
			mm, err := activations.OpenMapped(path)
			if err != nil {
				return nil, err
			}
			g, err := rsa.GramFrom(mm, nil)
			mm.Close()
			if err != nil {
				return nil, fmt.Errorf("model %s: %w", name, err)
			}
			out = append(out, loadedModel{name, path, mm.Header.Shape, g})
		case statErr == nil:
			arrs, err := activations.Open(path)
			if err != nil {
				return nil, err
			}
			for _, a := range arrs {
				n := name
				if len(arrs) > 1 {
					n = name + "/" + a.Name
				}
				if err := add(n, path, a); err != nil {
					return nil, err
				}
			}
		default:
			b, err := examples.ReadFile(path)
			if err != nil || !strings.HasSuffix(path, ".npy") {
				return nil, usagef("--model %s: %v", s, statErr)
			}
			a, err := activations.DecodeNPY(b)
			if err != nil {
				return nil, fmt.Errorf("embedded %s: %w", path, err)
			}
			if err := add(name, "example:"+path, a); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func writeRSAJSON(w io.Writer, res *rsaResult) error {
	// NaN is not JSON: non-finite numbers become null.
	b, err := json.Marshal(sanitize(res))
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// sanitize replaces NaN/Inf by nil through a JSON-compatible map copy.
func sanitize(res *rsaResult) any {
	fix := func(v float64) any {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return v
	}
	m := map[string]any{}
	m["file"], m["intervals"], m["by"], m["response"] = res.File, res.Intervals, res.By, res.Response
	m["window_s"] = []any{fix(res.Window[0]), fix(res.Window[1])}
	if res.Kernel != nil {
		m["kernel_s"] = res.Kernel
	}
	m["rdm"], m["model_rdm"], m["compare"] = res.RDM, res.ModelRDM, res.Compare
	m["n_conditions"], m["n_channels"], m["n_presentations"] = res.Conditions, res.Channels, res.Presentation
	m["permutations"], m["bootstrap"], m["seed"] = res.Permutations, res.Bootstrap, res.Seed
	if res.SplitHalfR != nil {
		m["split_half_r"] = fix(*res.SplitHalfR)
	} else {
		m["split_half_r"] = nil
	}
	var models []any
	for _, r := range res.Models {
		mm := map[string]any{"model": r.Model, "path": r.Path, "n_features": r.Features, "similarity": fix(r.Similarity),
			"p": fix(r.P), "ci": []any{fix(r.CI[0]), fix(r.CI[1])}, "cka": fix(r.CKA), "cka_debiased": fix(r.CKADebiased),
			"ceiling_lower": nil, "ceiling_upper": nil}
		if r.CeilingLower != nil {
			mm["ceiling_lower"], mm["ceiling_upper"] = fix(*r.CeilingLower), fix(*r.CeilingUpper)
		}
		models = append(models, mm)
	}
	m["models"], m["ranking"] = models, res.Ranking
	var pw []any
	for _, p := range res.Pairwise {
		pw = append(pw, map[string]any{"a": p.A, "b": p.B, "difference": fix(p.Diff), "p": fix(p.P), "p_holm": fix(p.PHolm)})
	}
	if pw == nil {
		pw = []any{}
	}
	m["pairwise"] = pw
	return m
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
		bars = append(bars, plots.ModelBar{Name: m.Model, Value: m.Similarity, CILow: m.CI[0], CIHigh: m.CI[1], Significant: m.P < 0.05})
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
