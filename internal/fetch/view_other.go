//go:build !(unix && (amd64 || arm64 || riscv64 || ppc64le || s390x || loong64))

package fetch

import (
	"fmt"
	"io"
	"os"
)

// fileView reads a file with pread into one reused buffer.
type fileView struct {
	f   *os.File
	buf []byte
}

func newFileView(f *os.File) *fileView { return &fileView{f: f, buf: make([]byte, 1<<20)} }

// bytes returns the file's bytes [off, off+n), n capped at 1 MiB; the
// slice is valid until the next call.
func (v *fileView) bytes(off, n int64) ([]byte, error) {
	n = min(n, int64(len(v.buf)))
	k, err := v.f.ReadAt(v.buf[:n], off)
	if err != nil && !(err == io.EOF && int64(k) == n) {
		return nil, fmt.Errorf("reading back at %d: %w", off, err)
	}
	return v.buf[:k], nil
}

func (v *fileView) close() {}

func guard(err *error) func() { return func() {} }
