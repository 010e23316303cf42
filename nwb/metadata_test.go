package nwb_test

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
)

// Metadata's subject fields, Extra, devices and electrode groups must match
// what h5py reads from the same fixture (the independent reference).
func TestMetadataAgainstH5py(t *testing.T) {
	f, _ := openFixture(t, "default", "ecephys_gratings")
	if err := exec.Command("/usr/bin/python3", "-c", "import h5py").Run(); err != nil {
		t.Skip("python3-h5py not available")
	}
	const script = `
import h5py, json, sys
f = h5py.File(sys.argv[1], "r")
g = f["general"]
dec = lambda v: v.decode() if isinstance(v, bytes) else str(v)
print(json.dumps({
  "subject": {k: dec(g["subject"][k][()]) for k in g["subject"].keys()},
  "devices": sorted(g["devices"].keys()),
  "groups": sorted(k for k in g["extracellular_ephys"].keys() if isinstance(g["extracellular_ephys"][k], h5py.Group) and "device" in g["extracellular_ephys"][k]),
}))
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, filepath.Join(fixturesDir, "default", "ecephys_gratings.nwb")).Output()
	if err != nil {
		t.Fatal(err)
	}
	var ref struct {
		Subject map[string]string `json:"subject"`
		Devices []string          `json:"devices"`
		Groups  []string          `json:"groups"`
	}
	if err := json.Unmarshal(out, &ref); err != nil {
		t.Fatal(err)
	}
	m, err := f.Metadata()
	if err != nil {
		t.Fatal(err)
	}
	s := m.Subject
	if s == nil {
		t.Fatal("no subject")
	}
	got := map[string]string{"subject_id": s.SubjectID, "species": s.Species, "strain": s.Strain, "sex": s.Sex, "age": s.Age,
		"genotype": s.Genotype, "description": s.Description, "date_of_birth": s.DateOfBirth, "weight": s.Weight}
	for k, v := range s.Extra {
		got[k] = v
	}
	for k, want := range ref.Subject {
		if got[k] != want {
			t.Errorf("subject %s = %q, h5py %q", k, got[k], want)
		}
	}
	for k, v := range got {
		if _, ok := ref.Subject[k]; !ok && v != "" {
			t.Errorf("subject %s = %q, absent in the file", k, v)
		}
	}
	if len(m.Devices) != len(ref.Devices) {
		t.Errorf("devices %v, h5py %v", m.Devices, ref.Devices)
	}
	for i, d := range m.Devices {
		if i < len(ref.Devices) && d.Name != ref.Devices[i] {
			t.Errorf("device %d %q, h5py %q", i, d.Name, ref.Devices[i])
		}
	}
	if len(m.ElectrodeGroups) != len(ref.Groups) {
		t.Errorf("electrode groups %v, h5py %v", m.ElectrodeGroups, ref.Groups)
	}
}
