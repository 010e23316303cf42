package mirror

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// LoadDir serves a fetched dandiset as draft, and also under the published
// version its dandiset.yaml records, with the same assets; a draft or a
// malformed version in the file adds nothing.
func TestLoadDirPublishedVersion(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, s string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("000021/dandiset.yaml", "id: DANDI:000021/0.210812.1448\nname: Pinned course data\nversion: 0.210812.1448\n")
	write("000021/sub-1/sub-1.nwb", "nwb bytes")
	write("000022/dandiset.yaml", "name: Draft data\nversion: draft\n")
	write("000022/a.nwb", "a")
	write("000023/dandiset.yaml", "name: Odd\nversion: ../0.210812.1448\n")
	write("000023/b.nwb", "b")
	s, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, v any) {
		t.Helper()
		w := httptest.NewRecorder()
		s.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 200 {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
		if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
	}
	type summary struct {
		Version string `json:"version"`
		Name    string `json:"name"`
	}
	var ds struct {
		Published *summary `json:"most_recent_published_version"`
		Draft     *summary `json:"draft_version"`
	}
	get("/api/dandisets/000021/", &ds)
	if ds.Published == nil || ds.Published.Version != "0.210812.1448" || ds.Published.Name != "Pinned course data" {
		t.Errorf("000021 published version: %+v", ds.Published)
	}
	if ds.Draft == nil || ds.Draft.Version != "draft" {
		t.Errorf("000021 draft version: %+v", ds.Draft)
	}
	var assets struct {
		Results []struct {
			Path string `json:"path"`
			Size int64  `json:"size"`
		} `json:"results"`
	}
	get("/api/dandisets/000021/versions/0.210812.1448/assets/", &assets)
	if len(assets.Results) != 1 || assets.Results[0].Path != "sub-1/sub-1.nwb" || assets.Results[0].Size != 9 {
		t.Errorf("published assets: %+v", assets.Results)
	}
	for _, id := range []string{"000022", "000023"} {
		ds.Published, ds.Draft = nil, nil
		get("/api/dandisets/"+id+"/", &ds)
		if ds.Published != nil || ds.Draft == nil {
			t.Errorf("%s: published %+v, draft %+v; want draft only", id, ds.Published, ds.Draft)
		}
	}
}
