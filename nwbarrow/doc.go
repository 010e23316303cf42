// Package nwbarrow turns NWB content into Apache Arrow: any DynamicTable
// (Units, electrodes, TimeIntervals, PlaneSegmentation, extension tables),
// any TimeSeries, and spike trains in long format become arrow.RecordBatch
// streams; writers put them in Arrow IPC files, CSV or JSON Lines, and (with
// package nwbarrow/parquet imported) Parquet. It is the only neurodata
// package that imports Arrow.
//
// Column mapping:
//
//	VectorData of a numeric/bool/text dtype  → the matching Arrow type (int8…uint64, float32/64, bool, utf8)
//	multi-dimensional VectorData (n×k, n×h×w) → fixed_size_list (nested for each extra axis)
//	ragged (VectorIndex), doubly ragged       → list<…>, list<list<…>>
//	DynamicTableRegion                        → int64 row indices (list<int64> when ragged); field metadata nwb.target names the table
//	object references                         → utf8 path of the referenced object; field metadata nwb.reference = "true"
//	compound (TimeSeriesReferenceVectorData)  → struct<idx_start int32, count int32, timeseries utf8>
//	enum {FALSE, TRUE}                        → bool
//
// Every table gains a leading "id" int64 column (ElementIdentifiers).
// Schema metadata carries nwb.path, nwb.neurodata_type, nwb.description and
// nwb.version; field metadata carries description, neurodata_type, unit and
// the other column attributes. NaN values stay NaN (not null).
//
// Select and Selection.WriteFile export one table, spike trains or series
// by name without the caller touching Arrow types (this is `neurodata
// export`); ReadTypedColumnsFile reads a Parquet or IPC file back into Go
// slices. Options configure both sides: WithBatchRows, WithBatchValues and
// WithColumns the conversion, WithCompression and WithRowGroupValues the
// Parquet writer (defaults and their measurements: package nwbarrow/parquet).
//
// Performance (bench/p3.sh, a 480-unit, 10 M-spike units table): tables
// are read in batches (at most 65536 rows and DefaultBatchValues values),
// one batch ahead of the consumer, and WriteFile hands the bytes to a
// goroutine that writes the file, so reading, encoding and writing can run
// on different cores; Parquet list columns are encoded without pqarrow's
// generic level builder, in row groups of up to 16 Mi values (see
// package nwbarrow/parquet); package hdf5 reads large contiguous ranges
// on several cores. Against raw h5py reads of the same datasets (~52 ms,
// bench/p3.sh, 5 rounds, load ~1.2): the in-memory Arrow table takes 0.3×
// h5py's wall time (0.5× its CPU time), an Arrow IPC file 0.7× (1.1×), a
// Parquet file 1.1× (1.6×: the Parquet encoder alone is ~30 ms of CPU,
// half of it arrow-go counting and RLE-encoding 20 M list levels).
// Replacing an existing file costs ~30 ms more on ext4, which writes the
// new file back when it is renamed over the old one.
//
// Memory for offsets, strings, booleans and narrow numeric types comes from
// the memory.Allocator passed in; float64 and int64 values read from the
// file are wrapped without a copy (Go memory, garbage collected), which
// keeps a units-table export at the cost of reading it (bench/p3.sh).
// Callers Release what they receive in either case.
//
// Limits: a string column or a list level may hold at most 2^31-1 bytes or
// elements per record batch (Arrow utf8/list offsets are int32); lower
// WithBatchRows for larger tables.
package nwbarrow
