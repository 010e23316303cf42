package fetch

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrUnsafePath is returned (wrapped) for a remote path that would land
// outside the destination directory.
var ErrUnsafePath = errors.New("unsafe path")

// SafeJoin joins a remote, slash-separated relative path under root and
// refuses anything that could escape it: absolute paths, drive letters,
// "..", empty or "." components, backslashes, NUL and control characters.
// Symlinks already present below root are checked by CheckNoSymlinks at
// write time.
func SafeJoin(root, rel string) (string, error) {
	if err := CheckRelPath(rel); err != nil {
		return "", err
	}
	clean := path.Clean(rel)
	out := filepath.Join(root, filepath.FromSlash(clean))
	r, err := filepath.Rel(root, out)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("fetch: %w %q: escapes the destination directory", ErrUnsafePath, rel)
	}
	return out, nil
}

// CheckRelPath is the check SafeJoin makes on rel before joining it: an
// error wrapping ErrUnsafePath unless rel is a plain slash-separated
// relative path (no leading slash or drive letter, no "", "." or ".."
// component, no backslash, NUL or control character). Callers that
// validate remote listings up front use it so they refuse exactly what a
// later SafeJoin would.
func CheckRelPath(rel string) error {
	bad := func(why string) error {
		return fmt.Errorf("fetch: %w %q: %s", ErrUnsafePath, rel, why)
	}
	if rel == "" {
		return bad("empty")
	}
	if strings.HasPrefix(rel, "/") || filepath.IsAbs(rel) || filepath.VolumeName(rel) != "" {
		return bad("absolute")
	}
	if len(rel) >= 2 && rel[1] == ':' {
		return bad("drive letter")
	}
	for _, r := range rel {
		if r == '\\' || r < 0x20 || r == 0x7f {
			return bad("backslash or control character")
		}
	}
	for _, c := range strings.Split(rel, "/") {
		switch c {
		case "", ".":
			return bad("empty or '.' component")
		case "..":
			return bad("'..' component")
		}
	}
	return nil
}

// CheckNoSymlinks verifies that no existing component of dest below root is
// a symbolic link, so a planted link cannot redirect a write outside root.
// The final component may be absent.
func CheckNoSymlinks(root, dest string) error {
	rel, err := filepath.Rel(root, dest)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fmt.Errorf("fetch: %w %q: outside %q", ErrUnsafePath, dest, root)
	}
	cur := root
	for _, c := range strings.Split(rel, string(filepath.Separator)) {
		if c == "." {
			continue
		}
		cur = filepath.Join(cur, c)
		fi, err := os.Lstat(cur)
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("fetch: %s: %w", cur, err)
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			return fmt.Errorf("fetch: %w %q: %s is a symbolic link", ErrUnsafePath, dest, cur)
		}
	}
	return nil
}
