package hdf5

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// contigScript writes contiguous datasets with h5py and prints, for each
// hyperslab of the test, the selected values as h5py reads them (the
// reference): a JSON object {"name start count stride": [values…]}.
const contigScript = `
import sys, json, numpy as np, h5py
path = sys.argv[1]
sels = json.loads(sys.argv[2])
rng = np.random.default_rng(7)
with h5py.File(path, "w") as f:
    f.create_dataset("f64", data=rng.standard_normal(300000))
    f.create_dataset("f64be", data=rng.standard_normal(5000).astype(">f8"))
    f.create_dataset("f32", data=rng.standard_normal((40000, 7)).astype("<f4"))
    f.create_dataset("i32", data=rng.integers(-2**31, 2**31, size=(40, 300, 9), dtype="<i4"))
    f.create_dataset("u16", data=rng.integers(0, 2**16, size=(1000,), dtype="<u2"))
out = {}
with h5py.File(path, "r") as f:
    for name, start, count, stride in sels:
        ds = f[name]
        assert ds.chunks is None, name  # contiguous layout
        idx = tuple(slice(s, s + (c - 1) * st + 1, st) for s, c, st in zip(start, count, stride))
        a = ds[idx]
        out[json.dumps([name, start, count, stride], separators=(",", ":"))] = [float(x) for x in a.ravel()]
print(json.dumps(out))
`

type contigSel struct {
	name                 string
	start, count, stride []uint64
	direct               bool // one contiguous byte run
}

func (s contigSel) key() string {
	b, _ := json.Marshal([]any{s.name, s.start, s.count, s.stride})
	return string(b)
}

// TestContiguousDirectRead checks hyperslabs of contiguous datasets that
// are one byte run (read straight into the destination) and some that are
// not (bounding range or row by row), against h5py's values for the same
// selections (Debian python3-h5py, contigScript). It also checks that a
// contiguous-run read allocates about the result only (no temporary copy
// of the selected range) and that a failing read names the dataset.
func TestContiguousDirectRead(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("python3 not installed")
	}
	u := func(v ...uint64) []uint64 { return v }
	sels := []contigSel{
		{"f64", u(1000), u(200000), u(1), true},
		{"f64", u(299999), u(1), u(1), true},
		{"f64", u(0), u(299999), u(1), true},
		{"f64", u(5), u(1), u(9), true}, // stride irrelevant for one element
		{"f64", u(10), u(1000), u(3), false},
		{"f64be", u(17), u(4000), u(1), true},
		{"f32", u(3, 0), u(39000, 7), u(1, 1), true}, // whole rows
		{"f32", u(5, 2), u(1, 4), u(1, 1), true},     // part of one row
		{"f32", u(5, 2), u(3, 4), u(1, 1), false},    // parts of several rows
		{"f32", u(0, 0), u(2000, 7), u(2, 1), false},
		{"i32", u(4, 0, 0), u(10, 300, 9), u(1, 1, 1), true},
		{"i32", u(4, 0, 0), u(10, 30, 9), u(1, 1, 1), false},
		{"i32", u(4, 7, 0), u(1, 20, 9), u(1, 1, 1), true},
		{"i32", u(4, 7, 3), u(1, 1, 6), u(1, 1, 1), true},
		{"i32", u(4, 7, 3), u(2, 1, 6), u(1, 1, 1), false},
		{"i32", u(0, 0, 0), u(40, 300, 1), u(1, 1, 1), false},
		{"u16", u(100), u(900), u(1), true},
	}
	var arg [][]any
	for _, s := range sels {
		arg = append(arg, []any{s.name, s.start, s.count, s.stride})
	}
	argJSON, _ := json.Marshal(arg)
	path := filepath.Join(t.TempDir(), "contig.h5")
	out, err := exec.Command(py, "-c", contigScript, path, string(argJSON)).Output()
	if err != nil {
		t.Skipf("h5py not usable: %v", err)
	}
	want := map[string][]float64{}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	checkSels(t, f, sels, want, true)

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sel := &Hyperslab{Start: []uint64{1000}, Count: []uint64{200000}}

	// the same reads split between three workers (readRun's parallel
	// path); one part failing fails the read
	oldMin, oldPart, oldSplit := parallelReadMin, parallelReadPart, splitReads
	parallelReadMin, parallelReadPart = 1, 4096
	splitReads = func(io.ReaderAt) bool { return true }
	defer func() { parallelReadMin, parallelReadPart, splitReads = oldMin, oldPart, oldSplit }()
	f3, err := Open(path, WithWorkers(3))
	if err != nil {
		t.Fatal(err)
	}
	defer f3.Close()
	checkSels(t, f3, sels, want, false)
	fp, err := NewReader(failLargeReads{bytes.NewReader(raw), 530000}, int64(len(raw)), WithWorkers(3))
	if err != nil {
		t.Fatal(err)
	}
	defer fp.Close()
	pds, err := fp.Dataset("/f64")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pds.ReadFloat64s(sel); !errors.Is(err, errLargeRead) {
		t.Errorf("failing parallel read: got %v", err)
	}
	parallelReadMin, parallelReadPart, splitReads = oldMin, oldPart, oldSplit

	// A failing read of the run is an error naming the dataset and offset.
	ff, err := NewReader(failLargeReads{bytes.NewReader(raw), 1 << 20}, int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	defer ff.Close()
	fds, err := ff.Dataset("/f64")
	if err != nil {
		t.Fatal(err)
	}
	_, err = fds.ReadFloat64s(sel)
	if err == nil || !errors.Is(err, errLargeRead) || !strings.Contains(err.Error(), "/f64") || !strings.Contains(err.Error(), "offset") {
		t.Errorf("failing read: got %v", err)
	}
}

// checkSels reads every selection of sels from f and compares the values
// with h5py's (want); with allocs it also checks that a contiguous run of
// at least 128 KiB of result allocates about the result only.
func checkSels(t *testing.T, f *File, sels []contigSel, want map[string][]float64, allocs bool) {
	t.Helper()
	for _, s := range sels {
		ds, err := f.Dataset("/" + s.name)
		if err != nil {
			t.Fatal(err)
		}
		if ds.Layout() != LayoutContiguous {
			t.Fatalf("%s: layout %v, want contiguous", s.name, ds.Layout())
		}
		sel := &Hyperslab{Start: s.start, Count: s.count, Stride: s.stride}
		got, err := ds.ReadFloat64s(sel)
		if err != nil {
			t.Fatalf("%s: %v", s.key(), err)
		}
		w, ok := want[s.key()]
		if !ok {
			t.Fatalf("%s: no h5py reference", s.key())
		}
		if len(got) != len(w) {
			t.Fatalf("%s: %d values, h5py %d", s.key(), len(got), len(w))
		}
		for i := range w {
			if got[i] != w[i] && !(math.IsNaN(got[i]) && math.IsNaN(w[i])) {
				t.Fatalf("%s: value %d = %v, h5py %v", s.key(), i, got[i], w[i])
			}
		}
		if allocs && s.direct && len(got)*8 >= 128<<10 {
			// A contiguous run is read into the result's memory (for
			// narrower types, its tail): allocations are about the
			// result; a temporary copy of the run would add at least
			// half of it.
			if per, res := allocPerRead(t, ds, sel), uint64(len(got)*8); per > res+res/8+4096 {
				t.Errorf("%s: read allocated %d bytes for a %d-byte result", s.key(), per, res)
			}
		}
	}
}

// allocPerRead is the bytes allocated per ReadFloat64s(sel) (tests of
// this package do not run in parallel, so TotalAlloc counts this read).
func allocPerRead(t *testing.T, ds *Dataset, sel *Hyperslab) uint64 {
	t.Helper()
	const reps = 5
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range reps {
		if _, err := ds.ReadFloat64s(sel); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&m1)
	return (m1.TotalAlloc - m0.TotalAlloc) / reps
}

var errLargeRead = errors.New("test: large read refused")

// failLargeReads fails every read of at least min bytes (data reads; the
// metadata reads of these small files are shorter).
type failLargeReads struct {
	r   *bytes.Reader
	min int
}

func (f failLargeReads) ReadAt(p []byte, off int64) (int, error) {
	if len(p) >= f.min {
		return 0, fmt.Errorf("%w (%d bytes at %d)", errLargeRead, len(p), off)
	}
	return f.r.ReadAt(p, off)
}
