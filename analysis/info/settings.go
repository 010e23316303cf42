package info

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
)

// Errors returned by the package. All are wrapped with context via %w.
var (
	// ErrInput reports malformed input (negative codes, mismatched lengths, empty data).
	ErrInput = errors.New("info: invalid input")
	// ErrTooFew reports too few samples for the requested estimator.
	ErrTooFew = errors.New("info: too few samples")
)

func inputErr(format string, a ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInput}, a...)...)
}

// Settings tunes the numerics. A nil *Settings means the documented defaults.
type Settings struct {
	// Workers bounds the number of goroutines used over units, permutations
	// and bootstrap replicates. <= 0 means runtime.GOMAXPROCS(0).
	Workers int
	// Rand is the random source for permutations, bootstraps, sub-sampling
	// (quadratic extrapolation) and within-stimulus shuffles (I_sh). Parallel
	// tasks get their own PCG generators seeded serially from Rand, so results
	// do not depend on Workers. nil means rand.New(rand.NewPCG(1, 2)).
	Rand *rand.Rand
	// QERepeats is the number of random trial orders averaged by quadratic
	// extrapolation. <= 0 means 10.
	QERepeats int
	// Shuffles is the number of within-stimulus shuffles averaged for
	// H_sh(R|S) in the shuffle-corrected I_sh. <= 0 means 10.
	Shuffles int
	// ShuffleBase is the entropy bias correction applied to every entropy
	// inside I_sh (H(R), H(R|S), H_sh(R|S) and the one-component terms of
	// H_ind(R|S)): plugin, mm, pt or nsb. The zero value means PanzeriTreves.
	ShuffleBase Estimator
	// NSBNodes is the number of Gauss–Legendre nodes for the NSB integral
	// over ln β. <= 0 means 96 (relative error < 1e-8 against 2000 nodes,
	// TestNSBQuadratureConverges, < 2e-8 in the prior-dominated one-sample
	// case, TestNSBOneSample; within 1e-7 of scipy's adaptive quad,
	// TestNSBAgainstScipy).
	NSBNodes int
	// KSGNeighbours is k for the KSG estimator. <= 0 means 3 (NPEET, sklearn).
	KSGNeighbours int
}

func (s *Settings) workers() int {
	if s == nil || s.Workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return s.Workers
}

func (s *Settings) rng() *rand.Rand {
	if s == nil || s.Rand == nil {
		return rand.New(rand.NewPCG(1, 2))
	}
	return s.Rand
}

func (s *Settings) qeRepeats() int {
	if s == nil || s.QERepeats <= 0 {
		return 10
	}
	return s.QERepeats
}

func (s *Settings) shuffles() int {
	if s == nil || s.Shuffles <= 0 {
		return 10
	}
	return s.Shuffles
}

func (s *Settings) shuffleBase() Estimator {
	if s == nil || s.ShuffleBase == 0 {
		return PanzeriTreves
	}
	return s.ShuffleBase
}

func (s *Settings) nsbNodes() int {
	if s == nil || s.NSBNodes <= 0 {
		return 96
	}
	return s.NSBNodes
}

func (s *Settings) ksgK() int {
	if s == nil || s.KSGNeighbours <= 0 {
		return 3
	}
	return s.KSGNeighbours
}

// seeds draws n independent PCG seed pairs from the settings' source, serially,
// so that task i always gets the same stream whatever the worker count.
func seeds(r *rand.Rand, n int) [][2]uint64 {
	out := make([][2]uint64, n)
	for i := range out {
		out[i] = [2]uint64{r.Uint64(), r.Uint64()}
	}
	return out
}

// parallel runs f(i, rng) for i in [0, n) on up to workers goroutines. Each
// task gets its own generator seeded from sd[i]. The first error wins.
func parallel(n, workers int, sd [][2]uint64, f func(i int, r *rand.Rand) error) error {
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			if err := f(i, rand.New(rand.NewPCG(sd[i][0], sd[i][1]))); err != nil {
				return err
			}
		}
		return nil
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
	)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if first != nil || next >= n {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				if err := f(i, rand.New(rand.NewPCG(sd[i][0], sd[i][1]))); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	return first
}
