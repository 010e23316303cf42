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
		waits0 := stairWaits.Load()
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
		// With lanes and a sha256 to follow, the second part must wait
		// for the first to be a stair (4 MiB) ahead before its first read.
		if w := stairWaits.Load() - waits0; simd && (w == 0 || res[0].Digests[DigestSHA256] == "") || !simd && w != 0 {
			t.Errorf("simd=%v: %d staircase waits", simd, w)
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
