package filter

import (
	"bytes"
	"compress/bzip2"
	"encoding/binary"
	"errors"
	"io"
	"sync"

	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// readBounded reads r to EOF into a buffer of at most limit bytes; more
// data is an error. hint sizes the first allocation.
func readBounded(r io.Reader, hint, limit int) ([]byte, error) {
	if hint > limit || hint <= 0 {
		hint = limit
	}
	out := getBuf(hint)
	n, stalls := 0, 0
	for {
		if n == len(out) {
			if len(out) >= limit {
				var one [1]byte
				m, err := io.ReadFull(r, one[:])
				if m > 0 {
					return nil, corruptf("decoded data exceeds the %d-byte limit", limit)
				}
				if err == io.EOF || err == io.ErrUnexpectedEOF {
					return out[:n], nil
				}
				return nil, err
			}
			grow := min(max(2*len(out), 4096), limit)
			nb := make([]byte, grow)
			copy(nb, out[:n])
			out = nb
		}
		m, err := r.Read(out[n:])
		n += m
		if m == 0 && err == nil {
			stalls++
			if stalls > 100 {
				return nil, io.ErrNoProgress
			}
		}
		if err == io.EOF {
			return out[:n], nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// zlibReader is a pooled, resettable zlib decompressor.
type zlibReader struct {
	src bytes.Reader
	zr  io.ReadCloser
}

var zlibPool sync.Pool

// inflate decodes a zlib stream of at most limit bytes: first with the
// whole-buffer decoder (inflate.go), and if that rejects the stream, with
// klauspost/compress's zlib reader, whose verdict then stands.
func inflate(in []byte, limit int) ([]byte, error) {
	out := getBuf(limit)
	if n, err := zlibInflate(out, in); err == nil {
		return out[:n], nil
	}
	putBuf(out)
	return inflateStream(in, limit)
}

// inflateStream is the klauspost/compress zlib path, with pooled readers.
func inflateStream(in []byte, limit int) ([]byte, error) {
	z, _ := zlibPool.Get().(*zlibReader)
	if z == nil {
		z = &zlibReader{}
	}
	z.src.Reset(in)
	var err error
	if z.zr == nil {
		z.zr, err = zlib.NewReader(&z.src)
	} else {
		err = z.zr.(zlib.Resetter).Reset(&z.src, nil)
	}
	if err != nil {
		z.zr = nil
		return nil, err
	}
	out, err := readBounded(z.zr, limit, limit)
	if err == nil {
		zlibPool.Put(z)
	}
	return out, err
}

func decodeBzip2(in []byte, limit int) ([]byte, error) {
	return readBounded(bzip2.NewReader(bytes.NewReader(in)), min(limit, 4*len(in)+1024), limit)
}

var zstdPool = sync.Pool{New: func() any {
	d, err := zstd.NewReader(nil, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(false))
	if err != nil {
		return nil
	}
	return d
}}

// decodeZstd decodes zstd frames. When the frame declares its content size
// (the HDF5 zstd filter always does), one DecodeAll into an exactly sized
// buffer; otherwise a bounded streaming read.
func decodeZstd(in []byte, limit int) ([]byte, error) {
	d, _ := zstdPool.Get().(*zstd.Decoder)
	if d == nil {
		return nil, errors.New("cannot create zstd decoder")
	}
	defer zstdPool.Put(d)
	var h zstd.Header
	if err := h.Decode(in); err != nil {
		return nil, err
	}
	if h.HasFCS && h.FrameContentSize <= uint64(limit) && !h.Skippable {
		out, err := d.DecodeAll(in, make([]byte, 0, int(h.FrameContentSize)))
		if err != nil {
			return nil, err
		}
		if len(out) > limit {
			return nil, corruptf("zstd output exceeds the %d-byte limit", limit)
		}
		return out, nil
	}
	if h.HasFCS && h.FrameContentSize > uint64(limit) {
		return nil, corruptf("zstd frame declares %d bytes, more than the %d-byte limit", h.FrameContentSize, limit)
	}
	if err := d.Reset(bytes.NewReader(in)); err != nil {
		return nil, err
	}
	defer d.Reset(nil)
	return readBounded(d, min(limit, 4*len(in)+1024), limit)
}

// zstdBlock decodes one zstd frame of exactly want bytes (bitshuffle, blosc).
func zstdBlock(dst, in []byte) error {
	out, err := decodeZstd(in, len(dst))
	if err != nil {
		return err
	}
	if len(out) != len(dst) {
		return corruptf("zstd block decoded to %d bytes, want %d", len(out), len(dst))
	}
	copy(dst, out)
	return nil
}

// lz4Block decodes one raw LZ4 block of exactly len(dst) bytes.
func lz4Block(dst, in []byte) error {
	n, err := lz4.UncompressBlock(in, dst)
	if err != nil {
		return corruptf("lz4 block: %v", err)
	}
	if n != len(dst) {
		return corruptf("lz4 block decoded to %d bytes, want %d", n, len(dst))
	}
	return nil
}

// decodeLZ4 undoes the HDF5 LZ4 filter (32004): a big-endian u64 original
// size and u32 block size, then per block a big-endian u32 compressed size
// and the block; a block whose compressed size equals its original size is
// stored raw.
func decodeLZ4(in []byte, limit int) ([]byte, error) {
	if len(in) < 12 {
		return nil, corruptf("lz4 header needs 12 bytes, have %d", len(in))
	}
	orig := binary.BigEndian.Uint64(in)
	bs := uint64(binary.BigEndian.Uint32(in[8:]))
	if orig > uint64(limit) {
		return nil, corruptf("lz4 original size %d exceeds the %d-byte limit", orig, limit)
	}
	if bs == 0 || bs > orig {
		bs = orig
	}
	out := make([]byte, orig)
	p := 12
	for o := uint64(0); o < orig; {
		n := min(bs, orig-o)
		if len(in)-p < 4 {
			return nil, corruptf("lz4 block header truncated at byte %d", p)
		}
		c := uint64(binary.BigEndian.Uint32(in[p:]))
		p += 4
		if c > uint64(len(in)-p) {
			return nil, corruptf("lz4 block of %d bytes at byte %d overruns the %d-byte chunk", c, p, len(in))
		}
		src := in[p : p+int(c)]
		if c == n {
			copy(out[o:o+n], src)
		} else if err := lz4Block(out[o:o+n], src); err != nil {
			return nil, err
		}
		p += int(c)
		o += n
	}
	return out, nil
}

// decodeLZF decodes a raw LZF stream (h5py's filter 32000 stores no header).
func decodeLZF(in []byte, limit int) ([]byte, error) {
	out := make([]byte, 0, min(limit, max(4*len(in), 64)))
	ip := 0
	for ip < len(in) {
		ctrl := int(in[ip])
		ip++
		if ctrl < 32 {
			n := ctrl + 1
			if ip+n > len(in) {
				return nil, corruptf("lzf literal run of %d bytes overruns input at byte %d", n, ip)
			}
			if len(out)+n > limit {
				return nil, corruptf("lzf output exceeds the %d-byte limit", limit)
			}
			out = append(out, in[ip:ip+n]...)
			ip += n
			continue
		}
		n := ctrl >> 5
		if n == 7 {
			if ip >= len(in) {
				return nil, corruptf("lzf truncated length at byte %d", ip)
			}
			n += int(in[ip])
			ip++
		}
		if ip >= len(in) {
			return nil, corruptf("lzf truncated back reference at byte %d", ip)
		}
		dist := (ctrl&0x1f)<<8 + int(in[ip]) + 1
		ip++
		n += 2
		if dist > len(out) {
			return nil, corruptf("lzf back reference %d before start of output", dist)
		}
		if len(out)+n > limit {
			return nil, corruptf("lzf output exceeds the %d-byte limit", limit)
		}
		appendMatch(&out, dist, n)
	}
	return out, nil
}

// appendMatch appends n bytes copied from dist bytes back (may overlap).
func appendMatch(out *[]byte, dist, n int) {
	o := *out
	start := len(o) - dist
	if dist >= n {
		o = append(o, o[start:start+n]...)
	} else {
		for i := 0; i < n; i++ {
			o = append(o, o[start+i])
		}
	}
	*out = o
}
