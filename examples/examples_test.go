package examples

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// TestEmbeddedMatchFixtures checks the embedded copies byte for byte
// against the sha256 listed in ../shared/fixtures/compressed/manifest.json.
func TestEmbeddedMatchFixtures(t *testing.T) {
	if got := Names(); len(got) != 3 || got[0] != "behavior_place" || got[1] != "ecephys_gratings" || got[2] != "ophys_scenes" {
		t.Fatalf("Names() = %v", got)
	}
	b, err := os.ReadFile("../../shared/fixtures/compressed/manifest.json")
	if err != nil {
		t.Skipf("fixtures not available: %v", err)
	}
	var man map[string]any
	if err := json.Unmarshal(b, &man); err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(man)
	for _, name := range Names() {
		r, n, err := Open(name)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, n)
		if _, err := r.ReadAt(buf, 0); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(buf)
		if !json.Valid(raw) || !strings.Contains(string(raw), hex.EncodeToString(sum[:])) {
			t.Errorf("%s: sha256 %x not in manifest.json", name, sum)
		}
	}
	if _, _, err := Open("nope"); err == nil {
		t.Error("Open(nope) succeeded")
	}
	if _, err := ReadFile("../x"); err == nil {
		t.Error("ReadFile with a path succeeded")
	}
}
