package cli

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/neurodata/neurodata/internal/report"
)

// chromium runs Debian's headless chromium on a local file with networking
// features off; it returns stdout and stderr.
func chromium(t *testing.T, args ...string) (string, string) {
	t.Helper()
	bin := ""
	for _, b := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(b); err == nil {
			bin = p
			break
		}
	}
	if bin == "" {
		t.Skip("chromium not installed (Debian package chromium; .ci/install-tools installs it)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir(), "--enable-logging=stderr", "--v=0"}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.String(), errb.String()
}

var (
	sectionRE = regexp.MustCompile(`<section class="page" id="([^"]+)"`)
	svgRE     = regexp.MustCompile(`<svg[ >]`)
)

// Acceptance 4 of issue 10: `neurodata demo` writes results and a report;
// headless chromium loads the report without errors or network requests,
// and every section of the rendered DOM holds exactly the figures (inline
// <svg>) the report was built with. Also checked with the nine fixture
// sessions plus a corrupt file (cross-session figures, an error box) when
// ../shared is present.
func TestReportInChromium(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := ndRun(t, "demo", "-o", dir)
	if code != ExitOK {
		t.Fatalf("demo: exit %d\n%s", code, stderr)
	}
	html := filepath.Join(dir, "report.html")
	if !strings.Contains(stdout, html) || !strings.Contains(stdout, filepath.Join(dir, "results")) {
		t.Errorf("demo does not say where the results are:\n%s", stdout)
	}
	cases := map[string]string{"demo": filepath.Join(dir, "results")}
	if _, err := os.Stat(filepath.Join("..", "..", "..", "shared", "fixtures")); err == nil {
		in := fixtureFolder(t)
		os.MkdirAll(filepath.Join(in, "broken"), 0o755)
		os.WriteFile(filepath.Join(in, "broken", "ecephys_gratings.nwb"), []byte("not an HDF5 file"), 0o644)
		work := t.TempDir()
		out := filepath.Join(work, "results")
		if code, _, stderr := ndRun(t, "run", writeSpec(t, work, in, "20"), "--out", out); code != ExitPartial {
			t.Fatalf("run: exit %d\n%s", code, stderr)
		}
		cases["fixtures"] = out
	}
	for name, results := range cases {
		t.Run(name, func(t *testing.T) {
			page := filepath.Join(t.TempDir(), "report.html")
			if code, _, stderr := ndRun(t, "report", results, "-o", page); code != ExitOK {
				t.Fatalf("report: exit %d\n%s", code, stderr)
			}
			raw, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range []string{"<script", `src="`, `href="http`, "url(", "<link", "<img", "@import", "could not be drawn"} {
				if bytes.Contains(raw, []byte(bad)) {
					t.Errorf("report contains %q (must be self-contained, every figure drawn)", bad)
				}
			}
			r, err := report.Build(results, nil)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int{}
			for _, s := range append([]report.Section{r.Summary}, r.Sessions...) {
				want[s.ID] += 0
				for _, b := range s.Blocks {
					want[s.ID] += len(b.Figures)
				}
			}
			dom, logs := chromium(t, "--dump-dom", "file://"+page)
			for _, l := range strings.Split(logs, "\n") {
				if strings.Contains(l, "net::ERR") || strings.Contains(l, "CONSOLE") || strings.Contains(l, "Uncaught") {
					t.Errorf("chromium: %s", l)
				}
			}
			locs := sectionRE.FindAllStringSubmatchIndex(dom, -1)
			if len(locs) != len(want) {
				t.Fatalf("DOM has %d sections, report %d", len(locs), len(want))
			}
			total := 0
			for i, loc := range locs {
				id := dom[loc[2]:loc[3]]
				end := len(dom)
				if i+1 < len(locs) {
					end = locs[i+1][0]
				}
				n := len(svgRE.FindAllString(dom[loc[0]:end], -1))
				total += n
				if n != want[id] {
					t.Errorf("section %s: %d <svg> in the DOM, want %d", id, n, want[id])
				}
			}
			// demo: tuning 3 (polar, summary, curves) + psth 1 + info 1 + decode 4
			// (confusion, vs units, over time, generalisation) + rsa 2 + place 1;
			// fixtures: 3 × (3 + 1 + 1) gratings + 3 × 2 rsa + 3 × 1 place + 5
			// cross-session figures.
			if n := map[string]int{"demo": 12, "fixtures": 29}[name]; total != n {
				t.Errorf("%d figures, want %d", total, n)
			}
			if name == "fixtures" && !strings.Contains(dom, "broken.ecephys_gratings") {
				t.Error("the failed session is not reported")
			}
			shot := filepath.Join(t.TempDir(), "shot.png")
			chromium(t, "--window-size=1280,2000", "--screenshot="+shot, "file://"+page)
			f, err := os.Open(shot)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			img, err := png.Decode(f)
			if err != nil || img.Bounds().Dx() != 1280 {
				t.Fatalf("screenshot: %v %v", err, img.Bounds())
			}
			if d := os.Getenv("NEURODATA_SCREENSHOTS"); d != "" {
				b, _ := os.ReadFile(shot)
				os.WriteFile(filepath.Join(d, "report-"+name+".png"), b, 0o644)
			}
		})
	}
}

// --format png writes one decodable PNG per figure.
func TestReportFormatPNG(t *testing.T) {
	dir := t.TempDir()
	if code, _, stderr := ndRun(t, "demo", "-o", dir); code != ExitOK {
		t.Fatalf("demo: exit %d\n%s", code, stderr)
	}
	figs := filepath.Join(dir, "figs")
	code, stdout, stderr := ndRun(t, "report", filepath.Join(dir, "results"), "--format", "png", "-o", figs)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	r, err := report.Build(filepath.Join(dir, "results"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(figs)
	if len(ents) != len(r.Figures()) || len(ents) == 0 {
		t.Fatalf("%d files for %d figures (%s)", len(ents), len(r.Figures()), stdout)
	}
	for _, e := range ents {
		f, err := os.Open(filepath.Join(figs, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := png.Decode(f); err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
		f.Close()
	}
	for _, args := range [][]string{{"report", t.TempDir()}, {"report", filepath.Join(dir, "results"), "--format", "gif"}, {"report"}} {
		if code, _, _ := ndRun(t, args...); code != ExitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, ExitUsage)
		}
	}
}
