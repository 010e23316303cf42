//go:build !unix

package fetch

import "os"

// tryLock is a no-op where flock is unavailable; the temp file name still
// keeps a finished file from being overwritten by a partial one.
func tryLock(f *os.File) error { return nil }

func unlock(f *os.File) {}

func freeBytes(dir string) int64 { return -1 }
