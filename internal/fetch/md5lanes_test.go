package fetch

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Lane hashers (md5-simd) give crypto/md5's digests for lengths around the
// 64-byte block and md5-simd's 32 KiB internal block, written in ragged
// pieces from more goroutines than there are lanes.
func TestMD5LanesMatchStdlib(t *testing.T) {
	lengths := []int{0, 1, 55, 56, 63, 64, 65, 127, 32<<10 - 1, 32 << 10, 32<<10 + 1, 1<<20 + 17, 3<<20 + 5}
	for len(lengths) < 40 {
		lengths = append(lengths, lengths[len(lengths)%13]+len(lengths))
	}
	for _, simd := range []bool{true, false} {
		l := newMD5Lanes(simd)
		var wg sync.WaitGroup
		errs := make(chan string, len(lengths))
		for i, n := range lengths {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(uint64(i), 7))
				data := make([]byte, n)
				for j := range data {
					data[j] = byte(rng.Uint32())
				}
				h := l.get()
				defer h.Close()
				for p := data; len(p) > 0; {
					k := min(len(p), 1+rng.IntN(100<<10))
					h.Write(p[:k])
					p = p[k:]
				}
				want := md5.Sum(data)
				if got := h.Sum(nil); hex.EncodeToString(got) != hex.EncodeToString(want[:]) {
					errs <- hex.EncodeToString(got)
				}
			}()
		}
		wg.Wait()
		l.close()
		close(errs)
		for e := range errs {
			t.Errorf("simd=%v: a lane digest %s differs from crypto/md5", simd, e)
		}
	}
}

// zeroSeeker is an io.ReadSeeker over n zero bytes.
type zeroSeeker struct{ off, n int64 }

func (z *zeroSeeker) Read(p []byte) (int, error) {
	if z.off >= z.n {
		return 0, io.EOF
	}
	k := min(int64(len(p)), z.n-z.off)
	clear(p[:k])
	z.off += k
	return int(k), nil
}

func (z *zeroSeeker) Seek(off int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		off += z.off
	case io.SeekEnd:
		off += z.n
	}
	z.off = off
	return off, nil
}

// A three-part dandi-etag fetched with its parts hashed in lanes, and with
// crypto/md5, verifies against the 130 MiB zeros vector of the reference
// file (../shared/reference/dandi-allen.md §1.9) and a crypto/sha256 sum.
func TestFetchETagLanes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 130 MiB")
	}
	const size = 130 << 20
	const etag = "4dc80858c50371577551592f20ac0075-3" // reference file §1.9
	h := sha256.New()
	io.Copy(h, &zeroSeeker{n: size})
	sha := hex.EncodeToString(h.Sum(nil))
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"`+etag+`"`)
		http.ServeContent(w, r, "blob", time.Time{}, &zeroSeeker{n: size})
	}))
	defer ts.Close()
	defer func(v bool) { useMD5Lanes = v }(useMD5Lanes)
	for _, simd := range []bool{true, false} {
		useMD5Lanes = simd
		dest := filepath.Join(t.TempDir(), "zeros.bin")
		f := &Fetcher{}
		res, err := f.Fetch(context.Background(), []Job{{URL: ts.URL, Dest: dest, Size: size,
			Digests: map[string]string{"dandi:dandi-etag": etag, "dandi:sha2-256": sha}}})
		if err != nil || res[0].Err != nil {
			t.Fatalf("simd=%v: %v %v", simd, err, res[0].Err)
		}
		if res[0].Digests[DigestDandiETag] != etag || res[0].Digests[DigestSHA256] != sha {
			t.Errorf("simd=%v: digests %v", simd, res[0].Digests)
		}
		if fi, err := os.Stat(dest); err != nil || fi.Size() != size {
			t.Errorf("simd=%v: %v %v", simd, fi, err)
		}
	}
}

// Through lanes, the "123" vector of the reference file verifies, and the
// same etag declared for other bytes fails with ErrChecksum and leaves no
// file at the destination.
func TestFetchETagLanesSmall(t *testing.T) {
	const etag = "d022646351048ac0ba397d12dfafa304-1" // b"123", reference file §1.9
	for _, body := range []string{"123", "124"} {
		ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.ServeContent(w, r, "blob", time.Time{}, strings.NewReader(body))
		}))
		dest := filepath.Join(t.TempDir(), "x")
		res, _ := (&Fetcher{}).Fetch(context.Background(), []Job{{URL: ts.URL, Dest: dest, Size: 3,
			Digests: map[string]string{"dandi:dandi-etag": etag}}})
		ts.Close()
		_, statErr := os.Stat(dest)
		if body == "123" && (res[0].Err != nil || statErr != nil) {
			t.Errorf("123: %v %v", res[0].Err, statErr)
		}
		if body == "124" && (!errors.Is(res[0].Err, ErrChecksum) || statErr == nil) {
			t.Errorf("124: err %v, file present %v", res[0].Err, statErr == nil)
		}
	}
}

// The staircase lets a part hold at most 15/16 of the bytes of the part
// before it, until that one is complete; the first part never waits.
func TestStairOK(t *testing.T) {
	op := &fileOp{stair: true}
	var prev *part
	for i := 0; i < 3; i++ {
		p := &part{start: int64(i) << 20, length: 1 << 20, prev: prev}
		op.parts = append(op.parts, p)
		prev = p
	}
	p0, p1, p2 := op.parts[0], op.parts[1], op.parts[2]
	cases := []struct {
		d0, d1, d2 int64
		ok1, ok2   bool
	}{
		{0, 0, 0, true, true},
		{16, 15, 0, true, true},
		{16, 16, 0, false, true},
		{1600, 1500, 1407, true, false},
		{1 << 20, 1 << 20, 1<<20 - 1, true, true}, // part 1 complete: part 2 free
		{1 << 20, 1<<20 - 10, 1<<20 - 100, true, false},
	}
	for _, c := range cases {
		p0.done.Store(c.d0)
		p1.done.Store(c.d1)
		p2.done.Store(c.d2)
		if !op.stairOK(p0) || op.stairOK(p1) != c.ok1 || op.stairOK(p2) != c.ok2 {
			t.Errorf("done %d %d %d: stairOK = %v %v, want %v %v", c.d0, c.d1, c.d2, op.stairOK(p1), op.stairOK(p2), c.ok1, c.ok2)
		}
	}
	op.stair = false
	if !op.stairOK(p2) {
		t.Error("staircase off: part waits")
	}
}
