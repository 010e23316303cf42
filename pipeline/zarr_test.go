package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/examples"
)

// A folder input passes over NWB Zarr stores without walking them and,
// when nothing else matches, says so instead of a bare "no file matches".
func TestResolvePathZarrStores(t *testing.T) {
	dir := t.TempDir()
	store := filepath.Join(dir, "sub-1", "sub-1.nwb.zarr")
	if err := os.MkdirAll(filepath.Join(store, "units"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A file inside the store that the glob would match if it were walked.
	for _, f := range []string{".zgroup", "units/inner.nwb"} {
		if err := os.WriteFile(filepath.Join(store, filepath.FromSlash(f)), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, err := resolvePath(context.Background(), dir, "")
	if !errors.Is(err, ErrSpec) || !strings.Contains(err.Error(), "1 Zarr store") {
		t.Fatalf("only a Zarr store: %v, want a spec error naming it", err)
	}
	b, err := examples.ReadFile("behavior_place.nwb")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub-2.nwb"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	refs, err := resolvePath(context.Background(), dir, "")
	if err != nil || len(refs) != 1 || refs[0].Name != "sub-2" {
		t.Fatalf("refs %+v, %v; want only sub-2", refs, err)
	}
}

// A dandiset whose assets are all Zarr stores fails resolution with an
// error that names them, streamed (the default mode) or fetched.
func TestResolveDANDIZarrOnly(t *testing.T) {
	za, err := mirror.NewZarrAsset("000998", "sub-1/sub-1.nwb.zarr", &mirror.Zarr{Entries: []*mirror.ZarrEntry{{Key: ".zgroup", Content: []byte(`{"zarr_format":2}`)}}}, time.Unix(1.7e9, 0))
	if err != nil {
		t.Fatal(err)
	}
	srv := mirror.New()
	srv.Add(&mirror.Dandiset{ID: "000998", Versions: []*mirror.Version{{Version: "draft", Name: "zarr only", Status: "Valid", Assets: []*mirror.Asset{za}}}})
	ts := mirror.NewTestServer(srv)
	defer ts.Close()
	for _, mode := range []string{"", "fetch"} {
		_, err = resolveDANDI(context.Background(), Input{DANDI: "DANDI:000998/draft", Mode: mode}, t.TempDir(), []dandi.Option{dandi.WithAPIURL(ts.URL + "/api")}, "")
		if err == nil || !strings.Contains(err.Error(), "1 Zarr store") {
			t.Errorf("Zarr-only dandiset, mode %q: %v, want an error naming the Zarr store", mode, err)
		}
	}
}
