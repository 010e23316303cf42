package nwbarrow_test

import (
	"os"
	"path/filepath"
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
