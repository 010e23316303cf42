package dandi

import (
	"os"

	"golang.org/x/sys/unix"
)

// exchangeDirs swaps the directories a and b in one atomic step
// (renameat2 RENAME_EXCHANGE), so b is never missing. ok is false when the
// kernel or filesystem cannot exchange; the caller then falls back.
func exchangeDirs(a, b string) (ok bool, err error) {
	err = unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	switch err {
	case nil:
		return true, nil
	case unix.ENOSYS, unix.EINVAL, unix.EOPNOTSUPP:
		return false, nil
	}
	return false, &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
}
