// Package allen reads the Allen Brain Observatory: the Visual Behavior
// Neuropixels and Visual Behavior Ophys S3 "cloud caches" (release manifests,
// versioned objects, BLAKE2b-512 verified downloads laid out as
// DIR/<project>-<release>/…, de-duplicated across releases), their metadata
// tables (typed: ids int64, dates as UTC times, Python list literals parsed),
// and the Visual Coding datasets through their DANDI mirrors (000021, 000022,
// 000728).
//
// Facts about the buckets, manifests and tables come from
// ../shared/reference/dandi-allen.md §3. Every data URL is taken from the
// release manifest (paths change between releases); only the origin is
// rewritten when a mirror base URL is set (Client.BaseURL, ALLEN_S3_URL).
//
// The legacy warehouse API (api.brain-map.org RMA, §3.1) is not used: the
// Visual Coding sessions are fetched from DANDI, which serves the same NWB
// files with checksums and resumable range requests. A session missing from
// the mirrors can still be fetched by hand from
// http://api.brain-map.org/api/v2/well_known_file_download/<id> (see §3.1).
package allen
