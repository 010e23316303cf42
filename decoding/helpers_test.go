package decoding

import (
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// loadCSV reads a numeric CSV (optionally gzip-compressed, '#' comments) and
// returns the header and the rows.
func loadCSV(t testing.TB, path string) ([]string, [][]float64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		gz, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	cr := csv.NewReader(r)
	cr.Comment = '#'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows := make([][]float64, len(recs)-1)
	for i, rec := range recs[1:] {
		rows[i] = make([]float64, len(rec))
		for j, s := range rec {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatalf("%s row %d col %d: %v", path, i, j, err)
			}
			rows[i][j] = v
		}
	}
	return recs[0], rows
}

// splitXY takes the named label column (and optional fold column) out of a
// table; every column whose name starts with prefix is a feature.
func splitXY(header []string, rows [][]float64, prefix, label, fold string) (*mat.Dense, []int, []int) {
	var fc []int
	li, fi := -1, -1
	for j, h := range header {
		switch {
		case h == label:
			li = j
		case h == fold:
			fi = j
		case strings.HasPrefix(h, prefix):
			fc = append(fc, j)
		}
	}
	x := mat.NewDense(len(rows), len(fc), nil)
	y := make([]int, len(rows))
	var folds []int
	if fi >= 0 {
		folds = make([]int, len(rows))
	}
	for i, r := range rows {
		for a, j := range fc {
			x.Set(i, a, r[j])
		}
		y[i] = int(r[li])
		if fi >= 0 {
			folds[i] = int(r[fi])
		}
	}
	return x, y, folds
}

const sharedDir = "../../shared"

func needShared(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(sharedDir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared reference data absent (%s): %v", p, err)
	}
	return p
}

// h5pyJSON runs a Debian python3 script (with h5py and numpy) as
// `script NWB OUT`, which dumps JSON into OUT, and unmarshals OUT into v:
// the tests' independent reading of a fixture.
func h5pyJSON(t testing.TB, script, nwb string, v any) {
	t.Helper()
	py := python(t, "h5py", "numpy")
	out := filepath.Join(t.TempDir(), "h5py.json")
	if b, err := exec.Command(py, "-c", script, nwb, out).CombinedOutput(); err != nil {
		t.Fatalf("h5py extraction: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
}

// python returns the path of Debian's python3 if it can import the given
// modules, else skips the test.
func python(t testing.TB, modules ...string) string {
	t.Helper()
	const py = "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skipf("%s absent", py)
	}
	code := "import " + strings.Join(modules, ",")
	if out, err := exec.Command(py, "-c", code).CombinedOutput(); err != nil {
		t.Skipf("python3 lacks %v: %s", modules, out)
	}
	return py
}
