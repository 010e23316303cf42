package hdf5

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"sync"
	"testing"
)

const fixturesDir = "../../shared/fixtures"

// h5pySums runs Debian's h5py on path and returns, for every numeric
// dataset, the sha256 of its elements as little-endian bytes (the
// encoding of ../shared/corpus/expected_format.py for numbers).
func h5pySums(t *testing.T, path string) map[string]string {
	t.Helper()
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("python3 not installed")
	}
	script := `
import sys, json, hashlib, numpy as np, h5py
out = {}
def visit(name, obj):
    if isinstance(obj, h5py.Dataset) and obj.dtype.kind in 'biuf' and obj.shape is not None:
        a = np.ascontiguousarray(obj[()])
        out['/' + name] = hashlib.sha256(a.astype(a.dtype.newbyteorder('<')).tobytes()).hexdigest()
with h5py.File(sys.argv[1], 'r') as f:
    f.visititems(visit)
print(json.dumps(out))
`
	cmd := exec.Command(py, "-c", script, path)
	b, err := cmd.Output()
	if err != nil {
		t.Skipf("h5py not usable: %v", err)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFixtureChunkIndexes reads every numeric dataset of the pynwb fixture
// files (../shared/fixtures/{default,compressed,latest}: v1 B-tree, single
// chunk, fixed array, extensible array and v2 B-tree chunk indexes,
// shuffle+deflate) and checks each against h5py's bytes.
func TestFixtureChunkIndexes(t *testing.T) {
	if _, err := os.Stat(fixturesDir); err != nil {
		t.Skip("../shared/fixtures not present")
	}
	files, _ := filepath.Glob(filepath.Join(fixturesDir, "*", "*.nwb"))
	if testing.Short() && len(files) > 3 {
		files = files[:3]
	}
	idxSeen := map[int]int{}
	for _, p := range files {
		want := h5pySums(t, p)
		f, err := Open(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		var paths []string
		for k := range want {
			paths = append(paths, k)
		}
		sort.Strings(paths)
		for _, dp := range paths {
			ds, err := f.Dataset(dp)
			if err != nil {
				t.Errorf("%s %s: %v", p, dp, err)
				continue
			}
			raw, err := ds.ReadRaw(nil)
			if err != nil {
				t.Errorf("%s %s: %v", p, dp, err)
				continue
			}
			got, err := canonicalSHA(f, raw, int(ds.NumElements()), ds.Type())
			if err != nil || got != want[dp] {
				t.Errorf("%s %s (%s, layout %d, index %d): sha256 %s, h5py %s (%v)", p, dp, numpyDtype(ds.Type()), ds.Layout(), ds.idxType, got, want[dp], err)
			}
			// the in-place widening of ReadFloat64s against a plain
			// conversion of the checked raw bytes
			want64 := make([]float64, ds.NumElements())
			if err := numToFloat64(want64, raw, ds.Type()); err == nil {
				got64, err := ds.ReadFloat64s(nil)
				if err != nil || len(got64) != len(want64) {
					t.Errorf("%s %s: ReadFloat64s: %v", p, dp, err)
				} else {
					for i := range got64 {
						if math.Float64bits(got64[i]) != math.Float64bits(want64[i]) {
							t.Errorf("%s %s: ReadFloat64s[%d] = %v, want %v", p, dp, i, got64[i], want64[i])
							break
						}
					}
				}
			}
			if ds.Layout() == LayoutChunked {
				idxSeen[ds.idxType]++
			}
		}
		f.Close()
	}
	if !testing.Short() {
		for _, it := range []int{idxBTree1, idxSingle, idxFixedArray, idxExtArray, idxBTree2} {
			if idxSeen[it] == 0 {
				t.Errorf("no dataset with chunk index type %d was checked", it)
			}
		}
	}
}

// TestConcurrentReads reads one file from 8 goroutines at once (run with
// -race); results must equal a serial read.
func TestConcurrentReads(t *testing.T) {
	p := filepath.Join(fixturesDir, "compressed", "ophys_scenes.nwb")
	if _, err := os.Stat(p); err != nil {
		t.Skip("../shared/fixtures not present")
	}
	f, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var dsPaths []string
	f.Walk(func(path string, obj Object, link *Link, err error) error {
		if ds, ok := obj.(*Dataset); ok && ds.Type().isNumeric() {
			dsPaths = append(dsPaths, path)
		}
		return nil
	})
	sum := func(ff *File, p string) string {
		ds, err := ff.Dataset(p)
		if err != nil {
			return "err:" + err.Error()
		}
		b, err := ds.ReadRaw(nil)
		if err != nil {
			return "err:" + err.Error()
		}
		h := sha256.Sum256(b)
		return hex.EncodeToString(h[:])
	}
	serial := map[string]string{}
	for _, p := range dsPaths {
		serial[p] = sum(f, p)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(dsPaths))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range dsPaths {
				p := dsPaths[(i+g)%len(dsPaths)]
				if s := sum(f, p); s != serial[p] {
					errs <- p
				}
				if ds, err := f.Dataset(p); err == nil {
					ds.Attrs()
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for p := range errs {
		t.Errorf("concurrent read of %s differs", p)
	}
}
