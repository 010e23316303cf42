package dandi

// SetZarrBatch lets the external tests force several fetcher batches;
// it returns a function restoring the default.
func SetZarrBatch(n int) (restore func()) {
	old := zarrBatch
	zarrBatch = n
	return func() { zarrBatch = old }
}
