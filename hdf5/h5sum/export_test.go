package h5sum

// Float16Bits exposes float16bits to the external tests.
var Float16Bits = float16bits
