// Package rsa compares neural response patterns with models (typically
// deep-network layers) by representational similarity analysis and centred
// kernel alignment.
//
// Conventions follow rsatoolbox where it has one (analysis-methods.md B5):
// an RDM is the upper triangle (i < j, row-major) of a stimuli × stimuli
// dissimilarity matrix; the "euclidean" RDM is the squared distance divided
// by the number of channels P; "correlation" is 1 − Pearson r across
// channels; Mahalanobis and crossnobis divide by P as well.
//
// Everything that touches features goes through n × n Gram matrices
// (stimuli × stimuli), computed by blocked, parallel matrix products over
// column blocks of the activations. A features × features matrix is never
// formed, so layers with millions of units stream from disk (see
// activations.OpenMapped and ColumnSource). The only P × P matrices are noise
// precisions for Mahalanobis/crossnobis, where P is the number of recorded
// channels.
//
// Numerical routines take a nil-able *Settings (nil = defaults: Workers =
// GOMAXPROCS) and randomised ones an injected *rand.Rand (math/rand/v2), so
// results are reproducible for a fixed seed and independent of Workers.
package rsa
