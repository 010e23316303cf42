package dandi

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/neurodata/neurodata/internal/fetch"
)

// ZarrFile is one file of a Zarr tree: its slash-separated key relative to
// the Zarr root, its size in bytes and its plain MD5 (lower-case hex).
type ZarrFile struct {
	Key  string
	Size int64
	MD5  string
}

// Limits on untrusted Zarr keys (S3 keys are at most 1024 bytes).
const (
	maxZarrKey = 1024
)

var (
	reMD5          = regexp.MustCompile(`^[0-9a-f]{32}$`)
	reZarrChecksum = regexp.MustCompile(`^[0-9a-f]{32}-[0-9]{1,19}--[0-9]{1,19}$`)
)

// ValidZarrChecksum reports whether s has the form of a
// dandi:dandi-zarr-checksum, "{md5}-{file count}--{total size}".
func ValidZarrChecksum(s string) bool { return reZarrChecksum.MatchString(s) }

// CheckZarrKey rejects a Zarr entry key that is longer than 1024 bytes,
// not valid UTF-8, or not a plain relative path by fetch.CheckRelPath
// (the check fetch.SafeJoin makes later: absolute, drive letter, "", "."
// or ".." segments, backslashes, control characters). Keys come from the
// server and are untrusted.
func CheckZarrKey(k string) error {
	bad := func(why string) error { return fmt.Errorf("dandi: zarr key %q: %s", trunc(k), why) }
	switch {
	case len(k) > maxZarrKey:
		return bad(fmt.Sprintf("longer than %d bytes", maxZarrKey))
	case !utf8.ValidString(k):
		return bad("invalid UTF-8")
	}
	if err := fetch.CheckRelPath(k); err != nil {
		return fmt.Errorf("dandi: zarr key: %w", err)
	}
	return nil
}

func trunc(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}

// zarrNode is a directory of the checksum tree.
type zarrNode struct {
	files []zarrEntryDigest
	dirs  map[string]*zarrNode
}

type zarrEntryDigest struct {
	digest, name string
	size         int64
}

// ZarrChecksum computes the dandi:dandi-zarr-checksum of a tree of files,
// as the archive and dandi-cli do (dandi/zarr_checksum; see
// ../shared/reference/dandi-allen.md §1.9): each file contributes
// {digest: md5, name: base name, size}; each directory's digest is
// "{md5}-{file count}--{total size}", the md5 taken over the compact JSON
// {"directories":[…],"files":[…]} of its children sorted by name (written
// as Python's json.dumps with separators=(",",":") writes them: ASCII
// only, non-ASCII as \u escapes); the root directory's digest is the
// checksum. An empty tree has the checksum of the empty manifest.
// Keys must pass CheckZarrKey, digests must be 32 hex digits, sizes must
// be non-negative, and no key may repeat or be a directory of another.
func ZarrChecksum(files []ZarrFile) (string, error) {
	root := &zarrNode{}
	for _, f := range files {
		if err := CheckZarrKey(f.Key); err != nil {
			return "", err
		}
		if f.Size < 0 {
			return "", fmt.Errorf("dandi: zarr key %q: negative size %d", trunc(f.Key), f.Size)
		}
		d := strings.ToLower(f.MD5)
		if !reMD5.MatchString(d) {
			return "", fmt.Errorf("dandi: zarr key %q: digest %q is not an MD5", trunc(f.Key), trunc(f.MD5))
		}
		segs := strings.Split(f.Key, "/")
		n := root
		for _, s := range segs[:len(segs)-1] {
			if n.dirs == nil {
				n.dirs = map[string]*zarrNode{}
			}
			c := n.dirs[s]
			if c == nil {
				c = &zarrNode{}
				n.dirs[s] = c
			}
			n = c
		}
		n.files = append(n.files, zarrEntryDigest{digest: d, name: segs[len(segs)-1], size: f.Size})
	}
	sum, _, _, err := root.digest("")
	return sum, err
}

// digest returns the node's directory digest, file count and total size.
func (n *zarrNode) digest(at string) (string, int64, int64, error) {
	dirs := make([]zarrEntryDigest, 0, len(n.dirs))
	var count, size int64
	for name, c := range n.dirs {
		d, cn, cs, err := c.digest(at + name + "/")
		if err != nil {
			return "", 0, 0, err
		}
		dirs = append(dirs, zarrEntryDigest{digest: d, name: name, size: cs})
		count += cn
		size += cs
	}
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].name < dirs[j].name })
	sort.Slice(n.files, func(i, j int) bool { return n.files[i].name < n.files[j].name })
	for i, f := range n.files {
		if i > 0 && n.files[i-1].name == f.name {
			return "", 0, 0, fmt.Errorf("dandi: zarr key %q listed twice", trunc(at+f.name))
		}
		if _, ok := n.dirs[f.name]; ok {
			return "", 0, 0, fmt.Errorf("dandi: zarr key %q is both a file and a directory", trunc(at+f.name))
		}
		count++
		if size > 1<<62-f.size {
			return "", 0, 0, fmt.Errorf("dandi: zarr tree at %q: total size overflows", trunc(at))
		}
		size += f.size
	}
	var b strings.Builder
	b.WriteString(`{"directories":`)
	writeZarrList(&b, dirs)
	b.WriteString(`,"files":`)
	writeZarrList(&b, n.files)
	b.WriteString(`}`)
	h := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(h[:]) + "-" + strconv.FormatInt(count, 10) + "--" + strconv.FormatInt(size, 10), count, size, nil
}

func writeZarrList(b *strings.Builder, es []zarrEntryDigest) {
	b.WriteByte('[')
	for i, e := range es {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"digest":`)
		writePyString(b, e.digest)
		b.WriteString(`,"name":`)
		writePyString(b, e.name)
		b.WriteString(`,"size":`)
		b.WriteString(strconv.FormatInt(e.size, 10))
		b.WriteByte('}')
	}
	b.WriteByte(']')
}

// writePyString writes s as Python's json.dumps does by default
// (ensure_ascii=True): `"` and `\` escaped, \b \f \n \r \t by name, other
// control characters, DEL and all non-ASCII as \uXXXX (UTF-16 surrogate pairs
// above U+FFFF); unlike encoding/json, '<', '>' and '&' are not escaped.
func writePyString(b *strings.Builder, s string) {
	const hexd = "0123456789abcdef"
	u := func(r rune) {
		b.WriteString(`\u`)
		for sh := 12; sh >= 0; sh -= 4 {
			b.WriteByte(hexd[(r>>sh)&0xf])
		}
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r >= 0x7f && r < 0x10000:
			u(r)
		case r >= 0x10000:
			r -= 0x10000
			u(0xd800 + (r >> 10))
			u(0xdc00 + (r & 0x3ff))
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}
