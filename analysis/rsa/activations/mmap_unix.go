//go:build unix

package activations

import (
	"os"
	"syscall"
)

// mapFile maps size bytes of f read-only. ok is false when mapping is not
// possible (empty file, special file, or the call failed), in which case
// the caller falls back to reading.
func mapFile(f *os.File, size int64) (b []byte, unmap func() error, ok bool) {
	if size <= 0 || int64(int(size)) != size {
		return nil, nil, false
	}
	b, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, nil, false
	}
	return b, func() error { return syscall.Munmap(b) }, true
}
