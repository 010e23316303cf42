package nwbarrow_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
	_ "github.com/neurodata/neurodata/nwbarrow/parquet"
)

// TestReadTypedColumnsFile: WriteTypedColumnsFile then
// ReadTypedColumnsFile gives the input columns back (values, nulls, NaN,
// timestamps, lists), for Parquet and Arrow IPC; the expected values are
// the inputs.
func TestReadTypedColumnsFile(t *testing.T) {
	t0 := time.Date(2020, 8, 19, 15, 36, 48, 920000000, time.UTC)
	in := []nwbarrow.TypedCol{
		{Name: "id", Values: []int64{1043752325, 1044385384, 0}, Valid: []bool{true, true, false}, Description: "session id"},
		{Name: "x", Values: []float64{17, math.NaN(), 0}, Valid: []bool{true, true, false}},
		{Name: "ok", Values: []bool{true, false, true}},
		{Name: "s", Values: []string{"G", "", "H"}, Valid: []bool{true, false, true}},
		{Name: "date", Values: []time.Time{t0, {}, t0.Add(time.Hour)}, Valid: []bool{true, false, true}},
		{Name: "areas", Values: [][]string{{"APN", "CA1"}, {}, nil}, Valid: []bool{true, true, false}},
		{Name: "ids", Values: [][]int64{{1, 2}, {}, {3}}},
		{Name: "fs", Values: [][]float64{{0.5}, {}, {1.5, 2}}},
	}
	for _, f := range []nwbarrow.Format{nwbarrow.Parquet, nwbarrow.IPC} {
		path := filepath.Join(t.TempDir(), "t"+f.Ext())
		if err := nwbarrow.WriteTypedColumnsFile(path, f, map[string]string{"allen.table": "sessions"}, in...); err != nil {
			t.Fatal(err)
		}
		meta, got, err := nwbarrow.ReadTypedColumnsFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if meta["allen.table"] != "sessions" || len(got) != len(in) {
			t.Fatalf("%s: metadata %v, %d columns", f, meta, len(got))
		}
		for i, c := range in {
			g := got[i]
			// %v prints NaN, nil and empty slices, and UTC times alike on both sides
			if g.Name != c.Name || g.Description != c.Description || fmt.Sprintf("%v", g.Values) != fmt.Sprintf("%v", c.Values) || !slices.Equal(g.Valid, c.Valid) {
				t.Errorf("%s: column %d = %+v, want %+v", f, i, g, c)
			}
		}
		if d := got[4].Values.([]time.Time); !d[0].Equal(t0) || d[0].Location() != time.UTC {
			t.Errorf("%s: date %v", f, d[0])
		}
	}
	if _, _, err := nwbarrow.ReadTypedColumnsFile(filepath.Join(t.TempDir(), "x.csv")); err == nil {
		t.Error("CSV read back: no error")
	}
}

// TestSelect: Select resolves tables, the long-format spike trains and
// time series by name; an unknown name wraps nwb.ErrNotFound; a struct
// column (the epochs' TimeSeriesReferenceVectorData) has no Go mapping in
// ReadTypedColumnsFile and the error names it.
func TestSelect(t *testing.T) {
	f := openExample(t, "ecephys_gratings")
	u, err := f.Units()
	if err != nil {
		t.Fatal(err)
	}
	ids, _ := u.IDs()
	dir := t.TempDir()
	for name, wantRows := range map[string]int{"units": len(ids), "spikes": -1, "/units": len(ids)} {
		sel, err := nwbarrow.Select(f, name)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, strings.Trim(name, "/")+".parquet")
		if err := sel.WriteFile(path, nwbarrow.Parquet); err != nil {
			t.Fatal(err)
		}
		sel.Close()
		_, cols, err := nwbarrow.ReadTypedColumnsFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if wantRows < 0 { // spikes: one row per spike, unit ids from the units table
			total := 0
			for i := range ids {
				n, _ := u.SpikeCount(i)
				total += n
			}
			if got := len(cols[0].Values.([]int64)); got != total || cols[0].Name != "unit_id" {
				t.Errorf("spikes: %d rows in %q, want %d", got, cols[0].Name, total)
			}
			continue
		}
		if got := cols[0].Values.([]int64); !slices.Equal(got, ids) {
			t.Errorf("%s: ids %v, want %v", name, got, ids)
		}
	}
	if _, err := nwbarrow.Select(f, "no_such_table"); !errors.Is(err, nwb.ErrNotFound) {
		t.Errorf("unknown table: %v", err)
	}
	sel, err := nwbarrow.Select(f, "epochs")
	if err != nil {
		t.Fatal(err)
	}
	defer sel.Close()
	path := filepath.Join(dir, "epochs.arrow")
	if err := sel.WriteFile(path, nwbarrow.IPC); err != nil {
		t.Fatal(err)
	}
	if _, _, err := nwbarrow.ReadTypedColumnsFile(path); err == nil || !strings.Contains(err.Error(), "timeseries") {
		t.Errorf("struct column: error %v", err)
	}
}

// TestTableBatchValues: with WithBatchValues(n) every batch of the units
// table holds at most n values (id + spike times + the other columns) or a
// single row, and the spike times equal those read through package nwb.
// Releasing the reader after the first batch (another one being read in
// the background) leaks nothing.
func TestTableBatchValues(t *testing.T) {
	mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
	defer mem.AssertSize(t, 0)
	f := openExample(t, "ecephys_gratings")
	u, err := f.Units()
	if err != nil {
		t.Fatal(err)
	}
	const limit = 4000
	rr, err := nwbarrow.Table(mem, u.Table, nwbarrow.WithBatchValues(limit), nwbarrow.WithColumns("spike_times"))
	if err != nil {
		t.Fatal(err)
	}
	row, batches := 0, 0
	for rr.Next() {
		rec := rr.RecordBatch()
		batches++
		st := rec.Column(1)
		values := int(rec.NumRows()) + st.Data().Children()[0].Len() // ids + spike times
		if values > limit && rec.NumRows() > 1 {
			t.Errorf("batch %d: %d rows with %d values > %d", batches, rec.NumRows(), values, limit)
		}
		l := st.(*array.List)
		vals := l.ListValues().(*array.Float64).Float64Values()
		for i := 0; i < l.Len(); i++ {
			lo, hi := l.ValueOffsets(i)
			want, _ := u.SpikeTimes(row)
			if !slices.Equal(vals[lo:hi], want) {
				t.Fatalf("row %d: %d spikes, want %d", row, hi-lo, len(want))
			}
			row++
		}
	}
	rr.Release()
	if rr.Err() != nil || row != u.Len() || batches < 2 {
		t.Fatalf("err %v, %d rows in %d batches (want %d rows, several batches)", rr.Err(), row, batches, u.Len())
	}
	rr, err = nwbarrow.Table(mem, u.Table, nwbarrow.WithBatchValues(limit))
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Next() {
		t.Fatal(rr.Err())
	}
	rr.Release()
}

// openExample opens an embedded example session.
func openExample(t *testing.T, name string) *nwb.File {
	t.Helper()
	r, n, err := examples.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := nwb.NewReader(r, n)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
