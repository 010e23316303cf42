package nwb

import (
	"fmt"
	"math"
	"sort"

	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/ts"
)

// TimeSeries is a TimeSeries (or subtype: ElectricalSeries, SpatialSeries,
// RoiResponseSeries, TwoPhotonSeries, ...). Opening reads attributes and
// shapes only.
type TimeSeries struct {
	f           *File
	g           *hdf5.Group
	Path        string
	Name        string
	Type        TypeName
	Description string
	Comments    string
	// Unit is the physical unit of data after conversion (data@unit).
	Unit string
	// Conversion and Offset map stored values to Unit:
	// physical = stored * Conversion (* channel_conversion[c]) + Offset.
	Conversion, Offset float64
	// Resolution is the smallest meaningful difference in Unit (NaN or -1 unknown).
	Resolution float64
	// Shape is the stored data shape; Shape[0] is time.
	Shape []uint64
	// Elem is the stored element type of data.
	Elem ElemType
	// StartingTime (s) and Rate (Hz) are set when the series has no
	// timestamps; Rate is 0 otherwise.
	StartingTime, Rate float64
	// HasTimestamps reports an explicit timestamps dataset.
	HasTimestamps bool
	// ExternalFile lists external_file entries (ImageSeries stored outside).
	ExternalFile []string

	data, timestamps, chanConv *hdf5.Dataset
}

// TimeSeries opens the TimeSeries group at path.
func (f *File) TimeSeries(path string) (*TimeSeries, error) {
	g, err := f.h5.Group(path)
	if err != nil {
		return nil, fmt.Errorf("nwb: time series %s: %w", path, err)
	}
	s := &TimeSeries{f: f, g: g, Path: g.Path(), Name: g.Name(), Conversion: 1, Resolution: math.NaN()}
	s.Type, _ = typeOf(g)
	s.Description = attrString(g, "description")
	s.Comments = attrString(g, "comments")
	if ds, err := g.Dataset("data"); err == nil {
		s.data = ds
		s.Shape = ds.Shape()
		s.Elem, _ = elemOf(ds.Type())
		s.Unit = attrString(ds, "unit")
		s.Conversion = attrFloat(ds, "conversion", 1)
		if math.IsNaN(s.Conversion) {
			s.Conversion = 1 // NWB 1.x writes NaN for "not applicable"
		}
		s.Offset = attrFloat(ds, "offset", 0)
		s.Resolution = attrFloat(ds, "resolution", math.NaN())
	}
	if ds, err := g.Dataset("timestamps"); err == nil {
		s.timestamps = ds
		s.HasTimestamps = true
	} else if ds, err := g.Dataset("starting_time"); err == nil {
		st, err := readScalarFloat(ds)
		if err != nil {
			return nil, fmt.Errorf("nwb: %s/starting_time: %w", path, err)
		}
		s.StartingTime = st
		s.Rate = attrFloat(ds, "rate", 0)
		if !(s.Rate > 0) || math.IsInf(s.Rate, 0) {
			return nil, fmt.Errorf("%w: %s/starting_time has rate %g Hz", ErrFormat, path, s.Rate)
		}
	}
	if ds, err := g.Dataset("channel_conversion"); err == nil {
		s.chanConv = ds
	}
	if ds, err := g.Dataset("external_file"); err == nil {
		s.ExternalFile, _ = ds.ReadStrings(nil)
	}
	return s, nil
}

// AllTimeSeries lists every TimeSeries (and subtype) in the file.
func (f *File) AllTimeSeries() ([]Object, error) { return f.FindAll("TimeSeries") }

// Len returns the number of samples (rows of data; of timestamps when data
// is absent).
func (s *TimeSeries) Len() int {
	if len(s.Shape) > 0 {
		return int(s.Shape[0])
	}
	if s.timestamps != nil && len(s.timestamps.Shape()) > 0 {
		return int(s.timestamps.Shape()[0])
	}
	return 0
}

// Channels is the number of values per sample (product of Shape[1:]).
func (s *TimeSeries) Channels() int {
	c := 1
	for _, d := range s.Shape[min(1, len(s.Shape)):] {
		c *= int(d)
	}
	return c
}

// Duration returns last − first sample time in seconds (NaN when unknown).
func (s *TimeSeries) Duration() float64 {
	n := s.Len()
	if n == 0 {
		return math.NaN()
	}
	if !s.HasTimestamps {
		if s.Rate > 0 {
			return float64(n-1) / s.Rate
		}
		return math.NaN()
	}
	t0, err0 := s.timeAt(0)
	t1, err1 := s.timeAt(n - 1)
	if err0 != nil || err1 != nil {
		return math.NaN()
	}
	return t1 - t0
}

// Timestamps returns the time of every sample in seconds (computed from
// starting_time and rate when there are no timestamps).
func (s *TimeSeries) Timestamps() ([]float64, error) { return s.timesRows(0, s.Len()) }

func (s *TimeSeries) timesRows(lo, hi int) ([]float64, error) {
	if s.timestamps != nil {
		if hi == lo {
			return []float64{}, nil
		}
		v, err := s.timestamps.ReadFloat64s(&hdf5.Hyperslab{Start: []uint64{uint64(lo)}, Count: []uint64{uint64(hi - lo)}})
		if err != nil {
			return nil, fmt.Errorf("nwb: %s/timestamps: %w", s.Path, err)
		}
		return v, nil
	}
	if !(s.Rate > 0) {
		return nil, fmt.Errorf("%w: %s has neither timestamps nor starting_time+rate", ErrFormat, s.Path)
	}
	out := make([]float64, hi-lo)
	for i := range out {
		out[i] = s.StartingTime + float64(lo+i)/s.Rate
	}
	return out, nil
}

func (s *TimeSeries) timeAt(i int) (float64, error) {
	v, err := s.timesRows(i, i+1)
	if err != nil {
		return math.NaN(), err
	}
	return v[0], nil
}

// rowsIn returns the sample range [lo, hi) with t0 <= time <= t1, reading at
// most log2(n) single timestamps.
func (s *TimeSeries) rowsIn(t0, t1 float64) (int, int, error) {
	n := s.Len()
	if s.timestamps == nil {
		if !(s.Rate > 0) {
			return 0, 0, fmt.Errorf("%w: %s has neither timestamps nor starting_time+rate", ErrFormat, s.Path)
		}
		lo := int(math.Ceil((t0-s.StartingTime)*s.Rate - 1e-9))
		hi := int(math.Floor((t1-s.StartingTime)*s.Rate+1e-9)) + 1
		return clamp(lo, 0, n), clamp(hi, 0, n), nil
	}
	var ferr error
	search := func(pred func(t float64) bool) int {
		return sort.Search(n, func(i int) bool {
			if ferr != nil {
				return true
			}
			t, err := s.timeAt(i)
			if err != nil {
				ferr = err
				return true
			}
			return pred(t)
		})
	}
	lo := search(func(t float64) bool { return t >= t0 })
	hi := search(func(t float64) bool { return t > t1 })
	if ferr != nil {
		return 0, 0, ferr
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi, nil
}

func clamp(x, lo, hi int) int {
	if x < lo {
		return lo
	}
	if x > hi {
		return hi
	}
	return x
}

// Samples is a block of a series in physical units.
type Samples struct {
	Times    []float64 // seconds, one per sample
	Data     []float64 // row-major, Channels values per sample, in Unit
	Channels int
	Shape    []int // per-sample shape (Shape[1:] of the dataset)
	Unit     string
}

// Read reads the whole series in physical units.
func (s *TimeSeries) Read() (*Samples, error) { return s.ReadRows(0, s.Len()) }

// Window reads the samples with t0 <= time <= t1 (seconds), touching only
// those rows of data (and, for timestamped series, O(log n) timestamps to
// locate them).
func (s *TimeSeries) Window(t0, t1 float64) (*Samples, error) {
	if math.IsNaN(t0) || math.IsNaN(t1) || t1 < t0 {
		return nil, fmt.Errorf("nwb: %s: bad window [%g, %g] s", s.Path, t0, t1)
	}
	lo, hi, err := s.rowsIn(t0, t1)
	if err != nil {
		return nil, err
	}
	return s.ReadRows(lo, hi)
}

// ReadRows reads samples [lo, hi) in physical units.
func (s *TimeSeries) ReadRows(lo, hi int) (*Samples, error) {
	if s.data == nil {
		return nil, fmt.Errorf("%w: %s has no data", ErrNotFound, s.Path)
	}
	if len(s.Shape) == 0 {
		return nil, fmt.Errorf("%w: %s/data is scalar, not a series", ErrFormat, s.Path)
	}
	n := s.Len()
	if lo < 0 || hi > n || lo > hi {
		return nil, fmt.Errorf("nwb: %s: rows [%d, %d) outside [0, %d)", s.Path, lo, hi, n)
	}
	if !(s.Elem.IsFloat() || s.Elem.IsSigned() || s.Elem.IsUnsigned() || s.Elem == ElemBool) {
		return nil, fmt.Errorf("nwb: %s: data holds %s, not numbers", s.Path, s.Elem)
	}
	out := &Samples{Channels: s.Channels(), Unit: s.Unit}
	for _, d := range s.Shape[min(1, len(s.Shape)):] {
		out.Shape = append(out.Shape, int(d))
	}
	var err error
	if hi > lo {
		if out.Data, err = s.data.ReadFloat64s(rowsSlab(s.Shape, uint64(lo), uint64(hi))); err != nil {
			return nil, fmt.Errorf("nwb: %s/data: %w", s.Path, err)
		}
	} else {
		out.Data = []float64{}
	}
	if want := (hi - lo) * out.Channels; len(out.Data) != want {
		return nil, fmt.Errorf("%w: %s/data: read %d values, want %d", ErrFormat, s.Path, len(out.Data), want)
	}
	var cc []float64
	if s.chanConv != nil {
		if cc, err = s.chanConv.ReadFloat64s(nil); err != nil {
			return nil, fmt.Errorf("nwb: %s/channel_conversion: %w", s.Path, err)
		}
		if len(s.Shape) < 2 || len(cc) != int(s.Shape[1]) {
			return nil, fmt.Errorf("%w: %s: %d channel_conversion factors for data shape %v", ErrFormat, s.Path, len(cc), s.Shape)
		}
	}
	if s.Conversion != 1 || s.Offset != 0 || cc != nil {
		per := 1 // values per channel-axis entry
		if len(s.Shape) > 2 {
			per = out.Channels / int(s.Shape[1])
		}
		for i := range out.Data {
			x := out.Data[i] * s.Conversion
			if cc != nil {
				x *= cc[(i%out.Channels)/per]
			}
			out.Data[i] = x + s.Offset
		}
	}
	if out.Times, err = s.timesRows(lo, hi); err != nil {
		return nil, err
	}
	return out, nil
}

// Series converts the samples to a ts.Series (Data is shared, not copied).
func (sm *Samples) Series() (*ts.Series, error) {
	ch := sm.Channels
	if ch == 0 {
		ch = 1
	}
	return ts.NewSeries(sm.Times, sm.Data, ch, ts.IntervalSet{})
}

// ROIs returns, for a RoiResponseSeries, the row indices of its rois region
// and the path of the PlaneSegmentation they index.
func (s *TimeSeries) ROIs() ([]int64, string, error) {
	ds, err := s.g.Dataset("rois")
	if err != nil {
		return nil, "", fmt.Errorf("%w: %s has no rois", ErrNotFound, s.Path)
	}
	rows, err := ds.ReadInt64s(nil)
	if err != nil {
		return nil, "", fmt.Errorf("nwb: %s/rois: %w", s.Path, err)
	}
	target := ""
	if a, err := ds.Attr("table"); err == nil {
		if r, err := a.Reference(); err == nil {
			if o, err := s.f.h5.Resolve(r); err == nil {
				target = o.Path()
			}
		}
	}
	return rows, target, nil
}

// Electrodes returns, for an ElectricalSeries, the electrode table rows of
// its electrodes region.
func (s *TimeSeries) Electrodes() ([]int64, error) {
	ds, err := s.g.Dataset("electrodes")
	if err != nil {
		return nil, fmt.Errorf("%w: %s has no electrodes", ErrNotFound, s.Path)
	}
	return ds.ReadInt64s(nil)
}

// File returns the file the series belongs to.
func (s *TimeSeries) File() *File { return s.f }

// Series reads the whole series in physical units as a ts.Series (regular
// grid when the file stores starting_time + rate, explicit timestamps
// otherwise).
func (s *TimeSeries) Series() (*ts.Series, error) {
	smp, err := s.Read()
	if err != nil {
		return nil, err
	}
	ch := smp.Channels
	if ch == 0 {
		ch = 1
	}
	if !s.HasTimestamps && s.Rate > 0 {
		return ts.NewRegularSeries(s.StartingTime, s.Rate, smp.Data, ch, ts.IntervalSet{})
	}
	return ts.NewSeries(smp.Times, smp.Data, ch, ts.IntervalSet{})
}

// ROINames returns the roi_names of an NWB 1.x RoiResponseSeries (NWB 2
// files use ROIs instead).
func (s *TimeSeries) ROINames() ([]string, error) {
	ds, err := s.g.Dataset("roi_names")
	if err != nil {
		return nil, fmt.Errorf("%w: %s has no roi_names", ErrNotFound, s.Path)
	}
	return ds.ReadStrings(nil)
}
