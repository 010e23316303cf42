package info

import "math"

// Specific holds per-stimulus information from the plug-in joint
// distribution, in bits (log base 2). Both measures average to the plug-in
// I(S;R): Σ_s P(s)·SSI(s) = Σ_s P(s)·Isp(s) = I(S;R).
type Specific struct {
	// PStim is P(s), the stimulus probabilities.
	PStim []float64
	// SSI is the stimulus-specific information (Butts 2003):
	// SSI(s) = Σ_r P(r|s)·[H(S) − H(S|r)].
	SSI []float64
	// Isp is the specific surprise (DeWeese & Meister 1999):
	// Isp(s) = Σ_r P(r|s)·log₂[P(r|s)/P(r)].
	Isp []float64
}

// SpecificFromCounts computes SSI and specific surprise, in bits (log base 2),
// from a joint count table counts[s][r]. Stimuli with no trials get NaN.
func SpecificFromCounts(counts [][]int) (Specific, error) {
	if len(counts) == 0 || len(counts[0]) == 0 {
		return Specific{}, inputErr("empty count table")
	}
	ns, k := len(counts), len(counts[0])
	nstim := make([]float64, ns)
	nresp := make([]float64, k)
	total := 0.0
	for s, row := range counts {
		if len(row) != k {
			return Specific{}, inputErr("count table row %d has %d columns, row 0 has %d", s, len(row), k)
		}
		for r, c := range row {
			if c < 0 {
				return Specific{}, inputErr("negative count %d at [%d][%d]", c, s, r)
			}
			nstim[s] += float64(c)
			nresp[r] += float64(c)
			total += float64(c)
		}
	}
	if total == 0 {
		return Specific{}, ErrTooFew
	}
	out := Specific{PStim: make([]float64, ns), SSI: make([]float64, ns), Isp: make([]float64, ns)}
	hs := 0.0
	for s := range nstim {
		out.PStim[s] = nstim[s] / total
		if nstim[s] > 0 {
			hs -= out.PStim[s] * math.Log2(out.PStim[s])
		}
	}
	// i(r) = H(S) − H(S|r): information gained about S from response r.
	ir := make([]float64, k)
	for r := 0; r < k; r++ {
		if nresp[r] == 0 {
			continue
		}
		h := 0.0
		for s := 0; s < ns; s++ {
			if c := float64(counts[s][r]); c > 0 {
				p := c / nresp[r]
				h -= p * math.Log2(p)
			}
		}
		ir[r] = hs - h
	}
	for s := 0; s < ns; s++ {
		if nstim[s] == 0 {
			out.SSI[s], out.Isp[s] = math.NaN(), math.NaN()
			continue
		}
		var ssi, isp float64
		for r := 0; r < k; r++ {
			c := float64(counts[s][r])
			if c == 0 {
				continue
			}
			prs := c / nstim[s]
			ssi += prs * ir[r]
			isp += prs * math.Log2(prs/(nresp[r]/total))
		}
		out.SSI[s], out.Isp[s] = ssi, isp
	}
	return out, nil
}

// SpecificInfo computes SSI and specific surprise, in bits (log base 2), from
// per-trial stimulus and response codes (plug-in probabilities).
func SpecificInfo(stim, resp []int) (Specific, error) {
	d, err := newDiscrete(stim, [][]int{resp})
	if err != nil {
		return Specific{}, err
	}
	return SpecificFromCounts(JointCounts(stim, resp, d.ns, d.k))
}

// JointCounts tabulates counts[s][r] for codes in [0, ns) × [0, k); codes
// out of range are an error-free caller responsibility and panic.
func JointCounts(stim, resp []int, ns, k int) [][]int {
	_, cond, _ := condTables(stim, resp, ns, k)
	return cond
}
