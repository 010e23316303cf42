package nwbarrow_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
)

// TestInteropNode writes Parquet and Arrow IPC files from the embedded
// example sessions and has independent readers read them back under Node
// (testdata/interop/read_back.mjs: apache-arrow for IPC; hyparquet and
// parquet-wasm, i.e. arrow-rs, for Parquet). Every value of every column
// must equal what Go exported: ragged lists, fixed-size waveform and mask
// arrays, region indices, reference paths, the compound epochs/timeseries
// struct, booleans, NaN, int64 ids and float32 data.
func TestInteropNode(t *testing.T) {
	dir := "../testdata/interop"
	if _, err := os.Stat(filepath.Join(dir, "node_modules")); err != nil {
		t.Skip("testdata/interop/node_modules missing: run .ci/install-tools (npm ci) to enable the Node interop check")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	tmp := t.TempDir()
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)

	type item struct {
		session, name string
		open          func(f *nwb.File) (array.RecordReader, error)
		wopts         []nwbarrow.Option // writer options
	}
	table := func(name string) func(f *nwb.File) (array.RecordReader, error) {
		return func(f *nwb.File) (array.RecordReader, error) {
			tb, err := f.ResolveTable(name)
			if err != nil {
				return nil, err
			}
			return nwbarrow.Table(mem, tb, nwbarrow.WithBatchRows(50))
		}
	}
	items := []item{
		{"ecephys_gratings", "units", table("units"), nil},
		// many row groups, cut between units (the P3 defaults at a smaller scale)
		{"ecephys_gratings", "units_rowgroups", table("units"), []nwbarrow.Option{nwbarrow.WithRowGroupValues(3000)}},
		{"ecephys_gratings", "trials", table("trials"), nil},
		{"ecephys_gratings", "epochs", table("epochs"), nil},
		{"ecephys_gratings", "electrodes", table("electrodes"), nil},
		{"ecephys_gratings", "presentations", table("drifting_gratings_presentations"), nil},
		{"ecephys_gratings", "spikes", func(f *nwb.File) (array.RecordReader, error) {
			u, err := f.Units()
			if err != nil {
				return nil, err
			}
			return nwbarrow.Spikes(mem, u, nwbarrow.WithBatchRows(20000))
		}, nil},
		{"ecephys_gratings", "running", func(f *nwb.File) (array.RecordReader, error) {
			s, err := f.RunningSpeed()
			if err != nil {
				return nil, err
			}
			return nwbarrow.Series(mem, s, nwbarrow.WithBatchRows(10000))
		}, nil},
		{"ophys_scenes", "planeseg", table("PlaneSegmentation"), nil},
		{"behavior_place", "units", table("units"), nil},
	}
	want := map[string]map[string][]any{} // file -> column -> canonical values
	var files []string
	for _, it := range items {
		r, n, err := examples.Open(it.session)
		if err != nil {
			t.Fatal(err)
		}
		f, err := nwb.NewReader(r, n)
		if err != nil {
			t.Fatal(err)
		}
		for _, format := range []nwbarrow.Format{nwbarrow.Parquet, nwbarrow.IPC} {
			rr, err := it.open(f)
			if err != nil {
				t.Fatalf("%s %s: %v", it.session, it.name, err)
			}
			rec, err := nwbarrow.ReadAll(mem, rr)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(tmp, it.session+"_"+it.name+format.Ext())
			if err := nwbarrow.WriteRecordFile(path, format, mem, rec, it.wopts...); err != nil {
				t.Fatal(err)
			}
			want[path] = canonRecord(rec)
			files = append(files, path)
			rec.Release()
		}
		f.Close()
	}
	cmd := exec.Command("node", append([]string{filepath.Join(dir, "read_back.mjs")}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node read_back.mjs: %v\n%s", err, stderr.String())
	}
	seen := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for sc.Scan() {
		var got struct {
			File    string           `json:"file"`
			Reader  string           `json:"reader"`
			Rows    int              `json:"rows"`
			Columns map[string][]any `json:"columns"`
		}
		if err := json.Unmarshal(sc.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		seen[got.File]++
		w := want[got.File]
		if len(got.Columns) != len(w) {
			t.Errorf("%s via %s: %d columns, want %d", filepath.Base(got.File), got.Reader, len(got.Columns), len(w))
		}
		for name, wv := range w {
			gv, ok := got.Columns[name]
			if !ok {
				t.Errorf("%s via %s: column %s missing", filepath.Base(got.File), got.Reader, name)
				continue
			}
			if len(gv) != len(wv) || got.Rows != len(wv) {
				t.Errorf("%s via %s: column %s has %d values (%d rows), want %d", filepath.Base(got.File), got.Reader, name, len(gv), got.Rows, len(wv))
				continue
			}
			for i := range wv {
				if !reflect.DeepEqual(gv[i], wv[i]) {
					t.Errorf("%s via %s: %s[%d] = %.200v, want %.200v", filepath.Base(got.File), got.Reader, name, i, gv[i], wv[i])
					break
				}
			}
		}
	}
	for _, f := range files {
		wantReaders := 1 // apache-arrow
		if filepath.Ext(f) == ".parquet" {
			wantReaders = 2 // hyparquet, parquet-wasm
		}
		if seen[f] != wantReaders {
			t.Errorf("%s read by %d readers, want %d", filepath.Base(f), seen[f], wantReaders)
		}
	}
}

// canonRecord renders a record the way read_back.mjs canonicalises values
// after JSON decoding: 64-bit integers as decimal strings, other numbers as
// float64, NaN/±Inf as strings, lists as []any, structs as map[string]any.
func canonRecord(rec arrow.RecordBatch) map[string][]any {
	out := map[string][]any{}
	for c, f := range rec.Schema().Fields() {
		vals := make([]any, rec.NumRows())
		for i := range vals {
			vals[i] = canon(rec.Column(c), i)
		}
		out[f.Name] = vals
	}
	return out
}

func canonFloat(v float64) any {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "Infinity"
	case math.IsInf(v, -1):
		return "-Infinity"
	}
	return v
}

func canon(a arrow.Array, i int) any {
	if a.IsNull(i) {
		return nil
	}
	switch x := a.(type) {
	case *array.Int64:
		return fmt.Sprint(x.Value(i))
	case *array.Uint64:
		return fmt.Sprint(x.Value(i))
	case *array.Int32:
		return float64(x.Value(i))
	case *array.Int16:
		return float64(x.Value(i))
	case *array.Int8:
		return float64(x.Value(i))
	case *array.Uint32:
		return float64(x.Value(i))
	case *array.Uint16:
		return float64(x.Value(i))
	case *array.Uint8:
		return float64(x.Value(i))
	case *array.Float64:
		return canonFloat(x.Value(i))
	case *array.Float32:
		return canonFloat(float64(x.Value(i)))
	case *array.Boolean:
		return x.Value(i)
	case *array.String:
		return x.Value(i)
	case *array.List:
		lo, hi := x.ValueOffsets(i)
		return canonRange(x.ListValues(), int(lo), int(hi))
	case *array.FixedSizeList:
		n := int(x.DataType().(*arrow.FixedSizeListType).Len())
		j := x.Data().Offset() + i
		return canonRange(x.ListValues(), j*n, (j+1)*n)
	case *array.Struct:
		m := map[string]any{}
		st := x.DataType().(*arrow.StructType)
		for k := 0; k < x.NumField(); k++ {
			m[st.Field(k).Name] = canon(x.Field(k), i)
		}
		return m
	}
	panic("canon: unexpected " + a.DataType().String())
}

func canonRange(child arrow.Array, lo, hi int) any {
	out := make([]any, 0, hi-lo)
	for j := lo; j < hi; j++ {
		out = append(out, canon(child, j))
	}
	return out
}
