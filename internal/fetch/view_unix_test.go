//go:build unix && (amd64 || arm64 || riscv64 || ppc64le || s390x || loong64)

package fetch

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The mapped view returns the file's bytes across a window boundary, and a
// file truncated under the mapping gives an error from guard instead of
// crashing the process with SIGBUS.
func TestFileView(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	data := bytes.Repeat([]byte("0123456789abcdef"), (viewWindow+3*4096)/16)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v := newFileView(f)
	defer v.close()
	var got []byte
	for off := int64(0); off < int64(len(data)); {
		b, err := v.bytes(off, min(1<<20, int64(len(data))-off))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b...)
		off += int64(len(b))
	}
	if !bytes.Equal(got, data) {
		t.Fatal("mapped bytes differ from the file")
	}
	if b, err := v.bytes(int64(len(data))-10, 20); err != nil || len(b) != 10 {
		t.Errorf("bytes over the end: %d bytes, %v; want the last 10", len(b), err)
	}
	v.close()
	if _, err := v.bytes(int64(len(data))-10, 20); err == nil {
		t.Error("mapping past the end: no error")
	}

	touch := func() (sum int, err error) {
		defer guard(&err)()
		b, err := v.bytes(viewWindow, 3*4096)
		if err != nil {
			return 0, err
		}
		if err := os.Truncate(path, 0); err != nil {
			t.Fatal(err)
		}
		for _, c := range b {
			sum += int(c)
		}
		return sum, nil
	}
	if _, err := touch(); err == nil {
		t.Error("reading a truncated mapping: no error")
	}
}
