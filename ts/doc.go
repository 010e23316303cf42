// Package ts holds neurodata's time-series core: spike trains, groups of
// units with metadata, continuous (sampled) series, and interval sets, with
// restriction, counting/binning, value-at-time lookup and peri-event
// alignment.
//
// All times are float64 seconds. Every object carries its time support (an
// IntervalSet): the span over which it is defined, used for rates and for
// deciding which samples a lookup may use.
//
// Semantics follow pynapple unless noted (see analysis-methods.md B1):
//   - intervals are sorted and non-overlapping; bad input is repaired and the
//     repair is reported as a warning, never silently;
//   - restriction keeps samples with start ≤ t ≤ end (closed at both ends);
//   - counting in windows and bins is half-open: start ≤ t < end;
//   - regular bins start at each epoch start and a bin is kept only if its
//     centre lies inside the epoch (edges rounded to 9 decimals);
//   - value lookup takes the nearest / previous / next sample within the same
//     epoch of the series' support, without interpolation.
//
// Construction from NWB objects lives in package nwb.
package ts
