package nwbarrow

import (
	"io"
	"strings"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/neurodata/neurodata/nwb"
)

// Selection is one exportable item of an NWB file (a table, the spike
// trains in long format, or a time series) ready to be written in any
// Format. It is what `neurodata export` writes; programs that do not want
// to handle Arrow types use it the same way. Close it when done.
type Selection struct {
	name string
	mem  memory.Allocator
	rr   array.RecordReader
	opts []Option
}

// Select opens the item name of f for export:
//
//	"spikes" or "units_spikes"  spike trains of the units table in long format (see Spikes)
//	path of a TimeSeries        that series (see Series)
//	anything else               a table by name or path, as nwb.File.ResolveTable accepts
//	                            ("units", "trials", "drifting_gratings_presentations", "/units")
//
// An unknown name gives an error wrapping nwb.ErrNotFound. opts configure
// both the conversion (WithBatchRows, WithColumns, ...) and the writers
// (WithCompression, WithRowGroupValues).
func Select(f *nwb.File, name string, opts ...Option) (*Selection, error) {
	mem := memory.NewGoAllocator()
	var rr array.RecordReader
	var err error
	switch {
	case name == "spikes" || name == "units_spikes":
		var u *nwb.Units
		if u, err = f.Units(); err == nil {
			rr, err = Spikes(mem, u, opts...)
		}
	case strings.HasPrefix(name, "/") && f.IsA(name, "TimeSeries"):
		var s *nwb.TimeSeries
		if s, err = f.TimeSeries(name); err == nil {
			rr, err = Series(mem, s, opts...)
		}
	default:
		var t *nwb.Table
		if t, err = f.ResolveTable(name); err == nil {
			rr, err = Table(mem, t, opts...)
		}
	}
	if err != nil {
		return nil, err
	}
	return &Selection{name: name, mem: mem, rr: rr, opts: opts}, nil
}

// Skipped gives the reasons columns of the selection are left out (see the
// package function Skipped); show them to the user before writing.
func (s *Selection) Skipped() []string { return Skipped(s.rr.Schema()) }

// Columns lists the column names of the selection, in output order.
func (s *Selection) Columns() []string {
	var out []string
	for _, f := range s.rr.Schema().Fields() {
		out = append(out, f.Name)
	}
	return out
}

// Write writes the selection to w in format f. A selection is written
// once: its record stream is consumed.
func (s *Selection) Write(w io.Writer, f Format) error {
	return Write(w, f, s.mem, s.rr, s.opts...)
}

// WriteFile writes the selection to path in format f, atomically (see the
// package function WriteFile). A selection is written once.
func (s *Selection) WriteFile(path string, f Format) error {
	return WriteFile(path, f, s.mem, s.rr, s.opts...)
}

// Close releases the selection.
func (s *Selection) Close() {
	if s.rr != nil {
		s.rr.Release()
		s.rr = nil
	}
}
