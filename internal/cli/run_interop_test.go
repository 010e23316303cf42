package cli

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/pipeline"
)

// Acceptance 3 of issue 10: the Parquet dataset written by `neurodata run`
// over the nine fixture sessions is read back by an independent reader
// (hyparquet, pure JS; testdata/interop/query_results.mjs) and queried
// across sessions; the answers must equal the pipeline's own results
// (result.json), and the three storage variants of each recording — the
// same data (../shared/fixtures/README.md) — must give the same numbers.
func TestRunResultsReadByNode(t *testing.T) {
	dir, _ := filepath.Abs(filepath.Join("..", "..", "testdata", "interop"))
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "hyparquet")); err != nil {
		t.Skip("testdata/interop/node_modules missing: run .ci/install-tools (npm ci) to enable the Node Parquet check")
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	in := fixtureFolder(t)
	work := t.TempDir()
	out := filepath.Join(work, "results")
	spec := writeSpec(t, work, in, "0")
	if code, _, stderr := ndRun(t, "run", spec, "--out", out); code != ExitOK {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	cmd := exec.Command("node", filepath.Join(dir, "query_results.mjs"), out)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("node query_results.mjs: %v\n%s", err, stderr.String())
	}
	var q struct {
		Partitions []struct {
			Analysis, Session string
			Rows              int
			SessionNameOK     bool `json:"session_name_ok"`
		}
		DecodeAccuracy map[string]float64 `json:"decode_accuracy"`
		Tuning         map[string]struct {
			Units    int     `json:"units"`
			MeanGOSI float64 `json:"mean_g_osi"`
		}
		InfoTotalBits map[string]float64            `json:"info_total_bits"`
		RSASimilarity map[string]map[string]float64 `json:"rsa_similarity"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &q); err != nil {
		t.Fatalf("%v\n%s", err, stdout.String())
	}
	m, err := pipeline.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Partitions) != len(m.Results) || len(q.Partitions) != 15 {
		t.Fatalf("node read %d partitions, manifest lists %d (want 15)", len(q.Partitions), len(m.Results))
	}
	for _, p := range q.Partitions {
		if !p.SessionNameOK || p.Rows == 0 {
			t.Errorf("%s/%s: %d rows, session_name column matches partition: %v", p.Analysis, p.Session, p.Rows, p.SessionNameOK)
		}
	}
	for _, e := range m.Results {
		r, err := pipeline.ReadResult(out, e)
		if err != nil {
			t.Fatal(err)
		}
		switch e.Analysis {
		case "decode":
			if got := q.DecodeAccuracy[e.Session]; got != r.Decode.Accuracy {
				t.Errorf("%s decode accuracy: node %v, pipeline %v", e.Session, got, r.Decode.Accuracy)
			}
		case "tuning":
			var s float64
			n := 0
			for _, u := range r.Tuning.Units {
				if !math.IsNaN(float64(u.GOSI)) {
					s += float64(u.GOSI)
					n++
				}
			}
			if got := q.Tuning[e.Session]; got.Units != len(r.Tuning.Units) || math.Abs(got.MeanGOSI-s/float64(n)) > 1e-12 {
				t.Errorf("%s tuning: node %+v, pipeline %d units mean g_osi %v", e.Session, got, len(r.Tuning.Units), s/float64(n))
			}
		case "info":
			var s float64
			for _, u := range r.Info.Units {
				if !math.IsNaN(float64(u.MIBits)) {
					s += float64(u.MIBits)
				}
			}
			if got := q.InfoTotalBits[e.Session]; math.Abs(got-s) > 1e-9 {
				t.Errorf("%s info: node %v bits, pipeline %v", e.Session, got, s)
			}
		case "rsa":
			for _, mm := range r.RSA.Models {
				if got := q.RSASimilarity[e.Session][mm.Model]; got != float64(mm.Similarity) {
					t.Errorf("%s rsa %s: node %v, pipeline %v", e.Session, mm.Model, got, float64(mm.Similarity))
				}
			}
		}
	}
	// Across sessions: the storage variants hold identical data.
	ref := q.DecodeAccuracy["default.ecephys_gratings"]
	for _, v := range []string{"compressed", "latest"} {
		if got := q.DecodeAccuracy[v+".ecephys_gratings"]; got != ref || len(q.DecodeAccuracy) != 3 {
			t.Errorf("decode accuracy %s %v, default %v (%d sessions)", v, got, ref, len(q.DecodeAccuracy))
		}
		if q.RSASimilarity[v+".ophys_scenes"]["layer_true"] != q.RSASimilarity["default.ophys_scenes"]["layer_true"] {
			t.Errorf("rsa layer_true differs between %s and default", v)
		}
	}
}
