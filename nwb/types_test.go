package nwb_test

import (
	"os"
	"slices"
	"testing"

	"github.com/neurodata/neurodata/nwb"
)

const corpus = "../../shared/corpus/nwb/"

func openCorpus(t *testing.T, rel string) *nwb.File {
	t.Helper()
	if _, err := os.Stat(corpus + rel); err != nil {
		t.Skipf("corpus not available: %v", err)
	}
	f, err := nwb.Open(corpus + rel)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestBuiltinAncestry checks the generated tables against the NWB core and
// hdmf-common schema (nwb.misc.yaml: Units inc DynamicTable; table.yaml:
// DynamicTable inc Container; nwb.ophys.yaml: RoiResponseSeries inc
// TimeSeries; nwb.base.yaml: TimeSeries inc NWBDataInterface inc NWBContainer).
func TestBuiltinAncestry(t *testing.T) {
	ty := nwb.BuiltinTypes()
	got := ty.Ancestry(nwb.TypeName{Namespace: "core", Name: "RoiResponseSeries"})
	want := []string{"core.RoiResponseSeries", "core.TimeSeries", "core.NWBDataInterface", "core.NWBContainer", "hdmf-common.Container"}
	if len(got) != len(want) {
		t.Fatalf("ancestry %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Fatalf("ancestry %v, want %v", got, want)
		}
	}
	if !ty.IsA(nwb.TypeName{Namespace: "core", Name: "Units"}, "hdmf-common.DynamicTable") ||
		!ty.IsA(nwb.TypeName{Namespace: "core", Name: "TimeIntervals"}, "DynamicTable") ||
		ty.IsA(nwb.TypeName{Namespace: "core", Name: "Units"}, "TimeSeries") ||
		!ty.IsA(nwb.TypeName{Namespace: "hdmf-common", Name: "DynamicTableRegion"}, "VectorData") {
		t.Error("IsA disagrees with the schema")
	}
	if ty.IsA(nwb.TypeName{Namespace: "ndx-aibs-ecephys", Name: "EcephysProbe"}, "Device") {
		t.Error("builtin tables know an extension type")
	}
}

// TestCachedSpecsExtension: the Allen Neuropixels file (ndx-aibs-ecephys)
// defines EcephysProbe (inc Device), EcephysElectrodeGroup (inc
// ElectrodeGroup) and EcephysSpecimen (inc Subject) in its cached
// /specifications; generic finds must return them.
func TestCachedSpecsExtension(t *testing.T) {
	f := openCorpus(t, "nwb-linkml/aibs.nwb")
	ty, err := f.Types()
	if err != nil {
		t.Fatal(err)
	}
	if ty.Source != "cached" || ty.Namespaces["ndx-aibs-ecephys"] == "" {
		t.Fatalf("types from %s, namespaces %v", ty.Source, ty.Namespaces)
	}
	// FindAll of a core type must find the extension's subtypes too.
	for _, c := range []struct{ base, sub string }{{"ElectrodeGroup", "EcephysElectrodeGroup"}, {"core.Device", "EcephysProbe"}} {
		found, err := f.FindAll(c.base)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(found, func(o nwb.Object) bool { return o.Type.Name == c.sub }) {
			t.Errorf("FindAll(%s) = %v: no %s", c.base, found, c.sub)
		}
	}
	m, err := f.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject == nil || !ty.IsA(m.Subject.Type, "Subject") || m.Subject.Type.Name != "EcephysSpecimen" {
		t.Errorf("subject %+v", m.Subject)
	}
	if len(m.ElectrodeGroups) == 0 {
		t.Error("extension electrode groups not listed in metadata")
	}
	u, err := f.Units()
	if err != nil || u.Len() != 10 {
		t.Errorf("units: %v", err)
	}
	st, err := f.StimulusTables()
	if err != nil || len(st) != 8 {
		t.Errorf("%d *_presentations tables (%v), want 8", len(st), err)
	}
}

// TestNWB1Allen reads the Allen Brain Observatory NWB 1.0.5 file (shrunk to
// one sample per dataset for pynwb's tests): metadata from root datasets,
// dF/F and running speed series typed by their ancestry, stimulus tables.
// Values from the h5py ground truth (corpus/nwb/expected/pynwb/496908818s.nwb.json).
func TestNWB1Allen(t *testing.T) {
	f := openCorpus(t, "pynwb/496908818s.nwb")
	if f.Version != "1.0.5" || f.Major() != 1 {
		t.Fatalf("version %q", f.Version)
	}
	m, err := f.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	if m.Identifier != "Brain Observatory Visual Coding Experiment 496908818; NWB-1.0.5; Fri May 19 06:44:21 2017" ||
		m.SessionStartTime.Year() != 2016 || m.Institution == "" || m.Subject == nil || len(m.Devices) != 3 {
		t.Errorf("metadata %+v", m)
	}
	dff, err := f.SeriesOf("DfOverF")
	if err != nil || len(dff) != 1 || dff[0].Type.Name != "RoiResponseSeries" {
		t.Fatalf("DfOverF: %v %v", dff, err)
	}
	if names, err := dff[0].ROINames(); err != nil || len(names) != 1 {
		t.Errorf("roi_names %v %v", names, err)
	}
	smp, err := dff[0].Read()
	if err != nil || len(smp.Data) != 1 || smp.Channels != 1 {
		t.Errorf("dF/F read: %+v %v", smp, err)
	}
	rs, err := f.RunningSpeed()
	if err != nil || rs.Path != "/processing/brain_observatory_pipeline/BehavioralTimeSeries/running_speed" {
		t.Errorf("running speed %v %v", rs, err)
	}
	tabs, err := f.NWB1StimulusTables()
	if err != nil || len(tabs) != 4 {
		t.Fatalf("stimulus tables %d %v", len(tabs), err)
	}
	ns, err := f.ResolveTable("natural_scenes_stimulus")
	if err != nil {
		t.Fatal(err)
	}
	fr, err := ns.Int64s("frame")
	if err != nil || len(fr) != 1 || fr[0] != 1 { // h5py: data = [1]
		t.Errorf("natural scenes frames %v %v", fr, err)
	}
	tmpl, err := f.StimulusTemplates()
	if err != nil || len(tmpl) != 2 {
		t.Errorf("templates %v %v", tmpl, err)
	}
}

// TestMatnwbArrayAttributes: matnwb writes text attributes as 1-element
// arrays; they read like scalars.
func TestMatnwbArrayAttributes(t *testing.T) {
	f := openCorpus(t, "matnwb/ecephys_tutorial.nwb")
	tn, err := f.TypeOf("/units")
	if err != nil || tn.Name != "Units" {
		t.Fatalf("type %v %v", tn, err)
	}
	tr, err := f.Trials()
	if err != nil {
		t.Fatal(err)
	}
	if tr.Len() != 3 || tr.Description == "" {
		t.Errorf("trials %d rows, description %q", tr.Len(), tr.Description)
	}
	el, err := f.Electrodes()
	if err != nil || el.Len() != 10 || el.HasColumn("id") {
		t.Errorf("electrodes: %v (colnames %v)", err, el.ColumnNames())
	}
}

// TestObsIntervals: pynwb's Units test file stores obs_intervals (n×2,
// ragged); h5py ground truth (expected/pynwb-testfiles-2.0.1/test_Units.nwb.json):
// obs_intervals first values [0,1],[2,3],[2,...], index [2, 4];
// spike_times [0,1,2,3,4,...], index [3, 6].
func TestObsIntervals(t *testing.T) {
	f := openCorpus(t, "pynwb-testfiles-2.0.1/test_Units.nwb")
	u, err := f.Units()
	if err != nil || u.Path != "/acquisition/UnitsTest" {
		t.Fatalf("units %v %v", u, err)
	}
	ob, err := u.ObsIntervals(0)
	if err != nil || ob.Len() != 2 || ob.At(0).Start != 0 || ob.At(0).End != 1 || ob.At(1).Start != 2 || ob.At(1).End != 3 {
		t.Errorf("obs_intervals row 0: %v %v", ob, err)
	}
	st, err := u.SpikeTimes(0)
	if err != nil || len(st) != 3 || st[2] != 2 {
		t.Errorf("spike times row 0: %v %v", st, err)
	}
	c, _ := u.Column("obs_intervals")
	if c.Depth != 1 || len(c.ElemShape) != 1 || c.ElemShape[0] != 2 {
		t.Errorf("obs_intervals column: depth %d shape %v", c.Depth, c.ElemShape)
	}
}
