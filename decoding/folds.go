package decoding

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Folds assigns every trial to the test set of one fold: Folds[i] = k means
// trial i is held out in fold k (the same encoding as the `fold` column of
// ../shared/bench/data/decode_2000x300.csv.gz). Folds are numbered 0..K−1.
type Folds []int

// NumFolds returns the number of folds (the largest fold index + 1).
func (f Folds) NumFolds() int {
	k := 0
	for _, v := range f {
		k = max(k, v+1)
	}
	return k
}

// Split returns the training and test trial indexes of fold k, ascending.
func (f Folds) Split(k int) (train, test []int) {
	for i, v := range f {
		if v == k {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	return train, test
}

func (f Folds) validate(n int) error {
	if len(f) != n {
		return fmt.Errorf("decoding: %d fold labels for %d trials: %w", len(f), n, ErrShape)
	}
	k := f.NumFolds()
	if k < 2 {
		return fmt.Errorf("decoding: need at least 2 folds, have %d", k)
	}
	seen := make([]bool, k)
	for i, v := range f {
		if v < 0 {
			return fmt.Errorf("decoding: trial %d has negative fold %d", i, v)
		}
		seen[v] = true
	}
	for i, s := range seen {
		if !s {
			return fmt.Errorf("decoding: fold %d is empty", i)
		}
	}
	return nil
}

// StratifiedKFold assigns folds so each keeps the class proportions, with
// exactly the assignment of scikit-learn 1.2's StratifiedKFold(k,
// shuffle=False): classes are taken in order of first appearance, the
// per-fold class counts come from dealing the class-sorted labels round
// robin, and within each class the trials fill fold 0, then fold 1, … in
// their original order (iris fold 0 = rows 0–9, 50–59, 100–109).
//
// If rng is not nil, the fold sequence within each class is shuffled with it
// (like shuffle=True, but with Go's random stream, not numpy's).
func StratifiedKFold(y []int, k int, rng *rand.Rand) (Folds, error) {
	if k < 2 {
		return nil, fmt.Errorf("decoding: stratified k-fold: k = %d < 2", k)
	}
	// Encode classes by first appearance.
	order := map[int]int{}
	enc := make([]int, len(y))
	var counts []int
	for i, v := range y {
		c, ok := order[v]
		if !ok {
			c = len(order)
			order[v] = c
			counts = append(counts, 0)
		}
		enc[i] = c
		counts[c]++
	}
	nc := len(counts)
	if nc == 0 {
		return nil, fmt.Errorf("decoding: stratified k-fold: %w", ErrNoData)
	}
	if slices.Max(counts) < k {
		return nil, fmt.Errorf("decoding: stratified k-fold: k = %d exceeds the size of every class", k)
	}
	// y_order = sorted encoded labels; allocation[f][c] = count of class c
	// in y_order[f::k].
	sorted := slices.Clone(enc)
	slices.Sort(sorted)
	alloc := make([][]int, k)
	for f := range alloc {
		alloc[f] = make([]int, nc)
		for i := f; i < len(sorted); i += k {
			alloc[f][sorted[i]]++
		}
	}
	folds := make(Folds, len(y))
	for c := 0; c < nc; c++ {
		seq := make([]int, 0, counts[c])
		for f := 0; f < k; f++ {
			for j := 0; j < alloc[f][c]; j++ {
				seq = append(seq, f)
			}
		}
		if rng != nil {
			rng.Shuffle(len(seq), func(i, j int) { seq[i], seq[j] = seq[j], seq[i] })
		}
		j := 0
		for i, e := range enc {
			if e == c {
				folds[i] = seq[j]
				j++
			}
		}
	}
	return folds, nil
}

// KFold splits n trials into k contiguous folds, the first n mod k of size
// ⌊n/k⌋+1 (scikit-learn KFold(k, shuffle=False)). With rng not nil the trial
// order is permuted first.
func KFold(n, k int, rng *rand.Rand) (Folds, error) {
	if k < 2 || k > n {
		return nil, fmt.Errorf("decoding: k-fold: need 2 ≤ k ≤ n, have k = %d, n = %d", k, n)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if rng != nil {
		rng.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	folds := make(Folds, n)
	pos := 0
	for f := 0; f < k; f++ {
		size := n / k
		if f < n%k {
			size++
		}
		for _, i := range idx[pos : pos+size] {
			folds[i] = f
		}
		pos += size
	}
	return folds, nil
}

// GroupKFold keeps all trials of a group (session, animal, block) in the
// same fold. As scikit-learn 1.2's GroupKFold, groups are taken from the
// largest to the smallest and each goes to the fold with the fewest trials
// so far (ties: lowest fold index; equal-sized groups: the later group in
// sorted order first).
func GroupKFold(groups []int, k int) (Folds, error) {
	names, gi := encodeLabels(groups)
	if k < 2 || k > len(names) {
		return nil, fmt.Errorf("decoding: group k-fold: need 2 ≤ k ≤ %d groups, have k = %d", len(names), k)
	}
	size := make([]int, len(names))
	for _, g := range gi {
		size[g]++
	}
	idx := make([]int, len(names))
	for i := range idx {
		idx[i] = i
	}
	// numpy argsort (stable for these sizes) ascending, then reversed.
	slices.SortStableFunc(idx, func(a, b int) int { return cmp.Compare(size[a], size[b]) })
	slices.Reverse(idx)
	load := make([]int, k)
	toFold := make([]int, len(names))
	for _, g := range idx {
		f := 0
		for j := 1; j < k; j++ {
			if load[j] < load[f] {
				f = j
			}
		}
		load[f] += size[g]
		toFold[g] = f
	}
	folds := make(Folds, len(groups))
	for i, g := range gi {
		folds[i] = toFold[g]
	}
	return folds, nil
}

// LeaveOneOut puts every trial in its own fold.
func LeaveOneOut(n int) Folds {
	f := make(Folds, n)
	for i := range f {
		f[i] = i
	}
	return f
}
