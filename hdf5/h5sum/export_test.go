package h5sum

// Float16Bits exposes float16bits to the external tests.
var Float16Bits = float16bits

// SetSlabBytes changes the slab size of DatasetSHA256 for a test.
func SetSlabBytes(n uint64) (restore func()) {
	old := slabBytes
	slabBytes = n
	return func() { slabBytes = old }
}
