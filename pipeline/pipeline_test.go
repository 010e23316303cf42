package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/examples"
)

func TestParseSpecStrict(t *testing.T) {
	good := `
inputs: [{example: ecephys_gratings}]
analyses:
  - decode: {intervals: drifting_gratings_presentations, by: orientation, time-resolved: 0.25}
`
	s, err := ParseSpec(strings.NewReader(good), "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Analyses[0].Kind() != "decode" || s.Analyses[0].Decode.TimeResolved != 0.25 {
		t.Fatalf("parsed %+v", s.Analyses[0].Decode)
	}
	bad := map[string]string{
		"unknown top-level field": "inputs: [{example: x}]\nanalyses: [{tuning: {intervals: a, by: b}}]\nsessionz: 1\n",
		"unknown analysis option": "inputs: [{example: x}]\nanalyses: [{tuning: {intervals: a, by: b, bins: 3}}]\n",
		"two kinds in one entry":  "inputs: [{example: x}]\nanalyses: [{tuning: {intervals: a, by: b}, info: {intervals: a, by: b}}]\n",
		"bad window":              "inputs: [{example: x}]\nanalyses: [{decode: {intervals: a, by: b, window: '2:1'}}]\n",
		"duplicate name":          "inputs: [{example: x}]\nanalyses: [{info: {intervals: a, by: b}}, {info: {intervals: a, by: c}}]\n",
		"no inputs":               "analyses: [{info: {intervals: a, by: b}}]\n",
		"two sources":             "inputs: [{example: x, path: y}]\nanalyses: [{info: {intervals: a, by: b}}]\n",
		"bad memory":              "inputs: [{example: x}]\nanalyses: [{info: {intervals: a, by: b}}]\nmemory: lots\n",
	}
	for name, y := range bad {
		if _, err := ParseSpec(strings.NewReader(y), ""); !errors.Is(err, ErrSpec) {
			t.Errorf("%s: err = %v, want ErrSpec", name, err)
		}
	}
}

// The flag form decodes through the same strict YAML as a spec file.
func TestParseAnalysisFlag(t *testing.T) {
	a, err := ParseAnalysisFlag("decode:intervals=trials,by=orientation,window=0:0.5,permutations=0,curve=[1,2],name=dec2,sessions=*gratings*")
	if err != nil {
		t.Fatal(err)
	}
	zero := 0
	want := &DecodeParams{Intervals: "trials", By: "orientation", Window: "0:0.5", Permutations: &zero, Curve: []int{1, 2}}
	if !reflect.DeepEqual(a.Decode, want) || a.Name != "dec2" || a.Sessions != "*gratings*" {
		t.Fatalf("got %+v %+v", a, a.Decode)
	}
	a, err = ParseAnalysisFlag("rsa:intervals=s,by=frame,response=dff,model=a=x.npy,model=b=y.npy")
	if err != nil || !reflect.DeepEqual(a.RSA.Model, []string{"a=x.npy", "b=y.npy"}) {
		t.Fatalf("rsa models %v, %v", a.RSA, err)
	}
	for _, s := range []string{"tuning:intervals=a,by=b,nosuch=1", "frobnicate:x=1", "tuning:intervals"} {
		if _, err := ParseAnalysisFlag(s); !errors.Is(err, ErrSpec) {
			t.Errorf("%q: err = %v, want ErrSpec", s, err)
		}
	}
}

// The content key changes with the input, the parameters and the version,
// and not with workers.
func TestKey(t *testing.T) {
	ref := SessionRef{Name: "s", Digest: "sha256:00"}
	a := Analysis{Info: &InfoParams{Intervals: "a", By: "b"}}
	k := Key(ref, &a, "v1")
	b := a
	b.Info = &InfoParams{Intervals: "a", By: "b", Workers: 7}
	if Key(ref, &b, "v1") != k {
		t.Error("workers changed the key")
	}
	b.Info = &InfoParams{Intervals: "a", By: "b", Bins: 3}
	ref2 := ref
	ref2.Digest = "sha256:01"
	for name, k2 := range map[string]string{"params": Key(ref, &b, "v1"), "digest": Key(ref2, &a, "v1"), "version": Key(ref, &a, "v2")} {
		if k2 == k {
			t.Errorf("%s did not change the key", name)
		}
	}
}

// The demo spec on the embedded sessions, checked against the simulation
// truth files embedded with them (examples/*.truth.json, copies of
// ../shared/fixtures/compressed).
func TestRunSessionExamples(t *testing.T) {
	s := DemoSpec(t.TempDir())
	ctx := context.Background()
	refs, err := Resolve(ctx, s, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*AnalysisResult{}
	for _, ref := range refs {
		res, err := RunSession(ctx, ref, s)
		if err != nil {
			t.Fatal(err)
		}
		for i := range res.Analyses {
			r := &res.Analyses[i]
			if r.Error != "" {
				t.Fatalf("%s/%s: %s", ref.Name, r.Analysis, r.Error)
			}
			got[r.Analysis] = r
			if _, _, err := r.Columns(); err != nil {
				t.Fatal(err)
			}
		}
	}
	var g struct {
		Units []struct {
			ID   int64     `json:"id"`
			Rate []float64 `json:"rate_hz_by_direction_mean"`
		} `json:"units"`
		Ideal struct {
			Results []struct {
				N        int     `json:"n_units"`
				Accuracy float64 `json:"accuracy"`
			} `json:"results"`
		} `json:"ideal_decoder"`
	}
	readTruth(t, "ecephys_gratings.truth.json", &g)
	// Tuning: mean rates per direction against the simulated rates (truth
	// rate_hz_by_direction_mean); Poisson-like counts over 16 × 2 s give
	// SEs of about sqrt(r/32); allow 4 SE + 1 Hz (spike refractoriness).
	tu := got["tuning"].Tuning
	if len(tu.Units) != len(g.Units) || len(tu.Conditions) != 8 || !tu.Direction {
		t.Fatalf("tuning: %d units, %d conditions, direction %v", len(tu.Units), len(tu.Conditions), tu.Direction)
	}
	bad := 0
	for u, tr := range g.Units {
		if tu.Units[u].UnitID != tr.ID {
			t.Fatalf("unit %d: id %d, truth %d", u, tu.Units[u].UnitID, tr.ID)
		}
		for c, r := range tr.Rate {
			if math.Abs(tu.Units[u].Rates[c]-r) > 4*math.Sqrt(r/32)+1 {
				bad++
			}
		}
	}
	if bad > 6 { // 320 rates; a handful may exceed 4 SE with refractoriness
		t.Errorf("%d of 320 rates far from the truth", bad)
	}
	// Decoding: all 40 units against the Bayes-optimal accuracy of the truth
	// file (a cross-validated decoder cannot beat it by more than sampling
	// noise: 3 SE on 128 trials).
	d := got["decode"].Decode
	ideal := math.NaN()
	for _, r := range g.Ideal.Results {
		if r.N == 40 {
			ideal = r.Accuracy
		}
	}
	if se := math.Sqrt(ideal*(1-ideal)/128) + 1.0/128; math.IsNaN(ideal) || d.Accuracy > ideal+3*se || d.Accuracy < ideal-0.1 {
		t.Errorf("decode accuracy %.3f, Bayes-optimal %.3f", d.Accuracy, ideal)
	}
	if d.Chance != 0.125 || d.Time == nil || len(d.Time.Times) != 8 || len(d.Curve) != 6 || d.Curve[5].Units != 40 {
		t.Errorf("decode chance %v time %v curve %v", d.Chance, d.Time, d.Curve)
	}
	// RSA: Spearman similarity of each layer to the neural RDM against the
	// truth's noise-free value (layers.*.spearman_rdm_correlation).
	var o struct {
		Layers map[string]struct {
			Spearman float64 `json:"spearman_rdm_correlation"`
		} `json:"layers"`
		TrueRanking []string `json:"true_ranking"`
	}
	readTruth(t, "ophys_scenes.truth.json", &o)
	rs := got["rsa"].RSA
	for _, m := range rs.Models {
		want := o.Layers[m.Model].Spearman
		if math.Abs(float64(m.Similarity)-want) > 0.06 {
			t.Errorf("rsa %s: similarity %.3f, truth %.3f", m.Model, float64(m.Similarity), want)
		}
	}
	if len(o.TrueRanking) > 0 && !reflect.DeepEqual(rs.Ranking, o.TrueRanking) {
		t.Errorf("ranking %v, truth %v", rs.Ranking, o.TrueRanking)
	}
	// PSTH: averaged over the bins inside the 2 s presentations, each unit's
	// rate equals its presentation-weighted tuning rate (tuning step: rates
	// per condition × n_trials + blank rate × n_blank, over 136 rows).
	ps := got["psth"].PSTH
	if ps.NEvents != 136 || len(ps.Rasters) != 6 || len(ps.Rasters[0].Spikes) != 136 {
		t.Fatalf("psth: %d events, %d rasters", ps.NEvents, len(ps.Rasters))
	}
	for u, pu := range ps.Units {
		var s float64
		n := 0
		for i, c := range ps.Centers {
			if c > 0 && c < 2 {
				s += pu.Rates[i]
				n++
			}
		}
		tw := float64(tu.NBlank) * float64(tu.Units[u].BlankRate)
		for c, k := range tu.NTrials {
			tw += float64(k) * tu.Units[u].Rates[c]
		}
		tw /= 136
		if math.Abs(s/float64(n)-tw) > 1e-6*math.Max(1, tw) {
			t.Errorf("unit %d: PSTH mean %.6f Hz over the presentation, tuning %.6f Hz", pu.UnitID, s/float64(n), tw)
		}
	}
	if pl := got["place"].Place; len(pl.Units) != 30 {
		t.Errorf("place: %d units, want 30", len(pl.Units))
	}
	if in := got["info"].Info; len(in.Units) != 40 || in.Estimator != "pt" {
		t.Errorf("info: %d units, estimator %s", len(in.Units), in.Estimator)
	}
}

func readTruth(t *testing.T, name string, v any) {
	t.Helper()
	b, err := examples.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// NaN survives the JSON round trip of results (as null).
func TestFJSON(t *testing.T) {
	in := struct {
		A F
		B Fs
	}{F(math.NaN()), Fs{1, math.Inf(1), 2}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"A":null,"B":[1,null,2]}` {
		t.Fatalf("%s", b)
	}
	var out struct {
		A F
		B Fs
	}
	if err := json.Unmarshal(b, &out); err != nil || !math.IsNaN(float64(out.A)) || !math.IsNaN(out.B[1]) || out.B[2] != 2 {
		t.Fatalf("%v %v", out, err)
	}
}

// Progress is called from several session goroutines (four copies of one
// example session, four jobs); Run serialises the
// calls, so a callback with no locking of its own (like the CLI's write to
// stderr) is race-free. Run under -race this fails if the calls overlap.
func TestRunProgressSerialised(t *testing.T) {
	spec := &Spec{
		Inputs: []Input{{Example: "ecephys_gratings"}, {Example: "ecephys_gratings"}, {Example: "ecephys_gratings"}, {Example: "ecephys_gratings"}},
		Analyses: []Analysis{
			{Sessions: "*gratings*", Tuning: &TuningParams{Intervals: "drifting_gratings_presentations", By: "orientation"}},
		},
		Out:  t.TempDir(),
		Jobs: 4,
	}
	var msgs []string // deliberately unsynchronised
	_, err := Run(context.Background(), spec, &RunOptions{ToolVersion: "test", Progress: func(s string) { msgs = append(msgs, s) }})
	if err != nil {
		t.Fatal(err)
	}
	done := 0
	for _, m := range msgs {
		if strings.Contains(m, " done in ") {
			done++
		}
	}
	if done != 4 {
		t.Fatalf("%d 'done' messages, want 4 (one per session): %q", done, msgs)
	}
}

// The shared validation helpers must keep the messages users saw before
// they were factored out (text copied from the pre-refactor switches).
func TestParamsValidateMessages(t *testing.T) {
	for _, c := range []struct {
		p    interface{ Validate() error }
		want string
	}{
		{&TuningParams{By: "x"}, "tuning: intervals and by are required"},
		{&RSAParams{Intervals: "x"}, "rsa: intervals and by are required"},
		{&TuningParams{Intervals: "a", By: "b", Align: "mid"}, `align "mid": want start or stop`},
		{&TuningParams{Intervals: "a", By: "b", Angles: "maybe"}, `angles "maybe": want auto, yes or no`},
		{&TuningParams{Intervals: "a", By: "b", Units: "bad"}, `units "bad": want all or good`},
		{&PlaceParams{Position: "p", Units: "bad"}, `units "bad": want all or good`},
		{&StatsParams{Units: "mua"}, `units "mua": want all or good`},
		{&PSTHParams{Intervals: "a", Align: "x"}, `align "x": want start or stop`},
	} {
		err := c.p.Validate()
		if err == nil || !errors.Is(err, ErrSpec) || !strings.HasSuffix(err.Error(), c.want) {
			t.Errorf("%T: got %v, want …%s (wrapping ErrSpec)", c.p, err, c.want)
		}
	}
	for _, p := range []interface{ Validate() error }{
		&TuningParams{Intervals: "a", By: "b", Align: "stop", Angles: "no", Units: "good"},
		&StatsParams{Units: "all"},
	} {
		if err := p.Validate(); err != nil {
			t.Errorf("%T: %v", p, err)
		}
	}
}

// withWorkers raises a copy's Workers and leaves the spec's block alone.
func TestWithWorkers(t *testing.T) {
	p := &InfoParams{Intervals: "a", By: "b", Workers: 2}
	if q := withWorkers(p, 5); q == p || q.Workers != 5 || p.Workers != 2 {
		t.Fatalf("withWorkers(2, 5): copy %v workers %d, original %d", q != p, q.Workers, p.Workers)
	}
	if q := withWorkers(p, 1); q.Workers != 2 {
		t.Fatalf("withWorkers(2, 1) = %d, want 2", q.Workers)
	}
}
