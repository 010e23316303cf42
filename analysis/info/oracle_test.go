package info

import (
	"math"
	"math/rand/v2"
	"testing"
)

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g ± %g", name, got, want, tol)
	}
}

// table10 is p(x,y) of oracle O4a (analysis-methods.md C1): 10 symbols,
// output replaced by a uniform symbol with probability 0.5, scaled to counts.
func channel10(scale int) [][]int {
	c := make([][]int, 10)
	for i := range c {
		c[i] = make([]int, 10)
		for j := range c[i] {
			c[i][j] = 5 * scale // 0.05/10
			if i == j {
				c[i][j] = 55 * scale // 0.55/10
			}
		}
	}
	return c
}

// O4a: H(X) = 3.321928, H(X|Y) = 2.419241, I = 0.902687 bits (1e-9 for the
// table; pyentropy test_systems.py analytic values).
func TestO4aChannelTable(t *testing.T) {
	c := channel10(1)
	got, err := MIFromCounts(c, PlugIn, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "I", got, 0.902687390250513, 1e-9)
	col := make([]int, 10)
	for i := range c {
		for j := range c[i] {
			col[i] += c[i][j]
		}
	}
	hx, _ := Entropy(col, PlugIn, nil)
	near(t, "H(X)", hx, 3.321928094887362, 1e-9)
	near(t, "H(X|Y)", hx-got, 2.419240704636849, 1e-9)
}

// O4a sample part: 2 decimals from 1e5 samples (fixed seed).
func TestO4aChannelSamples(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 1))
	n := 100000
	x, y := make([]int, n), make([]int, n)
	for i := range x {
		x[i] = r.IntN(10)
		y[i] = x[i]
		if r.Float64() < 0.5 {
			y[i] = r.IntN(10)
		}
	}
	for _, est := range []Estimator{PlugIn, MillerMadow, PanzeriTreves, NSB, QuadraticExtrapolation} {
		got, err := MI(x, y, est, nil)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "I "+est.String(), got, 0.902687390250513, 0.005)
	}
}

// O4b: binary symmetric channel ε = 0.1, I = 0.531004 bits (analytic).
func TestO4bBSC(t *testing.T) {
	got, err := MIFromCounts([][]int{{45, 5}, {5, 45}}, PlugIn, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "I", got, 0.5310044064107188, 1e-9)
}

// O4c: XOR, I(X,Y;Z) = 1 bit, I(X;Z) = 0 (analytic).
func TestO4cXOR(t *testing.T) {
	var x, y, z []int
	for _, a := range []int{0, 1} {
		for _, b := range []int{0, 1} {
			x, y, z = append(x, a), append(y, b), append(z, a^b)
		}
	}
	got, err := MIMulti(z, [][]int{x, y}, PlugIn, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "I(X,Y;Z)", got, 1, 1e-12)
	got, err = MI(z, x, PlugIn, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "I(X;Z)", got, 0, 1e-12)
}

// O4d: p(s,r) = [[.30,.10,0],[.05,.15,.40]], I = 0.521127 bits; O5: SSI =
// [0.284458, 0.678907], Isp = [0.824652, 0.318778], both p(s)-averaging to I.
func TestO4dO5Toy(t *testing.T) {
	c := [][]int{{30, 10, 0}, {5, 15, 40}}
	got, err := MIFromCounts(c, PlugIn, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "I", got, 0.5211274733371871, 1e-9)
	sp, err := SpecificFromCounts(c)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "SSI[0]", sp.SSI[0], 0.2844583619, 1e-9)
	near(t, "SSI[1]", sp.SSI[1], 0.678906881, 1e-9)
	near(t, "Isp[0]", sp.Isp[0], 0.8246517552, 1e-9)
	near(t, "Isp[1]", sp.Isp[1], 0.3187779521, 1e-9)
	var a, b float64
	for s := range sp.PStim {
		a += sp.PStim[s] * sp.SSI[s]
		b += sp.PStim[s] * sp.Isp[s]
	}
	near(t, "Σp·SSI", a, 0.5211274733371871, 1e-9)
	near(t, "Σp·Isp", b, 0.5211274733371871, 1e-9)
}

// O6a: independent S (4 values) and R (8 values), N = 200. Monte-Carlo mean
// plug-in MI over 4000 runs = 0.07943 ± 0.0004 (oracles.py, numpy); the
// first-order bias (S−1)(R−1)/(2N ln2) = 0.075741. Asserted within 10% with
// a fixed Go seed, and the Miller–Madow and PT corrected means must be within
// 0.01 bits of zero (the true MI).
func TestO6aPlugInBias(t *testing.T) {
	r := rand.New(rand.NewPCG(6, 1))
	const S, R, N, runs = 4, 8, 200, 4000
	s, x := make([]int, N), make([]int, N)
	var pi, mm, pt float64
	for run := 0; run < runs; run++ {
		for i := range s {
			s[i], x[i] = r.IntN(S), r.IntN(R)
		}
		// Declare the full alphabets via the count table.
		c := JointCounts(s, x, S, R)
		a, _ := MIFromCounts(c, PlugIn, nil)
		b, _ := MIFromCounts(c, MillerMadow, nil)
		d, _ := MIFromCounts(c, PanzeriTreves, nil)
		pi, mm, pt = pi+a, mm+b, pt+d
	}
	pi, mm, pt = pi/runs, mm/runs, pt/runs
	near(t, "mean plug-in MI", pi, 0.07943, 0.1*0.07943)
	near(t, "first-order prediction", pi, float64((S-1)*(R-1))/(2*N*math.Ln2), 0.1*0.075741)
	near(t, "mean MM MI", mm, 0, 0.01)
	near(t, "mean PT MI", pt, 0, 0.01)
}

// O6b: I(n) = 0.5 + 2/n + 10/n² at n = 100, 200, 400 extrapolates to 0.5.
func TestO6bQE(t *testing.T) {
	ns := []float64{100, 200, 400}
	v := make([]float64, 3)
	for i, n := range ns {
		v[i] = 0.5 + 2/n + 10/(n*n)
	}
	got, err := QuadraticExtrapolate(ns, v)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "I∞", got, 0.5, 1e-10)
}

// O19: counts [5,3,2,0×7], K = 10: plug-in 1.485475, Miller–Madow 1.629745,
// NSB 1.830321 bits (1e-6; oracles.py quadrature).
func TestO19Entropies(t *testing.T) {
	c := []int{5, 3, 2, 0, 0, 0, 0, 0, 0, 0}
	for _, tc := range []struct {
		est  Estimator
		want float64
	}{{PlugIn, 1.4854752972273344}, {MillerMadow, 1.6297448013162308}, {NSB, 1.830321443774739}} {
		got, err := Entropy(c, tc.est, nil)
		if err != nil {
			t.Fatal(err)
		}
		near(t, tc.est.String(), got, tc.want, 1e-6)
	}
}
