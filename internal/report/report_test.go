package report

import (
	"bytes"
	"context"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/neurodata/neurodata/pipeline"
)

// runStats runs the stats analysis on the two embedded example sessions
// with units into a fresh results folder.
func runStats(t *testing.T) string {
	t.Helper()
	spec, err := pipeline.ParseSpec(strings.NewReader(`
inputs:
  - example: ecephys_gratings
  - example: behavior_place
analyses:
  - stats: {}
`), "")
	if err != nil {
		t.Fatal(err)
	}
	spec.Out = filepath.Join(t.TempDir(), "results")
	if _, err := pipeline.Run(context.Background(), spec, &pipeline.RunOptions{ToolVersion: "test"}); err != nil {
		t.Fatal(err)
	}
	return spec.Out
}

// The stats analysis has a per-session figure and, with two sessions, a
// cross-session one; both render (PNG files, inline SVG in the HTML).
func TestStatsFigures(t *testing.T) {
	r, err := Build(runStats(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"summary_stats": false}
	for _, s := range r.Sessions {
		if s.Failed != "" || len(s.Blocks) != 1 || s.Blocks[0].Kind != "stats" || s.Blocks[0].Error != "" {
			t.Fatalf("session %s: failed %q, blocks %+v", s.Title, s.Failed, s.Blocks)
		}
		want[s.Title+"_stats_spiketrains"] = false
	}
	for _, f := range r.Figures() {
		if _, ok := want[f.Name]; ok {
			want[f.Name] = true
		}
	}
	for name, seen := range want {
		if !seen {
			t.Errorf("no figure %s among %v", name, r.Figures())
		}
	}
	dir := t.TempDir()
	paths, err := r.WriteFigures(dir, "png")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(want) {
		t.Errorf("wrote %v, want %d figures", paths, len(want))
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if c, err := png.DecodeConfig(bytes.NewReader(b)); err != nil || c.Width < 300 || c.Height < 200 {
			t.Errorf("%s: %d×%d PNG, %v", p, c.Width, c.Height, err)
		}
	}
	var html bytes.Buffer
	if err := r.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	for _, s := range []string{"Firing regularity across the population", "Firing regularity per session"} {
		if !strings.Contains(h, s) {
			t.Errorf("HTML lacks %q", s)
		}
	}
	if strings.Contains(h, "could not be drawn") {
		t.Error("a figure could not be drawn")
	}
}

// sessionMedians / unitValues: closed forms (median of 1, NaN, 3, 2 is 2;
// of 4, 6 is 5; NaN is left out).
func TestSessionMedians(t *testing.T) {
	rs := []*pipeline.AnalysisResult{
		{Stats: &pipeline.StatsResult{Units: []pipeline.StatsUnit{{LV: 1}, {LV: pipeline.F(math.NaN())}, {LV: 3}, {LV: 2}}}},
		{Stats: &pipeline.StatsResult{Units: []pipeline.StatsUnit{{LV: 4}, {LV: 6}}}},
	}
	got := sessionMedians(rs, func(r *pipeline.AnalysisResult) []float64 {
		return unitValues(r.Stats.Units, func(u pipeline.StatsUnit) pipeline.F { return u.LV })
	})
	if len(got) != 2 || got[0] != 2 || got[1] != 5 {
		t.Errorf("medians %v, want [2 5]", got)
	}
}
