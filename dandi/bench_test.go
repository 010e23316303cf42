package dandi_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/neurodata/neurodata/dandi/mirror"
)

// BenchmarkFetchLoopback fetches and verifies (dandi-etag + sha256) a
// 256 MiB generated file from the in-process mirror. The end-to-end peer
// comparison with curl is bench/fetch.sh.
func BenchmarkFetchLoopback(b *testing.B) {
	big := bigFile(b, b.TempDir(), 256<<20)
	ts := mirror.NewTestServer(newMirror([]srcFile{big}))
	defer ts.Close()
	b.SetBytes(big.asset.Size)
	out := b.TempDir()
	for b.Loop() {
		os.RemoveAll(filepath.Join(out, testID))
		res, err := runFetch(context.Background(), b, ts.URL, out, testFetcher(out))
		if err != nil || res[0].Err != nil {
			b.Fatal(err, res[0].Err)
		}
	}
}
