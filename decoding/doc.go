// Package decoding reads stimuli and behaviour out of neural population
// activity: cross-validated classifiers, continuous (ridge) decoders and a
// streaming Poisson Bayesian decoder over N-dimensional tuning curves.
//
// Everything works on plain Go types and gonum matrices: a design matrix is
// trials × features (usually spike counts per trial window, one column per
// unit) and labels are ints. Decoders share one small interface ([Classifier],
// [ProbClassifier], [Regressor]); cross-validation ([CrossValidate]) takes a
// constructor so each fold gets a fresh model and folds run in parallel.
//
// Conventions (../shared/reference/analysis-methods.md, section B4):
//
//   - [StratifiedKFold] without shuffling assigns exactly the folds of
//     scikit-learn 1.2's StratifiedKFold(k, shuffle=False), so fold accuracies
//     can be compared one for one. Shuffled folds use the injected random
//     source and therefore differ from numpy's.
//   - [LDA] with the SVD solver is scikit-learn's LinearDiscriminantAnalysis()
//     algorithm; with Shrinkage it is solver='lsqr', shrinkage='auto'
//     (Ledoit–Wolf on standardised features).
//   - [LogisticRegression] minimises the multinomial log-loss summed over
//     trials plus ||W||²/(2C) with L-BFGS, as scikit-learn 1.2.1's lbfgs solver.
//   - [BayesDecoder] computes log P(n|x) = Σ_i n_i log(f_i(x)+ε) − τ Σ_i f_i(x)
//     (Zhang et al. 1998; pynapple's decode_bayes) as a matrix product over
//     chunks of time bins, so memory does not grow with time × bins × units,
//     and masks unvisited bins (NaN tuning) instead of letting them win.
//   - Chance is reported as 1/K and as the binomial threshold
//     binom.ppf(1−α, n, 1/K)/n (Combrisson & Jerbi 2015); permutation
//     p-values are (#{null ≥ observed} + 1)/(permutations + 1).
//
// Validation (tests in this package):
//
//   - Oracles O13 (posterior values), O14a (LDA on iris with
//     StratifiedKFold(5): fold accuracies and confusion matrix exactly),
//     O14b (binomial thresholds) and O14c (permutation p) of
//     ../shared/reference/analysis-methods.md.
//   - Debian scikit-learn 1.2.1, computed live by the tests: identical fold
//     assignments (StratifiedKFold, GroupKFold, KFold), identical per-fold
//     accuracies of LDA and standardised logistic regression on the P6 data
//     (2000 trials × 300 units), identical LDA predictions with more units
//     than trials (SVD and shrinkage solvers), Ledoit–Wolf, ridge (primal
//     and dual), NearestCentroid, balanced accuracy and R².
//   - ecephys_gratings fixture: cross-validated Poisson Bayes within 5
//     points of the truth file's Bayes-optimal accuracy for every unit
//     subset when tested on trials simulated from the true model.
//   - A 1-hour, 10 ms, 50×50-bin, 100-unit decode stays under 200 MiB
//     (pynapple's T × B × N tile would be 720 GB).
//
// Numerical routines take a nil-able *Settings (nil = defaults: GOMAXPROCS
// workers, a fixed-seed random source). Results are identical for any number
// of workers.
package decoding
