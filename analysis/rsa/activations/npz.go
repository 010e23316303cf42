package activations

import (
	"archive/zip"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// maxDeflateRatio is the largest expansion DEFLATE can achieve (about
// 1032:1); a member claiming more is rejected before any allocation.
const maxDeflateRatio = 1100

// ReadNPZ decodes every array of a .npz archive (numpy.savez, stored, or
// numpy.savez_compressed, deflated). Arrays are returned in archive order and
// named by their member name without the ".npy" suffix.
func ReadNPZ(r io.ReaderAt, size int64) ([]*Array, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("%w: npz: %v", ErrFormat, err)
	}
	var out []*Array
	for _, f := range zr.File {
		if f.CompressedSize64 > uint64(size) {
			return nil, fmt.Errorf("%w: npz: member %q claims %d compressed bytes in a %d-byte archive", ErrFormat, f.Name, f.CompressedSize64, size)
		}
		if strings.HasSuffix(f.Name, "/") {
			continue
		}
		a, err := readNPZMember(f)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: npz: archive holds no arrays", ErrFormat)
	}
	return out, nil
}

func readNPZMember(f *zip.File) (*Array, error) {
	if f.Method == zip.Store && f.UncompressedSize64 != f.CompressedSize64 {
		return nil, fmt.Errorf("%w: npz: stored member %q claims %d bytes but holds %d", ErrFormat, f.Name, f.UncompressedSize64, f.CompressedSize64)
	}
	if f.Method == zip.Deflate && f.CompressedSize64 > 0 && f.UncompressedSize64/maxDeflateRatio > f.CompressedSize64 {
		return nil, fmt.Errorf("%w: npz: member %q claims %d bytes from %d compressed", ErrFormat, f.Name, f.UncompressedSize64, f.CompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: npz: member %q: %v", ErrFormat, f.Name, err)
	}
	defer rc.Close()
	h, err := ReadNPYHeader(rc)
	if err != nil {
		return nil, fmt.Errorf("npz: member %q: %w", f.Name, err)
	}
	remain := int64(f.UncompressedSize64) - h.DataOffset
	if remain < 0 {
		remain = 0
	}
	a, err := readNPYData(rc, h, remain)
	if err != nil {
		return nil, fmt.Errorf("npz: member %q: %w", f.Name, err)
	}
	a.Name = strings.TrimSuffix(f.Name, ".npy")
	return a, nil
}

// OpenNPZ reads a .npz file from disk.
func OpenNPZ(path string) ([]*Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("activations: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("activations: %w", err)
	}
	arrs, err := ReadNPZ(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return arrs, nil
}

func sortByName(a []*Array) {
	sort.SliceStable(a, func(i, j int) bool { return a[i].Name < a[j].Name })
}
