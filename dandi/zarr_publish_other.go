//go:build !linux

package dandi

// exchangeDirs reports that an atomic exchange is not available here;
// publishZarr then replaces the directory with two renames.
func exchangeDirs(a, b string) (bool, error) { return false, nil }
