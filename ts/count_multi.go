package ts

// CountWindowsMulti is CountWindows for several trains over the same
// windows: dst[i] receives the counts of trains[i]. Trains are processed in
// groups of four, interleaved window by window, so that the processor
// overlaps the four independent search chains (each window's search starts
// where the previous one ended, a serial dependency within one train). For
// windows that are not sorted by start it falls back to CountWindows per
// train. dst[i] must have len(starts) elements.
func CountWindowsMulti(dst [][]int, trains [][]float64, starts, ends []float64) {
	n := len(starts)
	sorted := true
	for k := 1; k < n; k++ {
		if starts[k] < starts[k-1] || !(ends[k-1] >= starts[k-1]) {
			sorted = false
			break
		}
	}
	if n > 0 && !(ends[n-1] >= starts[n-1]) {
		sorted = false
	}
	i := 0
	if sorted {
		for ; i+4 <= len(trains); i += 4 {
			count4(dst[i:i+4], trains[i:i+4], starts, ends)
		}
	}
	for ; i < len(trains); i++ {
		CountWindows(dst[i], trains[i], starts, ends)
	}
}

// count4 counts four trains over windows sorted by start (ends ≥ starts).
func count4(dst [][]int, tr [][]float64, starts, ends []float64) {
	a, b, c, d := tr[0], tr[1], tr[2], tr[3]
	da, db, dc, dd := dst[0][:len(starts)], dst[1][:len(starts)], dst[2][:len(starts)], dst[3][:len(starts)]
	var la, lb, lc, ld int // first index ≥ current start
	var ha, hb, hc, hd int // first index ≥ previous end
	prevE := starts[0]
	for k, s := range starts {
		e := ends[k]
		if s >= prevE { // continue from the previous window's end
			la, lb, lc, ld = scanFrom(a, ha, s), scanFrom(b, hb, s), scanFrom(c, hc, s), scanFrom(d, hd, s)
		} else {
			la, lb, lc, ld = scanFrom(a, la, s), scanFrom(b, lb, s), scanFrom(c, lc, s), scanFrom(d, ld, s)
		}
		ha, hb, hc, hd = scanFrom(a, la, e), scanFrom(b, lb, e), scanFrom(c, lc, e), scanFrom(d, ld, e)
		da[k], db[k], dc[k], dd[k] = ha-la, hb-lb, hc-lc, hd-ld
		prevE = e
	}
}
