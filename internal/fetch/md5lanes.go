package fetch

import (
	"crypto/md5"
	"hash"
	"sync"

	md5simd "github.com/minio/md5-simd"
)

// md5Lanes hands out MD5 hashers for dandi-etag parts. With AVX2 or
// AVX-512 the hashers are lanes of one multi-buffer server
// (github.com/minio/md5-simd): the parts downloading at the same time,
// across all files of a Fetch, are hashed together, 8 or 16 per vector
// instruction, at about a third of the CPU time of crypto/md5 per byte.
// Without those instructions md5-simd itself falls back to crypto/md5.
// A nil *md5Lanes, or one built with simd false, uses crypto/md5.
type md5Lanes struct {
	simd  bool
	once  sync.Once
	srv   md5simd.Server
	users sync.WaitGroup
}

// useMD5Lanes switches the multi-buffer hashers on (tests compare both).
var useMD5Lanes = true

// laneParts is the number of dandi-etag parts of a file fetched at once
// when they are hashed in lanes (Fetcher.PartJobs unset), and the lead, in
// parts, that they may run ahead of a whole-file digest follower.
var laneParts = 16 // md5-simd lanes with AVX-512 (8 per AVX2 core, two cores used)

func newMD5Lanes(simd bool) *md5Lanes { return &md5Lanes{simd: simd} }

// enabled reports whether get returns lanes of the multi-buffer server.
func (l *md5Lanes) enabled() bool { return l != nil && l.simd }

// partHasher is an MD5 hash with a Close that releases its lane.
type partHasher interface {
	hash.Hash
	Close()
}

type stdMD5 struct{ hash.Hash }

func (stdMD5) Close() {}

// get returns a hasher; the caller must Close it.
func (l *md5Lanes) get() partHasher {
	if l == nil || !l.simd {
		return stdMD5{md5.New()}
	}
	l.once.Do(func() { l.srv = md5simd.NewServer() })
	l.users.Add(1)
	return &laneHasher{Hasher: l.srv.NewHash(), done: l.users.Done}
}

type laneHasher struct {
	md5simd.Hasher
	done   func()
	closed bool
}

func (h *laneHasher) Close() {
	if !h.closed {
		h.closed = true
		h.Hasher.Close()
		h.done()
	}
}

// close stops the server once every hasher has been closed (a server
// closed under a hasher would leave its writes blocked).
func (l *md5Lanes) close() {
	if l == nil || l.srv == nil {
		return
	}
	l.users.Wait()
	l.srv.Close()
}
