package allen_test

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/neurodata/neurodata/allen"
	"github.com/neurodata/neurodata/allen/s3emu"
)

func ExampleParseRef() {
	r, err := allen.ParseRef("allen:vbn@0.5.0/ecephys_session/1043752325")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.Project, r.Release, r.Kind, r.SessionID)
	fmt.Println(r)
	_, err = allen.ParseRef("allen:vbm")
	fmt.Println(err)
	// Output:
	// visual-behavior-neuropixels 0.5.0 ecephys_session 1043752325
	// allen:visual-behavior-neuropixels@0.5.0/ecephys_session/1043752325
	// allen: unknown project "vbm"; did you mean vbn, vbo?
}

func ExampleReadTable() {
	csv := "ecephys_session_id,date_of_acquisition,structure_acronyms,unit_count\n" +
		"1043752325,2020-08-19 15:36:48.920000+00:00,\"['APN', 'CA1']\",2012\n" +
		"1044385384,2020-08-20 14:18:56.131000+00:00,\"['MB']\",\n"
	t, err := allen.ReadTable("ecephys_sessions", strings.NewReader(csv))
	if err != nil {
		panic(err)
	}
	for _, c := range t.Columns {
		fmt.Printf("%s: %s\n", c.Name, c.Type)
	}
	cond, _ := allen.ParseCond("structure_acronyms=CA1")
	f, _ := t.Filter(cond)
	fmt.Println(f.Rows, f.Column("ecephys_session_id").Ints, f.Column("date_of_acquisition").Format(0))
	// Output:
	// ecephys_session_id: int64
	// date_of_acquisition: timestamp
	// structure_acronyms: list<string>
	// unit_count: int64
	// 1 [1043752325] 2020-08-19T15:36:48.92Z
}

// ExampleCache lists the releases of the emulated bucket, reads a
// metadata table and fetches one session in two releases: the second
// release's identical file is linked, not downloaded.
func ExampleCache() {
	fx := s3emu.NewFixture("") // generated payloads
	ts := s3emu.NewTestServer(fx.Server)
	defer ts.Close()
	dir, _ := os.MkdirTemp("", "allen-example")
	defer os.RemoveAll(dir)

	ctx := context.Background()
	cache := &allen.Cache{Dir: dir, Client: allen.NewClient(ts.URL, nil)}
	p, _ := allen.LookupProject("visual-behavior-neuropixels")
	releases, _ := cache.Client.Releases(ctx, p)
	fmt.Println("releases:", releases)
	for _, name := range releases {
		rel, err := cache.Release(ctx, p, name)
		if err != nil {
			panic(err)
		}
		t, _ := cache.Table(ctx, rel, "ecephys_sessions")
		files, _ := cache.SessionFiles(ctx, rel, "ecephys_session", s3emu.SessionA)
		res, _ := cache.Fetch(ctx, files)
		fmt.Println(rel.Dir(), t.Rows, "sessions;", files[0].Rel[len(rel.Dir())+1:], res[0].Status)
	}
	// Output:
	// releases: [0.4.0 0.5.0]
	// visual-behavior-neuropixels-0.4.0 2 sessions; ecephys_sessions/ecephys_session_1043752325.nwb downloaded
	// visual-behavior-neuropixels-0.5.0 3 sessions; behavior_ecephys_sessions/1043752325/ecephys_session_1043752325.nwb linked
}
