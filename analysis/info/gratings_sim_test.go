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
	pmf := make([][][]float64, len(tr.Units))
	for u := range pmf {
		pmf[u] = countPMF(tr, u)
	}
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
		stim := make([]int, 0, nDir*L.trials)
		for d := 0; d < nDir; d++ {
			for i := 0; i < L.trials; i++ {
				stim = append(stim, d)
			}
		}
		for rep := 0; rep < L.reps; rep++ {
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
