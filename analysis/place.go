package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/neurodata/neurodata/ts"
)

// SkaggsInfo returns the Skaggs et al. (1993) spatial information of a rate
// map: I_sec = Σ p(x)·λ(x)·log₂(λ(x)/λ̄) in bits/s and I_spike = I_sec/λ̄ in
// bits/spike, with p(x) = occupancy share over bins with a finite rate and
// terms with λ = 0 counted as 0. meanRate is λ̄; pass NaN (or ≤ 0) for
// Skaggs' definition, the occupancy-weighted mean Σ p(x)λ(x). Passing the
// spikes ÷ epoch-duration rate reproduces pynapple
// compute_mutual_information.
func SkaggsInfo(rate, occupancy []float64, meanRate float64) (bitsPerSecond, bitsPerSpike float64) {
	var tot float64
	for b, r := range rate {
		if !math.IsNaN(r) {
			tot += occupancy[b]
		}
	}
	if tot == 0 {
		return math.NaN(), math.NaN()
	}
	if math.IsNaN(meanRate) || meanRate <= 0 {
		meanRate = 0
		for b, r := range rate {
			if !math.IsNaN(r) {
				meanRate += occupancy[b] / tot * r
			}
		}
	}
	if meanRate <= 0 {
		return math.NaN(), math.NaN()
	}
	var i float64
	for b, r := range rate {
		if math.IsNaN(r) || r <= 0 {
			continue
		}
		i += occupancy[b] / tot * r * math.Log2(r/meanRate)
	}
	return i, i / meanRate
}

// SkaggsSparsity is Skaggs et al. (1996) sparsity (Σ p·λ)²/Σ p·λ² over bins
// with a finite rate: 1/N for a cell firing in one of N equally visited bins,
// 1 for uniform firing.
func SkaggsSparsity(rate, occupancy []float64) float64 {
	var tot, m1, m2 float64
	for b, r := range rate {
		if math.IsNaN(r) {
			continue
		}
		tot += occupancy[b]
		m1 += occupancy[b] * r
		m2 += occupancy[b] * r * r
	}
	if tot == 0 || m2 == 0 {
		return math.NaN()
	}
	m1, m2 = m1/tot, m2/tot
	return m1 * m1 / m2
}

// MeanRateMode selects λ̄ for Skaggs information.
type MeanRateMode int

const (
	// MeanOccupancyWeighted uses Σ p(x)λ(x) (Skaggs' definition). Default.
	MeanOccupancyWeighted MeanRateMode = iota
	// MeanEpochRate uses spikes ÷ epoch duration (pynapple parity).
	MeanEpochRate
)

// PlaceSettings configures PlaceFields. nil means defaults.
type PlaceSettings struct {
	Tuning TuningSettings
	// MeanRate picks λ̄ for Skaggs information (default occupancy-weighted).
	MeanRate MeanRateMode
	// FieldThreshold is the fraction of the peak rate that delimits the
	// field around the peak (default 0.2).
	FieldThreshold float64
	// Shuffles is the number of circular time shifts for the null
	// distribution (0 = no significance test).
	Shuffles int
	// MinShift is the minimum circular shift in seconds (default 20 s, or a
	// tenth of the epoch duration if that is shorter).
	MinShift float64
	// Rand is the random source for shifts; nil means a PCG seeded with 1.
	// Each unit draws from its own stream split off this one, so results
	// do not depend on Workers.
	Rand *rand.Rand
}

// PlaceUnit holds one unit's place-field summary.
type PlaceUnit struct {
	BitsPerSecond float64 // Skaggs information, bits/s
	BitsPerSpike  float64 // Skaggs information, bits/spike (plug-in)
	// BitsPerSpikeCorrected subtracts the first-order limited-sampling bias
	// of the plug-in estimate, (B − 1)/(2·N·ln 2) bits/spike for B valid
	// bins and N spikes in them (Miller–Madow; Treves & Panzeri 1995): with
	// λ̄ occupancy-weighted, Skaggs bits/spike is the KL divergence between
	// the spike-position and occupancy distributions, whose plug-in estimate
	// from N spikes is biased upward by that amount. Meaningful for
	// unsmoothed maps only (NaN when smoothing is on).
	BitsPerSpikeCorrected  float64
	BitsPerSecondCorrected float64 // BitsPerSpikeCorrected × λ̄
	// NullMeanBitsPerSpike is the mean of the shuffle null (NaN without
	// shuffles); BitsPerSpike − NullMeanBitsPerSpike is the
	// shuffle-corrected information.
	NullMeanBitsPerSpike float64
	Sparsity             float64
	PeakRateHz           float64
	FieldCenter          []float64 // centre of the peak bin, per axis (feature units)
	FieldCOM             []float64 // rate-weighted centre of mass of the field, per axis
	FieldWidth           []float64 // extent of the field per axis (feature units)
	FieldBins            int       // bins in the field
	Z, P                 float64   // shuffle significance (NaN without shuffles)
}

// PlaceResult is the output of PlaceFields.
type PlaceResult struct {
	Tuning *TuningResult
	Units  []PlaceUnit
}

// PlaceFields computes rate maps (TuningCurves) and, per unit, Skaggs
// information, sparsity, field centre and width, and — with Shuffles > 0 —
// significance against circular time shifts of the spikes relative to the
// behaviour: z = (I − mean_null)/sd_null and p = (1 + #{null ≥ I})/(1 +
// shuffles), on bits/spike (Markus et al. 1994).
func PlaceFields(trains [][]float64, position *ts.Series, axes []Axis, s *PlaceSettings) (*PlaceResult, error) {
	var st PlaceSettings
	if s != nil {
		st = *s
	}
	if st.FieldThreshold == 0 {
		st.FieldThreshold = 0.2
	}
	tr, err := TuningCurves(trains, position, axes, &st.Tuning)
	if err != nil {
		return nil, err
	}
	ep := tr.Epochs
	dur := ep.Duration()
	if st.MinShift == 0 {
		st.MinShift = math.Min(20, dur/10)
	}
	if st.Shuffles > 0 && !(2*st.MinShift < dur) {
		return nil, fmt.Errorf("analysis: minimum shift %g s leaves no room in %g s of epochs", st.MinShift, dur)
	}
	src := st.Rand
	if src == nil {
		src = rand.New(rand.NewPCG(1, 1))
	}
	seeds := make([][2]uint64, len(trains))
	for i := range seeds {
		seeds[i] = [2]uint64{src.Uint64(), src.Uint64()}
	}
	// Pieces shared by the shuffles.
	fr := position.Restrict(ep)
	times := fr.Timestamps
	sbin := make([]int, fr.Len())
	for i := range sbin {
		sbin[i] = flatBin(tr.Axes, tr.Shape, fr.Row(i))
	}
	sigmaBins := make([]float64, len(tr.Axes))
	smooth := false
	for d := range tr.Axes {
		if d < len(st.Tuning.Smooth) && st.Tuning.Smooth[d] > 0 {
			bw := (tr.Axes[d].Max - tr.Axes[d].Min) / float64(tr.Shape[d])
			sigmaBins[d] = st.Tuning.Smooth[d] / bw
			smooth = true
		}
	}
	mapper := &rateMapper{axes: tr.Axes, shape: tr.Shape, valid: tr.Valid, sigma: sigmaBins, smooth: smooth}
	occ := tr.OccupancySeconds
	info := func(rate []float64, epochRate float64) (float64, float64) {
		m := math.NaN()
		if st.MeanRate == MeanEpochRate {
			m = epochRate
		}
		return SkaggsInfo(rate, occ, m)
	}
	res := &PlaceResult{Tuning: tr, Units: make([]PlaceUnit, len(trains))}
	ts.ParallelFor(len(trains), st.Tuning.Workers, func(u int) {
		rate := tr.RateHz[u]
		pu := PlaceUnit{Z: math.NaN(), P: math.NaN(), NullMeanBitsPerSpike: math.NaN(),
			BitsPerSpikeCorrected: math.NaN(), BitsPerSecondCorrected: math.NaN()}
		pu.BitsPerSecond, pu.BitsPerSpike = info(rate, tr.EpochRateHz[u])
		if !smooth {
			var nsp, nb float64
			for b, ok := range tr.Valid {
				if ok {
					nsp += tr.Counts[u][b]
					nb++
				}
			}
			if nsp > 0 && pu.BitsPerSpike > 0 {
				pu.BitsPerSpikeCorrected = pu.BitsPerSpike - (nb-1)/(2*nsp*math.Ln2)
				pu.BitsPerSecondCorrected = pu.BitsPerSpikeCorrected * pu.BitsPerSecond / pu.BitsPerSpike
			}
		}
		pu.Sparsity = SkaggsSparsity(rate, occ)
		fieldOf(&pu, rate, tr, st.FieldThreshold)
		if st.Shuffles > 0 && !math.IsNaN(pu.BitsPerSpike) {
			rng := rand.New(rand.NewPCG(seeds[u][0], seeds[u][1]))
			sp := ts.RestrictTimes(nil, trains[u], ep)
			comp := compress(ep, sp)
			shifted := make([]float64, len(sp))
			idx := make([]int, len(sp))
			cnt := make([]float64, len(occ))
			rbuf := make([]float64, len(occ))
			null := make([]float64, st.Shuffles)
			for k := range null {
				shift := st.MinShift + rng.Float64()*(dur-2*st.MinShift)
				rotate(shifted, comp, shift, dur)
				expand(ep, shifted)
				idx = nearestSamples(idx, times, ep, shifted)
				clear(cnt)
				for _, i := range idx {
					if i >= 0 && sbin[i] >= 0 {
						cnt[sbin[i]]++
					}
				}
				rbuf = mapper.rates(rbuf, cnt, occ)
				_, null[k] = info(rbuf, tr.EpochRateHz[u])
			}
			pu.Z, pu.P, pu.NullMeanBitsPerSpike = shuffleStats(pu.BitsPerSpike, null)
		}
		res.Units[u] = pu
	})
	tr.Provenance.Analysis = "place_fields"
	tr.Provenance.Params["shuffles"] = fmt.Sprint(st.Shuffles)
	tr.Provenance.Params["min_shift_s"] = fmt.Sprint(st.MinShift)
	tr.Provenance.Params["mean_rate"] = [...]string{"occupancy_weighted", "epoch"}[st.MeanRate]
	return res, nil
}

// shuffleStats returns z and the permutation p of obs against a null sample.
func shuffleStats(obs float64, null []float64) (z, p, mean float64) {
	var m, v float64
	ge := 0
	n := 0
	for _, x := range null {
		if math.IsNaN(x) {
			continue
		}
		m += x
		n++
		if x >= obs {
			ge++
		}
	}
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	m /= float64(n)
	for _, x := range null {
		if !math.IsNaN(x) {
			v += (x - m) * (x - m)
		}
	}
	sd := math.Sqrt(v / float64(n))
	z = math.NaN()
	if sd > 0 {
		z = (obs - m) / sd
	}
	return z, float64(1+ge) / float64(1+len(null)), m
}

// compress maps sorted times inside ep to the concatenated epoch time axis
// [0, ep.Duration()).
func compress(ep ts.IntervalSet, t []float64) []float64 {
	out := make([]float64, len(t))
	off, e := 0.0, 0
	for i, x := range t {
		for e < ep.Len() && x > ep.At(e).End {
			off += ep.At(e).Duration()
			e++
		}
		out[i] = off + (x - ep.At(e).Start)
	}
	return out
}

// rotate writes the circular shift of sorted compressed times c by shift
// (mod period) into dst, sorted.
func rotate(dst, c []float64, shift, period float64) {
	k := sort.SearchFloat64s(c, period-shift) // first wrapping element
	n := 0
	for _, x := range c[k:] {
		v := x + shift - period
		if v < 0 {
			v = 0
		}
		dst[n] = v
		n++
	}
	for _, x := range c[:k] {
		dst[n] = x + shift
		if n > 0 && dst[n] < dst[n-1] { // rounding at the seam
			dst[n] = dst[n-1]
		}
		n++
	}
}

// expand maps sorted compressed times back to real time in place.
func expand(ep ts.IntervalSet, c []float64) {
	off, e := 0.0, 0
	for i, x := range c {
		for e < ep.Len()-1 && x >= off+ep.At(e).Duration() {
			off += ep.At(e).Duration()
			e++
		}
		c[i] = ep.At(e).Start + (x - off)
	}
}

// fieldOf finds the peak bin and the face-connected region around it with
// rate ≥ thr·peak.
func fieldOf(pu *PlaceUnit, rate []float64, tr *TuningResult, thr float64) {
	nd := len(tr.Shape)
	peak := -1
	for b, r := range rate {
		if !math.IsNaN(r) && (peak < 0 || r > rate[peak]) {
			peak = b
		}
	}
	pu.PeakRateHz = math.NaN()
	pu.FieldCenter = nanSlice(nd)
	pu.FieldCOM = nanSlice(nd)
	pu.FieldWidth = nanSlice(nd)
	if peak < 0 || rate[peak] <= 0 {
		if peak >= 0 {
			pu.PeakRateHz = rate[peak]
		}
		return
	}
	pu.PeakRateHz = rate[peak]
	cut := thr * rate[peak]
	strides := make([]int, nd)
	st := 1
	for d := nd - 1; d >= 0; d-- {
		strides[d] = st
		st *= tr.Shape[d]
	}
	coord := func(b, d int) int { return (b / strides[d]) % tr.Shape[d] }
	centers := make([][]float64, nd)
	for d := range centers {
		centers[d] = tr.Axes[d].Centers()
		pu.FieldCenter[d] = centers[d][coord(peak, d)]
	}
	in := map[int]bool{peak: true}
	queue := []int{peak}
	lo, hi := make([]int, nd), make([]int, nd)
	for d := range lo {
		lo[d], hi[d] = coord(peak, d), coord(peak, d)
	}
	com := make([]float64, nd)
	var wsum float64
	// For circular axes the COM uses the unwrapped offset from the peak.
	for len(queue) > 0 {
		b := queue[0]
		queue = queue[1:]
		for d := 0; d < nd; d++ {
			c := coord(b, d)
			off := c - coord(peak, d)
			if tr.Axes[d].Circular {
				n := tr.Shape[d]
				off = ((off+n/2)%n+n)%n - n/2
			}
			com[d] += rate[b] * float64(off)
		}
		wsum += rate[b]
		for d := 0; d < nd; d++ {
			c := coord(b, d)
			for _, step := range []int{-1, 1} {
				nc := c + step
				if tr.Axes[d].Circular {
					nc = (nc + tr.Shape[d]) % tr.Shape[d]
				} else if nc < 0 || nc >= tr.Shape[d] {
					continue
				}
				nb := b + (nc-c)*strides[d]
				if in[nb] || math.IsNaN(rate[nb]) || rate[nb] < cut {
					continue
				}
				in[nb] = true
				queue = append(queue, nb)
				if nc < lo[d] {
					lo[d] = nc
				}
				if nc > hi[d] {
					hi[d] = nc
				}
			}
		}
	}
	pu.FieldBins = len(in)
	for d := 0; d < nd; d++ {
		bw := (tr.Axes[d].Max - tr.Axes[d].Min) / float64(tr.Shape[d])
		if len(tr.Axes[d].Edges) > 1 {
			bw = (tr.Axes[d].Edges[len(tr.Axes[d].Edges)-1] - tr.Axes[d].Edges[0]) / float64(tr.Shape[d])
		}
		pu.FieldWidth[d] = float64(hi[d]-lo[d]+1) * bw
		if tr.Axes[d].Circular {
			// count distinct coordinates along d for a wrapped field
			seen := map[int]bool{}
			for b := range in {
				seen[coord(b, d)] = true
			}
			pu.FieldWidth[d] = float64(len(seen)) * bw
		}
		pu.FieldCOM[d] = pu.FieldCenter[d] + com[d]/wsum*bw
		if tr.Axes[d].Circular {
			p := tr.Axes[d].Max - tr.Axes[d].Min
			pu.FieldCOM[d] = tr.Axes[d].Min + math.Mod(math.Mod(pu.FieldCOM[d]-tr.Axes[d].Min, p)+p, p)
		}
	}
}

func nanSlice(n int) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = math.NaN()
	}
	return s
}
