package allen

import (
	"math"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestReadTableTypes(t *testing.T) {
	// pandas.DataFrame.to_csv spellings: NaN as empty, int ids with NaN as
	// "123.0", datetimes as str(Timestamp), lists as str(list).
	csv := "\ufeffecephys_session_id,behavior_session_id,date_of_acquisition,x,flag,areas,ids,fs,name,allnull\n" +
		"1,10.0,2020-08-19 15:36:48.920000+00:00,0.5,True,\"['APN', \"\"CA1\"\"]\",\"[1, 2]\",\"[0.5, nan]\",a,\n" +
		"2,,2019-09-20 09:45:29.897856,NaN,False,[],[],[],\"b,c\",\n" +
		"3,30,2021-01-02,1e3,,,\"[3]\",[1],,\n"
	tb, err := ReadTableBytes("t", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ColType{"ecephys_session_id": Int64, "behavior_session_id": Int64, "date_of_acquisition": Time,
		"x": Float64, "flag": Bool, "areas": StringList, "ids": Int64List, "fs": Float64List, "name": String, "allnull": String}
	for _, c := range tb.Columns {
		if c.Type != want[c.Name] {
			t.Errorf("%s: %s, want %s", c.Name, c.Type, want[c.Name])
		}
	}
	if tb.Rows != 3 {
		t.Fatalf("%d rows", tb.Rows)
	}
	b := tb.Column("behavior_session_id")
	if b.Ints[0] != 10 || b.Valid[1] || b.Ints[2] != 30 {
		t.Errorf("behavior_session_id %v %v", b.Ints, b.Valid)
	}
	d := tb.Column("date_of_acquisition")
	for i, w := range []time.Time{
		time.Date(2020, 8, 19, 15, 36, 48, 920e6, time.UTC),
		time.Date(2019, 9, 20, 9, 45, 29, 897856e3, time.UTC), // no zone: taken as UTC
		time.Date(2021, 1, 2, 0, 0, 0, 0, time.UTC),
	} {
		if !d.Times[i].Equal(w) {
			t.Errorf("date %d: %v, want %v", i, d.Times[i], w)
		}
	}
	x := tb.Column("x")
	if x.Floats[0] != 0.5 || !math.IsNaN(x.Floats[1]) || !x.Valid[1] || x.Floats[2] != 1000 {
		t.Errorf("x %v %v", x.Floats, x.Valid)
	}
	if f := tb.Column("flag"); !f.Bools[0] || f.Bools[1] || f.Valid[2] {
		t.Errorf("flag %v %v", f.Bools, f.Valid)
	}
	a := tb.Column("areas")
	if !reflect.DeepEqual(a.StringLists[0], []string{"APN", "CA1"}) || len(a.StringLists[1]) != 0 || !a.Valid[1] || a.Valid[2] {
		t.Errorf("areas %q %v", a.StringLists, a.Valid)
	}
	if fs := tb.Column("fs"); fs.FloatLists[0][0] != 0.5 || !math.IsNaN(fs.FloatLists[0][1]) {
		t.Errorf("fs %v", fs.FloatLists)
	}
	if n := tb.Column("name"); n.Strings[1] != "b,c" || n.Valid[2] {
		t.Errorf("name %q %v", n.Strings, n.Valid)
	}
}

func TestReadTableFallsBackToText(t *testing.T) {
	// An id column holding a non-integer and a date column holding text stay text.
	tb, err := ReadTableBytes("t", []byte("unit_id,date_x,l\nabc,yesterday,[1\n1,2020-01-01,x]\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range tb.Columns {
		if c.Type != String {
			t.Errorf("%s: %s, want string", c.Name, c.Type)
		}
	}
}

func TestReadTableErrors(t *testing.T) {
	for _, in := range []string{"", "a,a\n1,2\n", "a,b\n1\n", "a\n\"x\n"} {
		if _, err := ReadTableBytes("bad", []byte(in)); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
}

func TestParsePyList(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
		ok   bool
	}{
		{"[]", []string{}, true},
		{"['a', 'b c']", []string{"a", "b c"}, true},
		{`["it's", 'x']`, []string{"it's", "x"}, true},
		{"[1, 2.5, nan, None]", []string{"1", "2.5", "nan", "None"}, true},
		{"[1,]", []string{"1"}, true},
		{"[[1], 2]", nil, false},
		{"['a' 'b']", nil, false},
		{"['a]", nil, false},
		{"[,]", nil, false},
		{"[1,,2]", nil, false},
		{"1, 2", nil, false},
	} {
		got, _, err := parsePyList(c.in)
		if (err == nil) != c.ok || (c.ok && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("%q: %q %v, want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestFilterOps(t *testing.T) {
	tb, err := ReadTableBytes("t", []byte("id,v,s,d,l\n1,0.5,a,2020-01-01 10:00:00,\"['x']\"\n2,,b,2020-01-02 00:00:00,[]\n3,2,a,,\"['x', 'y']\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		conds []string
		want  []int64
	}{
		{[]string{"id>1"}, []int64{2, 3}},
		{[]string{"id<=2", "s=a"}, []int64{1}},
		{[]string{"v>=0.5"}, []int64{1, 3}},
		{[]string{"v=null"}, []int64{2}},
		{[]string{"v!=null"}, []int64{1, 3}},
		{[]string{"s!=a"}, []int64{2}},
		{[]string{"d=2020-01-01"}, []int64{1}},
		{[]string{"d>2020-01-01T12:00:00Z"}, []int64{2}},
		{[]string{"l=x"}, []int64{1, 3}},
		{[]string{"l!=y"}, []int64{1, 2}},
	} {
		var cs []Cond
		for _, s := range c.conds {
			cd, err := ParseCond(s)
			if err != nil {
				t.Fatal(err)
			}
			cs = append(cs, cd)
		}
		got, err := tb.Filter(cs...)
		if err != nil {
			t.Fatalf("%v: %v", c.conds, err)
		}
		ids := got.Column("id").Ints
		if len(ids) != len(c.want) || (len(ids) > 0 && !reflect.DeepEqual(ids, c.want)) {
			t.Errorf("%v: %v, want %v", c.conds, ids, c.want)
		}
	}
	for _, s := range []string{"id=x", "l<x", "nope=1", "d=soon"} {
		cd, _ := ParseCond(s)
		if _, err := tb.Filter(cd); err == nil {
			t.Errorf("%s: no error", s)
		}
	}
	for _, s := range []string{"=1", "abc", "!x"} {
		if _, err := ParseCond(s); err == nil {
			t.Errorf("ParseCond(%q): no error", s)
		}
	}
}

func TestLevenshtein(t *testing.T) {
	// Textbook values: kitten→sitting 3, flaw→lawn 2, ""→abc 3.
	for _, c := range []struct {
		a, b string
		d    int
	}{{"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"", "abc", 3}, {"abc", "abc", 0}, {"0.5.1", "0.5.0", 1}} {
		if got := Levenshtein(c.a, c.b); got != c.d {
			t.Errorf("Levenshtein(%q,%q) = %d, want %d", c.a, c.b, got, c.d)
		}
	}
}

func TestParseRef(t *testing.T) {
	for in, want := range map[string]string{
		"allen:":            "allen:",
		"allen:vbn":         "allen:visual-behavior-neuropixels",
		"allen:VBN@v0.5.0/": "allen:visual-behavior-neuropixels@0.5.0",
		"allen://vbo@1.0.1/ophys_session/951980471": "allen:visual-behavior-ophys@1.0.1/ophys_session/951980471",
	} {
		r, err := ParseRef(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if r.String() != want {
			t.Errorf("%s → %s, want %s", in, r, want)
		}
	}
	for _, in := range []string{"vbn", "allen:@1", "allen:vbn@", "allen:vbn/ecephys_session", "allen:vbn/ecephys_session/-1", "allen:vbn/ecephys_session/x", "allen:vbn/a/b/c"} {
		if _, err := ParseRef(in); err == nil {
			t.Errorf("%s: no error", in)
		}
	}
}

func TestObjectURL(t *testing.T) {
	c := &Client{BaseURL: "http://127.0.0.1:9/mirror"}
	for in, want := range map[string]string{
		// virtual-hosted regional, virtual-hosted legacy, path-style (dandi-allen.md §5.2 host forms)
		"https://visual-behavior-neuropixels-data.s3.us-west-2.amazonaws.com/visual-behavior-neuropixels/a b.csv": "http://127.0.0.1:9/mirror/visual-behavior-neuropixels-data/visual-behavior-neuropixels/a%20b.csv?versionId=V%2B1",
		"https://visual-behavior-neuropixels-data.s3.amazonaws.com/p/x.nwb":                                       "http://127.0.0.1:9/mirror/visual-behavior-neuropixels-data/p/x.nwb?versionId=V%2B1",
		"https://s3.us-west-2.amazonaws.com/bucket/p/x.nwb":                                                       "http://127.0.0.1:9/mirror/bucket/p/x.nwb?versionId=V%2B1",
		"https://example.org/other/x.nwb":                                                                         "https://example.org/other/x.nwb?versionId=V%2B1",
	} {
		got, err := c.ObjectURL(in, "V+1")
		if err != nil || got != want {
			t.Errorf("%s → %s (%v), want %s", in, got, err, want)
		}
		u, _ := url.Parse(got)
		if u.Query().Get("versionId") != "V+1" {
			t.Errorf("%s: versionId lost", got)
		}
	}
	plain := &Client{}
	if got, _ := plain.ObjectURL("https://b.s3.amazonaws.com/k", ""); got != "https://b.s3.amazonaws.com/k" {
		t.Errorf("without base: %s", got)
	}
}

func TestReleaseOrder(t *testing.T) {
	rs := []string{"0.10.0", "0.5.0", "1.0.0", "0.4.1", "beta"}
	SortReleases(rs)
	if got := strings.Join(rs, " "); got != "beta 0.4.1 0.5.0 0.10.0 1.0.0" {
		t.Errorf("order %s", got)
	}
	if r, ok := releaseFromKey("p", "p/manifests/p_project_manifest_v0.5.0.json"); !ok || r != "0.5.0" {
		t.Errorf("releaseFromKey: %q %v", r, ok)
	}
	for _, k := range []string{"p/manifests/README.txt", "p/manifests/p_project_manifest_v.json", "q/manifests/p_project_manifest_v1.json"} {
		if _, ok := releaseFromKey("p", k); ok {
			t.Errorf("%s accepted", k)
		}
	}
}

func TestManifestEntriesChecked(t *testing.T) {
	good := `{"project_name":"p","manifest_version":"1","metadata_files":{},"data_files":{"1":{"url":"https://b.s3.amazonaws.com/p/x","version_id":"v","file_hash":"` + strings.Repeat("ab", 64) + `"}}}`
	m, err := ParseManifest([]byte(good))
	if err != nil || m.FileIDColumn != "file_id" {
		t.Fatalf("good manifest: %v %+v", err, m)
	}
	r := &Release{Project: &Project{Name: "p"}, Name: "1", Manifest: m}
	if f, err := r.DataFile("1"); err != nil || f.Rel != "p-1/x" {
		t.Fatalf("good entry: %+v %v", f, err)
	}
	for _, bad := range []string{
		strings.Replace(good, strings.Repeat("ab", 64), strings.Repeat("ab", 63), 1), // short hash
		strings.Replace(good, strings.Repeat("ab", 64), strings.Repeat("zz", 64), 1), // not hex
		strings.Replace(good, "https://b.s3.amazonaws.com/p/x", "file:///etc/passwd", 1),
		strings.Replace(good, "https://b.s3.amazonaws.com/p/x", "https://b.s3.amazonaws.com/p/../../x", 1),
	} {
		m, err := ParseManifest([]byte(bad))
		if err != nil {
			t.Fatalf("%s: %v", bad, err)
		}
		r := &Release{Project: &Project{Name: "p"}, Name: "1", Manifest: m}
		if _, err := r.DataFile("1"); err == nil {
			t.Errorf("entry accepted: %s", bad)
		}
	}
	for _, bad := range []string{strings.Replace(good, `"project_name":"p",`, "", 1), `[]`, `{"project_name":"p"}`} {
		if _, err := ParseManifest([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}
