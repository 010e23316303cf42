package nwb

import (
	"fmt"

	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/ts"
)

// Units is the sorted-units table (type Units or an extension subtype).
type Units struct {
	*Table
	spikes *Column // spike_times, nil when absent
	ends   []int64 // cached spike_times_index (small: one entry per unit)
}

// Units opens /units, or else the first object of type Units (or a
// subtype, e.g. from an extension) anywhere in the file.
func (f *File) Units() (*Units, error) {
	path := "/units"
	if !f.IsA(path, "Units") {
		o, err := f.Find("Units")
		if err != nil {
			if _, gerr := f.h5.Group(path); gerr != nil {
				return nil, err
			}
		} else {
			path = o.Path
		}
	}
	t, err := f.Table(path)
	if err != nil {
		return nil, err
	}
	return UnitsFrom(t)
}

// UnitsFrom views a table as Units.
func UnitsFrom(t *Table) (*Units, error) {
	u := &Units{Table: t}
	if c, err := t.Column("spike_times"); err == nil {
		if c.Depth != 1 || !c.Elem.IsFloat() {
			return nil, fmt.Errorf("%w: %s/spike_times is not a ragged float column", ErrFormat, t.Path)
		}
		u.spikes = c
	}
	return u, nil
}

// spikeEnds reads (once) the spike_times_index: end offsets per unit.
func (u *Units) spikeEnds() ([]int64, error) {
	if u.ends != nil {
		return u.ends, nil
	}
	if u.spikes == nil {
		return nil, fmt.Errorf("%w: %s has no spike_times column", ErrNotFound, u.Path)
	}
	cv, err := u.spikes.index[0].ReadInt64s(nil)
	if err != nil {
		return nil, fmt.Errorf("nwb: %s: %w", u.spikes.index[0].Path(), err)
	}
	n := int64(u.spikes.data.Shape()[0])
	prev := int64(0)
	for i, e := range cv {
		if e < prev || e > n {
			return nil, fmt.Errorf("%w: %s row %d: end %d not in [%d, %d]", ErrFormat, u.spikes.index[0].Path(), i, e, prev, n)
		}
		prev = e
	}
	u.ends = cv
	return cv, nil
}

// SpikeCount returns the number of spikes of the unit in row, from the
// index alone.
func (u *Units) SpikeCount(row int) (int, error) {
	ends, err := u.spikeEnds()
	if err != nil {
		return 0, err
	}
	if row < 0 || row >= len(ends) {
		return 0, fmt.Errorf("nwb: unit row %d outside [0, %d)", row, len(ends))
	}
	lo := int64(0)
	if row > 0 {
		lo = ends[row-1]
	}
	return int(ends[row] - lo), nil
}

// SpikeTimes returns the spike times (seconds) of the unit in row, reading
// only that unit's slice of spike_times.
func (u *Units) SpikeTimes(row int) ([]float64, error) {
	ends, err := u.spikeEnds()
	if err != nil {
		return nil, err
	}
	if row < 0 || row >= len(ends) {
		return nil, fmt.Errorf("nwb: unit row %d outside [0, %d)", row, len(ends))
	}
	lo := int64(0)
	if row > 0 {
		lo = ends[row-1]
	}
	hi := ends[row]
	if hi == lo {
		return []float64{}, nil
	}
	v, err := u.spikes.data.ReadFloat64s(&hdf5.Hyperslab{Start: []uint64{uint64(lo)}, Count: []uint64{uint64(hi - lo)}})
	if err != nil {
		return nil, fmt.Errorf("nwb: %s[%d:%d]: %w", u.spikes.data.Path(), lo, hi, err)
	}
	return v, nil
}

// SpikeTimesRows reads the spike times of unit rows [lo, hi) with one
// hyperslab read; unit lo+k's spikes are times[off[k]:off[k+1]].
func (u *Units) SpikeTimesRows(lo, hi int) (times []float64, off []int64, err error) {
	ends, err := u.spikeEnds()
	if err != nil {
		return nil, nil, err
	}
	if lo < 0 || hi > len(ends) || lo > hi {
		return nil, nil, fmt.Errorf("nwb: unit rows [%d, %d) outside [0, %d)", lo, hi, len(ends))
	}
	base := int64(0)
	if lo > 0 {
		base = ends[lo-1]
	}
	off = make([]int64, hi-lo+1)
	for k := lo; k < hi; k++ {
		off[k-lo+1] = ends[k] - base
	}
	n := off[len(off)-1]
	if n == 0 {
		return []float64{}, off, nil
	}
	times, err = u.spikes.data.ReadFloat64s(&hdf5.Hyperslab{Start: []uint64{uint64(base)}, Count: []uint64{uint64(n)}})
	if err != nil {
		return nil, nil, fmt.Errorf("nwb: %s[%d:%d]: %w", u.spikes.data.Path(), base, base+n, err)
	}
	return times, off, nil
}

// AllSpikeTimes reads spike_times once and splits it per unit.
func (u *Units) AllSpikeTimes() ([][]float64, error) {
	if u.spikes == nil {
		return nil, fmt.Errorf("%w: %s has no spike_times column", ErrNotFound, u.Path)
	}
	cv, err := u.spikes.Read()
	if err != nil {
		return nil, err
	}
	return splitFloat(cv)
}

// SpikeTrains returns the units in rows (nil = all) as a ts.Units with the
// string and float metadata columns attached (quality, location,
// firing_rate, ...). The support is the span of the session's
// observation: obs_intervals are not merged into it; use ObsIntervals.
func (u *Units) SpikeTrains(rows []int) (*ts.Units, error) {
	ids, err := u.IDs()
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = make([]int, u.Len())
		for i := range rows {
			rows[i] = i
		}
	}
	var all [][]float64
	if len(rows) > u.Len()/4 {
		all, err = u.AllSpikeTimes()
		if err != nil {
			return nil, err
		}
		if len(all) != u.Len() {
			return nil, fmt.Errorf("%w: %s: spike_times has %d rows, table %d", ErrFormat, u.Path, len(all), u.Len())
		}
	}
	selIDs := make([]int64, len(rows))
	trains := make([][]float64, len(rows))
	for k, r := range rows {
		if r < 0 || r >= u.Len() {
			return nil, fmt.Errorf("nwb: unit row %d outside [0, %d)", r, u.Len())
		}
		selIDs[k] = ids[r]
		if all != nil {
			trains[k] = all[r]
		} else if trains[k], err = u.SpikeTimes(r); err != nil {
			return nil, err
		}
	}
	out, _, err := ts.NewUnits(selIDs, trains, ts.IntervalSet{})
	if err != nil {
		return nil, fmt.Errorf("nwb: %s: %w", u.Path, err)
	}
	for _, name := range u.ColumnNames() {
		c, err := u.Column(name)
		if err != nil || c.Depth != 0 || c.Stride() != 1 {
			continue
		}
		switch {
		case c.Rows() != u.Len():
			continue // inconsistent column: left out of the metadata
		case c.Elem == ElemString || c.Elem == ElemRef:
			s, err := u.Strings(name)
			if err == nil && len(s) == u.Len() {
				_ = out.SetString(name, pick(s, rows))
			}
		case c.Elem.IsFloat() || c.Elem.IsSigned() || c.Elem.IsUnsigned() || c.Elem == ElemBool:
			x, err := u.Float64s(name)
			if err == nil && len(x) == u.Len() {
				_ = out.SetFloat(name, pick(x, rows))
			}
		}
	}
	return out, nil
}

func pick[T any](s []T, rows []int) []T {
	out := make([]T, len(rows))
	for k, r := range rows {
		out[k] = s[r]
	}
	return out
}

// ObsIntervals returns the observation intervals of the unit in row
// (seconds), or nil when the table has no obs_intervals column.
func (u *Units) ObsIntervals(row int) (ts.IntervalSet, error) {
	c, err := u.Column("obs_intervals")
	if err != nil {
		return ts.IntervalSet{}, nil
	}
	cv, err := c.ReadRows(row, row+1)
	if err != nil {
		return ts.IntervalSet{}, err
	}
	v := cv.Values.F64
	if len(v)%2 != 0 {
		return ts.IntervalSet{}, fmt.Errorf("%w: %s obs_intervals not pairs", ErrFormat, u.Path)
	}
	st := make([]float64, len(v)/2)
	en := make([]float64, len(v)/2)
	for i := range st {
		st[i], en[i] = v[2*i], v[2*i+1]
	}
	s, _, err := ts.NewIntervalSet(st, en)
	return s, err
}

// Electrodes returns, per unit row, the electrode table rows of its
// electrodes region (empty when the table has no electrodes column).
func (u *Units) Electrodes() ([][]int64, string, error) {
	c, err := u.Column("electrodes")
	if err != nil {
		return nil, "", nil
	}
	if !(c.Elem.IsSigned() || c.Elem.IsUnsigned()) || c.Depth > 1 || c.Stride() != 1 {
		return nil, "", fmt.Errorf("%w: %s/electrodes holds %s (depth %d), want integer row indices", ErrFormat, u.Path, c.Elem, c.Depth)
	}
	cv, err := c.Read()
	if err != nil {
		return nil, "", err
	}
	rows, ok := cv.Values.Ints()
	if !ok {
		return nil, "", fmt.Errorf("%w: %s/electrodes: row indices out of range", ErrFormat, u.Path)
	}
	if len(cv.Offsets) == 0 {
		out := make([][]int64, len(rows))
		for i, v := range rows {
			out[i] = []int64{v}
		}
		return out, c.Target, nil
	}
	off := cv.Offsets[0]
	out := make([][]int64, len(off)-1)
	for i := range out {
		out[i] = rows[off[i]:off[i+1]]
	}
	return out, c.Target, nil
}

// WaveformMean returns the mean waveform of the unit in row and the
// per-waveform shape (samples[, channels]).
func (u *Units) WaveformMean(row int) ([]float64, []int, error) {
	c, err := u.Column("waveform_mean")
	if err != nil {
		return nil, nil, err
	}
	cv, err := c.ReadRows(row, row+1)
	if err != nil {
		return nil, nil, err
	}
	out := make([]float64, cv.Values.Len())
	for i := range out {
		out[i] = cv.Values.Float64(i)
	}
	return out, c.ElemShape, nil
}

// Electrodes opens the electrodes table (/general/extracellular_ephys/electrodes).
func (f *File) Electrodes() (*Table, error) {
	for _, p := range []string{"/general/extracellular_ephys/electrodes", "/general/extracellular_ephys/electrode_table"} {
		if _, err := f.h5.Group(p); err == nil {
			return f.Table(p)
		}
	}
	return nil, fmt.Errorf("%w: no electrodes table", ErrNotFound)
}

// JoinByID maps ids to rows of t (-1 for ids not in the table): joins are by
// id, never by row number.
func (t *Table) JoinByID(ids []int64) ([]int, error) {
	all, err := t.IDs()
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(all))
	for i, v := range all {
		if _, dup := pos[v]; !dup {
			pos[v] = i
		}
	}
	out := make([]int, len(ids))
	for i, id := range ids {
		r, ok := pos[id]
		if !ok {
			r = -1
		}
		out[i] = r
	}
	return out, nil
}
