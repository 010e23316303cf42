package nwbarrow

import (
	"bytes"
	"errors"
	"testing"
)

// failAfter accepts n bytes, then fails.
type failAfter struct {
	n   int
	buf bytes.Buffer
}

func (f *failAfter) Write(p []byte) (int, error) {
	if f.buf.Len()+len(p) > f.n {
		return 0, errors.New("disk full")
	}
	return f.buf.Write(p)
}

// TestWriteBehind: bytes arrive in order across block boundaries; after
// the underlying writer fails, Write and Finish report the failure.
func TestWriteBehind(t *testing.T) {
	var want bytes.Buffer
	ok := &failAfter{n: 1 << 30}
	wb := newWriteBehind(ok)
	for i := range 3000 {
		p := bytes.Repeat([]byte{byte(i)}, 1+i*7%5000)
		want.Write(p)
		if n, err := wb.Write(p); n != len(p) || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	if err := wb.Finish(); err != nil || !bytes.Equal(ok.buf.Bytes(), want.Bytes()) {
		t.Fatalf("finish %v; %d bytes written, want %d", err, ok.buf.Len(), want.Len())
	}

	bad := &failAfter{n: 3 * writeBehindBlock / 2}
	wb = newWriteBehind(bad)
	var werr error
	for range 64 {
		if _, werr = wb.Write(make([]byte, writeBehindBlock/3)); werr != nil {
			break
		}
	}
	if err := wb.Finish(); err == nil || werr == nil {
		t.Errorf("failing writer: Write error %v, Finish error %v", werr, err)
	}
}
