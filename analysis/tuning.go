package analysis

import (
	"fmt"
	"math"
	"sort"

	"github.com/neurodata/neurodata/ts"
	"gonum.org/v1/gonum/stat"
)

// Axis describes how one feature (one channel of the feature series) is
// binned.
type Axis struct {
	Name string
	// Bins is the number of equal-width bins (default 10, as pynapple).
	Bins int
	// Min, Max give the binning range in feature units. When both are 0 the
	// range is the min and max of the feature within the epochs (numpy
	// histogramdd autodetection). Values outside the range are dropped.
	Min, Max float64
	// Edges, if set, are explicit sorted bin edges and override Bins/Min/Max.
	// Bins are [a, b) except the last, which is [a, b] (numpy convention).
	Edges []float64
	// Circular wraps values into [Min, Max) before binning (period Max −
	// Min; e.g. 0–360 for head direction in degrees) and makes smoothing
	// wrap around. Requires an explicit range.
	Circular bool
}

// Centers returns the bin centres of a resolved axis.
func (a Axis) Centers() []float64 {
	c := make([]float64, len(a.Edges)-1)
	for i := range c {
		c[i] = (a.Edges[i] + a.Edges[i+1]) / 2
	}
	return c
}

// bin returns the bin of x on a resolved axis, or −1.
func (a *Axis) bin(x float64) int {
	if math.IsNaN(x) {
		return -1
	}
	e := a.Edges
	if a.Circular {
		p := a.Max - a.Min
		x = a.Min + math.Mod(x-a.Min, p)
		if x < a.Min {
			x += p
		}
		if x >= a.Max { // rounding
			x = a.Min
		}
	}
	n := len(e) - 1
	if x < e[0] || x > e[n] {
		return -1
	}
	if x == e[n] {
		return n - 1
	}
	// first edge > x, minus one (searchsorted side='right' − 1)
	return sort.Search(len(e), func(i int) bool { return e[i] > x }) - 1
}

// linspaceEdges reproduces numpy.linspace(lo, hi, n+1).
func linspaceEdges(lo, hi float64, n int) []float64 {
	e := make([]float64, n+1)
	step := (hi - lo) / float64(n)
	for i := 0; i < n; i++ {
		e[i] = float64(i)*step + lo
	}
	e[n] = hi
	return e
}

// OccupancyMode chooses how time spent per bin is measured.
type OccupancyMode int

const (
	// OccupancyDwell sums each sample's exact dwell time (time to the next
	// sample, clipped at the epoch end; see ts.Series.Dwell). Default.
	OccupancyDwell OccupancyMode = iota
	// OccupancySamples counts samples and divides by fs = 1/mean Δt
	// (pynapple compute_tuning_curves).
	OccupancySamples
)

// TuningSettings configures TuningCurves. nil means the defaults.
type TuningSettings struct {
	// Epochs restricts spikes and features (default: the feature support).
	Epochs ts.IntervalSet
	// Occupancy is the occupancy measure (default OccupancyDwell).
	Occupancy OccupancyMode
	// MinOccupancy masks (NaN) bins visited for less than this many seconds.
	MinOccupancy float64
	// Smooth is the Gaussian sigma per axis in feature units (e.g. meters,
	// degrees); 0 or missing means no smoothing on that axis. Smoothing is
	// mask-aware: smoothed counts ÷ smoothed occupancy over valid bins only,
	// so unvisited bins neither leak in nor get filled; circular axes wrap.
	Smooth []float64
	// SplitHalf also computes each unit's split-half reliability: the
	// Pearson r between the maps of the first and second half of the epoch
	// time.
	SplitHalf bool
	Workers   int
}

// TuningResult holds N-D tuning curves; maps are flat, row-major over Shape
// (the last axis varies fastest).
type TuningResult struct {
	Axes             []Axis // resolved axes (Edges filled)
	Shape            []int
	OccupancySeconds []float64
	Valid            []bool      // visited and ≥ MinOccupancy
	Counts           [][]float64 // per unit, spikes per bin (unsmoothed)
	RateHz           [][]float64 // per unit, Hz; NaN where !Valid; smoothed if set
	EpochRateHz      []float64   // spikes in the epochs ÷ epoch duration
	MeanRateHz       []float64   // occupancy-weighted Σ p(x)·λ(x) over valid bins
	SplitHalfR       []float64   // NaN unless SplitHalf
	FS               float64     // 1 / mean sampling interval of the feature, Hz
	Epochs           ts.IntervalSet
	Provenance       Provenance
}

// TuningCurves computes occupancy-normalised N-D tuning curves of spike
// trains against the channels of a feature series (one Axis per channel).
// Each spike takes the feature value of the nearest sample in the same
// epoch (pynapple value_from); no interpolation.
func TuningCurves(trains [][]float64, feature *ts.Series, axes []Axis, s *TuningSettings) (*TuningResult, error) {
	var st TuningSettings
	if s != nil {
		st = *s
	}
	if feature == nil || feature.Channels != len(axes) {
		return nil, fmt.Errorf("analysis: %d axes for a feature with %d channels", len(axes), chans(feature))
	}
	ep := feature.Support
	if st.Epochs.Len() > 0 {
		ep = ep.Intersect(st.Epochs)
	}
	if ep.Duration() <= 0 {
		return nil, fmt.Errorf("analysis: tuning epochs are empty")
	}
	fr := feature.Restrict(ep)
	n := fr.Len()
	if n == 0 {
		return nil, fmt.Errorf("analysis: no feature samples inside the epochs")
	}
	res := &TuningResult{Epochs: ep}
	res.Axes = make([]Axis, len(axes))
	size := 1
	for d, a := range axes {
		r, err := resolveAxis(a, fr, d)
		if err != nil {
			return nil, err
		}
		res.Axes[d] = r
		res.Shape = append(res.Shape, len(r.Edges)-1)
		size *= len(r.Edges) - 1
		if size > 1<<26 {
			return nil, fmt.Errorf("analysis: tuning map with more than %d bins", 1<<26)
		}
	}
	// Flat bin per sample.
	sbin := make([]int, n)
	for i := 0; i < n; i++ {
		sbin[i] = flatBin(res.Axes, res.Shape, fr.Row(i))
	}
	// fs and occupancy.
	times := fr.Timestamps
	var dsum float64
	var dn int
	for i := 0; i+1 < n; i++ {
		if ep.Find(times[i]) == ep.Find(times[i+1]) {
			dsum += times[i+1] - times[i]
			dn++
		}
	}
	res.FS = math.NaN()
	if dn > 0 {
		res.FS = float64(dn) / dsum
	}
	w := make([]float64, n) // seconds each sample contributes
	if st.Occupancy == OccupancySamples {
		if math.IsNaN(res.FS) {
			return nil, fmt.Errorf("analysis: cannot estimate the sampling rate from %d sample(s)", n)
		}
		for i := range w {
			w[i] = 1 / res.FS
		}
	} else {
		w = fr.Dwell()
	}
	half := math.NaN()
	if st.SplitHalf {
		half = splitTime(ep)
	}
	occ := make([]float64, size)
	var occH [2][]float64
	if st.SplitHalf {
		occH = [2][]float64{make([]float64, size), make([]float64, size)}
	}
	for i, b := range sbin {
		if b < 0 {
			continue
		}
		occ[b] += w[i]
		if st.SplitHalf {
			occH[halfOf(times[i], half)][b] += w[i]
		}
	}
	res.OccupancySeconds = occ
	res.Valid = make([]bool, size)
	for b, o := range occ {
		res.Valid[b] = o > 0 && o >= st.MinOccupancy
	}
	sigmaBins := make([]float64, len(res.Axes))
	smooth := false
	for d := range res.Axes {
		if d < len(st.Smooth) && st.Smooth[d] > 0 {
			bw := (res.Axes[d].Edges[len(res.Axes[d].Edges)-1] - res.Axes[d].Edges[0]) / float64(res.Shape[d])
			sigmaBins[d] = st.Smooth[d] / bw
			smooth = true
		}
	}
	mapper := &rateMapper{axes: res.Axes, shape: res.Shape, valid: res.Valid, sigma: sigmaBins, smooth: smooth}
	dur := ep.Duration()
	nu := len(trains)
	res.Counts = make([][]float64, nu)
	res.RateHz = make([][]float64, nu)
	res.EpochRateHz = make([]float64, nu)
	res.MeanRateHz = make([]float64, nu)
	res.SplitHalfR = make([]float64, nu)
	ts.ParallelFor(nu, st.Workers, func(u int) {
		sp := ts.RestrictTimes(nil, trains[u], ep)
		idx := nearestSamples(nil, times, ep, sp)
		cnt := make([]float64, size)
		var cntH [2][]float64
		if st.SplitHalf {
			cntH = [2][]float64{make([]float64, size), make([]float64, size)}
		}
		for k, i := range idx {
			if i < 0 || sbin[i] < 0 {
				continue
			}
			cnt[sbin[i]]++
			if st.SplitHalf {
				cntH[halfOf(sp[k], half)][sbin[i]]++
			}
		}
		res.Counts[u] = cnt
		res.RateHz[u] = mapper.rates(nil, cnt, occ)
		res.EpochRateHz[u] = float64(len(sp)) / dur
		res.MeanRateHz[u] = weightedMean(res.RateHz[u], occ)
		res.SplitHalfR[u] = math.NaN()
		if st.SplitHalf {
			a := mapper.rates(nil, cntH[0], occH[0])
			b := mapper.rates(nil, cntH[1], occH[1])
			res.SplitHalfR[u] = pearsonValid(a, b)
		}
	})
	res.Provenance = Provenance{Analysis: "tuning_curves", Version: Version, Bins: res.Shape,
		Params: map[string]string{"occupancy": [...]string{"dwell", "samples"}[st.Occupancy],
			"min_occupancy_s": fmt.Sprint(st.MinOccupancy), "smooth": fmt.Sprint(st.Smooth)}}
	return res, nil
}

func chans(s *ts.Series) int {
	if s == nil {
		return 0
	}
	return s.Channels
}

func resolveAxis(a Axis, fr *ts.Series, d int) (Axis, error) {
	if len(a.Edges) > 0 {
		if len(a.Edges) < 2 || !sort.Float64sAreSorted(a.Edges) {
			return a, fmt.Errorf("analysis: axis %d (%s): edges must be sorted with at least 2 values", d, a.Name)
		}
		a.Edges = append([]float64(nil), a.Edges...)
		a.Min, a.Max = a.Edges[0], a.Edges[len(a.Edges)-1]
		a.Bins = len(a.Edges) - 1
		if a.Circular && !(a.Max > a.Min) {
			return a, fmt.Errorf("analysis: axis %d (%s): circular axis needs a range", d, a.Name)
		}
		return a, nil
	}
	if a.Bins == 0 {
		a.Bins = 10
	}
	if a.Bins < 1 || a.Bins > 1<<24 {
		return a, fmt.Errorf("analysis: axis %d (%s): %d bins", d, a.Name, a.Bins)
	}
	if a.Min == 0 && a.Max == 0 {
		if a.Circular {
			return a, fmt.Errorf("analysis: axis %d (%s): circular axis needs an explicit range (e.g. 0–360)", d, a.Name)
		}
		lo, hi := math.Inf(1), math.Inf(-1)
		for i := 0; i < fr.Len(); i++ {
			v := fr.At(i, d)
			if math.IsNaN(v) {
				continue
			}
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		if lo > hi || math.IsInf(lo, 0) || math.IsInf(hi, 0) {
			return a, fmt.Errorf("analysis: axis %d (%s): feature has no finite values in the epochs", d, a.Name)
		}
		if lo == hi {
			lo, hi = lo-0.5, hi+0.5
		}
		a.Min, a.Max = lo, hi
	}
	if !(a.Max > a.Min) || math.IsInf(a.Max-a.Min, 0) {
		return a, fmt.Errorf("analysis: axis %d (%s): range [%g, %g] is empty", d, a.Name, a.Min, a.Max)
	}
	a.Edges = linspaceEdges(a.Min, a.Max, a.Bins)
	return a, nil
}

func flatBin(axes []Axis, shape []int, v []float64) int {
	b := 0
	for d := range axes {
		k := axes[d].bin(v[d])
		if k < 0 {
			return -1
		}
		b = b*shape[d] + k
	}
	return b
}

// splitTime returns the time at which half of ep's duration has elapsed.
func splitTime(ep ts.IntervalSet) float64 {
	h := ep.Duration() / 2
	for i := 0; i < ep.Len(); i++ {
		iv := ep.At(i)
		if iv.Duration() >= h {
			return iv.Start + h
		}
		h -= iv.Duration()
	}
	_, e, _ := ep.Bounds()
	return e
}

func halfOf(t, split float64) int {
	if t < split {
		return 0
	}
	return 1
}

// nearestSamples maps sorted spike times to the index of the nearest sample
// of sorted sample times in the same epoch of ep (ties to the earlier
// sample), −1 if the epoch has no sample. Linear merge.
func nearestSamples(dst []int, times []float64, ep ts.IntervalSet, spikes []float64) []int {
	if cap(dst) < len(spikes) {
		dst = make([]int, len(spikes))
	}
	dst = dst[:len(spikes)]
	j := 0
	for k, t := range spikes {
		for j < len(times) && times[j] < t {
			j++
		}
		e := ep.Find(t)
		best := -1
		if e >= 0 {
			iv := ep.At(e)
			if j > 0 && times[j-1] >= iv.Start {
				best = j - 1
			}
			if j < len(times) && times[j] <= iv.End {
				if best < 0 || times[j]-t < t-times[best] {
					best = j
				}
			}
		}
		dst[k] = best
	}
	return dst
}

func weightedMean(rate, occ []float64) float64 {
	var s, w float64
	for b, r := range rate {
		if math.IsNaN(r) {
			continue
		}
		s += r * occ[b]
		w += occ[b]
	}
	if w == 0 {
		return math.NaN()
	}
	return s / w
}

func pearsonValid(a, b []float64) float64 {
	var x, y []float64
	for i := range a {
		if !math.IsNaN(a[i]) && !math.IsNaN(b[i]) {
			x = append(x, a[i])
			y = append(y, b[i])
		}
	}
	if len(x) < 3 {
		return math.NaN()
	}
	return stat.Correlation(x, y, nil)
}

// rateMapper turns counts and occupancy into rate maps with the mask and
// optional mask-aware Gaussian smoothing.
type rateMapper struct {
	axes   []Axis
	shape  []int
	valid  []bool
	sigma  []float64 // per axis, in bins
	smooth bool
}

func (m *rateMapper) rates(dst, cnt, occ []float64) []float64 {
	n := len(cnt)
	if cap(dst) < n {
		dst = make([]float64, n)
	}
	dst = dst[:n]
	if !m.smooth {
		for b := range dst {
			if m.valid[b] && occ[b] > 0 {
				dst[b] = cnt[b] / occ[b]
			} else {
				dst[b] = math.NaN()
			}
		}
		return dst
	}
	c := make([]float64, n)
	o := make([]float64, n)
	for b := range c {
		if m.valid[b] {
			c[b], o[b] = cnt[b], occ[b]
		}
	}
	for d := range m.shape {
		if m.sigma[d] > 0 {
			c = smoothAxis(c, m.shape, d, m.sigma[d], m.axes[d].Circular)
			o = smoothAxis(o, m.shape, d, m.sigma[d], m.axes[d].Circular)
		}
	}
	for b := range dst {
		if m.valid[b] && o[b] > 0 {
			dst[b] = c[b] / o[b]
		} else {
			dst[b] = math.NaN()
		}
	}
	return dst
}

// smoothAxis convolves a row-major N-D array along axis d with a Gaussian
// of sigma bins (truncated at 4σ; zero padding, or wrap-around if circular).
func smoothAxis(x []float64, shape []int, d int, sigma float64, circular bool) []float64 {
	k := gaussKernel(sigma)
	h := len(k) / 2
	var ks float64
	for _, v := range k {
		ks += v
	}
	for i := range k {
		k[i] /= ks
	}
	stride := 1
	for j := d + 1; j < len(shape); j++ {
		stride *= shape[j]
	}
	nd := shape[d]
	out := make([]float64, len(x))
	outer := len(x) / (nd * stride)
	for o := 0; o < outer; o++ {
		for in := 0; in < stride; in++ {
			base := o*nd*stride + in
			for i := 0; i < nd; i++ {
				var s float64
				for j := -h; j <= h; j++ {
					p := i + j
					if circular {
						p = ((p % nd) + nd) % nd
					} else if p < 0 || p >= nd {
						continue
					}
					s += k[j+h] * x[base+p*stride]
				}
				out[base+i*stride] = s
			}
		}
	}
	return out
}

// SignalTuningCurves is TuningCurves for a continuous signal (e.g. dF/F,
// one curve per channel): each signal sample inside the epochs takes the
// feature value of the nearest feature sample in the same epoch, and the
// curve is the mean of the signal samples per bin (pynapple's TsdFrame
// tuning). Bins without samples are NaN. RateHz holds the means (signal
// units), Counts the number of samples; OccupancySeconds is the feature's
// occupancy as in TuningCurves. Smoothing, if set, averages the per-bin
// sums and counts with the same mask-aware kernel.
func SignalTuningCurves(signal *ts.Series, feature *ts.Series, axes []Axis, s *TuningSettings) (*TuningResult, error) {
	if signal == nil || signal.Channels <= 0 {
		return nil, fmt.Errorf("analysis: no signal")
	}
	var st TuningSettings
	if s != nil {
		st = *s
	}
	st.SplitHalf = false
	res, err := TuningCurves(nil, feature, axes, &st)
	if err != nil {
		return nil, err
	}
	ep := res.Epochs
	fr := feature.Restrict(ep)
	sig := signal.Restrict(ep)
	stimes := sig.Timestamps
	idx := nearestSamples(nil, fr.Timestamps, ep, stimes)
	size := len(res.OccupancySeconds)
	sbin := make([]int, len(idx))
	for k, i := range idx {
		sbin[k] = -1
		if i >= 0 {
			sbin[k] = flatBin(res.Axes, res.Shape, fr.Row(i))
		}
	}
	valid := make([]bool, size)
	sigmaBins := make([]float64, len(res.Axes))
	smooth := false
	for d := range res.Axes {
		if d < len(st.Smooth) && st.Smooth[d] > 0 {
			sigmaBins[d] = st.Smooth[d] / ((res.Axes[d].Max - res.Axes[d].Min) / float64(res.Shape[d]))
			smooth = true
		}
	}
	nc := sig.Channels
	res.Counts = make([][]float64, nc)
	res.RateHz = make([][]float64, nc)
	res.MeanRateHz = make([]float64, nc)
	res.EpochRateHz = make([]float64, nc)
	res.SplitHalfR = make([]float64, nc)
	cnt := make([]float64, size)
	for _, b := range sbin {
		if b >= 0 {
			cnt[b]++
		}
	}
	for b := range valid {
		valid[b] = cnt[b] > 0 && res.Valid[b]
	}
	mapper := &rateMapper{axes: res.Axes, shape: res.Shape, valid: valid, sigma: sigmaBins, smooth: smooth}
	ts.ParallelFor(nc, st.Workers, func(c int) {
		sum := make([]float64, size)
		var tot float64
		var n int
		for k, b := range sbin {
			v := sig.Data[k*nc+c]
			if b < 0 || math.IsNaN(v) {
				continue
			}
			sum[b] += v
			tot += v
			n++
		}
		res.Counts[c] = append([]float64(nil), cnt...)
		res.RateHz[c] = mapper.rates(nil, sum, cnt) // mean = Σ / n per bin
		res.MeanRateHz[c] = weightedMean(res.RateHz[c], cnt)
		res.EpochRateHz[c] = tot / float64(max(n, 1))
		res.SplitHalfR[c] = math.NaN()
	})
	res.Valid = valid
	res.Provenance.Analysis = "signal_tuning_curves"
	return res, nil
}
