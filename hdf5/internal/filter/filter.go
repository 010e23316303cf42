// Package filter undoes the HDF5 filter pipeline on one chunk: the built-in
// filters (deflate, shuffle, fletcher32, szip, n-bit, scale-offset) and the
// registered third-party filters found in neuroscience files (LZF, bzip2,
// LZ4, bitshuffle, zstd, Blosc, ZFP). Every decoder bounds its output and returns
// an error, never panics, on malformed input.
package filter

import (
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// Errors; test with errors.Is.
var (
	// ErrUnknownFilter: the chunk needs a filter this package cannot decode.
	ErrUnknownFilter = errors.New("hdf5: filter not available")
	// ErrChecksum: a fletcher32 checksum did not match.
	ErrChecksum = errors.New("hdf5: filter checksum mismatch")
	// errCorrupt marks malformed filtered data.
	errCorrupt = errors.New("hdf5: filter: corrupt data")
)

// Filter identifiers (HDF5 registered filter ids).
const (
	Deflate     uint16 = 1
	Shuffle     uint16 = 2
	Fletcher32  uint16 = 3
	Szip        uint16 = 4
	Nbit        uint16 = 5
	ScaleOffset uint16 = 6
	Bzip2       uint16 = 307
	LZF         uint16 = 32000
	Blosc       uint16 = 32001
	LZ4         uint16 = 32004
	Bitshuffle  uint16 = 32008
	Zfp         uint16 = 32013
	Zstd        uint16 = 32015
)

// Spec is one stage of a dataset's filter pipeline as stored in the
// filter pipeline message.
type Spec struct {
	ID     uint16
	Name   string   // name stored in the file, may be empty
	Flags  uint16   // bit 0: optional filter
	Params []uint32 // client data values
}

var names = map[uint16]string{
	Deflate: "deflate", Shuffle: "shuffle", Fletcher32: "fletcher32", Szip: "szip",
	Nbit: "nbit", ScaleOffset: "scaleoffset", Bzip2: "bzip2", LZF: "lzf",
	Blosc: "blosc", 32002: "mafisc", 32003: "snappy", LZ4: "lz4", 32005: "apax",
	32006: "cbf", 32007: "jpeg-xr", Bitshuffle: "bitshuffle", 32009: "spdp",
	32010: "lpc-rice", 32011: "ccsds-123", 32012: "jpeg-ls", Zfp: "zfp",
	32014: "fpzip", Zstd: "zstd", 32016: "b3d", 32017: "sz", 32018: "fcidecomp",
	32019: "jpeg", 32020: "vbz", 32021: "fapec", 32022: "bitgroom", 32023: "gbr",
	32024: "sz3", 32025: "delta-rice", 32026: "blosc2", 32027: "flac",
}

// Name returns the conventional name of a filter id ("deflate", "blosc",
// ...), or "unknown" for an unregistered id.
func Name(id uint16) string {
	if n, ok := names[id]; ok {
		return n
	}
	return "unknown"
}

// Known reports whether Decode can undo filter id.
func Known(id uint16) bool {
	switch id {
	case Deflate, Shuffle, Fletcher32, Szip, Nbit, ScaleOffset, Bzip2, LZF, Blosc, LZ4, Bitshuffle, Zstd, Zfp:
		return true
	}
	return false
}

// label is "name (id)" for messages, preferring the registry name and
// falling back to the name stored in the file.
func label(s Spec) string {
	n := Name(s.ID)
	if n == "unknown" && s.Name != "" {
		n = s.Name
	}
	return fmt.Sprintf("%s (%d)", n, s.ID)
}

// Decode undoes the pipeline on one chunk. Filters are undone in reverse
// pipeline order; bit i of mask set means filter i was skipped when the
// chunk was written (HDF5 records optional filters that failed that way).
// elemSize is the dataset element size in bytes; chunkBytes is the decoded
// chunk size and also the allocation limit for the result. The returned
// slice may alias chunk (every filter skipped, or a stage that stores data
// unchanged); the caller must not modify chunk while using it.
func Decode(filters []Spec, chunk []byte, elemSize int, chunkBytes int, mask uint32) ([]byte, error) {
	if chunkBytes < 0 {
		return nil, fmt.Errorf("hdf5: filter: negative chunk size %d", chunkBytes)
	}
	if len(filters) > 32 {
		return nil, fmt.Errorf("hdf5: filter: pipeline of %d filters exceeds 32", len(filters))
	}
	// The last stage to run (pipeline index 0) must fit chunkBytes; earlier
	// stages may carry a small header or checksum on top.
	slack := chunkBytes + chunkBytes/16 + 4096
	buf := chunk
	for i := len(filters) - 1; i >= 0; i-- {
		if mask&(1<<uint(i)) != 0 {
			continue
		}
		limit := slack
		if i == 0 {
			limit = chunkBytes
		}
		s := filters[i]
		out, err := decodeOne(s, buf, elemSize, limit)
		if err != nil {
			if errors.Is(err, ErrUnknownFilter) || errors.Is(err, ErrChecksum) {
				return nil, err
			}
			return nil, fmt.Errorf("hdf5: filter %s: %w", label(s), err)
		}
		if len(out) > limit {
			return nil, fmt.Errorf("hdf5: filter %s: decoded %d bytes, more than the %d-byte limit", label(s), len(out), limit)
		}
		// An intermediate buffer this function allocated is dead once the
		// next stage wrote a separate output: recycle it.
		if i < len(filters)-1 && !aliases(buf, chunk) && !aliases(out, buf) {
			putBuf(buf)
		}
		buf = out
	}
	if len(buf) > chunkBytes {
		return nil, fmt.Errorf("hdf5: filter: chunk of %d bytes is larger than the %d-byte chunk size", len(buf), chunkBytes)
	}
	return buf, nil
}

func decodeOne(s Spec, in []byte, elemSize, limit int) ([]byte, error) {
	switch s.ID {
	case Deflate:
		return inflate(in, limit)
	case Shuffle:
		size := elemSize
		if len(s.Params) > 0 && s.Params[0] > 0 {
			size = int(s.Params[0])
		}
		return unshuffle(in, size), nil
	case Fletcher32:
		return checkFletcher32(in)
	case Nbit:
		return decodeNbit(in, s.Params, limit)
	case ScaleOffset:
		return decodeScaleOffset(in, s.Params, limit)
	case Bzip2:
		return decodeBzip2(in, limit)
	case LZF:
		return decodeLZF(in, limit)
	case Blosc:
		return decodeBlosc(in, limit)
	case LZ4:
		return decodeLZ4(in, limit)
	case Bitshuffle:
		return decodeBitshuffle(in, s.Params, elemSize, limit)
	case Zstd:
		return decodeZstd(in, limit)
	case Szip:
		return decodeSzip(in, s.Params, limit)
	case Zfp:
		return decodeZfp(in, s.Params, elemSize, limit)
	}
	opt := ""
	if s.Flags&1 != 0 {
		opt = "optional "
	}
	return nil, fmt.Errorf("%w: %sfilter %s has no decoder and was applied to this chunk", ErrUnknownFilter, opt, label(s))
}

func corruptf(format string, a ...any) error {
	return fmt.Errorf("%w: %s", errCorrupt, fmt.Sprintf(format, a...))
}

// Recycle hands a result of Decode back for reuse once the caller has
// copied it out and will not touch it again; chunk is the input that was
// passed to Decode (results that alias it are left alone). Optional: it
// saves allocating and zeroing a chunk-sized buffer per chunk.
func Recycle(out, chunk []byte) {
	if !aliases(out, chunk) {
		putBuf(out)
	}
}

// aliases reports whether a and b share backing memory.
func aliases(a, b []byte) bool {
	if cap(a) == 0 || cap(b) == 0 {
		return false
	}
	a0 := &a[:cap(a)][0]
	b0 := &b[:cap(b)][0]
	ap, bp := uintptr(unsafe.Pointer(a0)), uintptr(unsafe.Pointer(b0))
	return ap < bp+uintptr(cap(b)) && bp < ap+uintptr(cap(a))
}

// bufPool recycles intermediate stage buffers (the inflated bytes that
// unshuffle consumes, for example), the hot path of chunked reads.
var bufPool sync.Pool

func getBuf(n int) []byte {
	if p, ok := bufPool.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]byte, n)
}

func putBuf(b []byte) {
	if cap(b) < 4096 || cap(b) > 64<<20 {
		return
	}
	bufPool.Put(&b)
}
