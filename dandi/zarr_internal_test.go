package dandi

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The final tree check reads the work directory itself: a stray or
// missing file, or bytes differing from the listing, fail it even when
// every entry was verified on the way in.
func TestLocalZarrChecksumDefence(t *testing.T) {
	dir := t.TempDir()
	write := func(k, v string) {
		p := filepath.Join(dir, filepath.FromSlash(k))
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// md5("1") = c4ca4238a0b923820dcc509a6f75849b, md5("2") =
	// c81e728d9d4c2f636f067f89cc14862c (printf 1 | md5sum).
	byKey := map[string]*ZarrEntry{
		"a/x": {Key: "a/x", Size: 1, ETag: "c4ca4238a0b923820dcc509a6f75849b"},
		"b":   {Key: "b", Size: 1, ETag: "c81e728d9d4c2f636f067f89cc14862c"},
	}
	want, err := ZarrChecksum([]ZarrFile{{"a/x", 1, "c4ca4238a0b923820dcc509a6f75849b"}, {"b", 1, "c81e728d9d4c2f636f067f89cc14862c"}})
	if err != nil {
		t.Fatal(err)
	}
	write("a/x", "1")
	write("b", "2")
	if got, err := localZarrChecksum(context.Background(), dir, byKey, 2); err != nil || got != want {
		t.Fatalf("clean tree: %s %v, want %s", got, err, want)
	}
	write("b", "3")
	if got, _ := localZarrChecksum(context.Background(), dir, byKey, 2); got == want {
		t.Error("changed bytes not detected")
	}
	write("b", "2")
	write("a/stray", "s")
	if _, err := localZarrChecksum(context.Background(), dir, byKey, 2); err == nil || !strings.Contains(err.Error(), "not in the zarr listing") {
		t.Errorf("stray file: %v", err)
	}
	// pruneZarrWork removes the stray, keeps listed files and the partial
	// downloads of listed keys.
	write("b.ndpart", "")
	write("c.ndpart", "")
	if err := pruneZarrWork(dir, byKey); err != nil {
		t.Fatal(err)
	}
	for k, keep := range map[string]bool{"a/x": true, "b": true, "b.ndpart": true, "a/stray": false, "c.ndpart": false} {
		_, err := os.Stat(filepath.Join(dir, filepath.FromSlash(k)))
		if (err == nil) != keep {
			t.Errorf("%s: present %v, want %v", k, err == nil, keep)
		}
	}
	os.Remove(filepath.Join(dir, "b.ndpart"))
	os.Remove(filepath.Join(dir, "a", "x"))
	if _, err := localZarrChecksum(context.Background(), dir, byKey, 2); err == nil {
		t.Error("missing file not detected")
	}
}

// publishZarr replaces an existing tree with the work tree and leaves
// neither the work directory nor the old tree behind; without a
// destination it is a rename.
func TestPublishZarr(t *testing.T) {
	dir := t.TempDir()
	mk := func(root string, files map[string]string) {
		for k, v := range files {
			p := filepath.Join(root, filepath.FromSlash(k))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	dest, work := filepath.Join(dir, "a.nwb.zarr"), filepath.Join(dir, "a.nwb.zarr.ndpart")
	mk(work, map[string]string{".zgroup": "v1"})
	if err := publishZarr(work, dest, false); err != nil {
		t.Fatal(err)
	}
	mk(dest, map[string]string{"stale/0": "old"})
	mk(work, map[string]string{".zgroup": "v2", "units/0": "new"})
	if err := publishZarr(work, dest, true); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{".zgroup": "v2", "units/0": "new"} {
		if b, err := os.ReadFile(filepath.Join(dest, filepath.FromSlash(k))); err != nil || string(b) != want {
			t.Errorf("%s: %q (%v), want %q", k, b, err, want)
		}
	}
	for _, gone := range []string{filepath.Join(dest, "stale"), work, dest + ".ndold"} {
		if _, err := os.Lstat(gone); !os.IsNotExist(err) {
			t.Errorf("%s still exists (%v)", gone, err)
		}
	}
}
