package analysis

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/neurodata/neurodata/ts"
)

// Conditions labels each presentation (row of an intervals table) with a
// condition key. Blank[i] marks blank presentations (e.g. NaN orientation
// or an is_blank flag); they are summarised separately, never as a
// condition.
type Conditions struct {
	Keys  []string
	Blank []bool
	// Values holds the numeric value(s) of each presentation's key when the
	// conditions were built from numeric columns (nil otherwise); used to
	// order conditions numerically.
	Values [][]float64
}

// NumericConditions builds conditions from one or more numeric columns
// (e.g. orientation, or orientation and temporal_frequency). A presentation
// is blank when any of its values is NaN. Keys join the values with ",".
func NumericConditions(cols ...[]float64) (Conditions, error) {
	if len(cols) == 0 {
		return Conditions{}, fmt.Errorf("analysis: no condition columns")
	}
	n := len(cols[0])
	c := Conditions{Keys: make([]string, n), Blank: make([]bool, n), Values: make([][]float64, n)}
	for j, col := range cols {
		if len(col) != n {
			return Conditions{}, fmt.Errorf("analysis: condition column %d has %d rows, column 0 has %d", j, len(col), n)
		}
	}
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.Reset()
		v := make([]float64, len(cols))
		for j, col := range cols {
			v[j] = col[i]
			if math.IsNaN(col[i]) {
				c.Blank[i] = true
			}
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatFloat(col[i], 'g', -1, 64))
		}
		c.Keys[i], c.Values[i] = b.String(), v
	}
	return c, nil
}

// StringConditions builds conditions from one or more text columns. A
// presentation is blank when any value is empty, "nan", "null" or "blank"
// (case-insensitive).
func StringConditions(cols ...[]string) (Conditions, error) {
	if len(cols) == 0 {
		return Conditions{}, fmt.Errorf("analysis: no condition columns")
	}
	n := len(cols[0])
	c := Conditions{Keys: make([]string, n), Blank: make([]bool, n)}
	for j, col := range cols {
		if len(col) != n {
			return Conditions{}, fmt.Errorf("analysis: condition column %d has %d rows, column 0 has %d", j, len(col), n)
		}
	}
	for i := 0; i < n; i++ {
		parts := make([]string, len(cols))
		for j, col := range cols {
			parts[j] = col[i]
			switch strings.ToLower(strings.TrimSpace(col[i])) {
			case "", "nan", "null", "blank":
				c.Blank[i] = true
			}
		}
		c.Keys[i] = strings.Join(parts, ",")
	}
	return c, nil
}

// Anchor selects which interval edge a response window is relative to.
type Anchor int

const (
	AlignStart Anchor = iota // window relative to the presentation start
	AlignStop                // window relative to the presentation stop
)

func (a Anchor) String() string {
	if a == AlignStop {
		return "stop"
	}
	return "start"
}

// ConditionSettings configures ConditionTuning. nil means: window = the
// whole presentation [start, stop), aligned to start.
type ConditionSettings struct {
	// Window is [from, to] seconds relative to Align. If both are 0 the
	// window is the whole presentation [start, stop).
	Window [2]float64
	Align  Anchor
	// KeepTrials keeps the per-presentation rates (units × presentations)
	// in the result for reliability, running modulation or export.
	KeepTrials bool
	Workers    int
}

// UnitConditionTuning is one unit's response per condition.
type UnitConditionTuning struct {
	RateHz      []float64 // mean rate per condition (Hz)
	SEMHz       []float64 // standard error of the mean across trials (ddof = 1)
	BlankRateHz float64   // mean rate over blank presentations (NaN if none)
	BlankSEMHz  float64
	// TrialRateHz[i] is the rate in presentation i's window (KeepTrials only).
	TrialRateHz []float64 `json:",omitempty"`
}

// ConditionResult is the output of ConditionTuning.
type ConditionResult struct {
	Conditions []string    // non-blank condition keys, sorted (numerically when numeric)
	Values     [][]float64 // numeric values per condition, if numeric
	NTrials    []int       // presentations per condition
	NBlank     int         // number of blank presentations
	Condition  []int       // condition index per presentation (−1 for blanks)
	Units      []UnitConditionTuning
	Provenance Provenance
}

// ConditionTuning computes each unit's mean rate (Hz), SEM and trial count
// per condition. Spikes are counted half-open in each presentation's window
// and divided by the window length. trains are sorted spike times per unit
// (seconds); starts/stops are the presentation intervals.
func ConditionTuning(trains [][]float64, starts, stops []float64, cond Conditions, s *ConditionSettings) (*ConditionResult, error) {
	var st ConditionSettings
	if s != nil {
		st = *s
	}
	n := len(starts)
	if len(stops) != n || len(cond.Keys) != n || (cond.Blank != nil && len(cond.Blank) != n) {
		return nil, fmt.Errorf("analysis: %d starts, %d stops, %d condition keys", n, len(stops), len(cond.Keys))
	}
	ws, we, err := Windows(starts, stops, st.Window, st.Align)
	if err != nil {
		return nil, err
	}
	res := &ConditionResult{Condition: make([]int, n)}
	res.Provenance = Provenance{Analysis: "condition_tuning", Version: Version, Window: st.Window, Align: st.Align.String()}
	if st.Window == [2]float64{} {
		res.Provenance.Params = map[string]string{"window": "presentation"}
	}
	// Unique non-blank keys, ordered.
	idx := map[string]int{}
	var firstRow []int
	for i, k := range cond.Keys {
		if cond.Blank != nil && cond.Blank[i] {
			continue
		}
		if _, ok := idx[k]; !ok {
			idx[k] = len(res.Conditions)
			res.Conditions = append(res.Conditions, k)
			firstRow = append(firstRow, i)
		}
	}
	order := make([]int, len(res.Conditions))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		if cond.Values != nil {
			va, vb := cond.Values[firstRow[order[a]]], cond.Values[firstRow[order[b]]]
			for j := range va {
				if va[j] != vb[j] {
					return va[j] < vb[j]
				}
			}
			return false
		}
		return res.Conditions[order[a]] < res.Conditions[order[b]]
	})
	keys := make([]string, len(order))
	for newI, old := range order {
		keys[newI] = res.Conditions[old]
		idx[res.Conditions[old]] = newI
		if cond.Values != nil {
			res.Values = append(res.Values, cond.Values[firstRow[old]])
		}
	}
	res.Conditions = keys
	nc := len(keys)
	res.NTrials = make([]int, nc)
	for i, k := range cond.Keys {
		if cond.Blank != nil && cond.Blank[i] {
			res.Condition[i] = -1
			res.NBlank++
			continue
		}
		res.Condition[i] = idx[k]
		res.NTrials[idx[k]]++
	}
	dur := make([]float64, n)
	for i := range dur {
		dur[i] = we[i] - ws[i]
	}
	win, err := ts.NewWindowSet(ws, we) // analysed once, counted per unit
	if err != nil {
		return nil, fmt.Errorf("analysis: %w", err)
	}
	rt := newRateTable(dur)
	slot, cnt := make([]int, n), make([]float64, nc+1)
	for i, c := range res.Condition {
		if c < 0 {
			c = nc
		}
		slot[i] = c
		cnt[c]++
	}
	res.Units = make([]UnitConditionTuning, len(trains))
	pool := sync.Pool{New: func() any { b := make([]int, n); return &b }}
	ts.ParallelFor(len(trains), st.Workers, func(u int) {
		buf := pool.Get().(*[]int)
		counts := win.Count(*buf, trains[u])
		if st.KeepTrials {
			rates := make([]float64, n)
			for i, c := range counts {
				rates[i] = float64(c) / dur[i]
			}
			res.Units[u] = summarise(rates, res.Condition, nc)
			res.Units[u].TrialRateHz = rates
		} else {
			res.Units[u] = summariseCounts(counts, dur, rt, slot, cnt, nc)
		}
		pool.Put(buf)
	})
	return res, nil
}

// rateTable holds k/d for small counts k when every window has the same
// length d, so that the per-trial division becomes a lookup returning the
// identical float64.
type rateTable []float64

func newRateTable(dur []float64) rateTable {
	for _, d := range dur {
		if d != dur[0] {
			return nil
		}
	}
	if len(dur) == 0 {
		return nil
	}
	t := make(rateTable, 256)
	for k := range t {
		t[k] = float64(k) / dur[0]
	}
	return t
}

// summariseCounts is summarise of counts[i]/dur[i] without materialising
// the per-presentation rates (no allocation proportional to presentations).
// rt, if not nil, is the rateTable of dur; slot[i] is presentation i's
// condition (nc for blanks) and cnt the number of presentations per slot.
// The sums run in presentation order, as in summarise.
func summariseCounts(counts []int, dur []float64, rt rateTable, slot []int, cnt []float64, nc int) UnitConditionTuning {
	var small [2 * 17]float64
	var acc []float64 // sum and sum of squares of slot c at 2c, 2c+1
	if 2*(nc+1) <= len(small) {
		acc = small[:2*(nc+1)]
	} else {
		acc = make([]float64, 2*(nc+1))
	}
	slot = slot[:len(counts)]
	for i, k := range counts {
		var r float64
		if uint(k) < uint(len(rt)) {
			r = rt[k]
		} else {
			r = float64(k) / dur[i]
		}
		a := acc[2*slot[i]:]
		a[0] += r
		a[1] += r * r
	}
	var sbuf, s2buf [17]float64
	sum, sum2 := sbuf[:0], s2buf[:0]
	if nc+1 > len(sbuf) {
		sum, sum2 = make([]float64, 0, nc+1), make([]float64, 0, nc+1)
	}
	sum, sum2 = sum[:nc+1], sum2[:nc+1]
	for c := range sum {
		sum[c], sum2[c] = acc[2*c], acc[2*c+1]
	}
	return finishSummary(sum, sum2, cnt, nc)
}

// summarise averages per-presentation responses by condition (−1 = blank).
func summarise(resp []float64, cond []int, nc int) UnitConditionTuning {
	sum := make([]float64, nc+1) // last slot: blank
	sum2 := make([]float64, nc+1)
	cnt := make([]float64, nc+1)
	for i, r := range resp {
		c := cond[i]
		if c < 0 {
			c = nc
		}
		if math.IsNaN(r) {
			continue
		}
		sum[c] += r
		sum2[c] += r * r
		cnt[c]++
	}
	return finishSummary(sum, sum2, cnt, nc)
}

// finishSummary turns per-condition sums (last slot: blank) into means and
// SEMs (ddof = 1).
func finishSummary(sum, sum2, cnt []float64, nc int) UnitConditionTuning {
	mean := make([]float64, nc+1)
	sem := make([]float64, nc+1)
	for c := range mean {
		mean[c], sem[c] = math.NaN(), math.NaN()
		if cnt[c] > 0 {
			mean[c] = sum[c] / cnt[c]
		}
		if cnt[c] > 1 {
			v := (sum2[c] - cnt[c]*mean[c]*mean[c]) / (cnt[c] - 1)
			if v < 0 {
				v = 0
			}
			sem[c] = math.Sqrt(v / cnt[c])
		}
	}
	return UnitConditionTuning{RateHz: mean[:nc], SEMHz: sem[:nc], BlankRateHz: mean[nc], BlankSEMHz: sem[nc]}
}

// Windows turns presentation intervals and a relative window into absolute
// [start, end) windows. A zero window means the whole presentation.
func Windows(starts, stops []float64, window [2]float64, align Anchor) (ws, we []float64, err error) {
	if len(starts) != len(stops) {
		return nil, nil, fmt.Errorf("analysis: %d starts, %d stops", len(starts), len(stops))
	}
	ws, we = make([]float64, len(starts)), make([]float64, len(starts))
	whole := window == [2]float64{}
	if !whole && !(window[1] > window[0]) {
		return nil, nil, fmt.Errorf("analysis: response window [%g, %g] s is empty", window[0], window[1])
	}
	for i := range starts {
		if whole {
			ws[i], we[i] = starts[i], stops[i]
		} else {
			a := starts[i]
			if align == AlignStop {
				a = stops[i]
			}
			ws[i], we[i] = a+window[0], a+window[1]
		}
		if !(we[i] > ws[i]) {
			return nil, nil, fmt.Errorf("analysis: presentation %d has an empty window [%g, %g) s", i, ws[i], we[i])
		}
	}
	return ws, we, nil
}

// DFFSettings configures DFFTuning.
type DFFSettings struct {
	// Window is [from, to) seconds relative to Align for the response mean.
	// Zero means the whole presentation.
	Window [2]float64
	Align  Anchor
	// Baseline, when BaselineSubtract is set, is [from, to) seconds
	// relative to the presentation start; its mean is subtracted from the
	// response of the same presentation.
	Baseline         [2]float64
	BaselineSubtract bool
	KeepTrials       bool
	Workers          int
}

// DFFTuning computes, for each channel (ROI) of a dF/F series, the mean
// response per condition: the mean of the samples with window start ≤ t <
// window end for each presentation (optionally minus the baseline mean),
// then mean and SEM across presentations of a condition. Presentations
// whose window holds no sample give NaN and are left out of the means.
// The result reuses ConditionResult; "RateHz" fields hold dF/F units.
func DFFTuning(s *ts.Series, starts, stops []float64, cond Conditions, set *DFFSettings) (*ConditionResult, error) {
	var st DFFSettings
	if set != nil {
		st = *set
	}
	n := len(starts)
	if len(stops) != n || len(cond.Keys) != n {
		return nil, fmt.Errorf("analysis: %d starts, %d stops, %d condition keys", n, len(stops), len(cond.Keys))
	}
	ws, we, err := Windows(starts, stops, st.Window, st.Align)
	if err != nil {
		return nil, err
	}
	var bs, be []float64
	if st.BaselineSubtract {
		bs, be, err = Windows(starts, starts, st.Baseline, AlignStart)
		if err != nil {
			return nil, fmt.Errorf("analysis: baseline: %w", err)
		}
	}
	// Reuse the condition bookkeeping with an empty spike set.
	res, err := ConditionTuning(nil, starts, stops, cond, &ConditionSettings{Window: st.Window, Align: st.Align})
	if err != nil {
		return nil, err
	}
	res.Provenance.Analysis = "dff_tuning"
	if st.BaselineSubtract {
		res.Provenance.Params = map[string]string{"baseline": fmt.Sprintf("[%g, %g) s from start", st.Baseline[0], st.Baseline[1])}
	}
	times := s.Times()
	f, l := ts.WindowIndex(times, ws, we)
	var bf, bl []int
	if st.BaselineSubtract {
		bf, bl = ts.WindowIndex(times, bs, be)
	}
	res.Units = make([]UnitConditionTuning, s.Channels)
	ts.ParallelFor(s.Channels, st.Workers, func(c int) {
		resp := make([]float64, n)
		for i := range resp {
			resp[i] = meanRange(s, c, f[i], l[i])
			if st.BaselineSubtract {
				resp[i] -= meanRange(s, c, bf[i], bl[i])
			}
		}
		res.Units[c] = summarise(resp, res.Condition, len(res.Conditions))
		if st.KeepTrials {
			res.Units[c].TrialRateHz = resp
		}
	})
	return res, nil
}

func meanRange(s *ts.Series, c, a, b int) float64 {
	if b <= a {
		return math.NaN()
	}
	var m float64
	for i := a; i < b; i++ {
		m += s.Data[i*s.Channels+c]
	}
	return m / float64(b-a)
}

// DirectionIndices are the direction/orientation selectivity measures of one
// unit, each named after its family.
type DirectionIndices struct {
	PrefDirectionDeg       float64 // direction of the largest response (grid value)
	PrefTie                bool    // the largest response is shared
	VectorPrefDirectionDeg float64 // angle of the vector sum Σ R·e^{iθ}
	GOSI, GDSI             float64 // vector-sum family (Allen Neuropixels)
	PeakOSI, PeakDSI       float64 // peak family (Allen two-photon)
	LifetimeSparseness     float64
}

// Direction computes DirectionIndices from responses per direction (deg).
func Direction(dirDeg, resp []float64) DirectionIndices {
	p, tie := Preferred(resp)
	d := DirectionIndices{PrefDirectionDeg: math.NaN(), PrefTie: tie,
		VectorPrefDirectionDeg: VectorPreferredDirection(dirDeg, resp),
		GOSI:                   GOSI(dirDeg, resp), GDSI: GDSI(dirDeg, resp),
		PeakOSI: PeakOSI(dirDeg, resp), PeakDSI: PeakDSI(dirDeg, resp),
		LifetimeSparseness: LifetimeSparseness(resp)}
	if p >= 0 {
		d.PrefDirectionDeg = dirDeg[p]
	}
	return d
}
