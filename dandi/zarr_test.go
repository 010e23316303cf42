package dandi_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/internal/fetch"
)

const zarrDandiset = "000077"
const zarrPath = "sub-01/sub-01_ses-1_ecephys.nwb.zarr"

// Hand-checkable and upstream vectors of the Zarr tree checksum.
func TestZarrChecksumVectors(t *testing.T) {
	cases := []struct {
		name  string
		files []dandi.ZarrFile
		want  string
	}{
		// Upstream: dandi/zarr_checksum zarr_checksum/tests/test_tree.py
		// test_process_tree ("computed against the same file structure
		// using the previous zarr checksum implementation").
		{"upstream", []dandi.ZarrFile{
			{Key: "a/b", Size: 1, MD5: "9dd4e461268c8034f5c8564e155c67a6"},
			{Key: "c", Size: 1, MD5: "415290769594460e2e485922904f345d"},
		}, "26054e501f570a8bfa69a2bc75e7c82d-2--2"},
		// Empty tree: printf '%s' '{"directories":[],"files":[]}' | md5sum
		// = 481a2f77ab786a0f45aafd5db0971caa (zarr_checksum EMPTY_CHECKSUM).
		{"empty", nil, "481a2f77ab786a0f45aafd5db0971caa-0--0"},
		// One empty file "a" (md5 of no bytes d41d8cd9…):
		// printf '%s' '{"directories":[],"files":[{"digest":"d41d8cd98f00b204e9800998ecf8427e","name":"a","size":0}]}' | md5sum
		// = 48bdf461583be8ed98aa482f15553d32.
		{"one-empty-file", []dandi.ZarrFile{{Key: "a", Size: 0, MD5: "D41D8CD98F00B204E9800998ECF8427E"}}, "48bdf461583be8ed98aa482f15553d32-1--0"},
	}
	for _, c := range cases {
		got, err := dandi.ZarrChecksum(c.files)
		if err != nil || got != c.want {
			t.Errorf("%s: ZarrChecksum = %q, %v; want %q", c.name, got, err, c.want)
		}
	}
	// Order of the input does not matter; repeats and file/dir clashes do.
	a := []dandi.ZarrFile{{Key: "c", Size: 1, MD5: "415290769594460e2e485922904f345d"}, {Key: "a/b", Size: 1, MD5: "9dd4e461268c8034f5c8564e155c67a6"}}
	if got, _ := dandi.ZarrChecksum(a); got != cases[0].want {
		t.Errorf("reordered: %s", got)
	}
	for _, bad := range [][]dandi.ZarrFile{
		{{Key: "a", MD5: "d41d8cd98f00b204e9800998ecf8427e"}, {Key: "a", MD5: "d41d8cd98f00b204e9800998ecf8427e"}},
		{{Key: "a", MD5: "d41d8cd98f00b204e9800998ecf8427e"}, {Key: "a/b", MD5: "d41d8cd98f00b204e9800998ecf8427e"}},
		{{Key: "a", MD5: "xyz"}},
		{{Key: "a", Size: -1, MD5: "d41d8cd98f00b204e9800998ecf8427e"}},
		{{Key: "../a", MD5: "d41d8cd98f00b204e9800998ecf8427e"}},
	} {
		if got, err := dandi.ZarrChecksum(bad); err == nil {
			t.Errorf("ZarrChecksum(%v) = %s, want an error", bad, got)
		}
	}
}

// pyZarrChecksum is an independent implementation of the tree checksum
// (dandi-allen.md §1.9) in Python: hashlib.md5 and
// json.dumps(separators=(",",":")) over every directory of the tree at dir.
const pyZarrChecksum = `
import hashlib, json, os, sys
def digest(d):
    dirs, files, count, size = [], [], 0, 0
    for name in sorted(os.listdir(d)):
        p = os.path.join(d, name)
        if os.path.isdir(p):
            dg, c, s = digest(p)
            dirs.append({"digest": dg, "name": name, "size": s}); count += c; size += s
        else:
            b = open(p, "rb").read()
            files.append({"digest": hashlib.md5(b).hexdigest(), "name": name, "size": len(b)})
            count += 1; size += len(b)
    dirs.sort(key=lambda e: e["name"]); files.sort(key=lambda e: e["name"])
    md5 = hashlib.md5(json.dumps({"directories": dirs, "files": files}, separators=(",", ":")).encode("utf-8")).hexdigest()
    return "%s-%d--%d" % (md5, count, size), count, size
print(digest(sys.argv[1])[0])
`

func pythonZarrChecksum(t *testing.T, dir string) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("/usr/bin/python3 absent: the Python reference of the Zarr checksum cannot run")
	}
	out, err := exec.Command("/usr/bin/python3", "-c", pyZarrChecksum, dir).Output()
	if err != nil {
		t.Fatalf("python3 reference: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// zarrTree writes a pseudo-random Zarr-like tree under dir (several
// directory levels, empty files, names with non-ASCII, quotes and '<&>'
// that JSON encoders treat differently) and returns its entries.
func zarrTree(t *testing.T, dir string, seed uint64) []*mirror.ZarrEntry {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	keys := []string{".zattrs", ".zgroup", "acquisition/.zgroup", "acquisition/ElectricalSeries/.zattrs",
		"acquisition/ElectricalSeries/data/.zarray", "processing/ecephys/.zgroup", "général/ünits \"q\" <&>.json",
		"acquisition/ElectricalSeries/timestamps/.zarray", "acquisition/ElectricalSeries/timestamps/0", "empty/zero"}
	for i := 0; i < 6; i++ {
		for j := 0; j < 3; j++ {
			keys = append(keys, fmt.Sprintf("acquisition/ElectricalSeries/data/%d.%d", i, j))
		}
	}
	var es []*mirror.ZarrEntry
	for _, k := range keys {
		n := rng.IntN(3000)
		if k == "empty/zero" {
			n = 0
		}
		if strings.HasSuffix(k, "data/5.2") {
			n = 200_000 // one larger chunk, for mid-body faults
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		p := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		es = append(es, &mirror.ZarrEntry{Key: k, Content: b, Modified: time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC).Add(time.Duration(len(es)) * time.Minute)})
	}
	return es
}

// The Go checksum of a tree equals the Python reference's.
func TestZarrChecksumPython(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		dir := t.TempDir()
		es := zarrTree(t, dir, seed)
		want := pythonZarrChecksum(t, dir)
		files := make([]dandi.ZarrFile, len(es))
		for i, e := range es {
			h := md5.Sum(e.Content)
			files[i] = dandi.ZarrFile{Key: e.Key, Size: int64(len(e.Content)), MD5: hex.EncodeToString(h[:])}
		}
		got, err := dandi.ZarrChecksum(files)
		if err != nil || got != want {
			t.Fatalf("seed %d: Go %q (%v), Python %q", seed, got, err, want)
		}
		// The mirror's directory loader agrees too.
		a, err := mirror.ZarrFromDir(zarrDandiset, zarrPath, dir)
		if err != nil || a.Digests["dandi:dandi-zarr-checksum"] != want {
			t.Fatalf("seed %d: ZarrFromDir checksum %v (%v), want %s", seed, a.Digests, err, want)
		}
	}
}

// zarrFixture serves dandiset 000077 with one blob and one Zarr asset.
type zarrFixture struct {
	srv     *mirror.Server
	url     string
	zarr    *mirror.Asset
	entries map[string][]byte
	pages   atomic.Int64 // listing requests
}

func newZarrFixture(t *testing.T, mutate func(z *mirror.Zarr)) *zarrFixture {
	t.Helper()
	src := t.TempDir()
	es := zarrTree(t, src, 42)
	fx := &zarrFixture{entries: map[string][]byte{}}
	for _, e := range es {
		fx.entries[e.Key] = e.Content
	}
	z := &mirror.Zarr{Entries: es}
	if mutate != nil {
		mutate(z)
	}
	za, err := mirror.NewZarrAsset(zarrDandiset, zarrPath, z, time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	blob := []byte("a small HDF5-less blob")
	ba, err := mirror.NewAsset(zarrDandiset, "sub-01/sub-01_ses-1_behavior.nwb", bytes.NewReader(blob), int64(len(blob)), time.Unix(1.7e9, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	fx.srv = mirror.New()
	fx.srv.Faults = mirror.NewFaults() // tests Set rules while it runs
	fx.srv.Add(&mirror.Dandiset{ID: zarrDandiset, Versions: []*mirror.Version{{Version: "draft", Name: "zarr test", Status: "Valid", Assets: []*mirror.Asset{ba, za}}}})
	fx.zarr = za
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/files/") && r.URL.Query().Get("download") == "" {
			fx.pages.Add(1)
		}
		fx.srv.ServeHTTP(w, r)
	}))
	ts.Config.ConnContext = mirror.ConnContext // for Reset faults
	ts.Start()
	t.Cleanup(ts.Close)
	fx.url = ts.URL
	return fx
}

func (fx *zarrFixture) plan(t *testing.T, out string) (*dandi.Client, dandi.ZarrJob) {
	t.Helper()
	c := dandi.NewClient(dandi.WithAPIURL(fx.url+"/api"), dandi.WithHTTPClient(testHTTP()))
	r, err := dandi.ParseURL("DANDI:" + zarrDandiset + "/draft")
	if err != nil {
		t.Fatal(err)
	}
	sel, err := c.Resolve(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	jobs, skipped, err := c.Plan(sel, out, dandi.PlanOptions{Zarr: true})
	if err != nil || len(jobs) != 1 || len(skipped) != 0 {
		t.Fatalf("Plan: %d blob jobs, skipped %v, %v", len(jobs), skipped, err)
	}
	zj, err := c.PlanZarrs(sel, out, dandi.PlanOptions{})
	if err != nil || len(zj) != 1 {
		t.Fatalf("PlanZarrs: %v, %v", zj, err)
	}
	if want := filepath.Join(out, zarrDandiset, filepath.FromSlash(zarrPath)); zj[0].Dest != want {
		t.Fatalf("dest %s, want %s", zj[0].Dest, want)
	}
	return c, zj[0]
}

func zarrOpts(out string, pageSize int) *dandi.ZarrFetchOptions {
	f := testFetcher(out)
	f.Jobs = 4
	return &dandi.ZarrFetchOptions{Fetcher: f, PageSize: pageSize}
}

// checkZarrDir asserts that dir holds exactly the entries, byte for byte.
func checkZarrDir(t *testing.T, dir string, entries map[string][]byte) {
	t.Helper()
	seen := 0
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		want, ok := entries[filepath.ToSlash(rel)]
		if !ok {
			t.Errorf("unexpected file %s", rel)
			return nil
		}
		got, _ := os.ReadFile(p)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes differ from the served %d", rel, len(got), len(want))
		}
		seen++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen != len(entries) {
		t.Errorf("%d of %d entries present", seen, len(entries))
	}
}

func assertAbsent(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Lstat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s exists (err %v), want nothing at the final path", p, err)
	}
}

func TestFetchZarr(t *testing.T) {
	fx := newZarrFixture(t, nil)
	out := t.TempDir()
	c, zj := fx.plan(t, out)
	if zj.Checksum == "" || zj.Checksum != fx.zarr.Digests["dandi:dandi-zarr-checksum"] {
		t.Fatalf("planned checksum %q, served %q", zj.Checksum, fx.zarr.Digests)
	}
	const page = 4
	defer dandi.SetZarrBatch(5)() // several fetcher batches
	res := c.FetchZarr(context.Background(), zj, zarrOpts(out, page))
	if res.Err != nil || res.Status != fetch.StatusDownloaded {
		t.Fatalf("FetchZarr: %s %v", res.Status, res.Err)
	}
	checkZarrDir(t, zj.Dest, fx.entries)
	if want := pythonZarrChecksum(t, zj.Dest); res.Checksum != want || res.Digests[dandi.DigestZarrChecksum] != want {
		t.Errorf("verified checksum %q, Python over the result %q", res.Checksum, want)
	}
	n := int64(len(fx.entries))
	if got, want := fx.pages.Load(), (n+page-1)/page; got != want {
		t.Errorf("%d listing pages, want %d (limit %d, %d entries)", got, want, page, n)
	}
	if res.Entries != int(n) || res.EntriesDownloaded != int(n) {
		t.Errorf("entries %d, downloaded %d, want %d", res.Entries, res.EntriesDownloaded, n)
	}
	var total int64
	for _, b := range fx.entries {
		total += int64(len(b))
	}
	if res.Bytes != total || res.Job.Size != total {
		t.Errorf("bytes %d, size %d, want %d", res.Bytes, res.Job.Size, total)
	}
	for _, p := range []string{zj.Dest + ".ndpart", zj.Dest + ".ndpart.lock"} {
		assertAbsent(t, p)
	}
	// An entry's mtime is its LastModified.
	fi, err := os.Stat(filepath.Join(zj.Dest, ".zgroup"))
	if err != nil || !fi.ModTime().Equal(time.Date(2024, 3, 4, 5, 7, 7, 0, time.UTC)) {
		t.Errorf(".zgroup mtime %v (%v)", fi.ModTime(), err)
	}

	// A rerun on the complete asset downloads nothing.
	fx.srv.ResetStats()
	res = c.FetchZarr(context.Background(), zj, zarrOpts(out, 1000))
	if res.Err != nil || res.Status != fetch.StatusSkipped || res.Bytes != 0 {
		t.Fatalf("rerun: %s, %d bytes, %v", res.Status, res.Bytes, res.Err)
	}
	if st := fx.srv.Stats(); st.Requests != 0 {
		t.Errorf("rerun made %d file requests", st.Requests)
	}

	// A local change (one chunk rewritten with the same size and mtime)
	// is caught by overwrite-different, which re-fetches only that entry
	// and swaps the tree atomically.
	k := "acquisition/ElectricalSeries/data/1.1"
	p := filepath.Join(zj.Dest, filepath.FromSlash(k))
	fi, _ = os.Stat(p)
	bad := bytes.Repeat([]byte{'x'}, int(fi.Size()))
	os.WriteFile(p, bad, 0o644)
	os.Chtimes(p, fi.ModTime(), fi.ModTime())
	fx.srv.ResetStats()
	o := zarrOpts(out, 1000)
	o.Fetcher.Existing = fetch.ExistingOverwriteDifferent
	res = c.FetchZarr(context.Background(), zj, o)
	if res.Err != nil || res.Status != fetch.StatusDownloaded {
		t.Fatalf("overwrite-different: %s %v", res.Status, res.Err)
	}
	if st := fx.srv.Stats(); st.Requests != 1 || st.Bytes != int64(len(fx.entries[k])) {
		t.Errorf("overwrite-different fetched %d requests / %d bytes, want 1 / %d", st.Requests, st.Bytes, len(fx.entries[k]))
	}
	checkZarrDir(t, zj.Dest, fx.entries)
	assertAbsent(t, zj.Dest+".ndold")

	// refresh (the default) rebuilds a tree that lost a file and gained
	// a stray one: only the lost entry is fetched, the stray is gone.
	k = "acquisition/ElectricalSeries/data/4.0"
	os.Remove(filepath.Join(zj.Dest, filepath.FromSlash(k)))
	os.WriteFile(filepath.Join(zj.Dest, "acquisition", "stray"), []byte("x"), 0o644)
	fx.srv.ResetStats()
	res = c.FetchZarr(context.Background(), zj, zarrOpts(out, 1000))
	if res.Err != nil || res.Status != fetch.StatusDownloaded || res.EntriesDownloaded != 1 {
		t.Fatalf("refresh rebuild: %s, %d downloaded, %v", res.Status, res.EntriesDownloaded, res.Err)
	}
	if st := fx.srv.Stats(); st.Requests != 1 || st.Bytes != int64(len(fx.entries[k])) {
		t.Errorf("refresh rebuild fetched %d requests / %d bytes, want 1 / %d", st.Requests, st.Bytes, len(fx.entries[k]))
	}
	checkZarrDir(t, zj.Dest, fx.entries)

	// skip keeps any directory without asking the server; error refuses.
	o = zarrOpts(out, 1000)
	o.Fetcher.Existing = fetch.ExistingSkip
	if res = c.FetchZarr(context.Background(), zj, o); res.Status != fetch.StatusSkipped || res.Err != nil {
		t.Errorf("skip: %s %v", res.Status, res.Err)
	}
	o.Fetcher.Existing = fetch.ExistingError
	if res = c.FetchZarr(context.Background(), zj, o); !errors.Is(res.Err, fetch.ErrExists) {
		t.Errorf("error policy: %v", res.Err)
	}
}

// A run that fails part-way (two entries refused, one cut mid-body)
// leaves nothing at the final path; the next run fetches only what is
// missing, resuming the cut entry with a range request.
func TestFetchZarrResume(t *testing.T) {
	fx := newZarrFixture(t, nil)
	out := t.TempDir()
	c, zj := fx.plan(t, out)
	failing := []string{"data/0.1", "data/3.2"}
	fx.srv.Faults.Set(
		mirror.Fault{Kind: mirror.Status500, Match: "data/0.1"},
		mirror.Fault{Kind: mirror.Status500, Match: "data/3.2"},
		// 5.2: cut after 120 kB once, then refused: a partial stays.
		mirror.Fault{Kind: mirror.Reset, Match: "data/5.2", After: 120_000, Times: 1},
		mirror.Fault{Kind: mirror.Status500, Match: "data/5.2"},
	)
	o := zarrOpts(out, 7)
	o.Fetcher.Attempts = 2
	o.Fetcher.VerifyAttempts = 1
	res := c.FetchZarr(context.Background(), zj, o)
	if res.Err == nil || res.Status != fetch.StatusFailed {
		t.Fatalf("faulty run: %s, err %v", res.Status, res.Err)
	}
	if !strings.Contains(res.Err.Error(), zarrPath) || res.EntriesFailed != 3 {
		t.Errorf("error %v with %d failed entries; want the asset named and 3 failures", res.Err, res.EntriesFailed)
	}
	assertAbsent(t, zj.Dest)
	work := zj.Dest + ".ndpart"
	if _, err := os.Stat(filepath.Join(work, ".zgroup")); err != nil {
		t.Fatalf("work directory lacks the fetched entries: %v", err)
	}
	part, err := os.Stat(filepath.Join(work, "acquisition/ElectricalSeries/data/5.2.ndpart"))
	if err != nil {
		t.Fatalf("no partial file for the cut entry: %v", err)
	}
	t.Logf("partial 5.2: %d bytes on disk", part.Size())

	fx.srv.Faults.Set() // healed
	fx.srv.ResetStats()
	res = c.FetchZarr(context.Background(), zj, zarrOpts(out, 7))
	if res.Err != nil || res.Status != fetch.StatusDownloaded {
		t.Fatalf("resumed run: %s %v", res.Status, res.Err)
	}
	checkZarrDir(t, zj.Dest, fx.entries)
	if res.EntriesDownloaded != 3 || res.EntriesSkipped != len(fx.entries)-3 || !res.Resumed {
		t.Errorf("resumed run: %d downloaded, %d skipped, resumed %v; want 3, %d, true", res.EntriesDownloaded, res.EntriesSkipped, res.Resumed, len(fx.entries)-3)
	}
	full := int64(len(fx.entries["acquisition/ElectricalSeries/data/5.2"]))
	for _, k := range failing {
		full += int64(len(fx.entries["acquisition/ElectricalSeries/"+k]))
	}
	if st := fx.srv.Stats(); st.Requests != 3 || st.Bytes >= full {
		t.Errorf("resumed run: %d requests / %d bytes, want 3 requests and fewer than %d bytes (the cut entry resumed)", st.Requests, st.Bytes, full)
	}
	assertAbsent(t, work)
}

// An entry whose bytes do not match its ETag fails the asset; nothing
// appears at the final path.
func TestFetchZarrCorruptEntry(t *testing.T) {
	fx := newZarrFixture(t, nil)
	out := t.TempDir()
	c, zj := fx.plan(t, out)
	fx.srv.Faults.Set(mirror.Fault{Kind: mirror.Corrupt, Match: "timestamps/0", After: 3})
	res := c.FetchZarr(context.Background(), zj, zarrOpts(out, 1000))
	if res.Err == nil || !errors.Is(res.Err, fetch.ErrChecksum) || !strings.Contains(res.Err.Error(), zarrPath) {
		t.Fatalf("corrupt entry: %v, want a checksum error naming %s", res.Err, zarrPath)
	}
	assertAbsent(t, zj.Dest)
	assertAbsent(t, filepath.Join(zj.Dest+".ndpart", "acquisition/ElectricalSeries/timestamps/0"))
}

// A served tree checksum that the entries do not hash to fails the asset
// before anything is fetched.
func TestFetchZarrTreeChecksumMismatch(t *testing.T) {
	for _, where := range []string{"both", "zarr-only"} {
		t.Run(where, func(t *testing.T) {
			var bad string
			fx := newZarrFixture(t, func(z *mirror.Zarr) {
				// A valid-looking checksum claiming one byte more than
				// the tree holds, served by /zarr/{id}/ and the metadata.
				var n int64
				for _, e := range z.Entries {
					n += int64(len(e.Content))
				}
				bad = fmt.Sprintf("%032x-%d--%d", 1, len(z.Entries), n+1)
				z.Checksum = bad
			})
			out := t.TempDir()
			c, zj := fx.plan(t, out)
			if zj.Checksum != bad {
				t.Fatalf("planned checksum %q, want the served %q", zj.Checksum, bad)
			}
			if where == "zarr-only" {
				zj.Checksum = "" // only /zarr/{id}/ gives it
			}
			fx.srv.ResetStats()
			res := c.FetchZarr(context.Background(), zj, zarrOpts(out, 1000))
			if res.Err == nil || !errors.Is(res.Err, dandi.ErrZarrChecksum) || !strings.Contains(res.Err.Error(), zarrPath) {
				t.Fatalf("err %v, want ErrZarrChecksum naming %s", res.Err, zarrPath)
			}
			assertAbsent(t, zj.Dest)
			if st := fx.srv.Stats(); st.Requests != 0 {
				t.Errorf("%d entry requests despite the checksum mismatch", st.Requests)
			}
		})
	}
	// Metadata and /zarr/{id}/ disagreeing is an error too.
	fx := newZarrFixture(t, nil)
	out := t.TempDir()
	c, zj := fx.plan(t, out)
	zj.Checksum = "00000000000000000000000000000000-1--1"
	if res := c.FetchZarr(context.Background(), zj, zarrOpts(out, 1000)); res.Err == nil || !strings.Contains(res.Err.Error(), "disagree") {
		t.Fatalf("disagreeing checksums: %v", res.Err)
	}
	assertAbsent(t, zj.Dest)
}

// Keys that would escape the Zarr root are refused before any download.
func TestFetchZarrMaliciousKeys(t *testing.T) {
	for _, key := range []string{"../x", "/abs", "a/../../b", "a//b", "./a", `a\..\b`, "a/\x00b", ".."} {
		t.Run(fmt.Sprintf("%q", key), func(t *testing.T) {
			fx := newZarrFixture(t, func(z *mirror.Zarr) {
				z.Entries = append(z.Entries, &mirror.ZarrEntry{Key: key, Content: []byte("pwned")})
				// The honest checksum cannot be computed over such a key.
				z.Checksum = "0123456789abcdef0123456789abcdef-" + fmt.Sprint(len(z.Entries)) + "--1"
			})
			out := t.TempDir()
			c, zj := fx.plan(t, out)
			res := c.FetchZarr(context.Background(), zj, zarrOpts(out, 5))
			if res.Err == nil || !strings.Contains(res.Err.Error(), "zarr key") {
				t.Fatalf("key %q: err %v, want a zarr key error", key, res.Err)
			}
			if st := fx.srv.Stats(); st.Requests != 0 {
				t.Errorf("%d entry requests", st.Requests)
			}
			assertAbsent(t, zj.Dest)
			var found []string
			filepath.Walk(out, func(p string, fi os.FileInfo, err error) error {
				if err == nil && !fi.IsDir() {
					found = append(found, p)
				}
				return nil
			})
			sort.Strings(found)
			if len(found) != 0 {
				t.Errorf("files written: %v", found)
			}
		})
	}
}

// The emulator's listing honours after/limit/prefix and refuses Zarr
// downloads through the blob route, as the archive does.
func TestMirrorZarrRoutes(t *testing.T) {
	fx := newZarrFixture(t, nil)
	c := dandi.NewClient(dandi.WithAPIURL(fx.url+"/api"), dandi.WithHTTPClient(testHTTP()))
	es, err := c.ZarrFiles(context.Background(), fx.zarr.Zarr.ID, dandi.ZarrListOptions{Prefix: "acquisition/ElectricalSeries/data/", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for k := range fx.entries {
		if strings.HasPrefix(k, "acquisition/ElectricalSeries/data/") {
			want = append(want, k)
		}
	}
	sort.Strings(want)
	if len(es) != len(want) {
		t.Fatalf("%d entries under the prefix, want %d", len(es), len(want))
	}
	for i, e := range es {
		h := md5.Sum(fx.entries[e.Key])
		if e.Key != want[i] || e.ETag != hex.EncodeToString(h[:]) || e.Size != int64(len(fx.entries[e.Key])) {
			t.Errorf("entry %d: %+v", i, e)
		}
	}
	if _, err := c.ZarrFiles(context.Background(), fx.zarr.Zarr.ID, dandi.ZarrListOptions{MaxEntries: 3}); err == nil {
		t.Error("a listing over MaxEntries was accepted")
	}
	resp, err := http.Get(c.DownloadURL(fx.zarr.ID))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("zarr asset download: HTTP %d, want 400", resp.StatusCode)
	}
	info, err := c.Zarr(context.Background(), fx.zarr.Zarr.ID)
	if err != nil || info.Checksum == nil || *info.Checksum != fx.zarr.Zarr.Checksum || info.FileCount != int64(len(fx.entries)) || info.Dandiset != zarrDandiset {
		t.Errorf("zarr info %+v, %v", info, err)
	}
}
