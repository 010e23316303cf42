package allen_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/neurodata/neurodata/allen"
	"github.com/neurodata/neurodata/allen/s3emu"
	"github.com/neurodata/neurodata/internal/fetch"
)

func python(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("/usr/bin/python3")
	if err != nil {
		t.Skip("python3 absent: no independent reference")
	}
	return p
}

// TestBlake2bMatchesHashlib checks the digest the fetch verified against
// Python's hashlib.blake2b (64-byte digest), which is how AllenSDK's
// cloud cache computes file_hash (dandi-allen.md §3.2).
func TestBlake2bMatchesHashlib(t *testing.T) {
	py := python(t)
	e := newEnv(t)
	r := e.release(t, "vbn", "0.5.0")
	res := e.fetchSession(t, context.Background(), r, "ecephys_session", s3emu.SessionA)
	out, err := exec.Command(py, "-c", "import hashlib,sys; print(hashlib.blake2b(open(sys.argv[1],'rb').read()).hexdigest())", res[0].Job.Dest).Output()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := res[0].Digests[fetch.DigestBLAKE2b], string(out[:128]); got != want {
		t.Fatalf("verified %s, hashlib %s", got, want)
	}
}

// TestTableMatchesPythonLiteralEval parses the fixture's
// ecephys_sessions.csv with Python's csv module and ast.literal_eval (as
// AllenSDK does for list columns) and compares ids, list columns and
// nulls with the Go typing.
func TestTableMatchesPythonLiteralEval(t *testing.T) {
	py := python(t)
	e := newEnv(t)
	r := e.release(t, "vbn", "0.5.0")
	tb, err := e.cache.Table(context.Background(), r, "ecephys_sessions")
	if err != nil {
		t.Fatal(err)
	}
	csvPath := filepath.Join(e.cache.Dir, "visual-behavior-neuropixels-0.5.0", "project_metadata", "ecephys_sessions.csv")
	if _, err := os.Stat(csvPath); err != nil {
		t.Fatal(err)
	}
	script := `
import csv, ast, json, sys
rows = list(csv.DictReader(open(sys.argv[1], newline='')))
out = {
  "ids": [int(r["ecephys_session_id"]) for r in rows],
  "areas": [ast.literal_eval(r["structure_acronyms"]) for r in rows],
  "prior_null": [r["prior_exposures_to_image_set"] == "" for r in rows],
  "prior": [float(r["prior_exposures_to_image_set"] or "nan") for r in rows],
}
print(json.dumps(out).replace("NaN", "null"))
`
	b, err := exec.Command(py, "-c", script, csvPath).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want struct {
		IDs       []int64    `json:"ids"`
		Areas     [][]string `json:"areas"`
		PriorNull []bool     `json:"prior_null"`
		Prior     []*float64 `json:"prior"`
	}
	if err := json.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	if got := tb.Column("ecephys_session_id").Ints; !reflect.DeepEqual(got, want.IDs) {
		t.Errorf("ids %v, python %v", got, want.IDs)
	}
	a := tb.Column("structure_acronyms")
	if a.Type != allen.StringList {
		t.Fatalf("structure_acronyms typed %s", a.Type)
	}
	for i := range want.Areas {
		if len(a.StringLists[i]) != len(want.Areas[i]) || (len(want.Areas[i]) > 0 && !reflect.DeepEqual(a.StringLists[i], want.Areas[i])) {
			t.Errorf("row %d areas %q, python %q", i, a.StringLists[i], want.Areas[i])
		}
	}
	p := tb.Column("prior_exposures_to_image_set")
	for i := range want.PriorNull {
		if p.Valid[i] == want.PriorNull[i] || (want.Prior[i] != nil && p.Floats[i] != *want.Prior[i]) {
			t.Errorf("row %d prior %v valid=%v, python %v null=%v", i, p.Floats[i], p.Valid[i], want.Prior[i], want.PriorNull[i])
		}
	}
}
