package filter

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zfpChunk is one raw zfp chunk of testdata/zfp.h5 with the client data of
// its filter and the sha256 of h5py's decoded values (gen_zfp.py).
type zfpChunk struct {
	Name       string   `json:"name"`
	Params     []uint32 `json:"params"`
	ElemSize   int      `json:"elem_size"`
	ChunkBytes int      `json:"chunk_bytes"`
	Raw        string   `json:"raw"`
	WantSHA256 string   `json:"want_sha256"`
	raw        []byte
}

func loadZfpChunks(t testing.TB) []zfpChunk {
	b, err := os.ReadFile(filepath.Join("testdata", "zfp_chunks.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cs []zfpChunk
	if err := json.Unmarshal(b, &cs); err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		t.Fatal("zfp_chunks.json has no chunk")
	}
	for i := range cs {
		if cs[i].raw, err = base64.StdEncoding.DecodeString(cs[i].Raw); err != nil {
			t.Fatal(err)
		}
	}
	return cs
}

func zfpSpec(c zfpChunk) []Spec {
	return []Spec{{ID: Zfp, Params: append([]uint32(nil), c.Params...)}}
}

func TestZfpChunksDecode(t *testing.T) {
	for _, c := range loadZfpChunks(t) {
		out, err := Decode(zfpSpec(c), c.raw, c.ElemSize, c.ChunkBytes, 0)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		sum := sha256.Sum256(out)
		if got := hex.EncodeToString(sum[:]); got != c.WantSHA256 || len(out) != c.ChunkBytes {
			t.Errorf("%s: %d bytes sha256 %s, h5py %d bytes %s", c.Name, len(out), got, c.ChunkBytes, c.WantSHA256)
		}
	}
}

// A stream cut short, a header that does not match the dataset, or a field
// larger than the chunk must give errCorrupt, never a panic.
func TestZfpCorrupt(t *testing.T) {
	cs := loadZfpChunks(t)
	for _, c := range cs {
		// Truncation: every proper prefix that drops at least one whole
		// byte the decoder needs. Fixed-rate streams need all of theirs;
		// variable-rate ones may end in padding, so only require that
		// dropping more than 8 bytes fails.
		for _, cut := range []int{0, 1, len(c.raw) / 2, len(c.raw) - 9} {
			if cut < 0 || cut >= len(c.raw) {
				continue
			}
			_, err := Decode(zfpSpec(c), c.raw[:cut], c.ElemSize, c.ChunkBytes, 0)
			if !errors.Is(err, errCorrupt) {
				t.Errorf("%s cut to %d of %d bytes: err %v, want corrupt", c.Name, cut, len(c.raw), err)
			}
		}
		// chunk smaller than the header's field
		if _, err := Decode(zfpSpec(c), c.raw, c.ElemSize, c.ChunkBytes-1, 0); err == nil {
			t.Errorf("%s: decoded into a chunk one byte short", c.Name)
		}
		// element size that disagrees with the header's type
		if _, err := Decode(zfpSpec(c), c.raw, 12-c.ElemSize, c.ChunkBytes, 0); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: element size %d accepted: %v", c.Name, 12-c.ElemSize, err)
		}
	}
	c := cs[0]
	bad := map[string][]uint32{
		"no header":   c.Params[:1],
		"bad magic":   append([]uint32{c.Params[0], c.Params[1] ^ 0xff}, c.Params[2:]...),
		"codec 4":     append([]uint32{c.Params[0], c.Params[1]&0x00ffffff | 4<<24}, c.Params[2:]...),
		"cut header":  c.Params[:3],
		"huge params": make([]uint32, 40),
	}
	for name, p := range bad {
		s := []Spec{{ID: Zfp, Params: p}}
		if _, err := Decode(s, c.raw, c.ElemSize, c.ChunkBytes, 0); !errors.Is(err, errCorrupt) {
			t.Errorf("%s: err %v, want corrupt", name, err)
		}
	}
}

// A 1-D float field of 2^40 values must be refused from the header alone,
// before any allocation.
func TestZfpHugeFieldRefused(t *testing.T) {
	hdr := zfpTestHeader(zfpTypeFloat, 1, []uint64{1 << 40}, 2048+128)
	s := []Spec{{ID: Zfp, Params: hdr}}
	_, err := Decode(s, make([]byte, 64), 4, 1<<20, 0)
	if !errors.Is(err, errCorrupt) {
		t.Fatalf("err %v, want corrupt", err)
	}
}

// The header written by big-endian H5Z-ZFP: the client data words are the
// header bytes read as big-endian uint32. The values then come back
// big-endian too, as the filter hands them to HDF5.
func TestZfpBigEndianHeader(t *testing.T) {
	c := loadZfpChunks(t)[0]
	le, err := Decode(zfpSpec(c), c.raw, c.ElemSize, c.ChunkBytes, 0)
	if err != nil {
		t.Fatal(err)
	}
	le = append([]byte(nil), le...)
	sw := zfpSpec(c)
	for i := 1; i < len(sw[0].Params); i++ {
		v := sw[0].Params[i]
		sw[0].Params[i] = v>>24 | v>>8&0xff00 | v<<8&0xff0000 | v<<24
	}
	be, err := Decode(sw, c.raw, c.ElemSize, c.ChunkBytes, 0)
	if err != nil {
		t.Fatal(err)
	}
	es := c.ElemSize
	for i := 0; i+es <= len(le); i += es {
		for j := 0; j < es; j++ {
			if le[i+j] != be[i+es-1-j] {
				t.Fatalf("value %d: big-endian header gave % x, little-endian % x", i/es, be[i:i+es], le[i:i+es])
			}
		}
	}
}

// zfpTestHeader builds H5Z-ZFP client data for a field (zfp 1.0 writer).
func zfpTestHeader(typ, dims int, n []uint64, mode uint64) []uint32 {
	var w zfpBitWriter
	w.write('z', 8)
	w.write('f', 8)
	w.write('p', 8)
	w.write(5, 8)
	meta := uint64(0)
	bitsPer := map[int]uint{1: 48, 2: 24, 3: 16, 4: 12}[dims]
	for i := dims - 1; i >= 0; i-- {
		meta = meta<<bitsPer | (n[i]-1)&(1<<bitsPer-1)
	}
	meta = meta<<2 | uint64(dims-1)
	meta = meta<<2 | uint64(typ-1)
	w.write(meta, 52)
	if mode > zfpModeShortMx {
		w.write(mode, 64)
	} else {
		w.write(mode, 12)
	}
	for len(w.b)%4 != 0 {
		w.b = append(w.b, 0)
	}
	p := []uint32{0x10005110}
	for i := 0; i < len(w.b); i += 4 {
		p = append(p, binary.LittleEndian.Uint32(w.b[i:]))
	}
	return p
}

type zfpBitWriter struct {
	b []byte
	n uint // bits used in the last byte
}

func (w *zfpBitWriter) write(v uint64, k uint) {
	for i := uint(0); i < k; i++ {
		if w.n == 0 {
			w.b = append(w.b, 0)
		}
		w.b[len(w.b)-1] |= byte(v>>i&1) << w.n
		w.n = (w.n + 1) % 8
	}
}

// FuzzZfp feeds arbitrary streams under the fixtures' headers, and
// arbitrary headers, to the decoder: errors are fine, panics, hangs and
// output over the limit are not.
func FuzzZfp(f *testing.F) {
	cs := loadZfpChunks(f)
	for i, c := range cs {
		f.Add(c.raw, uint8(i), []byte(nil), c.ChunkBytes)
	}
	// a header of its own: 2-D double, fixed rate 64 bits per block
	f.Add(make([]byte, 40), uint8(0), zfpParamBytes(zfpTestHeader(zfpTypeDouble, 2, []uint64{5, 3}, 63)), 120)
	f.Fuzz(func(t *testing.T, in []byte, which uint8, hdr []byte, limit int) {
		c := cs[int(which)%len(cs)]
		params := c.Params
		if len(hdr) > 0 {
			params = []uint32{c.Params[0]}
			for i := 0; i+4 <= len(hdr) && len(params) < 40; i += 4 {
				params = append(params, binary.LittleEndian.Uint32(hdr[i:]))
			}
		}
		if limit < 0 || limit > 1<<20 {
			limit = c.ChunkBytes
		}
		for _, es := range []int{0, c.ElemSize} {
			out, err := Decode([]Spec{{ID: Zfp, Params: params}}, in, es, limit, 0)
			if err == nil && len(out) > limit {
				t.Fatalf("%d bytes decoded over the %d limit", len(out), limit)
			}
		}
	})
}

func zfpParamBytes(p []uint32) []byte {
	b := make([]byte, 4*(len(p)-1))
	for i, v := range p[1:] {
		binary.LittleEndian.PutUint32(b[4*i:], v)
	}
	return b
}

// BenchmarkZfpDecode decodes the fixture chunks (testdata/zfp_chunks.json)
// grouped by value type and by reversible or lossy mode, so every
// per-width block path of the decoder (int32/int64, float32/float64) is
// timed; BenchmarkZfpRead only reaches the float ones.
func BenchmarkZfpDecode(b *testing.B) {
	cs := loadZfpChunks(b)
	for _, mode := range []string{"rev", "lossy"} {
		for _, typ := range []string{"f4", "f8", "i4", "i8"} {
			var group []zfpChunk
			total := 0
			for _, c := range cs {
				rev := len(c.Name) > 4 && c.Name[:4] == "rev_"
				if rev != (mode == "rev") || !containsField(c.Name, typ) {
					continue
				}
				group = append(group, c)
				total += c.ChunkBytes
			}
			if len(group) == 0 {
				continue
			}
			b.Run(mode+"_"+typ, func(b *testing.B) {
				b.SetBytes(int64(total))
				for b.Loop() {
					for _, c := range group {
						out, err := Decode(zfpSpec(c), c.raw, c.ElemSize, c.ChunkBytes, 0)
						if err != nil {
							b.Fatal(err)
						}
						putBuf(out)
					}
				}
			})
		}
	}
}

// containsField reports whether the underscore-separated name has the
// field f ("rev_f4_2d" has "f4").
func containsField(name, f string) bool {
	for _, s := range strings.Split(name, "_") {
		if s == f {
			return true
		}
	}
	return false
}
