//go:build unix

package dandi

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// flockFile takes an exclusive, non-blocking advisory lock on the file p
// (created if needed), so two processes never build the same Zarr
// directory at once. The returned function removes the file and unlocks.
func flockFile(p string) (func(), error) {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: locked by another process", p)
		}
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return func() {
		os.Remove(p)
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
