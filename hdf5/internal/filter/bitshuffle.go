package filter

import (
	"encoding/binary"
)

// Bitshuffle constants from the bitshuffle format: blocks hold a multiple
// of 8 elements; the default block targets 8 KiB.
const (
	bshufBlockedMult = 8
	bshufTargetBlock = 8192
	bshufMinBlock    = 128
)

func bshufDefaultBlock(elemSize int) int {
	b := bshufTargetBlock / elemSize
	b = b / bshufBlockedMult * bshufBlockedMult
	return max(b, bshufMinBlock)
}

// bitunshuffleBlock undoes the bit transpose of one block of n elements
// (n a multiple of 8) of size bytes: the input is size*8 rows of n bits,
// row (j*8+b) holding bit b of byte j of every element, least significant
// bit first within each byte.
func bitunshuffleBlock(dst, src []byte, n, size int) {
	rowBytes := n / 8
	clear(dst[:n*size])
	for j := 0; j < size; j++ {
		for b := 0; b < 8; b++ {
			row := src[(j*8+b)*rowBytes : (j*8+b+1)*rowBytes]
			bit := byte(1) << b
			for k, x := range row {
				if x == 0 {
					continue
				}
				base := k*8*size + j
				for t := 0; t < 8; t++ {
					if x&(1<<t) != 0 {
						dst[base+t*size] |= bit
					}
				}
			}
		}
	}
}

// bitunshuffle undoes bitshuffle over a whole buffer of n elements in
// blocks of blockSize elements; the last block is rounded down to a
// multiple of 8 and the remaining elements are stored as is.
func bitunshuffle(dst, src []byte, n, size, blockSize int) {
	done := 0
	for done+blockSize <= n {
		o := done * size
		bitunshuffleBlock(dst[o:], src[o:o+blockSize*size], blockSize, size)
		done += blockSize
	}
	last := (n - done) / bshufBlockedMult * bshufBlockedMult
	if last > 0 {
		o := done * size
		bitunshuffleBlock(dst[o:], src[o:o+last*size], last, size)
		done += last
	}
	copy(dst[done*size:n*size], src[done*size:n*size])
}

// decodeBitshuffle undoes the bitshuffle HDF5 filter (32008). Parameters:
// [0,1] bitshuffle version, [2] element size, [3] block size in elements
// (0 = default), [4] compression (0 none, 2 LZ4, 3 zstd). Compressed
// chunks start with the big-endian u64 decoded size and u32 block size in
// bytes, followed per block by a big-endian u32 length and the compressed
// bit-shuffled block; trailing elements that do not fill 8 are raw.
func decodeBitshuffle(in []byte, p []uint32, elemSize, limit int) ([]byte, error) {
	size := elemSize
	if len(p) > 2 && p[2] > 0 {
		size = int(p[2])
	}
	if size <= 0 || size > 1<<16 {
		return nil, corruptf("bitshuffle element size %d invalid", size)
	}
	blockSize := 0
	if len(p) > 3 {
		blockSize = int(p[3])
	}
	comp := uint32(0)
	if len(p) > 4 {
		comp = p[4]
	}
	if comp != 2 && comp != 3 {
		if comp != 0 {
			return nil, corruptf("bitshuffle compression %d unknown", comp)
		}
		if len(in)%size != 0 || len(in) > limit {
			return nil, corruptf("bitshuffle chunk of %d bytes is not whole %d-byte elements within the limit", len(in), size)
		}
		if blockSize == 0 {
			blockSize = bshufDefaultBlock(size)
		}
		if blockSize%bshufBlockedMult != 0 || blockSize <= 0 {
			return nil, corruptf("bitshuffle block size %d is not a multiple of 8", blockSize)
		}
		out := make([]byte, len(in))
		bitunshuffle(out, in, len(in)/size, size, blockSize)
		return out, nil
	}
	if len(in) < 12 {
		return nil, corruptf("bitshuffle header needs 12 bytes, have %d", len(in))
	}
	total := binary.BigEndian.Uint64(in)
	bsBytes := int(binary.BigEndian.Uint32(in[8:]))
	if total > uint64(limit) {
		return nil, corruptf("bitshuffle decoded size %d exceeds the %d-byte limit", total, limit)
	}
	if total%uint64(size) != 0 {
		return nil, corruptf("bitshuffle decoded size %d is not whole %d-byte elements", total, size)
	}
	if bsBytes%size != 0 || bsBytes <= 0 {
		return nil, corruptf("bitshuffle block of %d bytes is not whole elements", bsBytes)
	}
	blockSize = bsBytes / size
	if blockSize%bshufBlockedMult != 0 {
		return nil, corruptf("bitshuffle block size %d is not a multiple of 8", blockSize)
	}
	n := int(total) / size
	out := make([]byte, total)
	tmp := make([]byte, min(blockSize, n)*size)
	p0 := 12
	done := 0
	for done < n {
		cnt := blockSize
		if n-done < blockSize {
			cnt = (n - done) / bshufBlockedMult * bshufBlockedMult
			if cnt == 0 {
				break
			}
		}
		if len(in)-p0 < 4 {
			return nil, corruptf("bitshuffle block header truncated at byte %d", p0)
		}
		c := int(binary.BigEndian.Uint32(in[p0:]))
		p0 += 4
		if c < 0 || c > len(in)-p0 {
			return nil, corruptf("bitshuffle block of %d bytes at byte %d overruns the %d-byte chunk", c, p0, len(in))
		}
		blk := tmp[:cnt*size]
		var err error
		if comp == 2 {
			err = lz4Block(blk, in[p0:p0+c])
		} else {
			err = zstdBlock(blk, in[p0:p0+c])
		}
		if err != nil {
			return nil, err
		}
		bitunshuffleBlock(out[done*size:], blk, cnt, size)
		p0 += c
		done += cnt
	}
	rest := (n - done) * size
	if len(in)-p0 < rest {
		return nil, corruptf("bitshuffle trailing %d bytes missing", rest)
	}
	copy(out[done*size:], in[p0:p0+rest])
	return out, nil
}
