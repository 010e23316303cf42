package allen_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/allen/s3emu"
	"github.com/neurodata/neurodata/nwb"
)

// TestFetchedSessionIsReadableNWB fetches the fixture session through
// both releases (the second a hard link) and opens the result as NWB: the
// units and their spike counts match the fixture's truth file
// (../shared/fixtures/default/ecephys_gratings.truth.json).
func TestFetchedSessionIsReadableNWB(t *testing.T) {
	truthPath := filepath.Join(fixtureDir, "ecephys_gratings.truth.json")
	tb, err := os.ReadFile(truthPath)
	if err != nil {
		t.Skipf("%s absent: %v", truthPath, err)
	}
	var truth struct {
		Units []struct {
			ID      int64 `json:"id"`
			NSpikes int   `json:"n_spikes_realized"`
		} `json:"units"`
	}
	if err := json.Unmarshal(tb, &truth); err != nil {
		t.Fatal(err)
	}
	e := newEnv(t)
	ctx := context.Background()
	e.fetchSession(t, ctx, e.release(t, "vbn", "0.4.0"), "ecephys_session", s3emu.SessionA)
	res := e.fetchSession(t, ctx, e.release(t, "vbn", "0.5.0"), "ecephys_session", s3emu.SessionA)
	f, err := nwb.Open(res[0].Job.Dest)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	u, err := f.Units()
	if err != nil {
		t.Fatal(err)
	}
	ids, err := u.IDs()
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != len(truth.Units) {
		t.Fatalf("%d units, truth has %d", len(ids), len(truth.Units))
	}
	for i, tu := range truth.Units {
		n, err := u.SpikeCount(i)
		if err != nil {
			t.Fatal(err)
		}
		if ids[i] != tu.ID || n != tu.NSpikes {
			t.Fatalf("unit %d: id %d, %d spikes; truth id %d, %d spikes", i, ids[i], n, tu.ID, tu.NSpikes)
		}
	}
}
