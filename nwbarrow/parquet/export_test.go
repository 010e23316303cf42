package parquet

// SetDirect switches the direct column writer (see direct.go) on or off
// and returns the previous setting; tests and benchmarks compare it with
// pqarrow.FileWriter.
func SetDirect(on bool) bool {
	old := useDirect
	useDirect = on
	return old
}
