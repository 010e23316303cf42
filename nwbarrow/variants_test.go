package nwbarrow_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
)

// TestFixtureVariantsIdentical exports every table, the long-format spike
// trains and every time series of each fixture session from the three HDF5
// storage variants (../shared/fixtures/{default,compressed,latest}: v0/v3
// superblocks, contiguous/chunked storage, four chunk indexes, filters) and
// requires identical Arrow output, schema metadata included.
func TestFixtureVariantsIdentical(t *testing.T) {
	const dir = "../../shared/fixtures"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("fixtures not available: %v", err)
	}
	for _, name := range []string{"ecephys_gratings", "ophys_scenes", "behavior_place"} {
		t.Run(name, func(t *testing.T) {
			mem := memory.NewCheckedAllocator(memory.NewGoAllocator())
			defer mem.AssertSize(t, 0)
			var ref map[string]arrow.RecordBatch
			for _, v := range []string{"default", "compressed", "latest"} {
				recs := exportEverything(t, mem, filepath.Join(dir, v, name+".nwb"))
				if ref == nil {
					ref = recs
					if len(recs) < 3 {
						t.Fatalf("%s: only %d exports", name, len(recs))
					}
					continue
				}
				if len(recs) != len(ref) {
					t.Errorf("%s/%s: %d exports, default has %d", v, name, len(recs), len(ref))
				}
				for k, r := range recs {
					want, ok := ref[k]
					switch {
					case !ok:
						t.Errorf("%s/%s: extra export %s", v, name, k)
					case !r.Schema().Equal(want.Schema()) || !r.Schema().Metadata().Equal(want.Schema().Metadata()):
						t.Errorf("%s/%s %s: schema differs:\n%s\nvs\n%s", v, name, k, r.Schema(), want.Schema())
					case !array.RecordApproxEqual(r, want, array.WithNaNsEqual(true), array.WithAbsTolerance(0)):
						t.Errorf("%s/%s %s: values differ from the default variant", v, name, k)
					}
					r.Release()
				}
			}
			checkTruthCounts(t, filepath.Join(dir, "default", name+".truth.json"), ref)
			for _, r := range ref {
				r.Release()
			}
		})
	}
}

func exportEverything(t *testing.T, mem memory.Allocator, path string) map[string]arrow.RecordBatch {
	t.Helper()
	f, err := nwb.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]arrow.RecordBatch{}
	add := func(key string, rr array.RecordReader, err error) {
		if err != nil {
			t.Fatalf("%s %s: %v", path, key, err)
		}
		rec, err := nwbarrow.ReadAll(mem, rr)
		if err != nil {
			t.Fatalf("%s %s: %v", path, key, err)
		}
		out[key] = rec
	}
	tabs, err := f.Tables()
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range tabs {
		tb, err := f.Table(ti.Path)
		if err != nil {
			t.Fatal(err)
		}
		rr, err := nwbarrow.Table(mem, tb, nwbarrow.WithBatchRows(64))
		add(ti.Path, rr, err)
	}
	if u, err := f.Units(); err == nil {
		rr, err := nwbarrow.Spikes(mem, u, nwbarrow.WithBatchRows(5000))
		add("spikes", rr, err)
	}
	series, err := f.AllTimeSeries()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range series {
		s, err := f.TimeSeries(o.Path)
		if err != nil {
			t.Fatal(err)
		}
		rr, err := nwbarrow.Series(mem, s, nwbarrow.WithBatchRows(1000))
		if err != nil && o.Path == "/acquisition/raw_movie" {
			continue // external file, no samples (fixtures README)
		}
		add(o.Path, rr, err)
	}
	return out
}

// checkTruthCounts compares the exported Arrow units table with the truth
// file: ids in table order and the per-unit spike counts
// (units[i].n_spikes_realized), both as list lengths of spike_times and as
// row counts of the long-format export.
func checkTruthCounts(t *testing.T, truthPath string, recs map[string]arrow.RecordBatch) {
	b, err := os.ReadFile(truthPath)
	if err != nil {
		t.Fatal(err)
	}
	var truth struct {
		Units []struct {
			ID     any `json:"id"`
			Spikes any `json:"n_spikes_realized"`
		} `json:"units"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // ids are up to 10 digits
	if err := dec.Decode(&truth); err != nil {
		t.Fatal(err)
	}
	units, ok := recs["/units"]
	if !ok {
		if len(truth.Units) > 0 {
			t.Error("no units export")
		}
		return
	}
	ids := units.Column(0).(*array.Int64)
	st := units.Column(units.Schema().FieldIndices("spike_times")[0]).(*array.List)
	perUnit := map[int64]int{}
	sp := recs["spikes"].Column(0).(*array.Int64)
	for i := 0; i < sp.Len(); i++ {
		perUnit[sp.Value(i)]++
	}
	if len(truth.Units) != ids.Len() {
		t.Fatalf("%d units exported, truth has %d", ids.Len(), len(truth.Units))
	}
	for i, u := range truth.Units {
		id, _ := strconv.ParseInt(fmt.Sprint(u.ID), 10, 64)
		n, _ := strconv.Atoi(fmt.Sprint(u.Spikes))
		lo, hi := st.ValueOffsets(i)
		if ids.Value(i) != id || int(hi-lo) != n || perUnit[id] != n {
			t.Errorf("unit %d: id %d, %d spikes (%d long rows); truth id %d, %d spikes", i, ids.Value(i), hi-lo, perUnit[id], id, n)
		}
	}
}
