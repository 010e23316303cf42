//go:build unix && (amd64 || arm64 || riscv64 || ppc64le || s390x || loong64)

package fetch

import (
	"fmt"
	"os"
	"runtime/debug"
	"syscall"
)

// viewWindow is the span of the file mapped at a time.
const viewWindow = 64 << 20

// fileView reads a file through read-only memory maps of viewWindow
// bytes, so hashing the bytes the parts wrote costs no copy out of the
// page cache (pread would copy every byte once more).
type fileView struct {
	f    *os.File
	base int64  // file offset of m
	m    []byte // current mapping, nil when none
}

func newFileView(f *os.File) *fileView { return &fileView{f: f} }

// bytes returns the file's bytes [off, off+n), n capped at the end of the
// current window; the slice is valid until the next call or close. The
// caller must run it with debug.SetPanicOnFault (see guard): a file
// truncated under the mapping faults.
func (v *fileView) bytes(off, n int64) ([]byte, error) {
	if v.m == nil || off < v.base || off >= v.base+int64(len(v.m)) {
		v.close()
		base := off &^ (viewWindow - 1)
		fi, err := v.f.Stat()
		if err != nil {
			return nil, err
		}
		size := min(fi.Size()-base, viewWindow)
		if size <= 0 || off+n > fi.Size() {
			return nil, fmt.Errorf("mapping bytes %d-%d of a %d-byte file", off, off+n, fi.Size())
		}
		m, err := syscall.Mmap(int(v.f.Fd()), base, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
		if err != nil {
			return nil, err
		}
		v.base, v.m = base, m
	}
	i := off - v.base
	return v.m[i:min(i+n, int64(len(v.m)))], nil
}

func (v *fileView) close() {
	if v.m != nil {
		syscall.Munmap(v.m)
		v.m = nil
	}
}

// guard turns a fault on a mapped page into an error for the calling
// goroutine; use as: defer guard(&err)() at the top of the function.
func guard(err *error) func() {
	old := debug.SetPanicOnFault(true)
	return func() {
		debug.SetPanicOnFault(old)
		if r := recover(); r != nil {
			*err = fmt.Errorf("reading the mapped temp file: %v", r)
		}
	}
}
