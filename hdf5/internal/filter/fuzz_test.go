package filter

import (
	"encoding/base64"
	"testing"
)

// Per-filter fuzz targets, seeded with the real chunks of that filter in
// testdata/chunks.json (h5py/hdf5plugin-written). The pipeline stays fixed,
// so the fuzzer spends its time on the filter's own parser.

func fuzzFilter(f *testing.F, id uint16) {
	var pipe []Spec
	var elem, chunkBytes int
	for _, fx := range loadFixtures(f) {
		for _, s := range fx.specs() {
			if s.ID != id {
				continue
			}
			raw, _ := base64.StdEncoding.DecodeString(fx.Raw)
			if pipe == nil {
				pipe, elem, chunkBytes = []Spec{s}, fx.ElemSize, fx.ChunkBytes
			}
			// seed with the bytes this stage sees: undo the later stages
			specs := fx.specs()
			idx := 0
			for i, x := range specs {
				if x.ID == id {
					idx = i
				}
			}
			in := raw
			if idx+1 < len(specs) {
				var err error
				if in, err = Decode(specs[idx+1:], raw, fx.ElemSize, fx.ChunkBytes+fx.ChunkBytes/16+4096, 0); err != nil {
					continue
				}
			}
			f.Add(in, fx.ChunkBytes, append([]uint32(nil), s.Params...) != nil)
		}
	}
	if pipe == nil {
		f.Skip("no fixture for filter")
	}
	f.Fuzz(func(t *testing.T, in []byte, limit int, keepParams bool) {
		if limit < 0 || limit > 1<<20 {
			limit = chunkBytes
		}
		s := pipe[0]
		if !keepParams {
			s.Params = nil
		}
		out, err := Decode([]Spec{s}, in, elem, limit, 0)
		if err == nil && len(out) > limit {
			t.Fatalf("%d bytes decoded over the %d limit", len(out), limit)
		}
	})
}

func FuzzDeflate(f *testing.F)     { fuzzFilter(f, Deflate) }
func FuzzShuffle(f *testing.F)     { fuzzFilter(f, Shuffle) }
func FuzzFletcher32(f *testing.F)  { fuzzFilter(f, Fletcher32) }
func FuzzNbit(f *testing.F)        { fuzzFilter(f, Nbit) }
func FuzzScaleOffset(f *testing.F) { fuzzFilter(f, ScaleOffset) }
func FuzzLZF(f *testing.F)         { fuzzFilter(f, LZF) }
func FuzzBzip2(f *testing.F)       { fuzzFilter(f, Bzip2) }
func FuzzLZ4(f *testing.F)         { fuzzFilter(f, LZ4) }
func FuzzBlosc(f *testing.F)       { fuzzFilter(f, Blosc) }
func FuzzBitshuffle(f *testing.F)  { fuzzFilter(f, Bitshuffle) }
func FuzzSzip(f *testing.F)        { fuzzFilter(f, Szip) }
