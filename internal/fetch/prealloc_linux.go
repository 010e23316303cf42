package fetch

import (
	"os"
	"syscall"
)

// preallocate reserves size bytes for the empty file f (fallocate), so
// the writes that follow fill allocated extents instead of allocating
// blocks page by page. Errors are ignored: the caller still sizes the file
// with Truncate.
func preallocate(f *os.File, size int64) {
	_ = syscall.Fallocate(int(f.Fd()), 0, 0, size)
}
