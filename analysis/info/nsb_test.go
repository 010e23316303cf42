package info

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// nsbPy integrates the NSB posterior mean with scipy.integrate.quad over
// u = ln β ∈ [−40, 20] (an adaptive QUADPACK rule, independent of the
// Gauss–Legendre scheme used here), from the formulas of
// analysis-methods.md B3. Beyond β = e^20 double-precision lgamma
// differences fail; the omitted tail weighs < e^−20 of the total here.
const nsbPy = `
import json, sys, numpy as np
from scipy import integrate, special
cases = json.load(open(sys.argv[1])); out = []
for n in cases:
    n = np.array(n, float); K = len(n); N = n.sum()
    def logw(u):
        b = np.exp(u)
        lp = special.gammaln(K*b) - special.gammaln(N + K*b) + (special.gammaln(n + b) - special.gammaln(b)).sum()
        return lp + np.log(K*special.polygamma(1, K*b + 1) - special.polygamma(1, b + 1)) + u
    us = np.linspace(-25, 20, 1801); lw = np.array([logw(u) for u in us]); m = lw.max(); pk = us[lw.argmax()]
    def EH(u):
        b = np.exp(u); A = N + K*b
        return special.psi(A + 1) - ((n + b)/A*special.psi(n + b + 1)).sum()
    f = lambda u: np.exp(logw(u) - m)
    kw = dict(limit=1000, epsabs=0, epsrel=1e-12, points=[pk])
    den = integrate.quad(f, -40, 20, **kw)[0]
    num = integrate.quad(lambda u: f(u)*EH(u), -40, 20, **kw)[0]
    out.append(num/den/np.log(2))
json.dump(out, open(sys.argv[2], "w"))
`

func TestNSBAgainstScipy(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Skip("/usr/bin/python3 absent")
	}
	if err := exec.Command(python, "-c", "import numpy, scipy").Run(); err != nil {
		t.Skip("python3-numpy/scipy absent")
	}
	cases := [][]int{
		{5, 3, 2, 0, 0, 0, 0, 0, 0, 0},
		{16, 0, 0, 0},
		{4, 4, 4, 4},
		{9, 5, 2, 0},
		{1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{40, 30, 32, 26},
	}
	dir := t.TempDir()
	in, out, script := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json"), filepath.Join(dir, "nsb.py")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(nsbPy), 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(python, script, in, out).CombinedOutput(); err != nil {
		t.Fatalf("scipy NSB: %v\n%s", err, msg)
	}
	var ref []float64
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		got, err := Entropy(c, NSB, nil)
		if err != nil {
			t.Fatal(err)
		}
		near(t, "NSB", got, ref[i], 1e-7)
	}
}
