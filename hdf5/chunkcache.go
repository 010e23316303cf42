package hdf5

import (
	"container/list"
	"sync"
)

// DefaultChunkCache is the default size, in bytes, of the per-file cache of
// decoded chunks (see WithChunkCache).
const DefaultChunkCache = 32 << 20

// WithChunkCache sets the size in bytes of the per-file cache of decoded
// (filtered) chunks used by small hyperslab reads, so that reading a
// compressed dataset a few rows at a time does not decode the same chunk
// again for every read. 0 disables it; the default is DefaultChunkCache.
// Whole-dataset reads bypass the cache.
func WithChunkCache(bytes int64) Option {
	return func(o *options) { o.chunkCache = bytes; o.chunkCacheSet = true }
}

// maxCachedReadChunks: reads touching more chunks than this bypass the cache.
const maxCachedReadChunks = 8

type chunkCacheKey struct {
	ds  uint64 // dataset object header address
	key uint64 // chunk key
}

type chunkCacheEntry struct {
	k    chunkCacheKey
	data []byte
}

// chunkCache is a byte-bounded LRU of decoded chunks, safe for concurrent use.
type chunkCache struct {
	mu    sync.Mutex
	max   int64
	size  int64
	lru   *list.List
	items map[chunkCacheKey]*list.Element
}

func newChunkCache(max int64) *chunkCache {
	if max <= 0 {
		return nil
	}
	return &chunkCache{max: max, lru: list.New(), items: map[chunkCacheKey]*list.Element{}}
}

func (c *chunkCache) get(k chunkCacheKey) []byte {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.items[k]; ok {
		c.lru.MoveToFront(e)
		return e.Value.(*chunkCacheEntry).data
	}
	return nil
}

// put stores data (which must not be modified afterwards).
func (c *chunkCache) put(k chunkCacheKey, data []byte) {
	if c == nil || int64(cap(data)) > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; ok {
		return
	}
	c.items[k] = c.lru.PushFront(&chunkCacheEntry{k: k, data: data})
	c.size += int64(cap(data))
	for c.size > c.max {
		e := c.lru.Back()
		ent := e.Value.(*chunkCacheEntry)
		c.lru.Remove(e)
		delete(c.items, ent.k)
		c.size -= int64(cap(ent.data))
	}
}
