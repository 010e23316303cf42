package nwb

import (
	"strings"
	"time"

	"github.com/neurodata/neurodata/hdf5"
)

// Metadata is the file-level description of a session.
type Metadata struct {
	NWBVersion         string
	Identifier         string
	SessionDescription string
	// SessionStartTime is parsed from SessionStartTimeText (zero when the
	// text matches no known layout).
	SessionStartTime      time.Time
	SessionStartTimeText  string
	TimestampsReference   string
	FileCreateDate        []string
	Institution           string
	Lab                   string
	SessionID             string
	ExperimentDescription string
	Experimenter          []string
	Keywords              []string
	RelatedPublications   []string
	Subject               *Subject
	Devices               []Device
	ElectrodeGroups       []ElectrodeGroup
	ImagingPlanes         []string // paths
}

// Subject describes the experimental subject (/general/subject).
type Subject struct {
	SubjectID, Species, Strain, Sex, Age, Genotype, Description, DateOfBirth string
	Weight                                                                   string
	Type                                                                     TypeName
	// Extra holds further fields (extension subtypes such as
	// EcephysSpecimen add some).
	Extra map[string]string
}

// Device is an entry of /general/devices.
type Device struct {
	Name, Path, Description, Manufacturer string
	Type                                  TypeName
}

// ElectrodeGroup is an ElectrodeGroup of /general/extracellular_ephys.
type ElectrodeGroup struct {
	Name, Path, Description, Location string
	Device                            string // device path
	Type                              TypeName
}

// Metadata reads the file metadata. Missing fields stay empty.
func (f *File) Metadata() (*Metadata, error) {
	m := &Metadata{NWBVersion: f.Version}
	str := func(path string) string {
		ds, err := f.h5.Dataset(path)
		if err != nil {
			return ""
		}
		ss, err := ds.ReadStrings(nil)
		if err != nil || len(ss) == 0 {
			return ""
		}
		return strings.Join(ss, ", ")
	}
	strs := func(path string) []string {
		ds, err := f.h5.Dataset(path)
		if err != nil {
			return nil
		}
		ss, _ := ds.ReadStrings(nil)
		return ss
	}
	m.Identifier = str("/identifier")
	m.SessionDescription = str("/session_description")
	m.SessionStartTimeText = str("/session_start_time")
	m.SessionStartTime = parseTime(m.SessionStartTimeText)
	m.TimestampsReference = str("/timestamps_reference_time")
	m.FileCreateDate = strs("/file_create_date")
	m.Institution = str("/general/institution")
	m.Lab = str("/general/lab")
	m.SessionID = str("/general/session_id")
	m.ExperimentDescription = str("/general/experiment_description")
	m.Experimenter = strs("/general/experimenter")
	m.Keywords = strs("/general/keywords")
	m.RelatedPublications = strs("/general/related_publications")

	if g, err := f.h5.Group("/general/subject"); err == nil {
		s := &Subject{Extra: map[string]string{}}
		s.Type, _ = typeOf(g)
		fields := map[string]*string{"subject_id": &s.SubjectID, "species": &s.Species, "strain": &s.Strain,
			"sex": &s.Sex, "age": &s.Age, "genotype": &s.Genotype, "description": &s.Description,
			"date_of_birth": &s.DateOfBirth, "weight": &s.Weight}
		for _, name := range f.childNames("/general/subject") {
			v := str("/general/subject/" + name)
			if p, ok := fields[name]; ok {
				*p = v
			} else if v != "" {
				s.Extra[name] = v
			}
		}
		m.Subject = s
	}
	for _, name := range f.childNames("/general/devices") {
		p := "/general/devices/" + name
		o, err := f.h5.Object(p)
		if err != nil {
			continue
		}
		d := Device{Name: name, Path: p}
		d.Type, _ = typeOf(o)
		d.Description = attrString(o, "description")
		d.Manufacturer = attrString(o, "manufacturer")
		if ds, ok := o.(*hdf5.Dataset); ok && d.Description == "" { // NWB 1.x: text dataset
			d.Description, _ = readScalarString(ds)
		}
		m.Devices = append(m.Devices, d)
	}
	if names := f.childNames("/general/extracellular_ephys"); len(names) > 0 {
		types := f.typesOrBuiltin()
		for _, name := range names {
			p := "/general/extracellular_ephys/" + name
			eg, err := f.h5.Group(p)
			if err != nil {
				continue
			}
			tn, ok := typeOf(eg)
			if !ok || !types.IsA(tn, "ElectrodeGroup") {
				continue
			}
			e := ElectrodeGroup{Name: name, Path: p, Type: tn}
			e.Description = attrString(eg, "description")
			e.Location = attrString(eg, "location")
			if o, err := eg.Open("device"); err == nil {
				e.Device = o.Path()
			}
			m.ElectrodeGroups = append(m.ElectrodeGroups, e)
		}
	}
	for _, name := range f.childNames("/general/optophysiology") {
		m.ImagingPlanes = append(m.ImagingPlanes, "/general/optophysiology/"+name)
	}
	return m, nil
}

// childNames lists the link names of the group at path (none when it is
// missing or unreadable: metadata is best effort).
func (f *File) childNames(path string) []string {
	g, err := f.h5.Group(path)
	if err != nil {
		return nil
	}
	links, err := g.Links()
	if err != nil {
		return nil
	}
	names := make([]string, len(links))
	for i, l := range links {
		names[i] = l.Name
	}
	return names
}

// parseTime accepts the ISO 8601 variants NWB writers use and the NWB 1.x
// ctime-style text ("Wed Jan 20 10:24:01 2016").
func parseTime(s string) time.Time {
	s = strings.TrimSpace(s)
	for _, layout := range []string{
		time.RFC3339Nano,
		"2006-01-02T15:04:05.999999999-0700",
		"2006-01-02T15:04:05.999999999",
		"2006-01-02 15:04:05.999999999-07:00",
		"2006-01-02 15:04:05.999999999",
		"2006-01-02",
		time.ANSIC,
		"Mon Jan _2 15:04:05 2006 MST",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}
