package nwb

import (
	"fmt"
	"sort"
	"strings"

	"github.com/neurodata/neurodata/ts"
)

// TimeIntervals is a table of intervals with start_time and stop_time in
// seconds (trials, epochs, *_presentations stimulus tables, ...).
type TimeIntervals struct {
	*Table
}

// TimeIntervalsFrom views a table as TimeIntervals; it must have start_time
// and stop_time columns.
func TimeIntervalsFrom(t *Table) (*TimeIntervals, error) {
	for _, c := range []string{"start_time", "stop_time"} {
		if _, err := t.Column(c); err != nil {
			return nil, fmt.Errorf("nwb: %s is not a TimeIntervals table: %w", t.Path, err)
		}
	}
	return &TimeIntervals{Table: t}, nil
}

// Trials opens /intervals/trials.
func (f *File) Trials() (*TimeIntervals, error) {
	t, err := f.ResolveTable("trials")
	if err != nil {
		return nil, err
	}
	return TimeIntervalsFrom(t)
}

// Intervals opens a TimeIntervals table by name ("trials", "epochs",
// "drifting_gratings_presentations", ...) or path.
func (f *File) Intervals(name string) (*TimeIntervals, error) {
	t, err := f.ResolveTable(name)
	if err != nil {
		return nil, err
	}
	return TimeIntervalsFrom(t)
}

// AllIntervals returns every TimeIntervals table of the file, ordered by path.
func (f *File) AllIntervals() ([]*TimeIntervals, error) {
	objs, err := f.FindAll("TimeIntervals")
	if err != nil {
		return nil, err
	}
	var out []*TimeIntervals
	for _, o := range objs {
		t, err := f.Table(o.Path)
		if err != nil {
			return nil, err
		}
		ti, err := TimeIntervalsFrom(t)
		if err != nil {
			continue
		}
		out = append(out, ti)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// StimulusTables returns the TimeIntervals tables whose name ends in
// "_presentations" (Allen-style stimulus tables).
func (f *File) StimulusTables() ([]*TimeIntervals, error) {
	all, err := f.AllIntervals()
	if err != nil {
		return nil, err
	}
	var out []*TimeIntervals
	for _, t := range all {
		if strings.HasSuffix(t.Name, "_presentations") {
			out = append(out, t)
		}
	}
	return out, nil
}

// StartStop returns the start and stop times (seconds).
func (ti *TimeIntervals) StartStop() (start, stop []float64, err error) {
	if start, err = ti.Float64s("start_time"); err != nil {
		return nil, nil, err
	}
	if stop, err = ti.Float64s("stop_time"); err != nil {
		return nil, nil, err
	}
	if len(start) != len(stop) {
		return nil, nil, fmt.Errorf("%w: %s has %d start and %d stop times", ErrFormat, ti.Path, len(start), len(stop))
	}
	return start, stop, nil
}

// IntervalSet returns the rows (or the selected rows, nil = all) as a
// ts.IntervalSet; overlapping rows are merged and the repairs reported as
// warnings by package ts.
func (ti *TimeIntervals) IntervalSet(rows []int) (ts.IntervalSet, []string, error) {
	start, stop, err := ti.StartStop()
	if err != nil {
		return ts.IntervalSet{}, nil, err
	}
	if rows != nil {
		start, stop = pick(start, rows), pick(stop, rows)
	}
	return ts.NewIntervalSet(start, stop)
}
