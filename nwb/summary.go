package nwb

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"text/tabwriter"
)

// Summary is an overview of an NWB file for `neurodata inspect`: metadata,
// the neurodata types present, every table with its row count and columns,
// and every time series with its shape, rate and duration.
type Summary struct {
	NWBVersion string            `json:"nwb_version"`
	TypeSource string            `json:"type_source"` // "cached" or "builtin"
	Namespaces map[string]string `json:"namespaces"`
	Metadata   *Metadata         `json:"metadata"`
	Types      map[string]int    `json:"types"` // namespace.Type -> object count
	Tables     []TableInfo       `json:"tables"`
	Series     []SeriesInfo      `json:"series"`
	Modules    []ModuleInfo      `json:"processing_modules"`
	Templates  []Template        `json:"stimulus_templates,omitempty"`
	// Problems lists parts that could not be read; the rest of the summary
	// is still valid.
	Problems []string `json:"problems,omitempty"`
}

// SeriesInfo describes one time series without reading its data.
type SeriesInfo struct {
	Path          string   `json:"path"`
	Type          string   `json:"type"`
	Shape         []uint64 `json:"shape"`
	Elem          string   `json:"dtype"`
	Unit          string   `json:"unit"`
	RateHz        float64  `json:"rate_hz,omitempty"` // 0 when timestamped
	StartingTime  float64  `json:"starting_time_s"`
	DurationS     float64  `json:"duration_s"` // NaN encoded as -1 when unknown
	HasTimestamps bool     `json:"has_timestamps"`
	External      []string `json:"external_file,omitempty"`
}

// ModuleInfo names a processing module and its interfaces.
type ModuleInfo struct {
	Name       string   `json:"name"`
	Interfaces []string `json:"interfaces"` // "name (Type)"
}

// Summarize reads the overview of f. It reads attributes, shapes and at
// most two timestamps per series; no bulk data.
func Summarize(f *File) (*Summary, error) {
	s := &Summary{NWBVersion: f.Version, Types: map[string]int{}}
	problem := func(what string, err error) {
		if err != nil {
			s.Problems = append(s.Problems, fmt.Sprintf("%s: %v", what, err))
		}
	}
	types, err := f.Types()
	problem("specifications", err)
	if types != nil {
		s.TypeSource = types.Source
		s.Namespaces = types.Namespaces
	}
	s.Metadata, err = f.Metadata()
	problem("metadata", err)
	objs, err := f.Objects()
	problem("objects", err)
	for _, o := range objs {
		s.Types[o.Type.String()]++
	}
	s.Tables, err = f.Tables()
	problem("tables", err)
	series, err := f.AllTimeSeries()
	problem("time series", err)
	for _, o := range series {
		ts, err := f.TimeSeries(o.Path)
		if err != nil {
			problem(o.Path, err)
			continue
		}
		d := ts.Duration()
		if math.IsNaN(d) {
			d = -1
		}
		s.Series = append(s.Series, SeriesInfo{
			Path: o.Path, Type: o.Type.Name, Shape: ts.Shape, Elem: ts.Elem.String(), Unit: ts.Unit,
			RateHz: ts.Rate, StartingTime: ts.StartingTime, DurationS: d, HasTimestamps: ts.HasTimestamps,
			External: ts.ExternalFile,
		})
	}
	mods, err := f.ProcessingModules()
	problem("processing", err)
	for _, m := range mods {
		mi := ModuleInfo{Name: m.Name}
		for _, it := range m.Interfaces {
			mi.Interfaces = append(mi.Interfaces, fmt.Sprintf("%s (%s)", it.Path[strings.LastIndexByte(it.Path, '/')+1:], it.Type.Name))
		}
		s.Modules = append(s.Modules, mi)
	}
	s.Templates, err = f.StimulusTemplates()
	problem("stimulus templates", err)
	return s, nil
}

// WriteText renders the summary for a terminal.
func (s *Summary) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }
	p("NWB version\t%s\n", s.NWBVersion)
	if m := s.Metadata; m != nil {
		p("identifier\t%s\n", m.Identifier)
		p("session\t%s\n", oneLine(m.SessionDescription, 100))
		p("start time\t%s\n", m.SessionStartTimeText)
		if m.Institution != "" || m.Lab != "" {
			p("institution / lab\t%s / %s\n", m.Institution, m.Lab)
		}
		if len(m.Keywords) > 0 {
			p("keywords\t%s\n", strings.Join(m.Keywords, ", "))
		}
		if sub := m.Subject; sub != nil {
			p("subject\t%s %s %s %s\n", sub.SubjectID, sub.Species, sub.Sex, sub.Age)
		}
		for _, d := range m.Devices {
			p("device\t%s\t%s\n", d.Name, oneLine(d.Description, 80))
		}
		for _, g := range m.ElectrodeGroups {
			p("electrode group\t%s\t%s\n", g.Name, g.Location)
		}
	}
	p("types from\t%s specifications\n", s.TypeSource)
	tw.Flush()

	names := make([]string, 0, len(s.Types))
	for k := range s.Types {
		names = append(names, k)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "\nneurodata types (%d):\n", len(names))
	for _, k := range names {
		fmt.Fprintf(tw, "  %s\t%d\n", k, s.Types[k])
	}
	tw.Flush()

	fmt.Fprintf(w, "\ntables (%d):\n", len(s.Tables))
	for _, t := range s.Tables {
		fmt.Fprintf(tw, "  %s\t%s\t%d rows\t%s\n", t.Path, t.Type.Name, t.Rows, oneLine(strings.Join(t.Columns, ", "), 120))
	}
	tw.Flush()

	fmt.Fprintf(w, "\ntime series (%d):\n", len(s.Series))
	for _, ts := range s.Series {
		timing := "timestamps"
		if !ts.HasTimestamps && ts.RateHz > 0 {
			timing = fmt.Sprintf("%g Hz from %g s", ts.RateHz, ts.StartingTime)
		}
		dur := "?"
		if ts.DurationS >= 0 {
			dur = fmt.Sprintf("%.3f s", ts.DurationS)
		}
		ext := ""
		if len(ts.External) > 0 {
			ext = "  external: " + strings.Join(ts.External, ", ")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%v %s\t%s\t%s\t%s%s\n", ts.Path, ts.Type, ts.Shape, ts.Elem, ts.Unit, timing, dur, ext)
	}
	tw.Flush()

	if len(s.Modules) > 0 {
		fmt.Fprintf(w, "\nprocessing modules (%d):\n", len(s.Modules))
		for _, m := range s.Modules {
			fmt.Fprintf(tw, "  %s\t%s\n", m.Name, strings.Join(m.Interfaces, ", "))
		}
		tw.Flush()
	}
	if len(s.Templates) > 0 {
		fmt.Fprintf(w, "\nstimulus templates (%d):\n", len(s.Templates))
		for _, t := range s.Templates {
			fmt.Fprintf(tw, "  %s\t%v %s\n", t.Path, t.Shape, t.Elem)
		}
		tw.Flush()
	}
	for _, pr := range s.Problems {
		fmt.Fprintf(w, "problem: %s\n", pr)
	}
	return tw.Flush()
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}
