package dandi

import (
	"os"
	"path/filepath"
	"testing"
)

// On Linux filesystems that support renameat2 RENAME_EXCHANGE (ext4,
// tmpfs, xfs, btrfs), exchangeDirs swaps two directories.
func TestExchangeDirs(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for _, d := range []string{a, b} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "name"), []byte(filepath.Base(d)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ok, err := exchangeDirs(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		t.Skip("filesystem of the temp dir cannot exchange directories")
	}
	for d, want := range map[string]string{a: "b", b: "a"} {
		if got, err := os.ReadFile(filepath.Join(d, "name")); err != nil || string(got) != want {
			t.Errorf("%s holds %q (%v), want %q", d, got, err, want)
		}
	}
}
