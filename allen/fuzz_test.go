package allen

import (
	"testing"

	"github.com/neurodata/neurodata/allen/s3emu"
)

// fixtureSeeds returns the manifests and CSVs of the emulator fixture
// (shaped like the real releases, dandi-allen.md §3.2).
func fixtureSeeds(suffix string) [][]byte {
	fx := s3emu.NewFixture("")
	var out [][]byte
	for rel, b := range fx.Objects {
		if len(rel) > len(suffix) && rel[len(rel)-len(suffix):] == suffix {
			out = append(out, b)
		}
	}
	return out
}

func FuzzParseManifest(f *testing.F) {
	for _, b := range fixtureSeeds(".json") {
		f.Add(b)
	}
	f.Add([]byte(`{"project_name":"p","manifest_version":"1","metadata_files":{},"data_files":{}}`))
	f.Add([]byte(`{"project_name":"p","manifest_version":"1","data_files":{"1":{"url":"https://b.s3.amazonaws.com/p/x","version_id":"v","file_hash":"00"}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseManifest(b)
		if err != nil {
			return
		}
		r := &Release{Project: &Project{Name: m.ProjectName}, Name: m.ManifestVersion, Manifest: m}
		for k := range m.DataFiles {
			r.DataFile(k) // must not panic; unsafe paths are errors
		}
		r.MetadataFiles()
	})
}

func FuzzReadTable(f *testing.F) {
	for _, b := range fixtureSeeds(".csv") {
		f.Add(b)
	}
	f.Add([]byte("a_id,date,l\n1.0,2020-01-01,\"[1, 'x']\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tb, err := ReadTableBytes("fuzz", b)
		if err != nil {
			return
		}
		for _, c := range tb.Columns {
			for i := 0; i < tb.Rows; i++ {
				c.Format(i)
				c.Value(i)
			}
			if tb.Rows > 0 {
				if cd, err := ParseCond(c.Name + "=" + c.Format(0)); err == nil {
					tb.Filter(cd)
				}
			}
		}
	})
}

func FuzzParsePyList(f *testing.F) {
	for _, s := range []string{"[]", "['APN', 'CA1']", `["a\"b", 'c']`, "[1, 2.5, nan]", "[1,]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, q, err := parsePyList(s)
		if err == nil && len(e) != len(q) {
			t.Fatalf("%q: %d elements, %d quote flags", s, len(e), len(q))
		}
	})
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{"allen:", "allen:vbn@0.5.0/ecephys_session/1043752325", "allen://vbo/ophys_session/1", "allen:x@/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRef(s)
		if err != nil {
			return
		}
		// The canonical form parses back to the same reference.
		r2, err := ParseRef(r.String())
		if err != nil || *r2 != *r {
			t.Fatalf("%q → %q → %+v (%v)", s, r.String(), r2, err)
		}
	})
}

func FuzzParseList(f *testing.F) {
	f.Add([]byte(`<?xml version="1.0"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>true</IsTruncated><Contents><Key>p/manifests/p_project_manifest_v1.json</Key><Size>3</Size></Contents><NextContinuationToken>t</NextContinuationToken></ListBucketResult>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		parseList(b)
	})
}
