package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi/mirror"
)

const zarrCLIPath = "sub-02/sub-02_ecephys.nwb.zarr"

// zarrCLIMirror serves dandiset 000078: one blob and one Zarr asset of
// 23 entries in nested directories.
func zarrCLIMirror(t *testing.T) (*mirror.Server, string, *mirror.Asset, map[string][]byte) {
	t.Helper()
	entries := map[string][]byte{}
	z := &mirror.Zarr{}
	add := func(k string, b []byte) {
		entries[k] = b
		z.Entries = append(z.Entries, &mirror.ZarrEntry{Key: k, Content: b})
	}
	add(".zgroup", []byte(`{"zarr_format":2}`))
	add(".zattrs", []byte(`{"namespace":"core","neurodata_type":"NWBFile"}`))
	add("units/.zgroup", []byte(`{"zarr_format":2}`))
	for i := 0; i < 20; i++ {
		add(fmt.Sprintf("units/spike_times/%d", i), bytes.Repeat([]byte{byte(i)}, 100+97*i))
	}
	za, err := mirror.NewZarrAsset("000078", zarrCLIPath, z, time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	blob := []byte("behaviour blob")
	ba, err := mirror.NewAsset("000078", "sub-02/sub-02_behavior.nwb", bytes.NewReader(blob), int64(len(blob)), time.Unix(1.7e9, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	s := mirror.New()
	s.Add(&mirror.Dandiset{ID: "000078", Versions: []*mirror.Version{{Version: "draft", Name: "zarr cli", Status: "Valid", Assets: []*mirror.Asset{ba, za}}}})
	ts := mirror.NewTestServer(s)
	t.Cleanup(ts.Close)
	return s, ts.URL, za, entries
}

func checkZarrTree(t *testing.T, dir string, entries map[string][]byte) {
	t.Helper()
	n := 0
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, _ := os.ReadFile(p)
		if want, ok := entries[filepath.ToSlash(rel)]; !ok || !bytes.Equal(b, want) {
			t.Errorf("%s: unexpected or different", rel)
		}
		n++
		return nil
	})
	if n != len(entries) {
		t.Errorf("%d of %d entries in %s", n, len(entries), dir)
	}
}

func TestFetchCLIZarr(t *testing.T) {
	srv, base, za, entries := zarrCLIMirror(t)
	t.Setenv("DANDI_API_KEY", "")
	t.Setenv("DANDI_API_URL", "")
	dir := t.TempDir()
	zdir := filepath.Join(dir, "000078", filepath.FromSlash(zarrCLIPath))

	// --dry-run lists the Zarr asset as a directory.
	code, out, errs := ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir, "--dry-run", "DANDI:000078")
	if code != ExitOK || !strings.Contains(out, zdir+string(filepath.Separator)+"\t") || !strings.Contains(out, "(Zarr directory)") || !strings.Contains(out, "total: 2 files") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errs)
	}
	if strings.Contains(errs, "skipping") {
		t.Errorf("dry run skipped the Zarr asset:\n%s", errs)
	}

	code, out, errs = ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir, "--json", "-J", "3", "DANDI:000078")
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	var sum fetchSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.Files != 2 || sum.Downloaded != 2 || sum.Failed != 0 || len(sum.Items) != 2 || sum.Targets[0].Assets != 2 {
		t.Fatalf("summary %+v", sum)
	}
	var zi *fetchItem
	for i := range sum.Items {
		if sum.Items[i].Kind == "zarr" {
			zi = &sum.Items[i]
		}
	}
	if zi == nil || zi.Path != zarrCLIPath || zi.Dest != zdir || zi.Status != "downloaded" || zi.Entries != len(entries) ||
		zi.Size != za.Size || zi.Bytes != za.Size || zi.Digests["dandi-zarr-checksum"] != za.Zarr.Checksum || !strings.Contains(zi.Note, "hdmf-zarr") {
		t.Fatalf("zarr item %+v (served checksum %s, size %d)", zi, za.Zarr.Checksum, za.Size)
	}
	if !strings.Contains(errs, zarrCLIPath+": downloaded, 23 entries") || !strings.Contains(errs, "hdmf-zarr") {
		t.Errorf("stderr does not report the Zarr asset:\n%s", errs)
	}
	checkZarrTree(t, zdir, entries)

	// A rerun downloads nothing.
	srv.ResetStats()
	code, out, errs = ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir, "--json", "DANDI:000078")
	sum = fetchSummary{}
	if err := json.Unmarshal([]byte(out), &sum); code != ExitOK || err != nil || sum.Skipped != 2 || sum.Bytes != 0 {
		t.Fatalf("rerun: exit %d, %+v, %v\n%s", code, sum, err, errs)
	}
	if st := srv.Stats(); st.Requests != 0 {
		t.Errorf("rerun made %d file requests", st.Requests)
	}

	// `mirror serve` of what fetch wrote serves the Zarr again, same
	// checksum, and fetching from it reproduces the tree.
	ms, err := mirror.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	mts := mirror.NewTestServer(ms)
	defer mts.Close()
	dir2 := t.TempDir()
	code, out, errs = ndRun(t, "fetch", "--api-url", mts.URL+"/api", "-o", dir2, "--json", "DANDI:000078")
	sum = fetchSummary{}
	json.Unmarshal([]byte(out), &sum)
	if code != ExitOK || sum.Downloaded != 2 {
		t.Fatalf("fetch from mirror serve: exit %d %+v\n%s", code, sum, errs)
	}
	for _, it := range sum.Items {
		if it.Kind == "zarr" && it.Digests["dandi-zarr-checksum"] != za.Zarr.Checksum {
			t.Errorf("re-served checksum %v, want %s", it.Digests, za.Zarr.Checksum)
		}
	}
	checkZarrTree(t, filepath.Join(dir2, "000078", filepath.FromSlash(zarrCLIPath)), entries)
}

// A corrupt Zarr entry fails that asset only: exit 3, the blob is there,
// nothing is at the Zarr's final path.
func TestFetchCLIZarrPartial(t *testing.T) {
	srv, base, _, _ := zarrCLIMirror(t)
	t.Setenv("DANDI_API_KEY", "")
	t.Setenv("DANDI_API_URL", "")
	srv.Faults = mirror.NewFaults(mirror.Fault{Kind: mirror.Corrupt, Match: "spike_times/7", After: 10})
	dir := t.TempDir()
	code, out, errs := ndRun(t, "fetch", "--api-url", base+"/api", "-o", dir, "--json", "DANDI:000078")
	if code != ExitPartial {
		t.Fatalf("exit %d, want %d\n%s", code, ExitPartial, errs)
	}
	var sum fetchSummary
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Downloaded != 1 || sum.Failed != 1 || len(sum.Errors) != 1 {
		t.Fatalf("summary %+v, %v", sum, err)
	}
	if e := sum.Errors[0]; e.Path != zarrCLIPath || !strings.Contains(e.Error, "checksum") {
		t.Errorf("error %+v", e)
	}
	if !strings.Contains(errs, zarrCLIPath) {
		t.Errorf("stderr does not name the failed asset:\n%s", errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "000078", "sub-02", "sub-02_behavior.nwb")); err != nil {
		t.Errorf("blob missing: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "000078", filepath.FromSlash(zarrCLIPath))); !os.IsNotExist(err) {
		t.Errorf("something is at the Zarr's final path (%v)", err)
	}
}

// TestLsZarr: ls marks a Zarr asset in text and gives its zarr_id in JSON,
// and leaves blobs unmarked.
func TestLsZarr(t *testing.T) {
	_, base, za, _ := zarrCLIMirror(t)
	t.Setenv("DANDI_API_KEY", "")
	t.Setenv("DANDI_API_URL", "")
	code, out, errs := ndRun(t, "ls", "--api-url", base+"/api", "DANDI:000078")
	if code != ExitOK {
		t.Fatalf("ls: exit %d\n%s", code, errs)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		isZarr := strings.HasPrefix(line, zarrCLIPath)
		if marked := strings.Contains(line, "zarr directory"); marked != isZarr {
			t.Errorf("ls line %q: zarr marker %v, want %v", line, marked, isZarr)
		}
	}
	code, out, errs = ndRun(t, "ls", "--json", "--api-url", base+"/api", "DANDI:000078")
	if code != ExitOK {
		t.Fatalf("ls --json: exit %d\n%s", code, errs)
	}
	var got []struct {
		Path   string `json:"path"`
		ZarrID string `json:"zarr_id"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("ls --json: %d assets, want 2:\n%s", len(got), out)
	}
	for _, a := range got {
		want := ""
		if a.Path == zarrCLIPath {
			want = za.Zarr.ID
		}
		if a.ZarrID != want {
			t.Errorf("%s: zarr_id %q, want %q", a.Path, a.ZarrID, want)
		}
	}
}

// TestOpenZarrRefused: the readers refuse a Zarr store with an error that
// names it and says what reads it, whether it is a fetched directory
// (inspect, analyze) or a DANDI Zarr asset opened remotely; a plain
// directory is "not an HDF5 file".
func TestOpenZarrRefused(t *testing.T) {
	_, base, _, _ := zarrCLIMirror(t)
	t.Setenv("DANDI_API_KEY", "")
	t.Setenv("DANDI_API_URL", base+"/api")
	dir := t.TempDir()
	store := filepath.Join(dir, "s.nwb.zarr")
	plain := filepath.Join(dir, "plain")
	for _, d := range []string{store, plain} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(store, ".zgroup"), []byte(`{"zarr_format":2}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"inspect", store}, "Zarr store"},
		{[]string{"analyze", "tuning", store, "--intervals", "trials", "--by", "x"}, "Zarr store"},
		{[]string{"inspect", plain}, "not an HDF5 file"},
		{[]string{"inspect", "dandi://dandi/000078/" + zarrCLIPath}, "is a Zarr asset"},
	} {
		code, _, errs := ndRun(t, c.args...)
		if code != ExitError || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, ExitError, c.want)
		}
	}
}
