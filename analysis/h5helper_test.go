package analysis

import (
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// h5dump is an independent reader for test data: Debian's python3-h5py loads
// the named datasets from an HDF5/NWB file and hands them over as JSON. A
// path prefixed with "ragged:" is split with its "<path>_index" dataset
// (NWB ragged columns). NaN travels as null.
const h5dumpPy = `
import sys, json, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
def conv(a):
    a = np.asarray(a)
    if a.dtype.kind in "OSU":
        return [x.decode() if isinstance(x, bytes) else str(x) for x in a.ravel()]
    a = a.astype(float).ravel()
    return [None if not np.isfinite(x) else float(x) for x in a]
out = {}
for p in sys.argv[2:]:
    if p.startswith("ragged:"):
        q = p[7:]
        d = f[q][()]; idx = f[q + "_index"][()]
        lo = 0; rows = []
        for hi in idx:
            rows.append(conv(d[lo:hi])); lo = int(hi)
        out[p] = rows
    elif p.startswith("attr:"):
        q, name = p[5:].rsplit("@", 1)
        out[p] = conv(f[q].attrs[name])
    else:
        out[p] = conv(f[p][()])
json.dump(out, sys.stdout)
`

type h5Data map[string]json.RawMessage

func h5dump(t *testing.T, file string, paths ...string) h5Data {
	t.Helper()
	if _, err := os.Stat(file); err != nil {
		t.Skipf("fixture %s not available (../shared absent?): %v", file, err)
	}
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import h5py, numpy").Run(); err != nil {
		t.Skipf("python3-h5py/numpy not available: %v", err)
	}
	script := filepath.Join(t.TempDir(), "h5dump.py")
	if err := os.WriteFile(script, []byte(h5dumpPy), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, append([]string{script, file}, paths...)...).Output()
	if err != nil {
		t.Fatalf("h5dump %s: %v", file, err)
	}
	var d h5Data
	if err := json.Unmarshal(out, &d); err != nil {
		t.Fatal(err)
	}
	return d
}

func nanFloats(p []*float64) []float64 {
	x := make([]float64, len(p))
	for i, v := range p {
		if v == nil {
			x[i] = math.NaN()
		} else {
			x[i] = *v
		}
	}
	return x
}

func (d h5Data) floats(t *testing.T, p string) []float64 {
	t.Helper()
	var v []*float64
	if err := json.Unmarshal(d[p], &v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return nanFloats(v)
}

func (d h5Data) ragged(t *testing.T, p string) [][]float64 {
	t.Helper()
	var v [][]*float64
	if err := json.Unmarshal(d["ragged:"+p], &v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	out := make([][]float64, len(v))
	for i := range v {
		out[i] = nanFloats(v[i])
	}
	return out
}

func (d h5Data) strings(t *testing.T, p string) []string {
	t.Helper()
	var v []string
	if err := json.Unmarshal(d[p], &v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return v
}

func readJSON(t *testing.T, file string, v any) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Skipf("truth file %s not available: %v", file, err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

const fixtureDir = "../../shared/fixtures"

// pearson is a plain textbook correlation for test assertions.
func pearson(x, y []float64) float64 {
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx /= n
	my /= n
	var sxy, sxx, syy float64
	for i := range x {
		sxy += (x[i] - mx) * (y[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
		syy += (y[i] - my) * (y[i] - my)
	}
	return sxy / math.Sqrt(sxx*syy)
}

func angDiff(a, b, period float64) float64 {
	d := math.Mod(math.Abs(a-b), period)
	return math.Min(d, period-d)
}

// runPy runs an inline numpy/h5py script with args and decodes its JSON
// output (NaN as null) into v. It skips when python3-h5py is absent.
func runPy(t *testing.T, script string, v any, args ...string) {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import h5py, numpy").Run(); err != nil {
		t.Skipf("python3-h5py/numpy not available: %v", err)
	}
	f := filepath.Join(t.TempDir(), "ref.py")
	if err := os.WriteFile(f, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, append([]string{f}, args...)...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("python reference: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	if err := json.Unmarshal(out, v); err != nil {
		t.Fatal(err)
	}
}
