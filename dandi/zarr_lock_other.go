//go:build !unix

package dandi

// flockFile is a no-op where flock is unavailable: only the in-process
// lock of lockZarr applies.
func flockFile(string) (func(), error) { return func() {}, nil }
