package decoding

import (
	"fmt"
	"math"
	"sort"
	"sync"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// BayesDecoder is the memoryless Poisson Bayesian decoder (Zhang et al.
// 1998): for a vector n of spike counts in a time bin of τ seconds and
// tuning curves f_i(x) in Hz over bins x,
//
//	log P(n | x) = Σ_i n_i log(f_i(x) + ε) − τ Σ_i f_i(x)
//
// (the x-independent terms −log n_i! and n_i log τ are dropped), and the
// posterior is softmax(log P(n|x) + log prior(x)). These are the values of
// pynapple's decode_bayes, except that unvisited bins are masked.
//
// The log-likelihood of a chunk of time bins is one matrix product
// counts·log Fᵀ (a sparse product when most counts are zero), so memory is
// O(chunk × bins + bins × units) however long the recording.
type BayesDecoder struct {
	// Tuning holds the rate of every unit in every bin (bins × units, Hz).
	// Bins with a NaN rate (never visited) are masked: posterior 0.
	Tuning *mat.Dense
	// BinSize is τ, the width of a decoding time bin in seconds.
	BinSize float64
	// Prior is the prior over bins (for example occupancy); nil means
	// uniform over the visited bins. Bins with prior 0 are masked. It need
	// not be normalised.
	Prior []float64
	// Epsilon is added to the rates before the log; 0 means 1e-12
	// (pynapple's value).
	Epsilon float64
	// Chunk is the number of time bins per block; 0 means 512.
	Chunk int
}

// bayesModel is the compiled form of a decoder: only visited bins.
type bayesModel struct {
	bins   []int      // visited bin → original bin index
	logFT  *mat.Dense // units × visited bins: log(f+ε)
	offset []float64  // per visited bin: −τ Σ_i f_i + log prior
	nb     int        // total number of bins
}

func (d *BayesDecoder) compile() (*bayesModel, error) {
	if d.Tuning == nil {
		return nil, fmt.Errorf("decoding: bayes: %w", ErrNotFitted)
	}
	nb, nu := d.Tuning.Dims()
	if d.BinSize <= 0 || math.IsNaN(d.BinSize) || math.IsInf(d.BinSize, 0) {
		return nil, fmt.Errorf("decoding: bayes: bin size %g s must be positive", d.BinSize)
	}
	if d.Prior != nil && len(d.Prior) != nb {
		return nil, fmt.Errorf("decoding: bayes: prior has %d bins, tuning %d: %w", len(d.Prior), nb, ErrShape)
	}
	eps := d.Epsilon
	if eps == 0 {
		eps = 1e-12
	}
	var psum float64
	for _, p := range d.Prior {
		if p < 0 || math.IsNaN(p) {
			return nil, fmt.Errorf("decoding: bayes: negative or NaN prior %g", p)
		}
		psum += p
	}
	m := &bayesModel{nb: nb}
	for b := 0; b < nb; b++ {
		if d.Prior != nil && d.Prior[b] == 0 {
			continue
		}
		ok := true
		for _, f := range d.Tuning.RawRowView(b) {
			if math.IsNaN(f) {
				ok = false
				break
			}
			if f < 0 || math.IsInf(f, 0) {
				return nil, fmt.Errorf("decoding: bayes: bin %d has rate %g", b, f)
			}
		}
		if ok {
			m.bins = append(m.bins, b)
		}
	}
	if len(m.bins) == 0 {
		return nil, fmt.Errorf("decoding: bayes: no visited bins")
	}
	nv := len(m.bins)
	m.logFT = mat.NewDense(nu, nv, nil)
	m.offset = make([]float64, nv)
	for v, b := range m.bins {
		row := d.Tuning.RawRowView(b)
		var sum float64
		for i, f := range row {
			m.logFT.Set(i, v, math.Log(f+eps))
			sum += f
		}
		m.offset[v] = -d.BinSize * sum
		if d.Prior != nil {
			m.offset[v] += math.Log(d.Prior[b] / psum)
		}
	}
	return m, nil
}

// rowReader copies row i of a count matrix into dst.
func rowReader(c mat.Matrix) func(dst []float64, i int) []float64 {
	if rv, ok := c.(mat.RawRowViewer); ok {
		return func(_ []float64, i int) []float64 { return rv.RawRowView(i) }
	}
	return func(dst []float64, i int) []float64 {
		for j := range dst {
			dst[j] = c.At(i, j)
		}
		return dst
	}
}

// logLikChunk fills ll (rows × visited bins) for time bins [t0, t0+rows).
func (m *bayesModel) logLikChunk(ll *mat.Dense, cbuf *mat.Dense, read func([]float64, int) []float64, t0 int) {
	rows, nv := ll.Dims()
	nu, _ := m.logFT.Dims()
	tmp := make([]float64, nu)
	nnz := 0
	for r := 0; r < rows; r++ {
		row := read(tmp, t0+r)
		dst := cbuf.RawRowView(r)
		copy(dst, row)
		for _, v := range row {
			if v != 0 {
				nnz++
			}
		}
	}
	if float64(nnz) < 0.25*float64(rows*nu) {
		// Sparse: most bins hold few spikes; accumulate rows of log F.
		for r := 0; r < rows; r++ {
			out := ll.RawRowView(r)
			copy(out, m.offset)
			for i, n := range cbuf.RawRowView(r) {
				if n != 0 {
					floats.AddScaled(out, n, m.logFT.RawRowView(i))
				}
			}
		}
		return
	}
	ll.Mul(cbuf, m.logFT)
	for r := 0; r < rows; r++ {
		floats.Add(ll.RawRowView(r)[:nv], m.offset)
	}
}

// Decode decodes every row of counts (time bins × units, spike counts in
// bins of BinSize seconds) and writes the maximum a posteriori bin index
// into dst (allocated when short), which it returns.
//
// If fn is not nil it receives, per chunk of time bins starting at bin t0,
// the log-likelihood (without the prior; masked bins −Inf) and the
// posterior (masked bins 0), both chunk rows × all bins. The matrices are
// reused after fn returns. Chunks are decoded in parallel; calls to fn are
// serialised but not necessarily in time order.
func (d *BayesDecoder) Decode(dst []int, counts mat.Matrix, fn func(t0 int, logLik, posterior *mat.Dense), s *Settings) ([]int, error) {
	m, err := d.compile()
	if err != nil {
		return nil, err
	}
	nt, nu := counts.Dims()
	if tu, _ := m.logFT.Dims(); tu != nu {
		return nil, fmt.Errorf("decoding: bayes: counts have %d units, tuning %d: %w", nu, tu, ErrShape)
	}
	if cap(dst) < nt {
		dst = make([]int, nt)
	}
	dst = dst[:nt]
	if nt == 0 {
		return dst, nil
	}
	chunk := d.Chunk
	if chunk <= 0 {
		chunk = 512
	}
	nchunks := (nt + chunk - 1) / chunk
	read := rowReader(counts)
	nv := len(m.bins)
	workers := s.workers()
	pool := sync.Pool{New: func() any {
		return &bayesBuf{ll: mat.NewDense(chunk, nv, nil), c: mat.NewDense(chunk, nu, nil)}
	}}
	var mu sync.Mutex
	var logPrior []float64
	if d.Prior != nil {
		logPrior = make([]float64, nv)
		var psum float64
		for _, p := range d.Prior {
			psum += p
		}
		for v, b := range m.bins {
			logPrior[v] = math.Log(d.Prior[b] / psum)
		}
	}
	err = parallelFor(nchunks, workers, func(ci int) error {
		t0 := ci * chunk
		rows := min(chunk, nt-t0)
		buf := pool.Get().(*bayesBuf)
		defer pool.Put(buf)
		ll := buf.ll.Slice(0, rows, 0, nv).(*mat.Dense)
		cb := buf.c.Slice(0, rows, 0, nu).(*mat.Dense)
		m.logLikChunk(ll, cb, read, t0)
		for r := 0; r < rows; r++ {
			dst[t0+r] = m.bins[argmax(ll.RawRowView(r))]
		}
		if fn == nil {
			return nil
		}
		if buf.full == nil {
			buf.full = mat.NewDense(chunk, m.nb, nil)
			buf.post = mat.NewDense(chunk, m.nb, nil)
		}
		full := buf.full.Slice(0, rows, 0, m.nb).(*mat.Dense)
		post := buf.post.Slice(0, rows, 0, m.nb).(*mat.Dense)
		for r := 0; r < rows; r++ {
			lr := ll.RawRowView(r)
			fr, pr := full.RawRowView(r), post.RawRowView(r)
			for b := range fr {
				fr[b] = math.Inf(-1)
				pr[b] = 0
			}
			mx := floats.Max(lr)
			var sum float64
			for v, b := range m.bins {
				l := lr[v]
				if logPrior != nil {
					l -= logPrior[v]
				}
				fr[b] = l
				e := math.Exp(lr[v] - mx)
				pr[b] = e
				sum += e
			}
			floats.Scale(1/sum, pr)
		}
		mu.Lock()
		fn(t0, full, post)
		mu.Unlock()
		return nil
	})
	return dst, err
}

type bayesBuf struct{ ll, c, full, post *mat.Dense }

// PoissonBayes is the Poisson naive Bayes classifier: the tuning curve of a
// unit is its mean count per trial in each class (from the training
// trials), and a trial is assigned the class maximising
// Σ_i n_i log(λ_ki + ε) − Σ_i λ_ki + log prior_k. Features must be spike
// counts in windows of equal length.
type PoissonBayes struct {
	// EmpiricalPrior uses the training class frequencies as prior; the
	// default is uniform.
	EmpiricalPrior bool
	// Epsilon as in BayesDecoder (0 means 1e-12).
	Epsilon float64

	classes []int
	dec     BayesDecoder
}

// Classes implements Classifier.
func (m *PoissonBayes) Classes() []int { return m.classes }

// MeanCounts returns the fitted mean count per trial (classes × units).
func (m *PoissonBayes) MeanCounts() *mat.Dense { return m.dec.Tuning }

// Fit implements Classifier.
func (m *PoissonBayes) Fit(x mat.Matrix, y []int) error {
	n, p, err := checkXY("poisson bayes", x, len(y))
	if err != nil {
		return err
	}
	classes, yi := encodeLabels(y)
	k := len(classes)
	if k < 2 {
		return fmt.Errorf("poisson bayes: %w", ErrFewClasses)
	}
	lam := mat.NewDense(k, p, nil)
	cnt := make([]float64, k)
	read := rowReader(x)
	tmp := make([]float64, p)
	for i := 0; i < n; i++ {
		row := read(tmp, i)
		for _, v := range row {
			if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("decoding: poisson bayes: trial %d has count %g", i, v)
			}
		}
		floats.Add(lam.RawRowView(yi[i]), row)
		cnt[yi[i]]++
	}
	for c := 0; c < k; c++ {
		floats.Scale(1/cnt[c], lam.RawRowView(c))
	}
	m.classes = classes
	m.dec = BayesDecoder{Tuning: lam, BinSize: 1, Epsilon: m.Epsilon}
	if m.EmpiricalPrior {
		m.dec.Prior = cnt
	}
	return nil
}

func (m *PoissonBayes) run(x mat.Matrix, post *mat.Dense) []int {
	if m.dec.Tuning == nil {
		panic(ErrNotFitted)
	}
	_, p := m.dec.Tuning.Dims()
	checkCols("poisson bayes", x, p)
	var fn func(int, *mat.Dense, *mat.Dense)
	if post != nil {
		fn = func(t0 int, _, pr *mat.Dense) {
			r, _ := pr.Dims()
			post.Slice(t0, t0+r, 0, len(m.classes)).(*mat.Dense).Copy(pr)
		}
	}
	idx, err := m.dec.Decode(nil, x, fn, &Settings{Workers: 1})
	if err != nil {
		panic(err)
	}
	for i, b := range idx {
		idx[i] = m.classes[b]
	}
	return idx
}

// Predict implements Classifier.
func (m *PoissonBayes) Predict(dst []int, x mat.Matrix) []int {
	out := m.run(x, nil)
	if cap(dst) >= len(out) {
		dst = dst[:len(out)]
		copy(dst, out)
		return dst
	}
	return out
}

// PredictProba implements ProbClassifier.
func (m *PoissonBayes) PredictProba(dst *mat.Dense, x mat.Matrix) *mat.Dense {
	r, _ := x.Dims()
	if dst == nil {
		dst = &mat.Dense{}
	}
	if dst.IsEmpty() {
		dst.ReuseAs(r, len(m.classes))
	}
	m.run(x, dst)
	return dst
}

// Grid is a rectangular N-dimensional binning of a continuous variable
// (position, head direction, …). Edges[d] are the ascending bin edges of
// dimension d; bins are [e_k, e_k+1) except that the last bin also holds
// the top edge. Bins are numbered in row-major order (the last dimension
// varies fastest), as numpy's ravel_multi_index.
type Grid struct {
	Edges [][]float64
}

// UniformGrid returns a grid with n[d] equal bins on [lo[d], hi[d]].
func UniformGrid(lo, hi []float64, n []int) Grid {
	g := Grid{Edges: make([][]float64, len(n))}
	for d := range n {
		e := make([]float64, n[d]+1)
		floats.Span(e, lo[d], hi[d])
		g.Edges[d] = e
	}
	return g
}

// NumBins returns the total number of bins.
func (g Grid) NumBins() int {
	n := 1
	for _, e := range g.Edges {
		n *= len(e) - 1
	}
	return n
}

// Index returns the bin of point x, or −1 when x is outside the grid or NaN.
func (g Grid) Index(x []float64) int {
	idx := 0
	for d, e := range g.Edges {
		v := x[d]
		nb := len(e) - 1
		if !(v >= e[0] && v <= e[nb]) {
			return -1
		}
		k := sort.SearchFloat64s(e, v) // first edge ≥ v
		if k < len(e) && e[k] == v {
			// v on an edge belongs to the bin to its right
		} else {
			k--
		}
		k = min(k, nb-1)
		idx = idx*nb + k
	}
	return idx
}

// Center writes the centre of bin b into dst (allocated when short).
func (g Grid) Center(dst []float64, b int) []float64 {
	if cap(dst) < len(g.Edges) {
		dst = make([]float64, len(g.Edges))
	}
	dst = dst[:len(g.Edges)]
	for d := len(g.Edges) - 1; d >= 0; d-- {
		e := g.Edges[d]
		nb := len(e) - 1
		k := b % nb
		b /= nb
		dst[d] = (e[k] + e[k+1]) / 2
	}
	return dst
}

// FitTuning estimates tuning curves on a grid: for time bins of binSize
// seconds with position pos (time bins × dims) and spike counts counts
// (time bins × units), the rate in a bin is the sum of the counts there
// divided by the time spent there (samples × binSize), in Hz. It returns
// the rates (grid bins × units; NaN where the bin was never visited) and
// the occupancy in seconds. Time bins with a position outside the grid are
// ignored.
func FitTuning(g Grid, pos, counts mat.Matrix, binSize float64) (*mat.Dense, []float64, error) {
	nt, nd := pos.Dims()
	ct, nu := counts.Dims()
	if nt != ct || nd != len(g.Edges) {
		return nil, nil, fmt.Errorf("decoding: tuning: %d positions × %d dims, %d count rows, grid of %d dims: %w", nt, nd, ct, len(g.Edges), ErrShape)
	}
	nb := g.NumBins()
	rates := mat.NewDense(nb, nu, nil)
	occ := make([]float64, nb)
	x := make([]float64, nd)
	readC := rowReader(counts)
	tmp := make([]float64, nu)
	for t := 0; t < nt; t++ {
		for d := range x {
			x[d] = pos.At(t, d)
		}
		b := g.Index(x)
		if b < 0 {
			continue
		}
		occ[b] += binSize
		floats.Add(rates.RawRowView(b), readC(tmp, t))
	}
	for b := 0; b < nb; b++ {
		row := rates.RawRowView(b)
		if occ[b] == 0 {
			for i := range row {
				row[i] = math.NaN()
			}
			continue
		}
		floats.Scale(1/occ[b], row)
	}
	return rates, occ, nil
}

// TuningFromRates converts per-unit rate maps (units × bins, flat
// row-major bins, NaN for unvisited; the layout of analysis.TuningResult's
// RateHz) into the bins × units matrix BayesDecoder.Tuning expects.
func TuningFromRates(rates [][]float64) (*mat.Dense, error) {
	if len(rates) == 0 || len(rates[0]) == 0 {
		return nil, fmt.Errorf("decoding: tuning: %w", ErrNoData)
	}
	nb := len(rates[0])
	out := mat.NewDense(nb, len(rates), nil)
	for u, r := range rates {
		if len(r) != nb {
			return nil, fmt.Errorf("decoding: tuning: unit %d has %d bins, unit 0 has %d: %w", u, len(r), nb, ErrShape)
		}
		for b, v := range r {
			out.Set(b, u, v)
		}
	}
	return out, nil
}
