package filter

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/zstd"
)

// fixture is one raw chunk from testdata/chunks.json, written by the HDF5
// C library via Debian h5py/hdf5plugin (see testdata/gen/make_filter_chunks.py);
// WantSHA256 is the sha256 of h5py's decoded read of the same chunk.
type fixture struct {
	Name    string `json:"name"`
	Filters []struct {
		ID     uint16   `json:"id"`
		Flags  uint16   `json:"flags"`
		Params []uint32 `json:"params"`
		Name   string   `json:"name"`
	} `json:"filters"`
	ElemSize   int    `json:"elem_size"`
	ChunkBytes int    `json:"chunk_bytes"`
	Mask       uint32 `json:"mask"`
	Raw        string `json:"raw"`
	WantSHA256 string `json:"want_sha256"`
	WantLen    int    `json:"want_len"`
}

func (f fixture) specs() []Spec {
	var s []Spec
	for _, x := range f.Filters {
		s = append(s, Spec{ID: x.ID, Name: x.Name, Flags: x.Flags, Params: x.Params})
	}
	return s
}

func loadFixtures(t testing.TB) []fixture {
	b, err := os.ReadFile("testdata/chunks.json")
	if err != nil {
		t.Fatal(err)
	}
	var fx []fixture
	if err := json.Unmarshal(b, &fx); err != nil {
		t.Fatal(err)
	}
	return fx
}

func (f fixture) raw(t testing.TB) []byte {
	b, err := base64.StdEncoding.DecodeString(f.Raw)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeFixtures(t *testing.T) {
	fx := loadFixtures(t)
	seen := map[uint16]bool{}
	for _, f := range fx {
		t.Run(f.Name, func(t *testing.T) {
			for _, s := range f.Filters {
				seen[s.ID] = true
			}
			out, err := Decode(f.specs(), f.raw(t), f.ElemSize, f.ChunkBytes, f.Mask)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if len(out) != f.WantLen {
				t.Fatalf("decoded %d bytes, want %d", len(out), f.WantLen)
			}
			sum := sha256.Sum256(out)
			if got := hex.EncodeToString(sum[:]); got != f.WantSHA256 {
				t.Fatalf("sha256 %s, want %s (h5py)", got, f.WantSHA256)
			}
		})
	}
	for _, id := range []uint16{Deflate, Shuffle, Fletcher32, Szip, Nbit, ScaleOffset, LZF, Bzip2, LZ4, Blosc, Bitshuffle} {
		if !seen[id] {
			t.Errorf("no fixture exercises filter %s (%d)", Name(id), id)
		}
	}
}

// Every byte flip of a fletcher32-protected chunk is detected.
func TestFletcher32Corruption(t *testing.T) {
	for _, f := range loadFixtures(t) {
		if !strings.HasPrefix(f.Name, "fletcher32_i4") {
			continue
		}
		raw := f.raw(t)
		for i := 0; i < len(raw); i += 7 {
			bad := bytes.Clone(raw)
			bad[i] ^= 0x40
			_, err := Decode(f.specs(), bad, f.ElemSize, f.ChunkBytes, f.Mask)
			if !errors.Is(err, ErrChecksum) {
				t.Fatalf("flip at %d: err %v, want ErrChecksum", i, err)
			}
			if !strings.HasPrefix(err.Error(), "hdf5: filter") {
				t.Fatalf("message %q lacks the package prefix", err)
			}
		}
		return
	}
	t.Fatal("fletcher32 fixture missing")
}

// Reference value: HDF5's H5_checksum_fletcher32 over the 4 bytes
// 01 02 03 04 read as big-endian words 0x0102, 0x0304:
// sum1 = 0x0102+0x0304 = 0x0406, sum2 = 0x0102+0x0406 = 0x0508.
func TestFletcher32Closed(t *testing.T) {
	if got := fletcher32([]byte{1, 2, 3, 4}); got != 0x05080406 {
		t.Fatalf("fletcher32 = %#x, want 0x05080406", got)
	}
	// odd length: last byte is a high byte: 0x0102 + 0x0300
	if got := fletcher32([]byte{1, 2, 3}); got != 0x05040402 {
		t.Fatalf("fletcher32 odd = %#x, want 0x05040402", got)
	}
}

func TestUnknownAndSzip(t *testing.T) {
	// szip is decoded; garbage gives an error naming the filter
	_, err := Decode([]Spec{{ID: 4, Name: "szip", Params: []uint32{169, 8, 32, 8}}}, []byte{1, 2, 3}, 4, 16, 0)
	if err == nil || errors.Is(err, ErrUnknownFilter) || !strings.Contains(err.Error(), "szip (4)") {
		t.Fatalf("szip: %v", err)
	}
	_, err = Decode([]Spec{{ID: 401, Name: "maxwell", Flags: 1}}, []byte{1, 2, 3}, 1, 3, 0)
	if !errors.Is(err, ErrUnknownFilter) || !strings.Contains(err.Error(), "maxwell (401)") || !strings.HasPrefix(err.Error(), "hdf5: filter") {
		t.Fatalf("unknown optional filter: %v", err)
	}
	// The same optional filter skipped for this chunk (mask bit 0): raw data.
	out, err := Decode([]Spec{{ID: 401, Name: "maxwell", Flags: 1}}, []byte{1, 2, 3}, 1, 3, 1)
	if err != nil || !bytes.Equal(out, []byte{1, 2, 3}) {
		t.Fatalf("masked optional filter: %v %v", out, err)
	}
	if Known(32026) || !Known(Blosc) || !Known(Szip) || Name(32026) != "blosc2" || Name(9999) != "unknown" {
		t.Fatal("Known/Name table wrong")
	}
}

// Mask semantics: bit i skips pipeline stage i only.
func TestMaskSkipsOneStage(t *testing.T) {
	for _, f := range loadFixtures(t) {
		if f.Name != "shuffle_deflate_f8" {
			continue
		}
		// Undo only deflate (stage 1) by masking shuffle (stage 0): the result
		// must equal the shuffled bytes, which unshuffle then turns into the
		// h5py data.
		shuffled, err := Decode(f.specs(), f.raw(t), f.ElemSize, f.ChunkBytes, 1)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(unshuffle(shuffled, 8))
		if hex.EncodeToString(sum[:]) != f.WantSHA256 {
			t.Fatal("mask bit 0 did not skip exactly the shuffle stage")
		}
		return
	}
	t.Fatal("fixture missing")
}

// zstd: no Debian package writes the HDF5 zstd filter, so round-trip
// through klauspost's encoder (an independent code path from the decoder).
func TestZstdRoundTrip(t *testing.T) {
	src := bytes.Repeat([]byte("neurodata zstd chunk "), 500)
	enc, _ := zstd.NewWriter(nil)
	c := enc.EncodeAll(src, nil)
	out, err := Decode([]Spec{{ID: Zstd}}, c, 1, len(src), 0)
	if err != nil || !bytes.Equal(out, src) {
		t.Fatalf("zstd: %v", err)
	}
	if _, err := Decode([]Spec{{ID: Zstd}}, c, 1, len(src)-1, 0); err == nil {
		t.Fatal("zstd output over the chunk size was accepted")
	}
}

func TestLimits(t *testing.T) {
	for _, f := range loadFixtures(t) {
		if f.Mask != 0 {
			continue
		}
		_, err := Decode(f.specs(), f.raw(t), f.ElemSize, f.ChunkBytes-1, 0)
		if err == nil {
			t.Errorf("%s: decoding into a limit one byte short succeeded", f.Name)
		}
	}
}

func TestUnshuffleSizes(t *testing.T) {
	for _, size := range []int{2, 3, 4, 5, 8, 16} {
		n := 37
		data := make([]byte, n*size+size/2)
		for i := range data {
			data[i] = byte(i*7 + 3)
		}
		// shuffle by the definition: byte j of element i goes to j*n+i
		sh := make([]byte, len(data))
		for i := 0; i < n; i++ {
			for j := 0; j < size; j++ {
				sh[j*n+i] = data[i*size+j]
			}
		}
		copy(sh[n*size:], data[n*size:])
		if got := unshuffle(sh, size); !bytes.Equal(got, data) {
			t.Fatalf("size %d: unshuffle mismatch", size)
		}
	}
}

// Interleave4 (SIMD where available, and the portable loop) puts byte k of
// element i at 4i+k, for run lengths around the 16-element SIMD step and
// planes at odd offsets; bytes past the output are not touched.
func TestInterleave4(t *testing.T) {
	simd := haveInterleaveSIMD
	defer func() { haveInterleaveSIMD = simd }()
	src := make([]byte, 4*200+8)
	for i := range src {
		src[i] = byte(i*31 + 7)
	}
	for _, useSIMD := range []bool{false, simd} {
		haveInterleaveSIMD = useSIMD
		for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 32, 33, 47, 100, 200} {
			for _, off := range []int{0, 1, 5} {
				p := [4][]byte{}
				for k := range p {
					p[k] = src[off+k*n : off+(k+1)*n]
				}
				dst := make([]byte, 4*n+3)
				for i := range dst {
					dst[i] = 0xee
				}
				Interleave4(dst[:4*n], p[0], p[1], p[2], p[3])
				for i := 0; i < n; i++ {
					for k := range 4 {
						if dst[4*i+k] != p[k][i] {
							t.Fatalf("simd=%v n=%d off=%d: byte %d of element %d = %d, want %d", useSIMD, n, off, k, i, dst[4*i+k], p[k][i])
						}
					}
				}
				for i := 4 * n; i < len(dst); i++ {
					if dst[i] != 0xee {
						t.Fatalf("simd=%v n=%d: wrote past the output", useSIMD, n)
					}
				}
			}
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, fx := range loadFixtures(f) {
		raw, _ := base64.StdEncoding.DecodeString(fx.Raw)
		b, _ := json.Marshal(fx.Filters)
		f.Add(string(b), raw, fx.ElemSize, fx.ChunkBytes, fx.Mask)
	}
	enc, _ := zstd.NewWriter(nil)
	f.Add(`[{"id":32015}]`, enc.EncodeAll([]byte("abcabcabcabc"), nil), 1, 12, uint32(0))
	f.Fuzz(func(t *testing.T, pipe string, raw []byte, elem, chunkBytes int, mask uint32) {
		var fs []struct {
			ID     uint16   `json:"id"`
			Flags  uint16   `json:"flags"`
			Params []uint32 `json:"params"`
		}
		if json.Unmarshal([]byte(pipe), &fs) != nil {
			return
		}
		if chunkBytes > 1<<20 {
			chunkBytes = 1 << 20
		}
		var specs []Spec
		for _, x := range fs {
			specs = append(specs, Spec{ID: x.ID, Flags: x.Flags, Params: x.Params})
		}
		t0 := time.Now()
		out, err := Decode(specs, raw, elem, chunkBytes, mask)
		if d := time.Since(t0); d > 10*time.Second {
			t.Fatalf("Decode took %v", d)
		}
		if err == nil && len(out) > chunkBytes {
			t.Fatalf("output %d bytes over the %d limit", len(out), chunkBytes)
		}
	})
}

// Bitshuffle with zstd inner compression (compression 3): no Debian tool
// writes it, so take the h5py-verified bitshuffle+LZ4 fixtures, re-encode
// each block with klauspost's zstd encoder and check the same decoded
// bytes come out.
func TestBitshuffleZstd(t *testing.T) {
	enc, _ := zstd.NewWriter(nil)
	n := 0
	for _, f := range loadFixtures(t) {
		if !strings.HasPrefix(f.Name, "bitshuffle_lz4_") {
			continue
		}
		raw := f.raw(t)
		size := int(f.Filters[0].Params[2])
		total := int(binary.BigEndian.Uint64(raw))
		bs := int(binary.BigEndian.Uint32(raw[8:])) / size
		out := append([]byte(nil), raw[:12]...)
		p, done, elems := 12, 0, total/size
		for done < elems {
			cnt := bs
			if elems-done < bs {
				cnt = (elems - done) / 8 * 8
				if cnt == 0 {
					break
				}
			}
			c := int(binary.BigEndian.Uint32(raw[p:]))
			blk := make([]byte, cnt*size)
			if err := lz4Block(blk, raw[p+4:p+4+c]); err != nil {
				t.Fatal(err)
			}
			z := enc.EncodeAll(blk, nil)
			out = binary.BigEndian.AppendUint32(out, uint32(len(z)))
			out = append(out, z...)
			p += 4 + c
			done += cnt
		}
		out = append(out, raw[p:]...)
		specs := f.specs()
		specs[0].Params = append([]uint32(nil), specs[0].Params...)
		specs[0].Params[4] = 3
		got, err := Decode(specs, out, f.ElemSize, f.ChunkBytes, 0)
		if err != nil {
			t.Fatalf("%s as zstd: %v", f.Name, err)
		}
		sum := sha256.Sum256(got)
		if hex.EncodeToString(sum[:]) != f.WantSHA256 {
			t.Fatalf("%s as zstd: decoded bytes differ", f.Name)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no bitshuffle_lz4 fixtures")
	}
}

// Decode is safe for concurrent use (pooled decoders and buffers, results
// recycled): 8 goroutines decode every fixture and must all get h5py's
// bytes.
func TestDecodeConcurrent(t *testing.T) {
	fx := loadFixtures(t)
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for k := 0; k < 3; k++ {
				for _, f := range fx {
					raw, _ := base64.StdEncoding.DecodeString(f.Raw)
					out, err := Decode(f.specs(), raw, f.ElemSize, f.ChunkBytes, f.Mask)
					if err != nil {
						errs <- err
						return
					}
					sum := sha256.Sum256(out)
					if hex.EncodeToString(sum[:]) != f.WantSHA256 {
						errs <- errors.New(f.Name + ": wrong bytes under concurrency")
						return
					}
					Recycle(out, raw) // buffers go round the pool between goroutines
				}
			}
			errs <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
