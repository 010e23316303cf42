package nwb_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/neurodata/neurodata/hdf5"
	"github.com/neurodata/neurodata/nwb"
)

// FuzzOpen feeds mutated NWB files to the whole read path: metadata,
// summary, every table column, spike trains, every series. Nothing may
// panic or hang; errors are fine.
func FuzzOpen(f *testing.F) {
	if b, err := os.ReadFile("testdata/small.nwb"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		nf, err := nwb.NewReader(bytes.NewReader(b), int64(len(b)), hdf5.WithMaxAlloc(16<<20))
		if err != nil {
			return
		}
		defer nf.Close()
		nf.Metadata()
		nwb.Summarize(nf)
		tabs, _ := nf.Tables()
		for _, ti := range tabs {
			tb, err := nf.TableAt(ti.Path)
			if err != nil {
				continue
			}
			tb.IDs()
			for _, c := range tb.ColumnNames() {
				if col, err := tb.Column(c); err == nil {
					col.Read()
				}
			}
		}
		if u, err := nf.Units(); err == nil {
			u.SpikeTrains(nil)
		}
		series, _ := nf.AllTimeSeries()
		for _, o := range series {
			if s, err := nf.TimeSeries(o.Path); err == nil {
				s.Window(0, 1)
			}
		}
	})
}
