package pipeline

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// ParseSpec never panics, and every error wraps ErrSpec.
func FuzzParseSpec(f *testing.F) {
	f.Add(DemoSpecYAML)
	f.Add("inputs: [{path: x}]\nanalyses: [{decode: {intervals: a, by: b, folds: loo, window: '0:1'}}]\nmemory: 2GiB\n")
	f.Add("inputs: [{dandi: 'DANDI:000021', glob: '*.nwb', mode: stream}]\nanalyses: [{rsa: {intervals: a, by: b, response: dff, model: [x=y.npy]}}]\n")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		_, err := ParseSpec(strings.NewReader(s), "")
		if err != nil && !errors.Is(err, ErrSpec) {
			t.Fatalf("error does not wrap ErrSpec: %v", err)
		}
	})
}

// An allen: input without a resolver is a clear error naming what is missing.
func TestAllenNeedsResolver(t *testing.T) {
	s, err := ParseSpec(strings.NewReader("inputs: [{allen: 'visual-coding-neuropixels:715093703'}]\nanalyses: [{tuning: {intervals: a, by: b}}]\n"), "")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Resolve(context.Background(), s, nil)
	if err == nil || !strings.Contains(err.Error(), "Allen resolver") {
		t.Fatalf("err = %v", err)
	}
}
