package filter

import (
	"encoding/binary"

	"github.com/klauspost/compress/s2"
)

// Blosc1 frame flags (header byte 2).
const (
	bloscShuffle    = 0x01
	bloscMemcpyed   = 0x02
	bloscBitShuffle = 0x04
	bloscNoSplit    = 0x10
	bloscMaxSplits  = 16
	bloscMinBuffer  = 128
)

// decodeBlosc decodes one Blosc1 frame (filter 32001): a 16-byte header
// (version, compressor version, flags, typesize, then LE u32 nbytes,
// blocksize and cbytes), then unless memcpyed one LE u32 start offset per
// block; each block is one stream, or typesize streams ("split") when the
// no-split flag is clear, each stream an LE u32 size and data stored raw
// when that size equals the stream's decoded size. Blocks are then
// byte- or bit-unshuffled.
func decodeBlosc(in []byte, limit int) ([]byte, error) {
	if len(in) < 16 {
		return nil, corruptf("blosc header needs 16 bytes, have %d", len(in))
	}
	version, flags, typesize := in[0], in[2], int(in[3])
	nbytes := int64(binary.LittleEndian.Uint32(in[4:]))
	blocksize := int64(binary.LittleEndian.Uint32(in[8:]))
	cbytes := int64(binary.LittleEndian.Uint32(in[12:]))
	if version > 2 {
		return nil, corruptf("blosc format version %d is not Blosc1 (Blosc2 frames use filter 32026)", version)
	}
	if nbytes > int64(limit) {
		return nil, corruptf("blosc decoded size %d exceeds the %d-byte limit", nbytes, limit)
	}
	if cbytes > int64(len(in)) || cbytes < 16 {
		return nil, corruptf("blosc compressed size %d does not fit the %d-byte chunk", cbytes, len(in))
	}
	in = in[:cbytes]
	if typesize == 0 {
		typesize = 1
	}
	out := make([]byte, nbytes)
	if nbytes == 0 {
		return out, nil
	}
	if flags&bloscMemcpyed != 0 {
		if int64(len(in)-16) < nbytes {
			return nil, corruptf("blosc memcpyed frame truncated")
		}
		copy(out, in[16:16+nbytes])
		return out, nil
	}
	if blocksize <= 0 || blocksize > nbytes {
		if blocksize <= 0 {
			return nil, corruptf("blosc block size %d invalid", blocksize)
		}
		blocksize = nbytes
	}
	nblocks := (nbytes + blocksize - 1) / blocksize
	if 16+4*nblocks > int64(len(in)) {
		return nil, corruptf("blosc block offsets truncated")
	}
	comp := flags >> 5
	tmp := make([]byte, blocksize)
	for b := int64(0); b < nblocks; b++ {
		bsize := min(blocksize, nbytes-b*blocksize)
		leftover := bsize < blocksize
		start := int64(binary.LittleEndian.Uint32(in[16+4*b:]))
		if start < 16+4*nblocks || start > int64(len(in)) {
			return nil, corruptf("blosc block %d starts at %d outside the frame", b, start)
		}
		nsplits := int64(1)
		if flags&bloscNoSplit == 0 && typesize <= bloscMaxSplits && blocksize/int64(typesize) >= bloscMinBuffer && !leftover {
			nsplits = int64(typesize)
		}
		if bsize%nsplits != 0 {
			nsplits = 1
		}
		neblock := bsize / nsplits
		dst := tmp[:bsize]
		src := in[start:]
		for s := int64(0); s < nsplits; s++ {
			if len(src) < 4 {
				return nil, corruptf("blosc stream header truncated in block %d", b)
			}
			cs := int64(int32(binary.LittleEndian.Uint32(src)))
			src = src[4:]
			part := dst[s*neblock : (s+1)*neblock]
			switch {
			case cs == 0: // Blosc2-style run of zeros
				clear(part)
				continue
			case cs < 0 || cs > int64(len(src)):
				return nil, corruptf("blosc stream of %d bytes overruns block %d", cs, b)
			case cs == neblock:
				copy(part, src[:cs])
			default:
				if err := bloscStream(comp, part, src[:cs]); err != nil {
					return nil, err
				}
			}
			src = src[cs:]
		}
		o := out[b*blocksize : b*blocksize+bsize]
		switch {
		case flags&bloscShuffle != 0 && flags&bloscBitShuffle != 0:
			return nil, corruptf("blosc extended (Blosc2) header not supported")
		case flags&bloscShuffle != 0 && typesize > 1:
			u := unshuffle(dst, typesize)
			copy(o, u)
			putBuf(u)
		case flags&bloscBitShuffle != 0 && typesize >= 1:
			// The whole block is one bit-transpose of its elements rounded
			// down to a multiple of 8; frame version 2 stored blocks with a
			// ragged element count untransposed.
			n := int(bsize) / typesize
			n8 := n / 8 * 8
			if version <= 2 && n != n8 {
				n8 = 0
			}
			if n8 > 0 {
				bitunshuffleBlock(o, dst, n8, typesize)
			}
			copy(o[n8*typesize:], dst[n8*typesize:])
		default:
			copy(o, dst)
		}
	}
	return out, nil
}

func bloscStream(comp byte, dst, src []byte) error {
	switch comp {
	case 0:
		return blosclz(dst, src)
	case 1:
		return lz4Block(dst, src)
	case 2:
		n, err := s2.DecodedLen(src)
		if err != nil || n != len(dst) {
			return corruptf("blosc snappy stream of %d bytes, want %d (%v)", n, len(dst), err)
		}
		if _, err := s2.Decode(dst, src); err != nil {
			return corruptf("blosc snappy stream: %v", err)
		}
		return nil
	case 3:
		out, err := inflate(src, len(dst))
		if err != nil {
			return err
		}
		if len(out) != len(dst) {
			return corruptf("blosc zlib stream decoded to %d bytes, want %d", len(out), len(dst))
		}
		copy(dst, out)
		return nil
	case 4:
		return zstdBlock(dst, src)
	}
	return corruptf("blosc compressor code %d unknown", comp)
}

// blosclz decodes one BloscLZ stream (a FastLZ level-1 variant) of exactly
// len(dst) bytes. Control byte c: c < 32 starts a run of c+1 literals;
// otherwise a match of length (c>>5)+2 (7 extends with bytes until one is
// not 255) at distance ((c&31)<<8)+next+1, and when the low byte is 255
// and the high bits are 31, a 16-bit far distance follows (+8191).
func blosclz(dst, src []byte) error {
	if len(src) == 0 {
		return corruptf("blosclz empty stream")
	}
	op, ip := 0, 0
	ctrl := int(src[ip] & 31)
	ip++
	for {
		if ctrl >= 32 {
			ln := (ctrl >> 5) - 1
			ofs := (ctrl & 31) << 8
			if ln == 6 {
				for {
					if ip >= len(src) {
						return corruptf("blosclz truncated length")
					}
					c := int(src[ip])
					ip++
					ln += c
					if c != 255 {
						break
					}
					if ln > len(dst) {
						return corruptf("blosclz match longer than output")
					}
				}
			}
			if ip >= len(src) {
				return corruptf("blosclz truncated distance")
			}
			code := int(src[ip])
			ip++
			dist := ofs + code
			if code == 255 && ofs == 31<<8 {
				if ip+2 > len(src) {
					return corruptf("blosclz truncated far distance")
				}
				dist = int(src[ip])<<8 + int(src[ip+1]) + 8191
				ip += 2
			}
			dist++
			ln += 3
			if op+ln > len(dst) || dist > op {
				return corruptf("blosclz match (length %d, distance %d) outside the %d-byte block at %d", ln, dist, len(dst), op)
			}
			if dist >= ln {
				copy(dst[op:op+ln], dst[op-dist:op-dist+ln])
			} else {
				for k := 0; k < ln; k++ {
					dst[op+k] = dst[op-dist+k]
				}
			}
			op += ln
		} else {
			n := ctrl + 1
			if op+n > len(dst) || ip+n > len(src) {
				return corruptf("blosclz literal run of %d bytes overruns", n)
			}
			copy(dst[op:], src[ip:ip+n])
			op += n
			ip += n
		}
		if ip >= len(src) {
			break
		}
		ctrl = int(src[ip])
		ip++
	}
	if op != len(dst) {
		return corruptf("blosclz stream decoded to %d bytes, want %d", op, len(dst))
	}
	return nil
}
