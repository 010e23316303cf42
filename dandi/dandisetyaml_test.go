package dandi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/neurodata/neurodata/dandi"
	"github.com/neurodata/neurodata/dandi/mirror"
)

// numbersAsFloat makes JSON-decoded and YAML-decoded trees comparable
// (yaml.v3 gives int for integers, encoding/json float64).
func numbersAsFloat(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = numbersAsFloat(e)
		}
	case []any:
		for i, e := range x {
			x[i] = numbersAsFloat(e)
		}
	case int:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return v
}

// dandiset.yaml holds what GET …/versions/{v}/ serves: the file decoded by
// yaml.v3 equals the server's JSON decoded by encoding/json (fetched here
// with net/http, not the client). It is written by rename (no temp file
// left) and refused through a symlinked dandiset directory.
func TestWriteDandisetYAML(t *testing.T) {
	ts := mirror.NewTestServer(mirrorWithVersions(t, 3))
	defer ts.Close()
	c := dandi.NewClient(dandi.WithAPIURL(ts.URL + "/api"))
	r, err := dandi.ParseURL("DANDI:000042/0.240101.0000")
	if err != nil {
		t.Fatal(err)
	}
	sel, err := c.Resolve(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := c.WriteDandisetYAML(context.Background(), sel, dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, "000042", "dandiset.yaml"); p != want {
		t.Errorf("path %s, want %s", p, want)
	}
	resp, err := http.Get(ts.URL + "/api/dandisets/000042/versions/0.240101.0000/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var want any
	if err := json.Unmarshal(body, &want); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var got any
	if err := yaml.Unmarshal(b, &got); err != nil {
		t.Fatalf("dandiset.yaml does not parse: %v\n%s", err, b)
	}
	if !reflect.DeepEqual(numbersAsFloat(got), want) {
		t.Errorf("dandiset.yaml differs from the version metadata:\n%s\nvs\n%s", b, body)
	}
	if !strings.Contains(string(b), "identifier: DANDI:000042\n") || !strings.Contains(string(b), "version: 0.240101.0000\n") {
		t.Errorf("dandiset.yaml:\n%s", b)
	}
	ents, _ := os.ReadDir(filepath.Dir(p))
	if len(ents) != 1 {
		t.Errorf("files beside dandiset.yaml: %v", ents)
	}

	// A dandiset directory that is a symlink (pointing outside DIR) is
	// refused.
	dir2, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir2, "000042")); err != nil {
		t.Skip("symlinks unsupported:", err)
	}
	if _, err := c.WriteDandisetYAML(context.Background(), sel, dir2); err == nil {
		t.Error("wrote through a symlinked dandiset directory")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("files written outside DIR: %v", ents)
	}

	// A bare asset selection has no dandiset directory.
	if p, err := c.WriteDandisetYAML(context.Background(), &dandi.Selection{}, dir); p != "" || err != nil {
		t.Errorf("no dandiset: %q, %v", p, err)
	}
}

// MetadataYAML keeps the JSON key order, and strings that YAML would read
// as other types (123, null, "", leading spaces, newlines, unicode) come
// back as the same strings; numbers and booleans keep their type. Words a
// YAML 1.1 reader (PyYAML) takes for booleans (yes, off) are quoted.
func TestMetadataYAML(t *testing.T) {
	doc := `{"zeta": 1, "alpha": {"b": [1, 2.5, -3e-7, 12345678901234567890], "a": null},
	 "strs": ["yes", "123", "null", "", "  lead", "two\nlines", "é ✓", "a: b", "#x", "0x1F", "true"],
	 "flag": true, "off": false, "@context": "https://x/y.json", "empty": {}, "none": []}`
	y, err := dandi.MetadataYAML([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got, want any
	if err := yaml.Unmarshal(y, &got); err != nil {
		t.Fatalf("%v\n%s", err, y)
	}
	json.Unmarshal([]byte(doc), &want)
	// 12345678901234567890 overflows int64: yaml.v3 reads it as uint64.
	if !reflect.DeepEqual(numbersAsFloat(got), want) {
		t.Errorf("round trip differs:\n%s", y)
	}
	if !strings.Contains(string(y), `- "yes"`) {
		t.Errorf("yes not quoted:\n%s", y)
	}
	var order []string
	for _, l := range strings.Split(string(y), "\n") {
		if l != "" && l[0] != ' ' && l[0] != '-' {
			order = append(order, strings.SplitN(l, ":", 2)[0])
		}
	}
	if strings.Join(order, ",") != `zeta,alpha,strs,flag,"off",'@context',empty,none` {
		t.Errorf("top-level key order %v", order)
	}
	for _, bad := range []string{``, `{`, `{"a":1}x`, `[1,]`, `{"a" 1}`, strings.Repeat("[", 500) + strings.Repeat("]", 500)} {
		if _, err := dandi.MetadataYAML([]byte(bad)); err == nil {
			t.Errorf("%.20q: no error", bad)
		}
	}
}
