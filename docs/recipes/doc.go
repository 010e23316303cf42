// Package recipes holds the runnable Go versions of the course recipes in
// docs/recipes/*.md: one per theme (tuning and selectivity; information in
// bits and its bias; decoding and chance levels; brains vs DNNs with
// RSA/CKA; spike-train statistics and variability; scaling to a whole
// data set). Each recipe's Go code is an Example function in
// recipes_test.go whose // Output: is checked by `go test` against the
// embedded example sessions (package examples), and the markdown pages
// quote those functions verbatim (TestRecipesQuoteExamples), so neither
// can rot. The command-line versions in the pages are run by
// internal/cli/recipes_docs_test.go.
//
// The package has no exported API; it exists so the examples compile and
// run with the rest of the module.
package recipes
