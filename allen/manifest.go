package allen

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// MaxManifestBytes bounds a release manifest (the largest real one, VBO
// with ~6000 data files, is a few MiB).
const MaxManifestBytes = 256 << 20

// FileEntry is one object of a release: where it is, which S3 version,
// and its BLAKE2b-512 digest (128 lower-case hex digits).
type FileEntry struct {
	URL       string `json:"url"`
	VersionID string `json:"version_id"`
	FileHash  string `json:"file_hash"`
}

// Pipeline is one data_pipeline entry of a manifest.
type Pipeline struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Comment string `json:"comment"`
}

// Manifest is a release manifest (AllenSDK cloud_cache manifest.py keys,
// dandi-allen.md §3.2).
type Manifest struct {
	ProjectName     string               `json:"project_name"`
	ManifestVersion string               `json:"manifest_version"`
	FileIDColumn    string               `json:"metadata_file_id_column_name"`
	DataPipeline    []Pipeline           `json:"data_pipeline"`
	MetadataFiles   map[string]FileEntry `json:"metadata_files"`
	DataFiles       map[string]FileEntry `json:"data_files"`
}

// ParseManifest decodes a manifest and checks its header (project name
// and version present). Entries are checked when used (Release.DataFile,
// MetadataFile): an absolute http(s) URL and a 128-hex-digit BLAKE2b-512
// hash, so one damaged entry among thousands blocks only its own file. An
// empty metadata_file_id_column_name becomes "file_id".
func ParseManifest(b []byte) (*Manifest, error) {
	if len(b) > MaxManifestBytes {
		return nil, fmt.Errorf("allen: manifest is %d bytes (limit %d)", len(b), MaxManifestBytes)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("allen: manifest: %w", err)
	}
	if m.ProjectName == "" {
		return nil, fmt.Errorf("allen: manifest: no project_name")
	}
	if m.ManifestVersion == "" {
		return nil, fmt.Errorf("allen: manifest %s: no manifest_version", m.ProjectName)
	}
	if m.FileIDColumn == "" {
		m.FileIDColumn = "file_id"
	}
	return &m, nil
}

func checkEntry(e FileEntry) error {
	u, err := url.Parse(e.URL)
	if err != nil {
		return fmt.Errorf("bad url: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path == "" || u.Path == "/" {
		return fmt.Errorf("url %q is not an absolute http(s) object URL", e.URL)
	}
	if len(e.FileHash) != 128 {
		return fmt.Errorf("file_hash has %d characters, want 128 (BLAKE2b-512 hex)", len(e.FileHash))
	}
	if _, err := hex.DecodeString(e.FileHash); err != nil {
		return fmt.Errorf("file_hash is not hex")
	}
	if strings.ContainsAny(e.VersionID, "\x00\r\n") {
		return fmt.Errorf("bad version_id")
	}
	return nil
}

// manifestKey is the S3 key of a release manifest.
func manifestKey(project, release string) string {
	return project + "/manifests/" + project + "_project_manifest_v" + release + ".json"
}

// releaseFromKey extracts X.Y.Z from <project>/manifests/<project>_project_manifest_vX.Y.Z.json.
func releaseFromKey(project, key string) (string, bool) {
	name, ok := strings.CutPrefix(key, project+"/manifests/"+project+"_project_manifest_v")
	if !ok {
		return "", false
	}
	rel, ok := strings.CutSuffix(name, ".json")
	if !ok || rel == "" || strings.ContainsAny(rel, "/") {
		return "", false
	}
	return rel, true
}

// compareReleases orders release names by semantic version (numeric
// dot-separated parts); names that are not numeric sort first, as text.
func compareReleases(a, b string) int {
	pa, oka := parseSemver(a)
	pb, okb := parseSemver(b)
	switch {
	case !oka && !okb:
		return strings.Compare(a, b)
	case !oka:
		return -1
	case !okb:
		return 1
	}
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int64
		if i < len(pa) {
			x = pa[i]
		}
		if i < len(pb) {
			y = pb[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return strings.Compare(a, b)
}

func parseSemver(s string) ([]int64, bool) {
	fs := strings.Split(s, ".")
	if len(fs) > 8 {
		return nil, false
	}
	out := make([]int64, len(fs))
	for i, f := range fs {
		v, err := strconv.ParseInt(f, 10, 64)
		if err != nil || v < 0 {
			return nil, false
		}
		out[i] = v
	}
	return out, true
}

// SortReleases sorts release names oldest first.
func SortReleases(rs []string) {
	sort.SliceStable(rs, func(i, j int) bool { return compareReleases(rs[i], rs[j]) < 0 })
}
