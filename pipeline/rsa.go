package pipeline

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"

	"github.com/neurodata/neurodata/analysis/rsa"
	"github.com/neurodata/neurodata/analysis/rsa/activations"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/nwb"
)

// RSAResult is the RSA step's result (also `neurodata analyze rsa`'s): each
// model's similarity to the neural RDM with permutation p, bootstrap CI,
// split-half noise ceiling and CKA; the ranking and pairwise comparisons;
// and the RDMs themselves (upper triangles, row-major).
type RSAResult struct {
	Intervals     string      `json:"intervals"`
	By            string      `json:"by"`
	Response      string      `json:"response"`
	Window        [2]F        `json:"window_s"`
	Kernel        *[2]float64 `json:"kernel_s,omitempty"`
	RDM           string      `json:"rdm"`
	ModelRDM      string      `json:"model_rdm"`
	Compare       string      `json:"compare"`
	ConditionKeys []string    `json:"condition_keys"`
	Conditions    int         `json:"n_conditions"`
	Channels      int         `json:"n_channels"`
	Presentation  int         `json:"n_presentations"`
	Permutations  int         `json:"permutations"`
	Bootstrap     int         `json:"bootstrap"`
	Seed          uint64      `json:"seed"`
	SplitHalfR    *F          `json:"split_half_r"`
	CeilingLower  *F          `json:"ceiling_lower"`
	CeilingUpper  *F          `json:"ceiling_upper"`
	Models        []RSAModel  `json:"models"`
	Ranking       []string    `json:"ranking"`
	Pairwise      []RSAPair   `json:"pairwise"`
	NeuralRDM     Fs          `json:"neural_rdm"`
}

// RSAModel is one model's row.
type RSAModel struct {
	Model       string `json:"model"`
	Path        string `json:"path"`
	Features    int    `json:"n_features"`
	Similarity  F      `json:"similarity"`
	P           F      `json:"p"`
	CI          [2]F   `json:"ci"`
	CKA         F      `json:"cka"`
	CKADebiased F      `json:"cka_debiased"`
	RDM         Fs     `json:"rdm"`
}

// RSAPair is a bootstrap comparison of two models.
type RSAPair struct {
	A     string `json:"a"`
	B     string `json:"b"`
	Diff  F      `json:"difference"`
	P     F      `json:"p"`
	PHolm F      `json:"p_holm"`
}

type rsaOpts struct {
	method, modelMethod rsa.Method
	cmp                 rsa.Compare
	useCKA              bool
	w0, w1              float64
	windowSet           bool
	kernel              *[2]float64
	blank               string
	perms, boot, splits int
	seed                uint64
}

func (p *RSAParams) options() (rsaOpts, error) {
	var o rsaOpts
	if p.Response != "spikes" && p.Response != "dff" {
		return o, specErrorf("response must be spikes or dff, not %q", p.Response)
	}
	o.method = rsa.Method(p.RDM)
	if p.RDM == "" {
		o.method = rsa.Correlation
	}
	switch o.method {
	case rsa.Correlation, rsa.Euclidean, rsa.Crossnobis, rsa.Poisson:
	default:
		return o, specErrorf("rdm must be correlation, euclidean, crossnobis or poisson, not %q", p.RDM)
	}
	o.modelMethod = rsa.Method(p.ModelRDM)
	if o.modelMethod == "" {
		o.modelMethod = rsa.Correlation
		if o.method == rsa.Euclidean || o.method == rsa.Crossnobis {
			o.modelMethod = rsa.Euclidean
		}
	}
	if o.modelMethod != rsa.Correlation && o.modelMethod != rsa.Euclidean {
		return o, specErrorf("model-rdm must be correlation or euclidean, not %q", p.ModelRDM)
	}
	cmp := p.Compare
	if cmp == "" {
		cmp = "spearman"
	}
	o.useCKA = cmp == "cka"
	o.cmp = rsa.Compare(cmp)
	if o.cmp == "pearson" {
		o.cmp = rsa.Pearson
	}
	if !o.useCKA {
		ok := false
		for _, c := range rsa.Compares {
			ok = ok || c == o.cmp
		}
		if !ok {
			return o, specErrorf("compare %q: want one of spearman, tau-a, tau-b, rho-a, corr, cosine, cosine_cov, corr_cov, cka", p.Compare)
		}
	}
	o.perms, o.boot, o.splits, o.seed = p.Permutations, p.Bootstrap, p.Splits, p.Seed
	if o.perms == 0 {
		o.perms = 1000
	}
	if o.boot == 0 {
		o.boot = 1000
	}
	if o.splits == 0 {
		o.splits = 100
	}
	if o.seed == 0 {
		o.seed = 1
	}
	if o.perms < 1 || o.boot < 2 || o.splits < 1 {
		return o, specErrorf("permutations ≥ 1, bootstrap ≥ 2 and splits ≥ 1 are required")
	}
	o.blank = "-1"
	if p.Blank != nil {
		o.blank = *p.Blank
	}
	if p.Window != "" {
		w, _, err := parseWindow("window", p.Window)
		if err != nil {
			return o, err
		}
		o.w0, o.w1, o.windowSet = w[0], w[1], true
	} else if p.Response == "dff" {
		o.w0, o.w1 = 0, 0.5
	}
	if p.Kernel != "" {
		if p.Response != "dff" {
			return o, specErrorf("kernel applies to response dff only")
		}
		k, _, err := parseWindow("kernel", p.Kernel)
		if err != nil {
			return o, err
		}
		if k[0] <= 0 {
			return o, specErrorf("kernel %q: rise time must be > 0", p.Kernel)
		}
		o.kernel = &k
	}
	for _, m := range p.Model {
		if n, q, ok := strings.Cut(m, "="); !ok || n == "" || q == "" {
			return o, specErrorf("model %q: want NAME=PATH", m)
		}
	}
	return o, nil
}

// RSA runs the RSA step on an open session. models are the model
// activations (see LoadModels). progress may be nil. Warnings (e.g. no
// noise ceiling) go to progress.
func RSA(ctx context.Context, f *nwb.File, p *RSAParams, models []Model, progress func(string)) (*RSAResult, error) {
	if progress == nil {
		progress = func(string) {}
	}
	o, err := p.options()
	if err != nil {
		return nil, err
	}
	if len(models) == 0 {
		return nil, specErrorf("rsa: no model activations (model NAME=PATH)")
	}
	c, err := openConditions(f, p.Intervals, p.By, o.blank)
	if err != nil {
		return nil, err
	}
	labels, keys, starts, stops := c.codes, c.names, c.starts, c.stops
	var resp *mat.Dense
	switch p.Response {
	case "dff":
		progress("rsa: reading dF/F")
		resp, err = dffResponses(f, p.Series, starts, o.w0, o.w1, o.kernel)
	case "spikes":
		progress("rsa: counting spikes")
		resp, err = spikeResponses(f, starts, stops, o.w0, o.w1, o.windowSet)
	}
	if err != nil {
		return nil, err
	}
	if len(keys) < 3 {
		return nil, fmt.Errorf("rsa: %d conditions in %s, need at least 3", len(keys), p.By)
	}
	tr, err := rsa.NewTrials(resp, labels)
	if err != nil {
		return nil, err
	}
	_, nch := resp.Dims()
	means, _, err := tr.MeanPatterns(nil)
	if err != nil {
		return nil, err
	}
	neural, err := neuralRDM(tr, means, o.method)
	if err != nil {
		return nil, err
	}
	gNeural := rsa.NewGram(means, nil)
	res := &RSAResult{Intervals: p.Intervals, By: p.By, Response: p.Response, Window: [2]F{F(o.w0), F(o.w1)}, Kernel: o.kernel,
		RDM: string(o.method), ModelRDM: string(o.modelMethod), Compare: string(o.cmp), ConditionKeys: keys, Conditions: len(keys), Channels: nch,
		Presentation: len(tr.Cond), Permutations: o.perms, Bootstrap: o.boot, Seed: o.seed, NeuralRDM: neural.Vec}
	if o.useCKA {
		res.Compare = "cka"
	}
	if p.Compare != "" && !o.useCKA {
		res.Compare = p.Compare
	}
	if !o.windowSet && p.Response == "spikes" {
		res.Window = [2]F{0, F(math.NaN())}
	}
	var ceil *rsa.Ceiling
	if !o.useCKA {
		c, rHalf, err := rsa.SplitHalfCeiling(tr, ceilingMethod(o.method), o.cmp, o.splits, rand.New(rand.NewPCG(o.seed, 2)), nil)
		if err != nil {
			progress(fmt.Sprintf("warning: no noise ceiling: %v", err))
		} else {
			ceil = &c
			r, lo, up := F(rHalf), F(c.Lower), F(c.Upper)
			res.SplitHalfR, res.CeilingLower, res.CeilingUpper = &r, &lo, &up
		}
	}
	var modelRDMs []*rsa.RDM
	var grams []*rsa.Gram
	for mi, m := range models {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if m.Gram.N != len(keys) {
			return nil, fmt.Errorf("model %s (%s): %w: shape %v has %d rows but %s has %d conditions (%s)",
				m.Name, m.Path, activations.ErrShape, m.Shape, m.Gram.N, p.By, len(keys), keyPreview(keys))
		}
		g := m.Gram
		progress(fmt.Sprintf("rsa: model %d/%d %s (%d features)", mi+1, len(models), m.Name, g.P))
		var mr *rsa.RDM
		if o.modelMethod == rsa.Euclidean {
			mr = rsa.EuclideanRDM(g)
		} else {
			mr = rsa.CorrelationRDM(g)
		}
		modelRDMs, grams = append(modelRDMs, mr), append(grams, g)
		out := RSAModel{Model: m.Name, Path: m.Path, Features: g.P, RDM: mr.Vec}
		lin, _ := rsa.LinearCKA(gNeural, g)
		deb, _ := rsa.DebiasedCKA(gNeural, g)
		out.CKA, out.CKADebiased = F(lin), F(deb)
		rng := rand.New(rand.NewPCG(o.seed, 1))
		var pr *rsa.PermutationResult
		if o.useCKA {
			pr, err = rsa.PermutationTestCKA(gNeural, g, o.perms, rng, nil)
		} else {
			pr, err = rsa.PermutationTest(neural, mr, o.cmp, o.perms, rng, nil)
		}
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", m.Name, err)
		}
		out.Similarity, out.P = F(pr.Observed), F(pr.P)
		res.Models = append(res.Models, out)
	}
	_ = ceil
	progress("rsa: bootstrap")
	var bs *rsa.BootstrapResult
	brng := rand.New(rand.NewPCG(o.seed, 3))
	if o.useCKA {
		bs, err = rsa.BootstrapCKA(gNeural, grams, o.boot, 0.95, brng, nil)
	} else {
		bs, err = rsa.BootstrapStimuli(neural, modelRDMs, o.cmp, o.boot, 0.95, brng, nil)
	}
	if err != nil {
		return nil, err
	}
	for i := range res.Models {
		res.Models[i].CI = [2]F{F(bs.CILow[i]), F(bs.CIHigh[i])}
	}
	order := make([]int, len(res.Models))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return res.Models[order[a]].Similarity > res.Models[order[b]].Similarity })
	for _, i := range order {
		res.Ranking = append(res.Ranking, res.Models[i].Model)
	}
	res.Pairwise = []RSAPair{}
	if len(res.Models) > 1 {
		pw, err := rsa.PairwiseComparisons(bs, rsa.Holm)
		if err != nil {
			return nil, err
		}
		for a := 0; a < len(res.Models); a++ {
			for b := a + 1; b < len(res.Models); b++ {
				res.Pairwise = append(res.Pairwise, RSAPair{res.Models[a].Model, res.Models[b].Model, F(pw.Diff[a][b]), F(pw.P[a][b]), F(pw.PAdj[a][b])})
			}
		}
	}
	return res, nil
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
			return nil, specErrorf("series %s: %v", path, err)
		}
	} else {
		ss, err := f.SeriesOf("DfOverF")
		if err != nil || len(ss) == 0 {
			return nil, fmt.Errorf("rsa: no dF/F series (DfOverF container) in the file; name one with series: %v", err)
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

// Model is one model layer reduced to what every RSA computation needs:
// its Gram statistics (stimuli × stimuli). .npy layers are memory-mapped
// and streamed in feature blocks, never decoded whole.
type Model struct {
	Name, Path string
	Shape      []int
	Gram       *rsa.Gram
}

func modelFromArray(name, path string, a *activations.Array) (Model, error) {
	x, err := a.Matrix()
	if err != nil {
		return Model{}, fmt.Errorf("model %s: %w", name, err)
	}
	return Model{name, path, a.Shape, rsa.NewGram(x, nil)}, nil
}

// ExampleModels are the embedded ophys_scenes "DNN layer" models.
var ExampleModels = []string{"layer_true=ophys_scenes.layer_true.npy", "layer_partial=ophys_scenes.layer_partial.npy", "layer_random=ophys_scenes.layer_random.npy"}

// LoadModels loads NAME=PATH model specs: PATH is a .npy/.npz/.safetensors
// file or a directory of them; a relative PATH is tried in each of dirs
// (in order, "" = the working directory) and then among the embedded
// example files.
func LoadModels(specs []string, dirs ...string) ([]Model, error) {
	if len(dirs) == 0 {
		dirs = []string{""}
	}
	var out []Model
	add := func(name, path string, a *activations.Array) error {
		m, err := modelFromArray(name, path, a)
		if err == nil {
			out = append(out, m)
		}
		return err
	}
	for _, s := range specs {
		name, p, ok := strings.Cut(s, "=")
		if !ok || name == "" || p == "" {
			return nil, specErrorf("model %q: want NAME=PATH", s)
		}
		path := p
		var fi os.FileInfo
		statErr := errors.New("not found")
		for _, d := range dirs {
			cand := p
			if d != "" && !filepath.IsAbs(p) {
				cand = filepath.Join(d, p)
			}
			if st, err := os.Stat(cand); err == nil {
				path, fi, statErr = cand, st, nil
				break
			} else {
				statErr = err
			}
			if filepath.IsAbs(p) {
				break
			}
		}
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
			out = append(out, Model{name, path, mm.Header.Shape, g})
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
			b, err := examples.ReadFile(p)
			if err != nil || !strings.HasSuffix(p, ".npy") {
				return nil, specErrorf("model %s: %v", s, statErr)
			}
			a, err := activations.DecodeNPY(b)
			if err != nil {
				return nil, fmt.Errorf("embedded %s: %w", p, err)
			}
			if err := add(name, "example:"+p, a); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// sessionModels finds the models for a session: the spec's, else files
// named STEM.*.npy beside the session (or embedded with an example).
func sessionModels(ref SessionRef, p *RSAParams, specDir string) ([]Model, error) {
	if len(p.Model) > 0 {
		var dirs []string
		if ref.Kind == "file" {
			dirs = append(dirs, filepath.Dir(ref.Location))
		}
		dirs = append(dirs, specDir)
		return LoadModels(p.Model, dirs...)
	}
	stem := strings.TrimSuffix(filepath.Base(ref.Location), ".nwb")
	files, read := siblingFiles(ref, stem+".*.npy")
	if len(files) == 0 {
		return nil, specErrorf("rsa: no model given and no %s.*.npy beside the session", stem)
	}
	var out []Model
	for _, fp := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(fp), stem+"."), ".npy")
		b, err := read(fp)
		if err != nil {
			return nil, err
		}
		a, err := activations.DecodeNPY(b)
		if err != nil {
			return nil, fmt.Errorf("model %s: %w", fp, err)
		}
		m, err := modelFromArray(name, fp, a)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}
