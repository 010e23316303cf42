package cli

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/neurodata/neurodata/examples"
	"github.com/neurodata/neurodata/nwb"
	"github.com/neurodata/neurodata/nwbarrow"
)

func exampleFile(t *testing.T, name string) *nwb.File {
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

// TestExportParquetUnits: the units table of the embedded session exported
// to Parquet and read back (nwbarrow.ReadTypedColumnsFile, arrow-go's
// Parquet reader) holds the session's ids and spike times (read
// independently through package nwb); with --compression zstd:3 the values
// are the same.
func TestExportParquetUnits(t *testing.T) {
	dir := t.TempDir()
	f := exampleFile(t, "ecephys_gratings")
	u, _ := f.Units()
	ids, _ := u.IDs()
	for _, extra := range [][]string{nil, {"--compression", "zstd:3"}} {
		out := filepath.Join(dir, "units"+strconv.Itoa(len(extra))+".parquet")
		code, stdout, stderr := runCLI(t, append([]string{"export", "--example", "--table", "units", "-o", out}, extra...)...)
		if code != ExitOK || strings.TrimSpace(stdout) != out {
			t.Fatalf("%v: exit %d, stdout %q, stderr %q", extra, code, stdout, stderr)
		}
		meta, cols, err := nwbarrow.ReadTypedColumnsFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if meta["nwb.neurodata_type"] != "core.Units" {
			t.Errorf("schema metadata nwb.neurodata_type = %q", meta["nwb.neurodata_type"])
		}
		byName := map[string]any{}
		for _, c := range cols {
			byName[c.Name] = c.Values
		}
		gotIDs, _ := byName["id"].([]int64)
		spikes, _ := byName["spike_times"].([][]float64)
		if len(gotIDs) != len(ids) || len(spikes) != len(ids) {
			t.Fatalf("%v: %d ids and %d spike lists, want %d", extra, len(gotIDs), len(spikes), len(ids))
		}
		for i, id := range ids {
			want, _ := u.SpikeTimes(i)
			if gotIDs[i] != id || !slices.Equal(spikes[i], want) {
				t.Fatalf("%v: row %d: id %d with %d spikes, want %d with %d", extra, i, gotIDs[i], len(spikes[i]), id, len(want))
			}
		}
	}
}

// TestExportCSVStdout: trials as CSV on stdout, values as in the file.
func TestExportCSVStdout(t *testing.T) {
	code, stdout, stderr := runCLI(t, "export", "--example", "-t", "trials", "--format", "csv", "-o", "-")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rows, err := csv.NewReader(strings.NewReader(stdout)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	f := exampleFile(t, "ecephys_gratings")
	tr, _ := f.Trials()
	start, _ := tr.Float64s("start_time")
	blank, _ := tr.Bools("is_blank")
	if len(rows) != len(start)+1 || rows[0][1] != "start_time" || rows[0][5] != "is_blank" {
		t.Fatalf("%d CSV rows, header %v", len(rows), rows[0])
	}
	for i := range start {
		v, err := strconv.ParseFloat(rows[i+1][1], 64)
		if err != nil || v != start[i] || rows[i+1][5] != strconv.FormatBool(blank[i]) {
			t.Fatalf("row %d: %v, want start %v blank %v", i, rows[i+1], start[i], blank[i])
		}
	}
}

// TestExportAll writes every table, the spike trains and the series.
func TestExportAll(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, stdout, stderr := runCLI(t, "export", "--example", "ophys_scenes", "--all", dir, "--series", "--format", "arrow")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	want := []string{"intervals_natural_scenes_presentations.arrow", "processing_ophys_DfOverF_RoiResponseSeries.arrow", "processing_ophys_ImageSegmentation_PlaneSegmentation.arrow"}
	if strings.Join(names, ",") != strings.Join(want, ",") || len(strings.Fields(stdout)) != 3 {
		t.Fatalf("wrote %v (stdout %q), want %v", names, stdout, want)
	}
	if !strings.Contains(stderr, "skipped /acquisition/raw_movie") {
		t.Errorf("no note about the external raw movie: %q", stderr)
	}
	// the dF/F series: 2760 frames x 100 ROIs (fixtures README)
	_, cols, err := nwbarrow.ReadTypedColumnsFile(filepath.Join(dir, want[1]))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := cols[1].Values.([][]float64)
	if len(data) != 2760 || len(data[0]) != 100 || len(data[2759]) != 100 {
		t.Errorf("dF/F: %d rows, column %q is %T", len(data), cols[1].Name, cols[1].Values)
	}
}

// TestExportErrors: bad input gives exit 2 (usage) or 1 and never leaves a
// file (or a temporary) behind.
func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.parquet")
	cases := []struct {
		args []string
		code int
	}{
		{[]string{"export", "--example", "--table", "nope", "-o", out}, ExitUsage},
		{[]string{"export", "--example", "--table", "units", "--format", "xlsx", "-o", out}, ExitUsage},
		{[]string{"export", "--example", "-o", out}, ExitUsage},
		{[]string{"export", filepath.Join(dir, "missing.nwb"), "--table", "units", "-o", out}, ExitUsage},
		{[]string{"export", "--example", "--table", "units", "--all", dir}, ExitUsage},
		{[]string{"export", "--example", "--table", "units", "-o", filepath.Join(dir, "no", "such", "dir", "u.parquet")}, ExitError},
		{[]string{"export", "--example", "not_an_example", "--table", "units"}, ExitUsage},
		{[]string{"export", "--example", "--table", "units", "--compression", "rar", "-o", out}, ExitUsage},
		{[]string{"export", "--example", "--table", "units", "--compression", "zstd:x", "-o", out}, ExitUsage},
		{[]string{"export", "--example", "--table", "units", "--compression", "zstd", "--format", "csv", "-o", out}, ExitUsage},
	}
	for _, c := range cases {
		code, _, stderr := runCLI(t, c.args...)
		if code != c.code || stderr == "" {
			t.Errorf("%v: exit %d (stderr %q), want %d", c.args, code, stderr, c.code)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("files left behind: %v", ents)
	}
}

// TestExportRemoteHTTP: a session served over HTTP (127.0.0.1, Range
// requests through dandi.OpenAsset) exports like the local copy.
func TestExportRemoteHTTP(t *testing.T) {
	r, n, err := examples.Open("behavior_place")
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, n)
	r.ReadAt(b, 0)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		http.ServeContent(w, req, "behavior_place.nwb", time.Time{}, bytes.NewReader(b))
	}))
	defer srv.Close()
	dir := t.TempDir()
	remote, local := filepath.Join(dir, "remote.jsonl"), filepath.Join(dir, "local.jsonl")
	if code, _, stderr := runCLI(t, "export", srv.URL+"/behavior_place.nwb", "-t", "trials", "-o", remote); code != ExitOK {
		t.Fatalf("remote export: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "export", "--example", "behavior_place", "-t", "trials", "-o", local); code != ExitOK {
		t.Fatalf("local export: exit %d: %s", code, stderr)
	}
	a, _ := os.ReadFile(remote)
	c, _ := os.ReadFile(local)
	if len(a) == 0 || !bytes.Equal(a, c) {
		t.Errorf("remote export (%d bytes) differs from local (%d bytes)", len(a), len(c))
	}
}
