// Package activations reads deep-network layer activations for RSA and CKA:
// NumPy .npy (every real numeric dtype, either byte order, C or Fortran
// order, format versions 1–3) and .npz (stored or deflated), safetensors,
// and directories of per-layer files. Everything is converted to float64
// in C order with stimuli along the first axis.
//
// Large layers can be streamed: OpenMapped memory-maps a .npy file (unix;
// ReadAt elsewhere) and hands out column blocks, which is what the blocked
// Gram kernels of package rsa consume, so a layer never has to be held in
// memory as float64.
//
// Parquet and Arrow IPC tables are not read here: Arrow may only be
// imported by package nwbarrow, which plugs its readers in through
// RegisterFormat.
//
// Lengths and offsets read from files are validated before any
// allocation; malformed files yield errors wrapping ErrFormat that name the
// object and byte offset.
package activations
