package plots

import (
	"image/png"
	"os"
	"testing"
)

// checkPNG fails t unless every path is a PNG at least min pixels wide
// and high.
func checkPNG(t *testing.T, min int, paths ...string) {
	t.Helper()
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if b := img.Bounds(); b.Dx() < min || b.Dy() < min {
			t.Errorf("%s is %v, want at least %d×%d", p, b, min, min)
		}
	}
}
