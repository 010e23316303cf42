package rsa

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// PrecisionMethod names a noise covariance estimator for Mahalanobis and
// crossnobis RDMs (rsatoolbox prec_from_residuals).
type PrecisionMethod string

const (
	ShrinkageDiag PrecisionMethod = "shrinkage_diag" // Schäfer–Strimmer: correlations shrunk toward 0, variances kept (rsatoolbox default)
	ShrinkageEye  PrecisionMethod = "shrinkage_eye"  // Ledoit–Wolf: covariance shrunk toward a scaled identity
	DiagCov       PrecisionMethod = "diag"           // variances only
	FullCov       PrecisionMethod = "full"           // sample covariance
)

// Residuals returns each observation minus its condition mean, and the
// residual degrees of freedom (observations − conditions).
func Residuals(t *Trials) (*mat.Dense, int, error) {
	means, conds, err := t.MeanPatterns(nil)
	if err != nil {
		return nil, 0, err
	}
	pos := map[int]int{}
	for i, c := range conds {
		pos[c] = i
	}
	r, p := t.Data.Dims()
	out := mat.NewDense(r, p, nil)
	for i, c := range t.Cond {
		row, m := out.RawRowView(i), means.RawRowView(pos[c])
		for j, v := range t.Data.RawRowView(i) {
			row[j] = v - m[j]
		}
	}
	return out, r - len(conds), nil
}

// NoiseCovariance estimates the channel × channel noise covariance from
// residuals (observations × channels, already centred, e.g. by Residuals)
// with dof degrees of freedom (0 means the number of observations). The
// result is P × P in the number of channels P.
func NoiseCovariance(res mat.Matrix, dof int, m PrecisionMethod) (*mat.SymDense, error) {
	n, p := res.Dims()
	if n < 2 || p < 1 {
		return nil, fmt.Errorf("%w: residuals are %d × %d", ErrInput, n, p)
	}
	if dof <= 0 {
		dof = n
	}
	var ss mat.SymDense // Σ_k x_k x_kᵀ
	ss.SymOuterK(1, res.T())
	s := mat.NewSymDense(p, nil)
	for i := 0; i < p; i++ {
		for j := i; j < p; j++ {
			s.SetSym(i, j, ss.At(i, j)/float64(dof))
		}
	}
	switch m {
	case FullCov:
		return s, nil
	case DiagCov:
		d := mat.NewSymDense(p, nil)
		for i := 0; i < p; i++ {
			d.SetSym(i, i, s.At(i, i))
		}
		return d, nil
	case ShrinkageEye:
		// Ledoit & Wolf (2004), as scikit-learn's ledoit_wolf_shrinkage with
		// assume_centered=True, covariance normalised by dof.
		var mu float64
		for i := 0; i < p; i++ {
			mu += s.At(i, i)
		}
		mu /= float64(p)
		var delta float64
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				d := s.At(i, j)
				if i == j {
					d -= mu
				}
				delta += d * d
			}
		}
		delta /= float64(p)
		var beta float64
		for k := 0; k < n; k++ {
			for i := 0; i < p; i++ {
				xi := res.At(k, i)
				for j := 0; j < p; j++ {
					d := xi*res.At(k, j) - s.At(i, j)
					beta += d * d
				}
			}
		}
		beta /= float64(p) * float64(n) * float64(n)
		beta = math.Min(beta, delta)
		shrink := 0.0
		if delta > 0 {
			shrink = beta / delta
		}
		out := mat.NewSymDense(p, nil)
		for i := 0; i < p; i++ {
			for j := i; j < p; j++ {
				v := (1 - shrink) * s.At(i, j)
				if i == j {
					v += shrink * mu
				}
				out.SetSym(i, j, v)
			}
		}
		return out, nil
	case ShrinkageDiag, "":
		// Schäfer & Strimmer (2005) target D, in rsatoolbox's form: λ =
		// Σ_{i≠j} Var̂(r_ij) / Σ_{i≠j} r_ij², off-diagonal covariances scaled by
		// 1 − λ, variances kept.
		sd := make([]float64, p)
		for i := range sd {
			sd[i] = math.Sqrt(s.At(i, i))
			if sd[i] == 0 {
				return nil, fmt.Errorf("%w: channel %d has zero residual variance", ErrInput, i)
			}
		}
		var num, den float64
		nn := float64(n)
		for i := 0; i < p; i++ {
			for j := 0; j < p; j++ {
				if i == j {
					continue
				}
				var s2 float64
				for k := 0; k < n; k++ {
					w := res.At(k, i) * res.At(k, j)
					s2 += w * w
				}
				rMean := ss.At(i, j) / (sd[i] * sd[j]) / (nn - 1)
				s2Mean := s2 / (sd[i] * sd[i] * sd[j] * sd[j]) / (nn - 1)
				num += nn / float64(dof*dof) * (s2Mean - rMean*rMean)
				den += rMean * rMean
			}
		}
		lambda := 1.0
		if den > 0 {
			lambda = math.Max(0, math.Min(1, num/den))
		}
		out := mat.NewSymDense(p, nil)
		for i := 0; i < p; i++ {
			for j := i; j < p; j++ {
				v := s.At(i, j)
				if i != j {
					v *= 1 - lambda
				}
				out.SetSym(i, j, v)
			}
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: unknown precision method %q", ErrInput, m)
}

// NoisePrecision is the inverse of NoiseCovariance, for MahalanobisRDM and
// CrossnobisRDM.
func NoisePrecision(res mat.Matrix, dof int, m PrecisionMethod) (*mat.SymDense, error) {
	c, err := NoiseCovariance(res, dof, m)
	if err != nil {
		return nil, err
	}
	var ch mat.Cholesky
	if !ch.Factorize(c) {
		return nil, fmt.Errorf("%w: %s noise covariance is not positive definite (use a shrinkage method)", ErrInput, m)
	}
	var inv mat.SymDense
	if err := ch.InverseTo(&inv); err != nil {
		return nil, fmt.Errorf("rsa: inverting noise covariance: %w", err)
	}
	return &inv, nil
}
