package nwb

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestSchemaGenUpToDate re-runs the go:generate step (gen.go) into a
// temporary file and requires the committed schema_gen.go to match, so the
// built-in type tables never drift from ../shared/nwb-schema.
func TestSchemaGenUpToDate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the generator")
	}
	if _, err := os.Stat("../../shared/nwb-schema/core/nwb.namespace.yaml"); err != nil {
		t.Skipf("schema not available: %v", err)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go tool not in PATH")
	}
	out := filepath.Join(t.TempDir(), "schema_gen.go")
	cmd := exec.Command(gobin, "run", "./internal/gen", "-schema", "../../shared/nwb-schema", "-o", out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("generator: %v\n%s", err, b)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile("schema_gen.go")
	if !bytes.Equal(got, want) {
		t.Error("schema_gen.go is stale: run go generate ./nwb")
	}
	if len(builtinTypes) < 80 { // NWB core defines ~70 types, hdmf-common ~15
		t.Errorf("only %d builtin types", len(builtinTypes))
	}
}
