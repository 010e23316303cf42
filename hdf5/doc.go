// Package hdf5 is a read-only, pure-Go reader of HDF5 files.
package hdf5

// numpyDtype is replaced by the real datatype renderer.
func numpyDtype(t *Datatype) string { return "" }
