package info

import (
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// bayesCountPy is the Panzeri–Treves (1996) Bayesian count of relevant
// bins written out from the procedure (as pyentropy's pt_bayescount runs
// it; analysis-methods.md B3): m occupied bins of K; the starting mismatch
// |m − E[occupied]| uses the plug-in probabilities; then x = 1, 2, … unseen
// bins share γ(x) = x(1 − (N/(N+m))^{1/N}), occupied bins get
// (1−γ)(n_i+1)/(N+m), and x grows while the mismatch shrinks (and m+x <= K).
const bayesCountPy = `
import json, sys, numpy as np
out = []
for c in json.load(open(sys.argv[1])):
    c = np.array(c, float); K = c.size; N = c.sum(); nz = c[c > 0]; m = nz.size
    if m >= K:
        out.append(float(m)); continue
    prev = abs(m - (1 - (1 - nz/N)**N).sum())
    best = 0; x = 0
    while m + x < K:
        x += 1
        g = x*(1 - (N/(N + m))**(1/N))
        p = (1 - g)/(N + m)*(nz + 1)
        e = (1 - (1 - p)**N).sum() + x*(1 - (1 - g/x)**N)
        d = abs(m - e)
        if d >= prev:
            break
        prev, best = d, x
    out.append(float(m + best))
json.dump(out, open(sys.argv[2], 'w'))
`

// TestBayesCountAgainstPython checks BayesCount against the numpy rendering
// above on hand-made vectors and on random sparse ones shaped like a single
// direction's spike counts on the gratings fixture (16 trials over up to 50
// possible count values).
func TestBayesCountAgainstPython(t *testing.T) {
	if _, err := os.Stat(python); err != nil {
		t.Skip("/usr/bin/python3 absent")
	}
	if err := exec.Command(python, "-c", "import numpy").Run(); err != nil {
		t.Skip("python3-numpy absent")
	}
	cases := [][]int{
		{5, 3, 2, 0, 0, 0, 0, 0, 0, 0},
		{16, 0, 0, 0},
		{4, 4, 4, 4},
		{1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
		{3, 0, 1, 0, 2, 1, 0, 0, 0, 1, 4, 0, 0, 2, 0, 0, 1, 1, 0, 0, 0},
	}
	r := rand.New(rand.NewPCG(6, 2))
	for i := 0; i < 40; i++ {
		c := make([]int, 10+r.IntN(41))
		for j := 0; j < 16; j++ {
			c[r.IntN(len(c))]++
		}
		cases = append(cases, c)
	}
	dir := t.TempDir()
	in, out, script := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json"), filepath.Join(dir, "bc.py")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(in, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(script, []byte(bayesCountPy), 0o600); err != nil {
		t.Fatal(err)
	}
	if msg, err := exec.Command(python, script, in, out).CombinedOutput(); err != nil {
		t.Fatalf("numpy BayesCount: %v\n%s", err, msg)
	}
	var ref []float64
	if b, err := os.ReadFile(out); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(b, &ref); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		if got := BayesCount(c); got != ref[i] {
			t.Errorf("BayesCount(%v) = %v, numpy %v", c, got, ref[i])
		}
	}
}
