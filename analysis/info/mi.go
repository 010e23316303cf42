package info

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
)

// discrete is a validated sample: stimulus codes in [0, ns), one or more
// response components with codes in [0, ks[c]), and the joint response code.
type discrete struct {
	stim  []int
	comps [][]int // comps[c][trial]
	ks    []int   // alphabet size per component
	joint []int   // mixed-radix joint response code per trial
	k     int     // joint alphabet size
	ns    int
	// scratch is reused by miTable; a discrete value is used by one
	// goroutine at a time (copies must reset it).
	scratch []int
	// qeIdx, qeGroups and qeTab are miQE's reusable buffers.
	qeIdx    []int
	qeGroups [][]int
	qeTab    []int
}

// workCopies returns a pool of one-component working copies of d with their
// own stim, joint and scratch slices, for concurrent permutation and
// bootstrap tasks (each task overwrites stim and/or joint).
func (d *discrete) workCopies() *sync.Pool {
	return &sync.Pool{New: func() any {
		c := *d
		c.scratch, c.qeIdx, c.qeGroups, c.qeTab = nil, nil, nil, nil
		c.stim = slices.Clone(d.stim)
		if len(d.comps) == 1 {
			c.joint = slices.Clone(d.joint)
			c.comps = [][]int{c.joint}
		}
		return &c
	}}
}

func (d *discrete) buf(n int) []int {
	if cap(d.scratch) < n {
		d.scratch = make([]int, n)
	}
	s := d.scratch[:n]
	clear(s)
	return s
}

// maxJointAlphabet bounds Π ks so count tables stay small.
const maxJointAlphabet = 1 << 22

// maxTable bounds the stimulus × response count table (cells).
const maxTable = 1 << 26

func newDiscrete(stim []int, comps [][]int) (*discrete, error) {
	n := len(stim)
	if n == 0 {
		return nil, inputErr("no trials")
	}
	if len(comps) == 0 {
		return nil, inputErr("no response components")
	}
	d := &discrete{stim: stim, comps: comps, ks: make([]int, len(comps))}
	for i, s := range stim {
		if s < 0 {
			return nil, inputErr("negative stimulus code %d at trial %d", s, i)
		}
		d.ns = max(d.ns, s+1)
	}
	d.k = 1
	for c, r := range comps {
		if len(r) != n {
			return nil, inputErr("response component %d has %d trials, stimulus has %d", c, len(r), n)
		}
		for i, v := range r {
			if v < 0 {
				return nil, inputErr("negative response code %d at component %d, trial %d", v, c, i)
			}
			d.ks[c] = max(d.ks[c], v+1)
		}
		if d.k > maxJointAlphabet/d.ks[c] {
			return nil, inputErr("joint response alphabet exceeds %d symbols; rebin the responses", maxJointAlphabet)
		}
		d.k *= d.ks[c]
	}
	if d.ns > maxJointAlphabet || d.ns*d.k > maxTable {
		return nil, inputErr("%d stimulus codes × %d response codes exceed %d table cells; codes must be dense (see Labels, Codes)", d.ns, d.k, maxTable)
	}
	if len(comps) == 1 {
		d.joint = comps[0]
	} else {
		d.joint = jointCodes(comps, d.ks, nil)
	}
	return d, nil
}

// jointCodes returns mixed-radix codes Σ_c r_c Π_{c'<c} k_c'.
func jointCodes(comps [][]int, ks []int, dst []int) []int {
	n := len(comps[0])
	if cap(dst) < n {
		dst = make([]int, n)
	}
	dst = dst[:n]
	clear(dst)
	mul := 1
	for c, r := range comps {
		for i, v := range r {
			dst[i] += v * mul
		}
		mul *= ks[c]
	}
	return dst
}

// MI estimates the mutual information I(S;R), in bits (log base 2), between
// stimulus codes stim[i] >= 0 and response codes resp[i] >= 0 of the same
// trials. The response alphabet is 0..max(resp); use MIFromCounts to declare
// a larger one. See Estimator for the methods; ShuffleCorrected reduces to
// Settings.ShuffleBase for a one-component response.
func MI(stim, resp []int, est Estimator, set *Settings) (float64, error) {
	return MIMulti(stim, [][]int{resp}, est, set)
}

// MIMulti estimates I(S; R₁,…,R_C), in bits (log base 2), for a
// multi-component response (several neurons, or several time bins):
// resp[c][i] is the code of component c on trial i. All estimators except
// ShuffleCorrected use the joint response code; ShuffleCorrected computes
// I_sh from the components.
func MIMulti(stim []int, resp [][]int, est Estimator, set *Settings) (float64, error) {
	d, err := newDiscrete(stim, resp)
	if err != nil {
		return 0, err
	}
	return d.mi(est, set, set.rng())
}

// MIFromCounts estimates I(S;R), in bits (log base 2), from a joint count
// table counts[s][r] (all rows the same length; the row length is the
// response alphabet size). ShuffleCorrected is not available from counts.
func MIFromCounts(counts [][]int, est Estimator, set *Settings) (float64, error) {
	if len(counts) == 0 {
		return 0, inputErr("empty count table")
	}
	k := len(counts[0])
	total := 0
	for s, row := range counts {
		if len(row) != k {
			return 0, inputErr("count table row %d has %d columns, row 0 has %d", s, len(row), k)
		}
		for r, c := range row {
			if c < 0 {
				return 0, inputErr("negative count %d at [%d][%d]", c, s, r)
			}
			if total += c; total > maxTable {
				return 0, inputErr("count table holds more than %d samples", maxTable)
			}
		}
	}
	stim, resp := make([]int, 0, total), make([]int, 0, total)
	for s, row := range counts {
		for r, c := range row {
			for j := 0; j < c; j++ {
				stim = append(stim, s)
				resp = append(resp, r)
			}
		}
	}
	if est == ShuffleCorrected {
		return 0, inputErr("shuffle correction needs per-trial multi-component responses, not counts")
	}
	d, err := newDiscrete(stim, [][]int{resp})
	if err != nil {
		return 0, err
	}
	d.k = max(d.k, k)
	d.ks[0] = d.k
	d.ns = len(counts)
	return d.mi(est, set, set.rng())
}

// mi dispatches on the estimator.
func (d *discrete) mi(est Estimator, set *Settings, r *rand.Rand) (float64, error) {
	switch est {
	case PlugIn, MillerMadow, PanzeriTreves, NSB:
		return d.miTable(d.stim, d.joint, est, set), nil
	case QuadraticExtrapolation:
		return d.miQE(set, r)
	case ShuffleCorrected:
		return d.miShuffle(set, r)
	}
	return 0, inputErr("unknown estimator %v", est)
}

// condTables fills the marginal response counts and per-stimulus counts.
func condTables(stim, resp []int, ns, k int) (marg []int, cond [][]int, nstim []int) {
	marg = make([]int, k)
	flat := make([]int, ns*k)
	nstim = make([]int, ns)
	for i, s := range stim {
		r := resp[i]
		marg[r]++
		flat[s*k+r]++
		nstim[s]++
	}
	cond = make([][]int, ns)
	for s := range cond {
		cond[s] = flat[s*k : (s+1)*k]
	}
	return
}

// miTable is H(R) − Σ_s p(s) H(R|s) with the estimator applied to each term.
func (d *discrete) miTable(stim, resp []int, est Estimator, set *Settings) float64 {
	n := len(stim)
	if est == PlugIn && d.ns*d.k <= 1<<20 {
		// Allocation-free plug-in path: I = [Σ c_sr ln c_sr − Σ c_s ln c_s −
		// Σ c_r ln c_r + N ln N] / (N ln 2).
		m := d.ns * d.k
		b := d.buf(m + d.k + d.ns)
		flat, marg, nstim := b[:m], b[m:m+d.k], b[m+d.k:]
		for i, s := range stim {
			r := resp[i]
			flat[s*d.k+r]++
			marg[r]++
			nstim[s]++
		}
		acc := xlogx(n)
		for _, c := range flat {
			acc += xlogx(c)
		}
		for _, c := range marg {
			acc -= xlogx(c)
		}
		for _, c := range nstim {
			acc -= xlogx(c)
		}
		return max(0, acc/float64(n)/ln2) // plug-in MI >= 0; clamp rounding
	}
	marg, cond, nstim := condTables(stim, resp, d.ns, d.k)
	return entropyCounts(marg, n, est, set) - condEntropy(cond, nstim, n, est, set)
}

func condEntropy(cond [][]int, nstim []int, n int, est Estimator, set *Settings) float64 {
	h := 0.0
	for s, c := range cond {
		if nstim[s] == 0 {
			continue
		}
		h += float64(nstim[s]) / float64(n) * entropyCounts(c, nstim[s], est, set)
	}
	return h
}

// byStim groups trial indices by stimulus.
func byStim(stim []int, ns int) [][]int {
	cnt := make([]int, ns+1)
	for _, s := range stim {
		cnt[s+1]++
	}
	for s := 1; s <= ns; s++ {
		cnt[s] += cnt[s-1]
	}
	all := make([]int, len(stim))
	g := make([][]int, ns)
	for s := range g {
		g[s] = all[cnt[s]:cnt[s]:cnt[s+1]]
	}
	for i, s := range stim {
		g[s] = append(g[s], i)
	}
	return g
}

// miQE: plug-in MI of the whole sample, of two halves and of four quarters,
// each part keeping every stimulus's share of trials (trials permuted within
// stimulus), averaged over QERepeats orders; I∞ from QuadraticExtrapolate.
func (d *discrete) miQE(set *Settings, r *rand.Rand) (float64, error) {
	groups := d.stimGroups()
	for s, g := range groups {
		if len(g) > 0 && len(g) < 4 {
			return 0, fmt.Errorf("%w: quadratic extrapolation needs >= 4 trials per stimulus (stimulus %d has %d)", ErrTooFew, s, len(g))
		}
	}
	full := d.miTable(d.stim, d.joint, PlugIn, set)
	reps := set.qeRepeats()
	// One pass per order fills the four quarter tables; halves are sums of
	// quarters (the split points p·len/parts coincide).
	m := d.ns * d.k
	if need := 6*m + d.k + d.ns; cap(d.qeTab) < need {
		d.qeTab = make([]int, need)
	}
	tab := d.qeTab[:6*m+d.k+d.ns]
	q, h, work := tab[:4*m], tab[4*m:6*m], tab[6*m:]
	var i2, i4, n2, n4 float64
	for rep := 0; rep < reps; rep++ {
		clear(q)
		for s, g := range groups {
			shuffleInts(g, r)
			for p := 0; p < 4; p++ {
				lo, hi := p*len(g)/4, (p+1)*len(g)/4
				base := q[p*m+s*d.k:]
				for _, t := range g[lo:hi] {
					base[d.joint[t]]++
				}
			}
		}
		for i := 0; i < m; i++ {
			h[i] = q[i] + q[m+i]
			h[m+i] = q[2*m+i] + q[3*m+i]
		}
		for p := 0; p < 4; p++ {
			v, n := plugInFromTable(q[p*m:(p+1)*m], d.ns, d.k, work)
			i4 += v
			n4 += float64(n)
		}
		for p := 0; p < 2; p++ {
			v, n := plugInFromTable(h[p*m:(p+1)*m], d.ns, d.k, work)
			i2 += v
			n2 += float64(n)
		}
	}
	k2, k4 := float64(2*reps), float64(4*reps)
	return QuadraticExtrapolate(
		[]float64{float64(len(d.stim)), n2 / k2, n4 / k4},
		[]float64{full, i2 / k2, i4 / k4})
}

// stimGroups is byStim into d's reusable buffers.
func (d *discrete) stimGroups() [][]int {
	n := len(d.stim)
	if cap(d.qeIdx) < n+d.ns+1 {
		d.qeIdx = make([]int, n+d.ns+1)
	}
	if cap(d.qeGroups) < d.ns {
		d.qeGroups = make([][]int, d.ns)
	}
	all, cnt := d.qeIdx[:n], d.qeIdx[n:n+d.ns+1]
	clear(cnt)
	for _, s := range d.stim {
		cnt[s+1]++
	}
	for s := 1; s <= d.ns; s++ {
		cnt[s] += cnt[s-1]
	}
	g := d.qeGroups[:d.ns]
	for s := range g {
		g[s] = all[cnt[s]:cnt[s]:cnt[s+1]]
	}
	for i, s := range d.stim {
		g[s] = append(g[s], i)
	}
	return g
}

// shuffleInts is a Fisher–Yates shuffle drawing exactly what
// (*rand.Rand).Shuffle draws, without the swap closure.
func shuffleInts(x []int, r *rand.Rand) {
	for i := len(x) - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		x[i], x[j] = x[j], x[i]
	}
}

// plugInFromTable is the plug-in MI (bits) of a flat ns×k count table and
// its total count; work needs k+ns ints.
func plugInFromTable(flat []int, ns, k int, work []int) (float64, int) {
	marg, nstim := work[:k], work[k:k+ns]
	clear(marg)
	clear(nstim)
	acc, n := 0.0, 0
	for s := 0; s < ns; s++ {
		for r, c := range flat[s*k : (s+1)*k] {
			acc += xlogx(c)
			marg[r] += c
			nstim[s] += c
			n += c
		}
	}
	if n == 0 {
		return 0, 0
	}
	for _, c := range marg {
		acc -= xlogx(c)
	}
	for _, c := range nstim {
		acc -= xlogx(c)
	}
	acc += xlogx(n)
	return max(0, acc/float64(n)/ln2), n
}

// miShuffle computes I_sh = H(R) − H_ind(R|S) + H_sh(R|S) − H(R|S).
func (d *discrete) miShuffle(set *Settings, r *rand.Rand) (float64, error) {
	base := set.shuffleBase()
	if base == ShuffleCorrected || base == QuadraticExtrapolation {
		return 0, inputErr("ShuffleBase must be plugin, mm, pt or nsb, not %v", base)
	}
	if len(d.comps) == 1 {
		return d.miTable(d.stim, d.joint, base, set), nil
	}
	n := len(d.stim)
	marg, cond, nstim := condTables(d.stim, d.joint, d.ns, d.k)
	hr := entropyCounts(marg, n, base, set)
	hrs := condEntropy(cond, nstim, n, base, set)
	hind := d.indCondEntropy(nstim, base, set)
	// H_sh: shuffle each component independently within stimulus.
	groups := byStim(d.stim, d.ns)
	sh := make([][]int, len(d.comps))
	for c := range sh {
		sh[c] = make([]int, n)
	}
	perm := make([]int, 0, n)
	var joint []int
	hsh := 0.0
	reps := set.shuffles()
	for rep := 0; rep < reps; rep++ {
		for c, comp := range d.comps {
			for _, g := range groups {
				perm = append(perm[:0], g...)
				r.Shuffle(len(perm), func(i, j int) { perm[i], perm[j] = perm[j], perm[i] })
				for j, t := range g {
					sh[c][t] = comp[perm[j]]
				}
			}
		}
		joint = jointCodes(sh, d.ks, joint)
		_, scond, _ := condTables(d.stim, joint, d.ns, d.k)
		hsh += condEntropy(scond, nstim, n, base, set)
	}
	hsh /= float64(reps)
	return hr - hind + hsh - hrs, nil
}

// indCondEntropy is Σ_s p(s) H_ind(R|s) in bits, the entropy of the
// product of the per-component conditional marginals. The product
// factorises, so H_ind(R|s) = Σ_c H(R_c|s); each one-component term is
// estimated from the N_s trials of stimulus s with the base correction
// (left plug-in, its bias of about Σ_c (m_c−1)/(2N_s ln 2) would not cancel).
func (d *discrete) indCondEntropy(nstim []int, base Estimator, set *Settings) float64 {
	n := len(d.stim)
	h := 0.0
	for c, comp := range d.comps {
		_, cond, _ := condTables(d.stim, comp, d.ns, d.ks[c])
		h += condEntropy(cond, nstim, n, base, set)
	}
	return h
}
