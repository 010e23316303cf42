package info

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestGratingsModelSimulation repeats the fixture comparison on fresh data
// drawn from the fixture's own count model (countPMF: every unit of the
// ecephys_gratings truth file, 8 directions), so that the error of each
// estimator is an average over many realisations instead of one. It reports
// the mean error (estimate − truth, bits) against the count MI
// (mutual_information_bits) and, for 4 equipopulated bins, against the
// exact MI of the binned response (binnedTruth), separately for the
// untuned units (truth 0 bits) and the tuned ones, at 16 trials per
// direction (the fixture's count) and 64.
//
// It asserts what the study shows about the estimators rather than a
// target number: on 4 bins at 16 trials every bias-corrected estimator
// has a smaller mean |error| against the binned MI than plug-in; NSB's
// mean |bias| against the binned MI falls from 16 to 64 trials in both
// groups (its error is a small-sample effect that shrinks with data).
func TestGratingsModelSimulation(t *testing.T) {
	if testing.Short() {
		t.Skip("model simulation skipped in -short mode")
	}
	tr := loadTruth(t, "default")
	pmf := truthPMFs(tr)
	const nDir = 8
	type key struct {
		trials, bins int
		est          Estimator
		tuned        bool
	}
	type acc struct{ sumCount, absCount, sumBin, absBin, n float64 }
	stats := map[key]*acc{}
	r := rand.New(rand.NewPCG(2026, 1127))
	set := &Settings{Rand: rand.New(rand.NewPCG(7, 7))}
	ladder := []struct{ trials, reps int }{{16, 12}, {64, 4}}
	for _, L := range ladder {
		stim := blockedStim(nDir, L.trials)
		for rep := 0; rep < L.reps; rep++ {
			counts := sampleCounts(r, pmf, stim)
			for _, bins := range []int{-1, 4} {
				ref := make([]float64, len(counts))
				for u := range counts {
					ref[u] = tr.Units[u].MI
					if bins > 0 {
						codes, k, err := BinResponses(stim, counts[u], bins)
						if err != nil {
							t.Fatal(err)
						}
						ref[u] = binnedTruth(pmf[u], counts[u], codes, k)
					}
				}
				for _, est := range Estimators {
					res, err := Units(stim, counts, &Options{Estimator: est, Bins: bins}, set)
					if err != nil {
						t.Fatal(err)
					}
					for u, x := range res {
						k := key{L.trials, bins, est, tr.Units[u].MI > 1e-9}
						a := stats[k]
						if a == nil {
							a = &acc{}
							stats[k] = a
						}
						ec, eb := x.Bits-tr.Units[u].MI, x.Bits-ref[u]
						a.sumCount += ec
						a.absCount += math.Abs(ec)
						a.sumBin += eb
						a.absBin += math.Abs(eb)
						a.n++
					}
				}
			}
		}
	}
	var b strings.Builder
	for _, L := range ladder {
		for _, bins := range []int{-1, 4} {
			fmt.Fprintf(&b, "%d trials/direction, bins %d: mean error (mean |error|), bits\n", L.trials, bins)
			fmt.Fprintf(&b, "  %-8s %-30s %-30s", "", "untuned vs count MI", "tuned vs count MI")
			if bins > 0 {
				fmt.Fprintf(&b, " %-30s %-30s", "untuned vs binned MI", "tuned vs binned MI")
			}
			b.WriteString("\n")
			for _, est := range Estimators {
				fmt.Fprintf(&b, "  %-8v", est)
				for _, tuned := range []bool{false, true} {
					a := stats[key{L.trials, bins, est, tuned}]
					fmt.Fprintf(&b, " %+.4f (%.4f)%14s", a.sumCount/a.n, a.absCount/a.n, "")
				}
				if bins > 0 {
					for _, tuned := range []bool{false, true} {
						a := stats[key{L.trials, bins, est, tuned}]
						fmt.Fprintf(&b, " %+.4f (%.4f)%14s", a.sumBin/a.n, a.absBin/a.n, "")
					}
				}
				b.WriteString("\n")
			}
		}
	}
	t.Log("\n" + b.String())

	mae := func(trials int, est Estimator) float64 {
		a, c := stats[key{trials, 4, est, false}], stats[key{trials, 4, est, true}]
		return (a.absBin + c.absBin) / (a.n + c.n)
	}
	for _, est := range []Estimator{PanzeriTreves, QuadraticExtrapolation, ShuffleCorrected, NSB} {
		if mae(16, est) >= mae(16, PlugIn) {
			t.Errorf("4 bins, 16 trials: %v mean |error| vs binned MI %.4f not below plug-in %.4f", est, mae(16, est), mae(16, PlugIn))
		}
	}
	for _, tuned := range []bool{false, true} {
		a, c := stats[key{16, 4, NSB, tuned}], stats[key{64, 4, NSB, tuned}]
		if math.Abs(c.sumBin/c.n) >= math.Abs(a.sumBin/a.n) {
			t.Errorf("NSB (tuned=%v): |bias| vs binned MI %.4f at 64 trials not below %.4f at 16", tuned, math.Abs(c.sumBin/c.n), math.Abs(a.sumBin/a.n))
		}
	}
}

// gratingsConfigs are the response codings compared on the gratings
// fixture: the raw count with its distinct observed values as the alphabet
// (Bins < 0, Codes), the raw count with the alphabet 0..max observed, and
// equipopulated bins (3 to 16; 4 is the DefaultBins rule for 16 trials per
// direction).
var gratingsConfigs = []struct {
	name string
	code func(stim, c []int) ([]int, int, error)
}{
	{"raw counts, K = distinct values", func(stim, c []int) ([]int, int, error) { return BinResponses(stim, c, -1) }},
	{"raw counts, K = 0..max", func(_, c []int) ([]int, int, error) {
		m := 0
		for _, v := range c {
			m = max(m, v)
		}
		return c, m + 1, nil
	}},
	{"3 equipopulated bins", func(stim, c []int) ([]int, int, error) { return BinResponses(stim, c, 3) }},
	{"4 equipopulated bins", func(stim, c []int) ([]int, int, error) { return BinResponses(stim, c, 4) }},
	{"5 equipopulated bins", func(stim, c []int) ([]int, int, error) { return BinResponses(stim, c, 5) }},
	{"6 equipopulated bins", func(stim, c []int) ([]int, int, error) { return BinResponses(stim, c, 6) }},
	{"8 equipopulated bins", func(stim, c []int) ([]int, int, error) { return BinResponses(stim, c, 8) }},
	{"16 equipopulated bins", func(stim, c []int) ([]int, int, error) { return BinResponses(stim, c, 16) }},
}

// gratingsScore returns, per estimator, the estimates of every unit under
// one response coding (QE and I_sh draw from a generator seeded by seed).
func gratingsScore(t testing.TB, stim []int, counts [][]int, code func(stim, c []int) ([]int, int, error), seed uint64) map[Estimator][]float64 {
	t.Helper()
	out := map[Estimator][]float64{}
	for _, est := range Estimators {
		set := &Settings{Rand: rand.New(rand.NewPCG(seed, 6))}
		for u := range counts {
			x, k, err := code(stim, counts[u])
			if err != nil {
				t.Fatal(err)
			}
			var v float64
			if est == ShuffleCorrected {
				v, err = MI(stim, x, est, set)
			} else {
				v, err = MIFromCounts(JointCounts(stim, x, 8, k), est, set)
			}
			if err != nil {
				t.Fatal(err)
			}
			out[est] = append(out[est], v)
		}
	}
	return out
}

// TestGratingsConfigurations asks whether any response coding lets the
// estimators meet both parts of issue 6 acceptance 2 on data like the
// fixture, by drawing 24 fresh data sets (16 trials per direction, 40
// units) from the truth file's count model (countPMF) and scoring every
// coding of gratingsConfigs against mutual_information_bits. Per coding it
// logs each estimator's mean |error| and median |error| (averaged over data
// sets), how many data sets meet "pt, qe, shuffle and nsb all below
// plug-in in mean |error|", "best corrected median |error| <= 0.05 bits"
// and both, and the median |error| that would remain if each estimator's
// bias were removed (estimate minus its own mean over data sets: the
// sampling-variance floor). The numbers are in doc.go. Asserted: on raw
// counts every bias-corrected estimator has a smaller mean |error| than
// plug-in in every data set.
func TestGratingsConfigurations(t *testing.T) {
	if testing.Short() {
		t.Skip("model simulation skipped in -short mode")
	}
	tr := loadTruth(t, "default")
	pmf := truthPMFs(tr)
	const reps, trials = 24, 16
	stim := blockedStim(8, trials)
	r := rand.New(rand.NewPCG(2026, 1128))
	// est[c][e][rep][u]
	est := make([]map[Estimator][][]float64, len(gratingsConfigs))
	for c := range est {
		est[c] = map[Estimator][][]float64{}
	}
	for rep := 0; rep < reps; rep++ {
		counts := sampleCounts(r, pmf, stim)
		for c, cfg := range gratingsConfigs {
			for e, v := range gratingsScore(t, stim, counts, cfg.code, uint64(rep)) {
				est[c][e] = append(est[c][e], v)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d data sets × 40 units, 16 trials/direction; mean |error| (median |error|) vs mutual_information_bits, bits; [bias-free median |error|]\n", reps)
	for c, cfg := range gratingsConfigs {
		fmt.Fprintf(&b, "%-32s", cfg.name)
		mae := make([]map[Estimator]float64, reps)
		med := make([]map[Estimator]float64, reps)
		for rep := range mae {
			mae[rep], med[rep] = map[Estimator]float64{}, map[Estimator]float64{}
		}
		for _, e := range Estimators {
			v := est[c][e]
			mean := make([]float64, len(tr.Units))
			for rep := range v {
				for u, x := range v[rep] {
					mean[u] += x / reps
				}
			}
			var m, md, floor float64
			for rep := range v {
				cen := make([]float64, len(v[rep]))
				for u, x := range v[rep] {
					cen[u] = math.Abs(x - mean[u])
				}
				mae[rep][e], med[rep][e] = errorStats(v[rep], tr)
				m += mae[rep][e] / reps
				md += med[rep][e] / reps
				floor += median(cen) / reps
			}
			fmt.Fprintf(&b, " %s %.3f (%.3f) [%.3f]", e, m, md, floor)
		}
		okMAE, okMed, both := 0, 0, 0
		for rep := range mae {
			a, best := acceptance2(mae[rep], med[rep])
			if a {
				okMAE++
			}
			if best <= 0.05 {
				okMed++
			}
			if a && best <= 0.05 {
				both++
			}
			if c == 0 && !a {
				t.Errorf("raw counts, data set %d: a bias-corrected estimator's mean |error| is not below plug-in's %.4f", rep, mae[rep][PlugIn])
			}
		}
		fmt.Fprintf(&b, "  MAE<plugin %d/%d, median<=0.05 %d/%d, both %d/%d\n", okMAE, reps, okMed, reps, both, reps)
	}
	t.Log("\n" + b.String())
}

// correctedEstimators are the bias-corrected estimators issue 6
// acceptance 2 compares with plug-in.
var correctedEstimators = []Estimator{PanzeriTreves, QuadraticExtrapolation, ShuffleCorrected, NSB}

// errorStats returns the mean and median over units of |v[u] − the unit's
// mutual_information_bits|.
func errorStats(v []float64, tr *gratingsTruth) (mae, med float64) {
	errs := make([]float64, len(v))
	for u, x := range v {
		errs[u] = math.Abs(x - tr.Units[u].MI)
		mae += errs[u] / float64(len(v))
	}
	return mae, median(errs)
}

// acceptance2 scores issue 6 acceptance 2 from per-estimator mean and
// median |error|: a is "every corrected estimator below plug-in in mean
// |error|", best the smallest corrected median |error|.
func acceptance2(mae, med map[Estimator]float64) (a bool, best float64) {
	a, best = true, math.Inf(1)
	for _, e := range correctedEstimators {
		a = a && mae[e] < mae[PlugIn]
		best = math.Min(best, med[e])
	}
	return a, best
}

// truthPMFs returns countPMF for every unit of the truth file.
func truthPMFs(tr *gratingsTruth) [][][]float64 {
	pmf := make([][][]float64, len(tr.Units))
	for u := range pmf {
		pmf[u] = countPMF(tr, u)
	}
	return pmf
}

// blockedStim returns the labels 0..nDir-1, each repeated trials times.
func blockedStim(nDir, trials int) []int {
	stim := make([]int, 0, nDir*trials)
	for d := 0; d < nDir; d++ {
		for i := 0; i < trials; i++ {
			stim = append(stim, d)
		}
	}
	return stim
}

// sampleCounts draws one spike count per presentation and unit by inverse
// CDF from pmf[unit][direction][count] (the last count takes the tail).
func sampleCounts(r *rand.Rand, pmf [][][]float64, stim []int) [][]int {
	counts := make([][]int, len(pmf))
	for u, P := range pmf {
		counts[u] = make([]int, len(stim))
		for i, d := range stim {
			x, n := r.Float64(), 0
			for ; n < len(P[d])-1 && x >= P[d][n]; n++ {
				x -= P[d][n]
			}
			counts[u][i] = n
		}
	}
	return counts
}

// TestGratingsAcceptanceByTrials scores issue 6 acceptance 2 exactly as
// written — on the raw spike count (the coding of the fixture's
// mutual_information_bits, no binning to choose), (a) pt, qe, shuffle and
// nsb all below plug-in in mean |error| and (b) the best of them within
// 0.05 bits median |error| — on fresh data sets drawn from the truth
// file's own count model (countPMF: 40 units, running state drawn per
// presentation with the model's p, so no realised-fraction gap), at the
// fixture's 16 presentations per direction and at more. The criterion is a
// property of the sample size: it fails at 16 and holds from about 48 on.
// Asserted: (a) in every data set at every size; (a) and (b) together in
// at least 10 of 12 data sets at 48 presentations per direction and in
// every one at 64. The logged
// table is in doc.go.
func TestGratingsAcceptanceByTrials(t *testing.T) {
	if testing.Short() {
		t.Skip("model simulation skipped in -short mode")
	}
	tr := loadTruth(t, "default")
	pmf := truthPMFs(tr)
	const reps = 12
	var b strings.Builder
	fmt.Fprintf(&b, "raw counts, %d data sets × 40 units per size; data sets meeting (a), (b), both; mean over data sets of the median |error|, bits\n", reps)
	for _, trials := range []int{16, 24, 32, 48, 64} {
		stim := blockedStim(8, trials)
		r := rand.New(rand.NewPCG(2026, uint64(trials)))
		okA, okB, both := 0, 0, 0
		meanMed := map[Estimator]float64{}
		for rep := 0; rep < reps; rep++ {
			counts := sampleCounts(r, pmf, stim)
			mae, med := map[Estimator]float64{}, map[Estimator]float64{}
			for e, v := range gratingsScore(t, stim, counts, gratingsConfigs[0].code, uint64(rep)) {
				mae[e], med[e] = errorStats(v, tr)
				meanMed[e] += med[e] / reps
			}
			a, best := acceptance2(mae, med)
			if a {
				okA++
			} else {
				t.Errorf("%d trials/direction, data set %d: a bias-corrected estimator's mean |error| is not below plug-in's %.4f", trials, rep, mae[PlugIn])
			}
			if best <= 0.05 {
				okB++
			}
			if a && best <= 0.05 {
				both++
			} else if trials == 64 {
				t.Errorf("%d trials/direction, data set %d: best corrected median |error| %.4f > 0.05 bits", trials, rep, best)
			}
		}
		if trials == 48 && both < reps-2 {
			t.Errorf("48 trials/direction: (a) and (b) together in %d of %d data sets, want at least %d", both, reps, reps-2)
		}
		fmt.Fprintf(&b, "  %3d trials/direction: %2d / %2d / %2d of %d   plugin %.3f  pt %.3f  qe %.3f  shuffle %.3f  nsb %.3f\n",
			trials, okA, okB, both, reps, meanMed[PlugIn], meanMed[PanzeriTreves], meanMed[QuadraticExtrapolation], meanMed[ShuffleCorrected], meanMed[NSB])
	}
	t.Log("\n" + b.String())
}
