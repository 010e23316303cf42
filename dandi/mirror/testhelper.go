package mirror

import (
	"path/filepath"
	"testing"
	"time"
)

// ServeFile serves one local file as asset "sub-test/<basename>" of
// dandiset 000999 on a loopback test server with latency added before each
// file response, and returns the asset's API download URL (accepted by
// dandi.OpenAsset and `neurodata inspect/export`) and the server (for
// Stats, ResetStats, Faults). The server stops when the test ends.
//
//	url, srv := mirror.ServeFile(t, "session.nwb", 30*time.Millisecond)
//	r, n, err := dandi.OpenAsset(ctx, url)
//	... read ...; t.Log(srv.Stats(), r.(*rangeio.Reader).Stats())
func ServeFile(tb testing.TB, local string, latency time.Duration) (url string, s *Server) {
	tb.Helper()
	p := "sub-test/" + filepath.Base(local)
	s, err := FromFiles("000999", map[string]string{p: local})
	if err != nil {
		tb.Fatal(err)
	}
	s.Latency = latency
	ts := NewTestServer(s)
	tb.Cleanup(ts.Close)
	return s.AssetURL(ts.URL, "000999", p), s
}
