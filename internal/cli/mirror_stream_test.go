package cli

import (
	"os"
	"strings"
	"path/filepath"
	"testing"
	"time"

	"github.com/neurodata/neurodata/dandi/mirror"
)

// Streaming through the mirror with 30 ms injected latency per file
// request: inspect and export give byte-identical output to the local
// file; requests, bytes and wall time are logged.
func TestStreamingThroughMirror(t *testing.T) {
	root := filepath.Join("..", "..", "..", "shared", "fixtures")
	if _, err := os.Stat(root); err != nil {
		t.Skip("../shared/fixtures absent")
	}
	for _, variant := range []string{"default", "compressed", "latest"} {
		local := filepath.Join(root, variant, "ecephys_gratings.nwb")
		t.Run(variant, func(t *testing.T) {
			url, srv := mirror.ServeFile(t, local, 30*time.Millisecond)
			for _, args := range [][]string{
				{"inspect", "--json"},
				{"export", "--table", "units", "--format", "csv", "-o", "-"},
			} {
				c1, want, e1 := ndRun(t, append(args, local)...)
				srv.ResetStats()
				start := time.Now()
				c2, got, e2 := ndRun(t, append(args, url)...)
				el := time.Since(start)
				if c1 != 0 || c2 != 0 {
					t.Fatalf("%v: exit %d / %d\n%s\n%s", args, c1, c2, e1, e2)
				}
				// inspect names its input in a top-level "file" field.
				if dropFileField(got) != dropFileField(want) {
					t.Errorf("%v: output via mirror differs from local file", args)
				}
				st := srv.Stats()
				fi, _ := os.Stat(local)
				t.Logf("%s %s: %d range requests, %d bytes of %d, %v at 30 ms", variant, args[0], st.Requests, st.Bytes, fi.Size(), el.Round(time.Millisecond))
				// Loose regression bound: one request per HDF5 read would be
				// hundreds; the measured values are 12-27.
				if st.Requests > 40 {
					t.Errorf("%d requests", st.Requests)
				}
			}
		})
	}
}

func dropFileField(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.HasPrefix(l, `  "file": `) {
			keep = append(keep, l)
		}
	}
	return strings.Join(keep, "\n")
}
