#!/usr/bin/python3
"""Write hdf5/internal/filter/testdata/chunks.json: raw filtered chunks with
their filter pipelines and the sha256 of the decoded bytes, for the Go
filter package's tests.

Every chunk is written by the HDF5 C library through Debian's h5py (plus
python3-hdf5plugin for bzip2/LZ4/Blosc) and read back raw with
read_direct_chunk; the expected bytes are h5py's own decoded read of the
same chunk. Bitshuffle chunks, which no Debian package writes, are built
here with numpy bit operations and python3-lz4, following the bitshuffle
format description; their expected bytes are the input array.

Run: /usr/bin/python3 testdata/gen/make_filter_chunks.py   (from the repo root)
"""
import base64, hashlib, json, os, sys, tempfile
import numpy as np
import h5py

try:
    import hdf5plugin
except ImportError:
    hdf5plugin = None

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'hdf5', 'internal', 'filter', 'testdata', 'chunks.json')
rng = np.random.default_rng(20261127)


def walk(n, dtype, scale=1.0):
    """Smooth random walk, compressible like real recordings."""
    x = np.cumsum(rng.normal(0, scale, n))
    return x.astype(dtype)


def pipeline(d):
    pl = d.id.get_create_plist()
    out = []
    for i in range(pl.get_nfilters()):
        fid, flags, vals, name = pl.get_filter(i)
        out.append({'id': fid, 'flags': flags, 'params': [int(v) for v in vals],
                    'name': name.decode('ascii', 'replace')})
    return out


cases = []


def add(name, d, chunk_index=0):
    shape = d.chunks
    offs = tuple(c * 0 for c in shape)
    if chunk_index:
        offs = (chunk_index * shape[0],) + offs[1:]
    mask, raw = d.id.read_direct_chunk(offs)
    sl = tuple(slice(o, o + c) for o, c in zip(offs, shape))
    want = np.ascontiguousarray(d[sl]).tobytes()
    cases.append({'name': name, 'filters': pipeline(d), 'elem_size': d.dtype.itemsize,
                  'chunk_bytes': int(np.prod(shape)) * d.dtype.itemsize, 'mask': int(mask),
                  'raw': base64.b64encode(raw).decode(), 'want_sha256': hashlib.sha256(want).hexdigest(),
                  'want_len': len(want)})


def add_raw(name, filters, elem_size, raw, want, mask=0):
    cases.append({'name': name, 'filters': filters, 'elem_size': elem_size, 'chunk_bytes': len(want),
                  'mask': mask, 'raw': base64.b64encode(raw).decode(),
                  'want_sha256': hashlib.sha256(want).hexdigest(), 'want_len': len(want)})


tmp = tempfile.mkdtemp()
f = h5py.File(os.path.join(tmp, 'f.h5'), 'w')

# built-in filters
f.create_dataset('deflate', data=walk(600, '<i4'), chunks=(600,), compression='gzip', compression_opts=4)
add('deflate_i4', f['deflate'])
f.create_dataset('shuf_defl_f8', data=walk(500, '<f8'), chunks=(500,), shuffle=True, compression='gzip')
add('shuffle_deflate_f8', f['shuf_defl_f8'])
f.create_dataset('shuf_i2', data=walk(700, '<i2'), chunks=(700,), shuffle=True, compression='gzip', compression_opts=1)
add('shuffle_deflate_i2', f['shuf_i2'])
f.create_dataset('shuf_c3', data=np.frombuffer(rng.integers(0, 4, 3 * 301, dtype='u1').tobytes(), dtype='S3'),
                 chunks=(301,), shuffle=True, compression='gzip')
add('shuffle_deflate_S3', f['shuf_c3'])
f.create_dataset('fl32', data=walk(333, '<i4'), chunks=(333,), fletcher32=True)
add('fletcher32_i4', f['fl32'])
f.create_dataset('fl32_odd', data=np.arange(77, dtype='u1'), chunks=(77,), fletcher32=True)
add('fletcher32_u1_odd', f['fl32_odd'])
f.create_dataset('sdf', data=walk(400, '>f4'), chunks=(400,), shuffle=True, compression='gzip', fletcher32=True)
add('shuffle_deflate_fletcher32_f4be', f['sdf'])
f.create_dataset('so_i4', data=walk(500, '<i4', 20), chunks=(500,), scaleoffset=0)
add('scaleoffset_i4_auto', f['so_i4'])
f.create_dataset('so_u2', data=(np.arange(300) % 50 + 1000).astype('<u2'), chunks=(300,), scaleoffset=0)
add('scaleoffset_u2_auto', f['so_u2'])
f.create_dataset('so_i2be', data=walk(300, '>i2', 3), chunks=(300,), scaleoffset=0)
add('scaleoffset_i2_bigendian', f['so_i2be'])
f.create_dataset('so_i8', data=(walk(256, '<i8', 1000) + 5_000_000_000), chunks=(256,), scaleoffset=0)
add('scaleoffset_i8', f['so_i8'])
f.create_dataset('so_f4', data=walk(400, '<f4', 0.1), chunks=(400,), scaleoffset=3)
add('scaleoffset_f4_d3', f['so_f4'])
f.create_dataset('so_f8', data=walk(400, '<f8', 0.1), chunks=(400,), scaleoffset=2)
add('scaleoffset_f8_d2', f['so_f8'])
f.create_dataset('so_fill', shape=(300,), dtype='<i4', chunks=(300,), scaleoffset=0, fillvalue=-7)
f['so_fill'][:150] = walk(150, '<i4', 4)
add('scaleoffset_i4_fillvalue', f['so_fill'])
f.create_dataset('so_const', data=np.full(100, 42, '<i4'), chunks=(100,), scaleoffset=0)
add('scaleoffset_i4_constant', f['so_const'])

# n-bit: integer and float types with reduced precision, and a compound
def nbit_dataset(name, tid, data, n):
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((n,))
    dcpl.set_filter(h5py.h5z.FILTER_NBIT, h5py.h5z.FLAG_OPTIONAL, ())
    space = h5py.h5s.create_simple((n,))
    dsid = h5py.h5d.create(f.id, name.encode(), tid, space, dcpl)
    dsid.write(h5py.h5s.ALL, h5py.h5s.ALL, data)
    return f[name]

def add_nbit(name, d, rawfn):
    """n-bit chunks decode to the stored element bytes (value bits at their
    offset, padding zero); h5py returns converted values, so the expected
    bytes are rebuilt from them by rawfn."""
    mask, raw = d.id.read_direct_chunk((0,))
    want = rawfn(d[()])
    cases.append({'name': name, 'filters': pipeline(d), 'elem_size': d.id.get_type().get_size(),
                  'chunk_bytes': d.shape[0] * d.id.get_type().get_size(), 'mask': int(mask),
                  'raw': base64.b64encode(raw).decode(), 'want_sha256': hashlib.sha256(want).hexdigest(),
                  'want_len': len(want)})


t = h5py.h5t.STD_I32LE.copy(); t.set_precision(13); t.set_offset(3)
nbit_dataset('nbit_i4', t, ((np.arange(200) * 37 % 4000) - 2000).astype('<i4'), 200)
add_nbit('nbit_i4_p13_o3', f['nbit_i4'], lambda v: ((v.astype('<i8') & 0x1fff) << 3).astype('<u4').tobytes())
t = h5py.h5t.STD_U16BE.copy(); t.set_precision(7); t.set_offset(2)
nbit_dataset('nbit_u2be', t, (np.arange(150) % 128).astype('<u2'), 150)
add_nbit('nbit_u2be_p7_o2', f['nbit_u2be'], lambda v: ((v.astype('<i8') & 0x7f) << 2).astype('>u2').tobytes())
# compound of a 10-bit integer and a 2-byte string (a no-op member); h5py
# reports at most 16 filter parameters, which this type stays within.
ct = h5py.h5t.create(h5py.h5t.COMPOUND, 4)
mi = h5py.h5t.STD_I16LE.copy(); mi.set_precision(10)
ct.insert(b'a', 0, mi)
st = h5py.h5t.C_S1.copy(); st.set_size(2)
ct.insert(b's', 2, st)
cdata = np.zeros(90, dtype=[('a', '<i2'), ('s', 'S2')])
cdata['a'] = np.arange(90) * 11 - 500
cdata['s'] = [b'%02d' % (i % 100) for i in range(90)]
nbit_dataset('nbit_cmp', ct, cdata, 90)


def cmp_raw(v):
    out = np.zeros(len(v), dtype=[('a', '<u2'), ('s', 'S2')])
    out['a'] = (v['a'].astype('<i8') & 0x3ff).astype('<u2')
    out['s'] = v['s']
    return out.tobytes()


add_nbit('nbit_compound', f['nbit_cmp'], cmp_raw)

# szip (libaec in Debian's HDF5): NN and EC coding, 8-32 bit samples, a
# scanline that is not a whole number of blocks (padding), big-endian
for nm, data, chunks, opts in [
        ('szip_nn_i4', walk(1000, '<i4', 30), (1000,), ('nn', 8)),
        ('szip_ec_i4', walk(1000, '<i4', 30), (1000,), ('ec', 16)),
        ('szip_nn_u2_2d', (walk(700, '<f8', 5) + 3000).astype('<u2').reshape(70, 10), (35, 10), ('nn', 32)),
        ('szip_nn_i2be_pad', walk(130, '>i2', 4).reshape(26, 5), (26, 5), ('nn', 4)),
        ('szip_nn_u1', (walk(900, '<f8', 2) % 256).astype('u1'), (900,), ('nn', 16)),
        ('szip_ec_f8', walk(500, '<f8', 0.5), (500,), ('ec', 8)),
        ('szip_nn_f4_random', rng.normal(0, 1, 512).astype('<f4'), (512,), ('nn', 32)),
        ('szip_zero_runs', np.concatenate([np.zeros(3000, '<i2'), np.arange(100, dtype='<i2'), np.zeros(900, '<i2')]), (4000,), ('nn', 16)),
]:
    try:
        f.create_dataset(nm, data=data, chunks=chunks, compression='szip', compression_opts=opts)
        add(nm, f[nm])
    except Exception as e:
        print('szip skipped:', nm, e, file=sys.stderr)

# third-party filters
f.create_dataset('lzf', data=walk(800, '<f4'), chunks=(800,), compression='lzf')
add('lzf_f4', f['lzf'])
f.create_dataset('lzf_rep', data=np.tile(np.arange(7, dtype='u1'), 300), chunks=(2100,), compression='lzf')
add('lzf_u1_repeats', f['lzf_rep'])
if hdf5plugin is not None:
    f.create_dataset('bz2', data=walk(700, '<i4'), chunks=(700,), **hdf5plugin.BZip2())
    add('bzip2_i4', f['bz2'])
    f.create_dataset('lz4', data=walk(3000, '<i2', 2), chunks=(3000,), **hdf5plugin.LZ4(nbytes=1024))
    add('lz4_i2_blocks1k', f['lz4'])
    f.create_dataset('lz4r', data=rng.integers(0, 255, 600, dtype='u1'), chunks=(600,), **hdf5plugin.LZ4(nbytes=256))
    add('lz4_u1_random_raw_blocks', f['lz4r'])
    for cname in ['blosclz', 'lz4', 'lz4hc', 'snappy', 'zlib', 'zstd']:
        for sh, shn in [(0, 'noshuffle'), (1, 'shuffle'), (2, 'bitshuffle')]:
            for dt, n in [('<i4', 1001), ('<f8', 300), ('<i2', 1500)]:
                nm = 'blosc_%s_%s_%s' % (cname, shn, np.dtype(dt).str[1:])
                data = np.round(walk(n, '<f8', 0.6)).astype(dt)
                f.create_dataset(nm, data=data, chunks=(n,), **hdf5plugin.Blosc(cname=cname, clevel=5, shuffle=sh))
                add(nm, f[nm])
    f.create_dataset('blosc_big', data=(np.arange(40003) // 500).astype('<i4'), chunks=(40003,), **hdf5plugin.Blosc(cname='blosclz', clevel=1, shuffle=1))
    add('blosc_blosclz_multiblock_i4', f['blosc_big'])
    f.create_dataset('blosc_c0', data=walk(500, '<i4'), chunks=(500,), **hdf5plugin.Blosc(cname='lz4', clevel=0, shuffle=1))
    add('blosc_clevel0_memcpyed', f['blosc_c0'])

# optional filter that could not compress: the chunk is stored unfiltered
# and the mask records it
f.create_dataset('lzf_incompressible', data=rng.integers(0, 255, 512, dtype='u1'), chunks=(512,), compression='lzf')
add('lzf_skipped_by_mask', f['lzf_incompressible'])
f.close()


# bitshuffle (filter 32008): bit transpose per block, then LZ4 per block
def bitshuffle_block(a):
    """a: (n,) array, n % 8 == 0 -> bytes in [byte j][bit b][n/8] order."""
    n, s = a.shape[0], a.dtype.itemsize
    b = np.frombuffer(a.tobytes(), dtype='u1').reshape(n, s)
    bits = np.unpackbits(b, axis=1, bitorder='little').reshape(n, s, 8)
    t = np.ascontiguousarray(bits.transpose(1, 2, 0))
    return np.packbits(t, axis=2, bitorder='little').tobytes()


def bitshuffle(a, block):
    out, i, n = [], 0, a.shape[0]
    while i + block <= n:
        out.append(bitshuffle_block(a[i:i + block])); i += block
    last = (n - i) // 8 * 8
    if last:
        out.append(bitshuffle_block(a[i:i + last])); i += last
    return out, a[i:].tobytes()


def bshuf_filter(elem, block, comp):
    return [{'id': 32008, 'flags': 0, 'params': [0, 3, elem, block, comp], 'name': 'bitshuffle'}]


try:
    import lz4.block as lz4block
except ImportError:
    lz4block = None
for dt, n, block in [('<i4', 1000, 0), ('<f8', 203, 64), ('<u2', 2051, 1024), ('u1', 37, 8)]:
    a = walk(n, dt, 3) if dt != 'u1' else np.arange(n, dtype='u1')
    s = np.dtype(dt).itemsize
    bs = block or max((8192 // s) // 8 * 8, 128)
    blocks, tail = bitshuffle(a, bs)
    add_raw('bitshuffle_none_%s_b%d' % (np.dtype(dt).str[1:], block), bshuf_filter(s, block, 0), s,
            b''.join(blocks) + tail, a.tobytes())
    if lz4block is not None:
        body = b''
        for blk in blocks:
            c = lz4block.compress(blk, store_size=False)
            body += len(c).to_bytes(4, 'big') + c
        raw = len(a.tobytes()).to_bytes(8, 'big') + (bs * s).to_bytes(4, 'big') + body + tail
        add_raw('bitshuffle_lz4_%s_b%d' % (np.dtype(dt).str[1:], block), bshuf_filter(s, block, 2), s, raw, a.tobytes())

os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as fh:
    fh.write('[\n' + ',\n'.join(json.dumps(c, sort_keys=True) for c in cases) + '\n]\n')
print('wrote %d cases to %s (%d bytes)' % (len(cases), OUT, os.path.getsize(OUT)))
