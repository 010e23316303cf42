package nwb

import (
	"fmt"
	"strings"

	"github.com/neurodata/neurodata/hdf5"
)

// Module is a ProcessingModule (NWB 1.x: a "Module") with its data
// interfaces.
type Module struct {
	Name, Path, Description string
	Interfaces              []Object // direct typed children
}

// ProcessingModules lists /processing/* modules.
func (f *File) ProcessingModules() ([]Module, error) {
	g, err := f.h5.Group("/processing")
	if err != nil {
		return nil, nil
	}
	links, err := g.Links()
	if err != nil {
		return nil, fmt.Errorf("nwb: /processing: %w", err)
	}
	var out []Module
	for _, l := range links {
		mg, err := g.Group(l.Name)
		if err != nil {
			continue
		}
		m := Module{Name: l.Name, Path: mg.Path(), Description: attrString(mg, "description")}
		cl, err := mg.Links()
		if err != nil {
			return nil, fmt.Errorf("nwb: %s: %w", mg.Path(), err)
		}
		for _, c := range cl {
			o, err := mg.Open(c.Name)
			if err != nil {
				continue
			}
			tn, _ := typeOf(o)
			m.Interfaces = append(m.Interfaces, Object{Path: o.Path(), Type: tn, Kind: o.Kind()})
		}
		out = append(out, m)
	}
	return out, nil
}

// Children returns the typed children of the group at path (e.g. the
// SpatialSeries inside a Position, the RoiResponseSeries inside DfOverF).
func (f *File) Children(path string) ([]Object, error) {
	g, err := f.h5.Group(path)
	if err != nil {
		return nil, fmt.Errorf("nwb: %s: %w", path, err)
	}
	links, err := g.Links()
	if err != nil {
		return nil, fmt.Errorf("nwb: %s: %w", path, err)
	}
	var out []Object
	for _, l := range links {
		o, err := g.Open(l.Name)
		if err != nil {
			continue
		}
		if tn, ok := typeOf(o); ok {
			out = append(out, Object{Path: o.Path(), Type: tn, Kind: o.Kind()})
		}
	}
	return out, nil
}

// SeriesOf returns the TimeSeries inside every object of type container
// (e.g. "DfOverF", "Fluorescence", "Position", "BehavioralTimeSeries").
// In NWB 1.x the container is an Interface group named container.
func (f *File) SeriesOf(container string) ([]*TimeSeries, error) {
	var paths []string
	if f.Major() == 1 {
		mods, err := f.ProcessingModules()
		if err != nil {
			return nil, err
		}
		for _, m := range mods {
			for _, it := range m.Interfaces {
				if strings.HasSuffix(it.Path, "/"+container) {
					paths = append(paths, it.Path)
				}
			}
		}
	} else {
		objs, err := f.FindAll(container)
		if err != nil {
			return nil, err
		}
		for _, o := range objs {
			paths = append(paths, o.Path)
		}
	}
	types := f.typesOrBuiltin()
	var out []*TimeSeries
	for _, p := range paths {
		kids, err := f.Children(p)
		if err != nil {
			return nil, err
		}
		for _, k := range kids {
			if k.Kind == hdf5.KindGroup && types.IsA(k.Type, "TimeSeries") {
				s, err := f.TimeSeries(k.Path)
				if err != nil {
					return nil, err
				}
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// RunningSpeed finds a running-speed series: a TimeSeries named
// running_speed (Allen NWB 1.x and 2.x) anywhere under /processing, else
// the first series whose name contains "running".
func (f *File) RunningSpeed() (*TimeSeries, error) {
	objs, err := f.FindAll("TimeSeries")
	if err != nil {
		return nil, err
	}
	var fallback string
	for _, o := range objs {
		base := o.Path[strings.LastIndexByte(o.Path, '/')+1:]
		if base == "running_speed" {
			return f.TimeSeries(o.Path)
		}
		if fallback == "" && strings.Contains(strings.ToLower(base), "running") && !strings.HasSuffix(base, "_index") {
			fallback = o.Path
		}
	}
	if fallback != "" {
		return f.TimeSeries(fallback)
	}
	return nil, fmt.Errorf("%w: no running speed series", ErrNotFound)
}

// ImageMasks reads a PlaneSegmentation's image_mask column: one
// height×width mask (row-major) per ROI, plus the ROI ids.
func (f *File) ImageMasks(planeSegmentation string) (masks [][]float64, ids []int64, height, width int, err error) {
	t, err := f.Table(planeSegmentation)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	c, err := t.Column("image_mask")
	if err != nil {
		return nil, nil, 0, 0, err
	}
	if c.Depth != 0 || len(c.ElemShape) != 2 {
		return nil, nil, 0, 0, fmt.Errorf("%w: %s/image_mask has shape rows×%v, want rows×h×w", ErrFormat, t.Path, c.ElemShape)
	}
	cv, err := c.Read()
	if err != nil {
		return nil, nil, 0, 0, err
	}
	height, width = c.ElemShape[0], c.ElemShape[1]
	st := height * width
	masks = make([][]float64, cv.Len())
	for i := range masks {
		m := make([]float64, st)
		for j := range m {
			m[j] = cv.Values.Float64(i*st + j)
		}
		masks[i] = m
	}
	ids, err = t.IDs()
	return masks, ids, height, width, err
}

// Template is a stimulus template (an image stack or Images container
// entry) under /stimulus/templates.
type Template struct {
	Name, Path string
	Type       TypeName
	Shape      []uint64
	Elem       ElemType
}

// StimulusTemplates lists the datasets that hold template images: the data
// of ImageSeries/TimeSeries templates and each Image in an Images group.
func (f *File) StimulusTemplates() ([]Template, error) {
	g, err := f.h5.Group("/stimulus/templates")
	if err != nil {
		return nil, nil
	}
	var out []Template
	types := f.typesOrBuiltin()
	var visit func(g *hdf5.Group, depth int) error
	visit = func(g *hdf5.Group, depth int) error {
		if depth > 4 {
			return nil
		}
		links, err := g.Links()
		if err != nil {
			return fmt.Errorf("nwb: %s: %w", g.Path(), err)
		}
		for _, l := range links {
			o, err := g.Open(l.Name)
			if err != nil {
				continue
			}
			tn, _ := typeOf(o)
			switch x := o.(type) {
			case *hdf5.Dataset:
				name := l.Name
				switch {
				case l.Name == "data": // the image stack of an (Image)Series template
					name = g.Name()
					tn, _ = typeOf(g)
				case tn.Name != "" && types.IsA(tn, "Image"): // an Image inside Images
				default:
					continue
				}
				et, _ := elemOf(x.Type())
				out = append(out, Template{Name: name, Path: x.Path(), Type: tn, Shape: x.Shape(), Elem: et})
			case *hdf5.Group:
				if err := visit(x, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return out, visit(g, 0)
}

// ReadImage reads a template (or any numeric dataset) as float64 with its shape.
func (f *File) ReadImage(path string) ([]float64, []uint64, error) {
	ds, err := f.h5.Dataset(path)
	if err != nil {
		return nil, nil, fmt.Errorf("nwb: %s: %w", path, err)
	}
	v, err := ds.ReadFloat64s(nil)
	if err != nil {
		return nil, nil, fmt.Errorf("nwb: %s: %w", path, err)
	}
	return v, ds.Shape(), nil
}
