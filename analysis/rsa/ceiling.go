package rsa

// SpearmanBrown predicts the reliability of a measure k times as long from
// the reliability r of one part: k r / (1 + (k − 1) r). For split-half
// reliability k = 2 (2r/(1+r)).
func SpearmanBrown(r, k float64) float64 { return k * r / (1 + (k-1)*r) }

// CeiledScore is Brain-Score's current ceiling normalisation, the explained
// variance r² / ceiling (older benchmarks used r / ceiling).
func CeiledScore(r, ceiling float64) float64 { return r * r / ceiling }
