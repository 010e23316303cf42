// Package analysis computes single-neuron response characterisation on
// plain Go types and ts types: tuning against discrete conditions and
// continuous features, selectivity indices, place-field information,
// PSTHs and spike-train statistics.
//
// Units are explicit: times and windows in seconds, rates in Hz, angles in
// degrees unless a name says radians, information in bits. Definitions
// follow analysis-methods.md (sections B1, B2, B3, B6); every index is named
// after the family it belongs to, because e.g. "OSI" means different things
// in the Allen Neuropixels (vector sum, GOSI) and two-photon (peak-based,
// PeakOSI) pipelines.
//
// Heavy functions take a nil-able *Settings-style struct whose Workers field
// sets parallelism over units (≤ 0 means GOMAXPROCS). Results are plain
// structs with exported fields and a Provenance describing how they were
// made.
package analysis

// Version identifies the analysis definitions; it is recorded in every
// Provenance and bumped whenever a definition or default changes.
const Version = "analysis/1"

// Provenance records how a result was computed.
type Provenance struct {
	Analysis string // e.g. "condition_tuning", "place_fields"
	Version  string // Version at computation time
	// Window is the response window in seconds relative to Align.
	Window [2]float64 `json:",omitempty"`
	Align  string     `json:",omitempty"` // "start" or "stop" for trial windows
	// BinWidth is the temporal bin width in seconds (PSTH, rates), 0 if unused.
	BinWidth float64 `json:",omitempty"`
	// Bins is the number of bins per feature axis (tuning curves).
	Bins []int `json:",omitempty"`
	// Params holds any other setting as text.
	Params map[string]string `json:",omitempty"`
}
