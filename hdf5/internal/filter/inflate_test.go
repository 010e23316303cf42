package filter

import (
	"bytes"
	"hash/adler32"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/zlib"
)

func zlibCompress(t testing.TB, data []byte, level int) []byte {
	var b bytes.Buffer
	w, err := zlib.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	w.Close()
	return b.Bytes()
}

func testPayloads() [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	var out [][]byte
	out = append(out, nil, []byte("a"), bytes.Repeat([]byte("ab"), 40000))
	rnd := make([]byte, 70000)
	for i := range rnd {
		rnd[i] = byte(r.IntN(256))
	}
	out = append(out, rnd)
	walk := make([]byte, 200000)
	v := 0
	for i := range walk {
		v += r.IntN(5) - 2
		walk[i] = byte(v)
	}
	out = append(out, walk)
	text := bytes.Repeat([]byte("the quick brown fox jumps over the lazy dog 0123456789 "), 3000)
	out = append(out, text)
	return out
}

// The whole-buffer decoder agrees with klauspost's streaming decoder
// (an independent implementation) on stored, fixed and dynamic blocks at
// every compression level.
func TestZlibInflateMatchesReference(t *testing.T) {
	for pi, p := range testPayloads() {
		for _, level := range []int{0, 1, 2, 5, 6, 9, -2} {
			if level == -2 && len(p) > 100000 {
				continue
			}
			c := zlibCompress(t, p, level)
			dst := make([]byte, len(p))
			n, err := zlibInflate(dst, c)
			if err != nil {
				t.Fatalf("payload %d level %d: %v", pi, level, err)
			}
			if !bytes.Equal(dst[:n], p) {
				t.Fatalf("payload %d level %d: output differs", pi, level)
			}
			if len(p) > 0 {
				if _, err := zlibInflate(make([]byte, len(p)-1), c); err == nil {
					t.Fatalf("payload %d level %d: accepted a too-small output", pi, level)
				}
				bad := bytes.Clone(c)
				bad[len(bad)-1] ^= 1
				if _, err := zlibInflate(dst, bad); err == nil {
					t.Fatalf("payload %d level %d: adler-32 flip accepted", pi, level)
				}
				if _, err := zlibInflate(dst, c[:len(c)-5]); err == nil {
					t.Fatalf("payload %d level %d: truncated stream accepted", pi, level)
				}
			}
		}
	}
}

// Differential fuzz: on any input the whole-buffer decoder either fails or
// produces exactly what klauspost's reader produces.
func FuzzZlibInflate(f *testing.F) {
	for _, p := range testPayloads() {
		if len(p) > 20000 {
			p = p[:20000]
		}
		for _, level := range []int{0, 1, 6, 9, -2} {
			f.Add(zlibCompress(f, p, level), 20000)
		}
	}
	for _, fx := range loadFixtures(f) {
		for _, s := range fx.specs() {
			if s.ID == Deflate && len(fx.specs()) == 1 {
				f.Add(fx.raw(f), fx.ChunkBytes)
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte, limit int) {
		if limit < 0 || limit > 1<<20 {
			return
		}
		dst := make([]byte, limit)
		n, err := zlibInflate(dst, in)
		if err != nil {
			return
		}
		ref, rerr := inflateStream(in, limit)
		if rerr != nil {
			t.Fatalf("fast decoder accepted what the reference rejects (%v)", rerr)
		}
		if !bytes.Equal(dst[:n], ref) {
			t.Fatalf("fast decoder output differs from the reference")
		}
	})
}

func BenchmarkInflate(b *testing.B) {
	p := testPayloads()[4]
	c := zlibCompress(b, p, 4)
	b.Run("whole-buffer", func(b *testing.B) {
		dst := make([]byte, len(p))
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			if _, err := zlibInflate(dst, c); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("klauspost-stream", func(b *testing.B) {
		b.SetBytes(int64(len(p)))
		for b.Loop() {
			if _, err := inflateStream(c, len(p)); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The whole-buffer decoder itself (not the fallback) handles every
// HDF5-written deflate chunk in the fixtures.
func TestZlibInflateFixtures(t *testing.T) {
	n := 0
	for _, fx := range loadFixtures(t) {
		specs := fx.specs()
		if fx.Mask != 0 || specs[len(specs)-1].ID != Deflate {
			continue
		}
		dst := make([]byte, fx.ChunkBytes+fx.ChunkBytes/16+4096)
		if _, err := zlibInflate(dst, fx.raw(t)); err != nil {
			t.Errorf("%s: %v", fx.Name, err)
		}
		n++
	}
	if n < 4 {
		t.Fatalf("only %d deflate fixtures", n)
	}
}

// adler32sum equals the standard library's Adler-32 on every length
// around the 8-byte step and the 5552-byte reduction interval.
// The SIMD kernel (where the CPU has one) and the portable code are both
// checked, also on all-0xff input (the largest sums) and at odd offsets.
func TestAdler32(t *testing.T) {
	simd := haveAdlerSIMD
	defer func() { haveAdlerSIMD = simd }()
	for _, useSIMD := range []bool{false, simd} {
		haveAdlerSIMD = useSIMD
		b := make([]byte, 20000)
		for i := range b {
			b[i] = 255 - byte(i*7)
		}
		for _, n := range []int{0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 5535, 5536, 5537, 5551, 5552, 5553, 5559, 5560, 11072, 11104, 11111, 20000} {
			for _, off := range []int{0, 1, 3} {
				if n+off > len(b) {
					continue
				}
				if got, want := adler32sum(b[off:off+n]), adler32.Checksum(b[off:off+n]); got != want {
					t.Fatalf("simd=%v n=%d off=%d: %08x, want %08x", useSIMD, n, off, got, want)
				}
			}
		}
		for i := range b {
			b[i] = 255
		}
		if got, want := adler32sum(b), adler32.Checksum(b); got != want {
			t.Fatalf("simd=%v all 0xff: %08x, want %08x", useSIMD, got, want)
		}
		r := rand.New(rand.NewPCG(3, 4))
		for range 50 {
			n := r.IntN(len(b))
			for i := range b[:n] {
				b[i] = byte(r.Uint32())
			}
			if got, want := adler32sum(b[:n]), adler32.Checksum(b[:n]); got != want {
				t.Fatalf("simd=%v random n=%d: %08x, want %08x", useSIMD, n, got, want)
			}
		}
	}
}
