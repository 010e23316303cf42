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
// The reference is each unit's mutual_information_bits: I(D;N) with D
// uniform over the 8 drift directions (blank sweeps excluded; 16
// presentations per direction, 8 repeats × 2 temporal frequencies that do
// not change the rate) and N the spike count in [start_time, stop_time) of
// the 2 s presentation, P(n|d) = (1−p) Poisson(2 f_d) + p Poisson(2 f_d g)
// with p = 25/65 the long-run running probability. TestGratingsAcceptance
// recomputes it from the truth's rates to 1e-9 and uses exactly this window
// and stimulus variable. The fixture's realised running states (18 of 128
// presentations, not 25/65) make the data of the 7 running-modulated units
// up to 0.093 bits more informative than the reference (0.011 bits on
// average over the 40 units), an error no estimator removes. The three
// variants hold the same data, so they give the same numbers.
//
// Issue 6 acceptance 2 asks, in one configuration, for (a) pt, qe, shuffle
// and nsb all below plug-in in mean |error| and (b) the best of them within
// 0.05 bits median |error|. No response coding tried meets both on the
// fixture. Mean |error| (median |error|) in bits, 40 units (logged by
// TestGratingsAcceptance):
//
//	response coding        plugin        mm            pt            qe            shuffle       nsb           (a)  best median
//	raw, K distinct        0.674 (0.641) 0.438 (0.380) 0.114 (0.078) 0.199 (0.160) 0.114 (0.078) 0.113 (0.099) yes  0.078
//	raw, K = 0..max        0.674 (0.641) 0.438 (0.380) 0.143 (0.111) 0.199 (0.160) 0.143 (0.111) 0.106 (0.093) yes  0.093
//	3 equipopulated bins   0.131 (0.085) 0.129 (0.056) 0.132 (0.059) 0.141 (0.064) 0.132 (0.059) 0.163 (0.104) no   0.059
//	4 bins (default)       0.101 (0.095) 0.067 (0.049) 0.072 (0.049) 0.080 (0.050) 0.072 (0.049) 0.112 (0.102) no   0.0487
//	5 bins                 0.130 (0.115) 0.088 (0.055) 0.091 (0.056) 0.103 (0.078) 0.091 (0.056) 0.129 (0.113) yes  0.056
//	6 bins                 0.156 (0.148) 0.077 (0.063) 0.077 (0.068) 0.097 (0.089) 0.077 (0.068) 0.121 (0.109) yes  0.068
//	8 bins                 0.234 (0.236) 0.093 (0.065) 0.073 (0.060) 0.093 (0.067) 0.073 (0.060) 0.112 (0.114) yes  0.060
//	16 bins                0.425 (0.443) 0.203 (0.201) 0.090 (0.080) 0.096 (0.061) 0.090 (0.080) 0.115 (0.113) yes  0.061
//
// (qe depends on its random sub-samples, about ±0.02 in the median; shuffle
// equals pt because a single unit's count is a one-component response, for
// which I_sh = H(R) − H(R|S) with the base correction.) What the test
// asserts: (a) on raw counts, (b) on the default 4 bins (pt 0.0487), (a)
// on 4 bins against the exact MI of the binned response I(D; b(N))
// (binnedTruth: pt 0.055, qe 0.053, nsb 0.081, plug-in 0.128), and the SSI
// and specific-surprise identities to 1e-9.
//
// Why no coding reaches both, from 24 fresh data sets drawn from the
// truth's own count model at 16 trials per direction
// (TestGratingsConfigurations; mean over data sets of mean |error|
// (median |error|); in brackets the median |error| left if each
// estimator's bias were removed, i.e. its sampling spread alone; last
// column: data sets meeting (a), (b), both):
//
//	response coding   plugin              pt                  qe                  nsb                 (a)/(b)/both of 24
//	raw, K distinct   0.689 (0.666) [.054] 0.120 (0.100) [.075] 0.205 (0.166) [.079] 0.138 (0.123) [.061] 24 / 0 / 0
//	raw, K = 0..max   0.689 (0.666) [.054] 0.146 (0.125) [.082] 0.205 (0.166) [.079] 0.130 (0.110) [.074] 24 / 0 / 0
//	3 bins            0.132 (0.096) [.035] 0.141 (0.103) [.035] 0.153 (0.117) [.038] 0.170 (0.113) [.030]  0 / 0 / 0
//	4 bins            0.094 (0.089) [.042] 0.082 (0.063) [.045] 0.094 (0.075) [.049] 0.116 (0.108) [.036]  1 / 2 / 0
//	5 bins            0.123 (0.117) [.042] 0.088 (0.068) [.045] 0.101 (0.087) [.049] 0.128 (0.121) [.035]  8 / 1 / 1
//	6 bins            0.149 (0.151) [.044] 0.078 (0.064) [.046] 0.096 (0.083) [.054] 0.121 (0.117) [.037] 24 / 2 / 2
//	8 bins            0.226 (0.227) [.048] 0.071 (0.059) [.052] 0.086 (0.076) [.064] 0.111 (0.107) [.040] 24 / 4 / 4
//	16 bins           0.417 (0.422) [.056] 0.092 (0.079) [.062] 0.090 (0.079) [.074] 0.126 (0.119) [.047] 24 / 1 / 1
//
// Three effects, each a property of the estimators at 16 trials per
// direction rather than of this implementation (NSB agrees with scipy's
// adaptive quadrature to 1e-7 and with ndd's published values,
// TestNSBAgainstScipy, TestNSBPublished; BayesCount with the procedure of
// pyentropy's pt_bayescount, TestBayesCountAgainstPython):
//
//   - Sampling spread. On raw counts (8 to 54 distinct values per unit,
//     so 16 trials per direction are fewer than the relevant responses)
//     the spread alone of pt, qe and nsb gives a median |error| of
//     0.061–0.082 bits, so criterion (b) cannot be met there even with the
//     bias removed. Binning lowers the spread but the best expected median
//     is still 0.059 (pt, 8 bins); 0.05 is met in at most 4 of 24 data
//     sets under any coding, and the fixture's 0.0487 on 4 bins is such a
//     favourable draw.
//   - Binning loses information. I(D; b(N)) ≤ I(D;N) (data processing
//     inequality); on the fixture 4 bins lose 0.076 bits on average, which
//     plug-in's upward bias happens to offset, so at few bins the
//     bias-corrected estimates are compared with a plug-in that is right
//     for the wrong reason.
//   - NSB at small K. The NSB prior is flat in entropy on [0, log2 K], so
//     a conditional entropy near log2 K estimated from 16 samples is
//     pulled down: by exact enumeration the expected NSB estimate for the
//     uniform distribution on 4 symbols from 16 samples is 1.859 bits, no
//     better than plug-in (1.855; Miller–Madow 1.988; true 2;
//     TestNSBUniformSmallK). NSB therefore keeps plug-in's bias on untuned
//     units (+0.113 bits against +0.127 on 4 bins below), and with 3 or 4
//     bins its mean |error| is above plug-in's (about equal at 5). On tuned units it has
//     the smallest mean |error| against the binned MI (0.061 bits; pt
//     0.067, qe 0.069).
//
// The criterion as written is a matter of sample size, not of the
// estimators: scored on raw counts exactly as issue 6 states it, on fresh
// data sets from the truth's count model with more presentations per
// direction (TestGratingsAcceptanceByTrials, 12 data sets × 40 units per
// size; data sets meeting (a) / (b) / both; mean over data sets of the
// median |error| in bits):
//
//	trials/direction  (a)/(b)/both of 12  plugin  pt     qe     shuffle nsb
//	16 (the fixture)  12 /  0 /  0        0.667   0.090  0.168  0.090   0.116
//	24                12 /  0 /  0        0.480   0.064  0.081  0.064   0.081
//	32                12 /  6 /  6        0.377   0.056  0.061  0.056   0.062
//	48                12 / 11 / 11        0.260   0.035  0.036  0.035   0.044
//	64                12 / 12 / 12        0.201   0.028  0.031  0.028   0.033
//
// A gratings fixture with 64 presentations per direction would meet
// acceptance 2 as written; the shipped one, with 16, cannot.
//
// Mean error against the binned MI with 4 bins, fresh data from the
// truth's count model (TestGratingsModelSimulation, 40 units × 12 data
// sets at 16 trials per direction, × 4 at 64; bits):
//
//	                 16 trials/direction    64 trials/direction
//	estimator        untuned    tuned       untuned    tuned
//	plugin           +0.127     +0.110      +0.028     +0.031
//	mm               +0.011     +0.040      -0.001     +0.009
//	pt               +0.010     +0.024      -0.001     +0.006
//	qe               -0.028     +0.005      +0.000     +0.003
//	nsb              +0.113     +0.008      +0.029     +0.004
//
// The binning rule (DefaultBins: at least four trials per stimulus per
// response bin) was kept; no coding was chosen by its score against the
// truth. For raw counts the alphabet is the set of distinct observed counts
// (Codes), the same K for H(R) and every H(R|s); declaring 0..max instead
// helps NSB slightly and hurts pt (table above).
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
