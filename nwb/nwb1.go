package nwb

import (
	"fmt"
	"strings"

	"github.com/neurodata/neurodata/hdf5"
)

// NWB 1.x support (Allen Brain Observatory 2-photon files, NWB 1.0.x).
//
// Read: metadata (root datasets /nwb_version, /identifier, ...), every
// TimeSeries (typed by its "ancestry" attribute; dF/F RoiResponseSeries,
// running speed, stimulus series), and stimulus tables assembled from
// /stimulus/presentation series (see NWB1StimulusTables).
//
// Not interpreted (stated limitation): NWB 1.x ImageSegmentation (per-ROI
// groups with pix_mask/img_mask), epochs (/epochs groups), UnitTimes and
// the *_path string links between objects; their datasets stay readable
// through HDF5().

// NWB1StimulusTables turns each /stimulus/presentation series of an NWB
// 1.x file into a table, as the Allen SDK does: frame_duration's two
// columns become start_frame and end_frame (acquisition frame indices),
// timestamps become start_time (seconds), and the data become "frame"
// (IndexSeries), one column per feature (AbstractFeatureSeries, named from
// features) or "data". Columns whose length differs from the series'
// sample count are left out. Table paths are the series paths.
func (f *File) NWB1StimulusTables() ([]*Table, error) {
	if f.Major() != 1 {
		return nil, nil
	}
	g, err := f.h5.Group("/stimulus/presentation")
	if err != nil {
		return nil, nil
	}
	links, err := g.Links()
	if err != nil {
		return nil, fmt.Errorf("nwb: /stimulus/presentation: %w", err)
	}
	var out []*Table
	for _, l := range links {
		sg, err := g.Group(l.Name)
		if err != nil {
			continue
		}
		t, err := f.nwb1StimTable(sg)
		if err != nil {
			return nil, err
		}
		if t != nil {
			out = append(out, t)
		}
	}
	return out, nil
}

func (f *File) nwb1StimTable(sg *hdf5.Group) (*Table, error) {
	tn, _ := typeOf(sg)
	n := -1
	var cols []*ColumnValues
	add := func(name, desc string, v Values) {
		if n < 0 {
			n = v.Len()
		}
		if v.Len() != n {
			return
		}
		cols = append(cols, &ColumnValues{Column: &Column{Name: name, Description: desc, Elem: v.Elem, Attrs: map[string]string{}}, Values: v})
	}
	data, err := sg.Dataset("data")
	if err != nil {
		return nil, nil
	}
	dsh := data.Shape()
	if len(dsh) == 0 {
		return nil, nil
	}
	n = int(dsh[0])
	if ds, err := sg.Dataset("timestamps"); err == nil && len(ds.Shape()) == 1 {
		if v, err := ds.ReadFloat64s(nil); err == nil {
			add("start_time", "presentation start (s), from timestamps", Values{Elem: ElemFloat64, F64: v})
		}
	}
	if ds, err := sg.Dataset("frame_duration"); err == nil {
		sh := ds.Shape()
		if len(sh) == 2 && sh[1] == 2 {
			if v, err := ds.ReadInt64s(nil); err == nil && uint64(len(v)) == 2*sh[0] {
				st := make([]int64, sh[0])
				en := make([]int64, sh[0])
				for i := range st {
					st[i], en[i] = v[2*i], v[2*i+1]
				}
				add("start_frame", "first acquisition frame of the presentation", Values{Elem: ElemInt64, I64: st})
				add("end_frame", "last acquisition frame of the presentation", Values{Elem: ElemInt64, I64: en})
			}
		}
	}
	et, err := elemOf(data.Type())
	if err != nil {
		return nil, fmt.Errorf("nwb: %s/data: %w", sg.Path(), err)
	}
	var features []string
	if ds, err := sg.Dataset("features"); err == nil {
		features, _ = ds.ReadStrings(nil)
	}
	switch {
	case len(dsh) == 2 && len(features) == int(dsh[1]):
		v, err := data.ReadFloat64s(nil)
		if err != nil {
			return nil, fmt.Errorf("nwb: %s/data: %w", sg.Path(), err)
		}
		k := int(dsh[1])
		if len(v) != n*k {
			return nil, fmt.Errorf("%w: %s/data: read %d values for shape %v", ErrFormat, sg.Path(), len(v), dsh)
		}
		for j, name := range features {
			col := make([]float64, n)
			for i := range col {
				col[i] = v[i*k+j]
			}
			add(strings.TrimSpace(name), "feature "+name, Values{Elem: ElemFloat64, F64: col})
		}
	case len(dsh) == 1:
		v, err := f.readValues(data, et, nil)
		if err != nil {
			return nil, err
		}
		name := "data"
		if tn.Name == "IndexSeries" {
			name = "frame"
		}
		add(name, "series data", v)
	}
	return newMemTable(f, sg.Path(), tn, attrString(sg, "description"), cols), nil
}
