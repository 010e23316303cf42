// Package hdf5 is a read-only, pure-Go reader of HDF5 files.
//
// It reads superblocks v0–v3, object headers v1/v2, all group storage
// forms (symbol tables, compact and dense links), compact and dense
// attributes, all datatype classes, and contiguous, compact, external and
// chunked layouts with every chunk index. Chunks are decoded in parallel
// (WithWorkers) and only the chunks a hyperslab touches are read. Every
// offset and length read from the file is validated against the file size
// and allocations are capped (WithMaxAlloc), so malformed files give a
// *FormatError or a sentinel error, never a panic.
package hdf5
