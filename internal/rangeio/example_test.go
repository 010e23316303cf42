package rangeio_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/neurodata/neurodata/dandi/mirror"
	"github.com/neurodata/neurodata/internal/rangeio"
)

func ExampleOpen() {
	s := mirror.New()
	body := strings.Repeat("0123456789", 100000) // 1,000,000 bytes
	a, _ := mirror.NewAsset("000001", "f.nwb", strings.NewReader(body), int64(len(body)), time.Unix(0, 0), nil)
	s.Add(&mirror.Dandiset{ID: "000001", Versions: []*mirror.Version{{Version: "draft", Assets: []*mirror.Asset{a}}}})
	ts := mirror.NewTestServer(s)
	defer ts.Close()

	r, err := rangeio.Open(context.Background(), s.AssetURL(ts.URL, "000001", "f.nwb"))
	if err != nil {
		fmt.Println(err)
		return
	}
	buf := make([]byte, 4)
	r.ReadAt(buf, 500003) // outside the 64 KiB probe: one range request
	r.ReadAt(buf, 500005) // cached
	fmt.Println(r.Size(), string(buf), r.Stats().Requests)
	// Output: 1000000 5678 2
}
