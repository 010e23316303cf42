package allen

import (
	"bytes"
	"fmt"
	"testing"
)

// BenchmarkReadTableUnits parses a units.csv shaped like VBN's (15
// columns; ids, metrics with NaN, text, bools) of 20000 rows.
func BenchmarkReadTableUnits(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("unit_id,ecephys_channel_id,ecephys_probe_id,ecephys_session_id,amplitude_cutoff,anterior_posterior_ccf_coordinate,dorsal_ventral_ccf_coordinate,left_right_ccf_coordinate,firing_rate,isi_violations,presence_ratio,quality,snr,structure_acronym,valid_data\n")
	for i := 0; i < 20000; i++ {
		amp := fmt.Sprintf("%.4f", float64(i%97)/97)
		if i%13 == 0 {
			amp = "NaN"
		}
		fmt.Fprintf(&buf, "%d,%d,%d,%d,%s,%d.0,%d.0,%d.0,%.3f,%.3f,0.99,good,%.2f,VISp,True\n",
			1157005856+i, 1049365509+i/3, 1044506933+i/400, 1043752325+i/2000, amp, 8000+i%900, 4000+i%500, 7900+i%300, float64(i%50)/3, float64(i%7)/10, float64(i%20)/4)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadTableBytes("units", data); err != nil {
			b.Fatal(err)
		}
	}
}
