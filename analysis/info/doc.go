// Package info estimates information-theoretic quantities for neural data:
// how much a neuron's (or a small population's) responses tell about the
// stimulus. Every result is in bits (log base 2) unless a name says
// otherwise.
//
// # Discrete estimators
//
// Responses and stimuli are non-negative integer codes per trial. MI, MIMulti
// and MIFromCounts estimate I(S;R) = H(R) − Σ_s p(s) H(R|s); Entropy
// estimates H from a count vector. The Estimator selects the bias control:
//
//   - PlugIn: empirical frequencies (biased upward for MI by about
//     [Σ_s (R̃_s−1) − (R̃−1)] / (2N ln 2)).
//   - MillerMadow: + (m−1)/(2N ln 2) per entropy, m occupied bins.
//   - PanzeriTreves: + (R̃−1)/(2N ln 2) per entropy with the Bayesian count
//     R̃ of relevant bins (BayesCount).
//   - QuadraticExtrapolation: plug-in on all trials, halves and quarters
//     (split within stimulus, Settings.QERepeats random orders), I∞ of
//     I(n) = I∞ + a/n + b/n² (QuadraticExtrapolate).
//   - ShuffleCorrected: I_sh = H(R) − H_ind(R|S) + H_sh(R|S) − H(R|S) for
//     multi-component responses (MIMulti, Population); H_sh is averaged over
//     Settings.Shuffles within-stimulus shuffles and every entropy carries the
//     Settings.ShuffleBase correction (default Panzeri–Treves). For a single
//     response component I_sh is the ShuffleBase estimate.
//   - NSB: Nemenman–Shafee–Bialek posterior-mean entropy, computed by
//     Gauss–Legendre quadrature over ln β around the posterior peak
//     (Settings.NSBNodes, default 96 nodes: relative error < 1e-8 against
//     2000 nodes, TestNSBQuadratureConverges, and < 2e-8 against the exact
//     log2(K)/2 of a single sample, where the prior alone sets the
//     integrand, TestNSBOneSample; agreement with scipy's adaptive
//     quad to 1e-7, TestNSBAgainstScipy; the O19 oracle 1.830321 bits is
//     reproduced to 1e-6; ndd's published examples to 1e-9 and 5e-6,
//     TestNSBPublished). The alphabet size K is the number of possible
//     response values (max code + 1, or the row length for MIFromCounts),
//     the same K for H(R) and every H(R|s); MI = H(R) − Σ_s p(s) H(R|s)
//     with each entropy an NSB estimate.
//
// SpecificFromCounts and SpecificInfo give stimulus-specific information
// SSI(s) (Butts 2003) and specific surprise Isp(s) (DeWeese & Meister
// 1999); both average over p(s) to the plug-in I(S;R).
//
// Spike counts are turned into response codes with SpikeCounts (window
// start <= t < stop), Codes (every count its own bin), Equipopulated /
// EquipopulatedInts (quantile bins, ties kept together) and BinResponses,
// whose default (DefaultBins) keeps at least four trials per stimulus per
// response bin: bins = max(2, ⌊min_s N_s / 4⌋).
//
// # Continuous and mixed estimators
//
// Continuous data are [][]float64 with one row per sample. GCMI (gcmi_cc),
// GCMIModelCD, GCMIMixtureCD and GCCMI (conditional) implement the
// Gaussian-copula estimators of Ince et al. (2017) with the analytic bias
// correction of the Gaussian entropies (mixture: none); GaussianMI is the
// parametric estimate without the copula step. KSG is Kraskov algorithm 1
// with max-norm KD-trees (O(N log N)).
//
// # Significance, uncertainty, parallelism
//
// Permute runs a permutation test of any statistic (labels exchanged only
// within strata), with p = (1 + #{null >= observed}) / (1 + n); Bootstrap
// gives percentile intervals from stratified resampling. Units runs an
// estimator, the plug-in value, the bias, a permutation test (optionally
// null-mean subtracted), a bootstrap CI and SSI/Isp for every unit in
// parallel; TimeResolved does the same for sliding peri-stimulus windows,
// Population for small groups of units (joint response, I_sh, sum of
// single-unit values for synergy/redundancy). Settings.Workers bounds the
// goroutines; every task gets its own PCG generator seeded serially from
// Settings.Rand, so results are identical for any Workers.
//
// # Accuracy on the ecephys_gratings fixtures
//
// Against each unit's exact mutual_information_bits, the MI of the raw
// count (TestGratingsAcceptance; 40 units, 8 directions, 16 presentations
// each; mean |error| in bits, median in brackets):
//
//	response         plugin        mm            pt            qe            shuffle       nsb
//	raw counts       0.674 (0.641) 0.438 (0.380) 0.114 (0.078) 0.202 (0.141) 0.114 (0.078) 0.113 (0.099)
//	4 quantile bins  0.101 (0.095) 0.067 (0.049) 0.070 (0.049) 0.079 (0.072) 0.070 (0.049) 0.112 (0.102)
//	  vs binned MI   0.128 (0.116) 0.062 (0.046) 0.057 (0.046) 0.053 (0.039) 0.057 (0.046) 0.081 (0.088)
//
// (shuffle equals pt here: a single unit is a one-component response.) The
// last row scores the 4-bin estimates against the exact MI of the binned
// response, I(D; b(N)) from the truth file's count model with each unit's
// own bin edges. Binning loses 0.076 bits on average (data processing
// inequality), and plug-in's upward bias happens to offset that loss in
// the row above. Against what a binned estimator can recover, NSB beats
// plug-in (0.081 against 0.128) but not pt or qe.
//
// NSB's remaining error is a property of the estimator at K = 4 with 16
// trials per stimulus, not of the implementation: the integral agrees with
// scipy's adaptive quadrature to 1e-7 and with ndd's published values
// (TestNSBAgainstScipy, TestNSBPublished). Its prior is flat in entropy on
// [0, log2 K], so the posterior mean of a conditional entropy is pulled
// away from the ends of that range. A response without information has
// near-uniform conditional distributions, at the top end: by exact
// enumeration the expected NSB estimate for the uniform distribution on 4
// symbols from 16 samples is 1.859 bits, no better than plug-in (1.855;
// Miller–Madow 1.988; true 2; TestNSBUniformSmallK). NSB therefore leaves
// plug-in's bias on untuned units, while on tuned ones it has the smallest
// mean |error| (0.061 bits at 16 trials; pt 0.068, qe 0.069).
// Fresh data from the truth's count model (TestGratingsModelSimulation,
// 40 units × 12 data sets at 16 trials per direction, × 4 at 64; 4 bins;
// mean error against the binned MI, bits):
//
//	                 16 trials/direction    64 trials/direction
//	estimator        untuned    tuned       untuned    tuned
//	plugin           +0.127     +0.110      +0.028     +0.031
//	mm               +0.011     +0.040      -0.001     +0.009
//	pt               +0.011     +0.030      -0.001     +0.007
//	qe               -0.028     +0.005      +0.000     +0.003
//	nsb              +0.113     +0.008      +0.029     +0.004
//
// For raw counts the alphabet is the set of distinct observed counts
// (Codes). Declaring every count from the smallest to the largest observed
// one possible instead (K = 25 on the fixture), or 0..max (K = 30), trades
// NSB's error on untuned units against tuned ones and makes pt worse; no
// choice is better on both, so the default stays.
//
// # Bias against trial count (simulation study)
//
// TestSimulationBias draws Poisson populations with exactly known MI
// (4 equiprobable stimuli; raw counts as responses; mean of estimate −
// truth in bits over 40 data sets, 20 for ≥ 200 trials):
//
//	one neuron, means 1,3,5,8 spikes: I = 0.7235 bits
//	trials/stim   plugin       mm       pt       qe  shuffle      nsb
//	         10  +0.3694  +0.2463  +0.0313  +0.0524  +0.0313  -0.0161
//	         20  +0.2493  +0.1485  +0.0588  +0.0472  +0.0588  +0.0151
//	         50  +0.0991  +0.0385  +0.0063  +0.0102  +0.0063  -0.0062
//	        100  +0.0619  +0.0260  +0.0091  +0.0148  +0.0091  +0.0090
//	        200  +0.0322  +0.0116  +0.0008  +0.0062  +0.0008  +0.0048
//	        500  +0.0132  +0.0039  -0.0024  +0.0020  -0.0024  +0.0021
//
//	two conditionally independent neurons, means 1,3,5,8 and 6,4,2,1: I = 0.9650 bits
//	trials/stim   plugin       mm       pt       qe  shuffle      nsb
//	         10  +0.8297  +0.8175  +0.7864  +0.6942  -0.0287  +0.0522
//	         20  +0.6672  +0.5876  +0.2468  +0.4499  -0.0911  -0.1177
//	         50  +0.4354  +0.3146  +0.1347  +0.1765  -0.0460  -0.0757
//	        100  +0.2685  +0.1584  +0.0683  +0.0609  -0.0328  -0.0405
//	        200  +0.1711  +0.0898  +0.0444  +0.0365  -0.0069  -0.0061
//	        500  +0.0800  +0.0337  +0.0144  +0.0140  +0.0008  -0.0011
//
// Every estimator's bias shrinks as trials grow; with a sparse joint
// response (two neurons) only I_sh and NSB stay within 0.1 bits below 50
// trials per stimulus.
//
// # Cost
//
// BenchmarkUnits (bench/info.sh): 300 units × 136 presentations, default
// binning, 1000 permutations each, all six estimators in sequence. On the
// 2-vCPU machine at load average 1.2–1.5 (bench/info.sh 3, medians of 3
// rounds; a single round just before: 6.95 s and 3.90 s, 1.78×): 7.2 s wall with one
// worker, 4.3 s with two, a 1.69× speed-up (qe 1.96×, the short plug-in,
// mm, pt, shuffle and nsb runs 1.37–1.48×). CPU time is 7.6 s with one
// worker and 8.1 s with two (≤ 6% overhead); quadratic extrapolation takes
// 4.2 of the 7.6 CPU seconds (61 plug-in tables per estimate).
package info
