#!/usr/bin/python3
"""Write the small HDF5 files of testdata/hdf5 that exercise every reader
feature of issue 2, and their ground-truth JSON.

Run from anywhere with Debian's python3-h5py (and python3-hdf5plugin for
the Blosc/LZ4/bzip2 file):
    /usr/bin/python3 testdata/gen/make_testdata.py
The files are deterministic in content (fixed seeds); HDF5 may still vary
a few bytes between library versions. Expected JSON is written by
../shared/corpus/expected_format.py (the corpus ground-truth script) into
testdata/hdf5/expected when ../shared exists; the JSON is committed so the
tests run without ../shared.

Not covered here, because h5py cannot write it: 4-byte offsets/lengths
(the corpus has such files), superblock v1, VMS floats, new-style (1.12)
references (Debian's HDF5 is 1.10), szip.
"""
import os, shutil, struct, subprocess, sys
import numpy as np
import h5py

try:
    import hdf5plugin
except ImportError:
    hdf5plugin = None

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, '..', 'hdf5'))
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', '..', 'shared', 'corpus', 'expected_format.py'))
rng = np.random.default_rng(2026)
EXTRA = {}  # file -> dataset path -> sha256 for datasets h5py cannot read


def path(name):
    return os.path.join(OUT, name)


def walk(n, dtype='<f4', scale=1.0):
    return np.cumsum(rng.normal(0, scale, n)).astype(dtype)


def fixed_str(size, cset, pad):
    t = h5py.h5t.C_S1.copy()
    t.set_size(size)
    t.set_cset(cset)
    t.set_strpad(pad)
    return t


def lowlevel_dataset(parent, name, tid, data, shape=None):
    shape = shape if shape is not None else np.shape(data)
    space = h5py.h5s.create_simple(shape) if shape != () else h5py.h5s.create(h5py.h5s.SCALAR)
    ds = h5py.h5d.create(parent.id, name.encode(), tid, space)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, np.ascontiguousarray(data), mtype=tid)
    return parent[name]


def types_file(name, libver):
    """Every datatype of the issue, attributes of each kind, links,
    references, committed types and the contiguous/compact layouts."""
    f = h5py.File(path(name), 'w', libver=libver)
    f.attrs['title'] = 'neurodata testdata: datatypes'
    f.attrs['version'] = np.int32(3)
    f.attrs['empty'] = h5py.Empty('f8')
    f.attrs['floats'] = np.array([1.5, -2.25, np.nan, np.inf], '<f8')
    f.attrs['fixed_utf8'] = np.array('héllo'.encode('utf-8'), dtype=h5py.string_dtype('utf-8', 8))
    f.attrs['vlen_list'] = np.array(['a', 'bc', ''], dtype=h5py.string_dtype())
    f.attrs['matrix'] = np.arange(6, dtype='>i2').reshape(2, 3)
    ints = f.create_group('ints')
    for dt in ['i1', 'u1', '<i2', '>i2', '<u2', '>u2', '<i4', '>i4', '<u4', '>u4', '<i8', '>i8', '<u8', '>u8']:
        info = np.iinfo(dt)
        data = np.array([info.min, -1 if info.min < 0 else 1, 0, 7, info.max], dtype=dt)
        ints.create_dataset(np.dtype(dt).str.replace('|', '').replace('<', 'le_').replace('>', 'be_'), data=data)
    floats = f.create_group('floats')
    for dt in ['<f2', '>f2', '<f4', '>f4', '<f8', '>f8']:
        data = np.array([0.0, -1.5, 3.25, np.inf, -np.inf, np.nan, 65504.0 if dt[-1] == '2' else 1e30], dtype=dt)
        floats.create_dataset(dt.replace('<', 'le_').replace('>', 'be_'), data=data)
    floats.create_dataset('longdouble', data=np.array([1.0, -2.5, 1e-300], dtype=np.longdouble))
    strs = f.create_group('strings')
    strs.create_dataset('vlen_ascii', data=np.array([b'alpha', b'', b'gamma delta'], dtype=h5py.string_dtype('ascii')))
    strs.create_dataset('vlen_utf8', data=np.array(['naïve', 'Ωmega', ''], dtype=h5py.string_dtype('utf-8')))
    strs.create_dataset('vlen_scalar', data='a scalar vlen string', dtype=h5py.string_dtype())
    for pad, pn in [(h5py.h5t.STR_NULLTERM, 'nullterm'), (h5py.h5t.STR_NULLPAD, 'nullpad'), (h5py.h5t.STR_SPACEPAD, 'spacepad')]:
        for cset, cn in [(h5py.h5t.CSET_ASCII, 'ascii'), (h5py.h5t.CSET_UTF8, 'utf8')]:
            words = [b'ab', b'abcdef', b'', b'xyz']
            if pad == h5py.h5t.STR_SPACEPAD:
                data = np.array([w.ljust(6, b' ') for w in words], dtype='S6')
            else:
                data = np.array(words, dtype='S6')
            lowlevel_dataset(strs, 'fixed_%s_%s' % (pn, cn), fixed_str(6, cset, pad), data)
    other = f.create_group('other')
    bt = h5py.h5t.STD_B16LE.copy()
    lowlevel_dataset(other, 'bitfield16', bt, np.array([1, 0x8000, 0xffff], '<u2'))
    other.create_dataset('opaque', data=np.array([b'\x01\x02\x03\x04', b'\xff\x00\xfe\x01'], dtype='V4'))
    other.create_dataset('bool', data=np.array([True, False, True]))
    et = h5py.enum_dtype({'RED': 0, 'GREEN': 1, 'BLUE': 42}, basetype='i1')
    other.create_dataset('enum', data=np.array([0, 42, 1, 1], dtype=et))
    other.create_dataset('enum_be', data=np.array([3, 1000], dtype=h5py.enum_dtype({'LOW': 3, 'HIGH': 1000}, basetype='>u2')))
    arr = other.create_dataset('array', shape=(4,), dtype=np.dtype(('<f4', (2, 3))))
    arr[...] = np.arange(24, dtype='<f4').reshape(4, 2, 3)
    inner = np.dtype([('x', '<f4'), ('y', '>i2')])
    comp = np.dtype([('id', '<u4'), ('pos', inner), ('name', 'S5'), ('vals', '<f8', (3,))])
    cdata = np.zeros(3, comp)
    cdata['id'] = [1, 2, 3]
    cdata['pos']['x'] = [0.5, 1.5, 2.5]
    cdata['pos']['y'] = [-1, -2, -3]
    cdata['name'] = [b'one', b'two', b'three']
    cdata['vals'] = np.arange(9).reshape(3, 3) / 4
    other.create_dataset('compound_nested', data=cdata)
    cv = np.dtype([('label', h5py.string_dtype()), ('count', '<i8')])
    other.create_dataset('compound_vlen', data=np.array([('a', 1), ('bee', 2)], dtype=cv))
    vl = other.create_dataset('vlen_int', shape=(3,), dtype=h5py.vlen_dtype('<i4'))
    vl[0] = [1, 2, 3]
    vl[1] = []
    vl[2] = np.arange(10)
    vf = other.create_dataset('vlen_f8', shape=(2,), dtype=h5py.vlen_dtype('>f8'))
    vf[0] = [0.5]
    vf[1] = [1.0, 2.0]
    other.create_dataset('scalar_f8', data=3.5)
    other.create_dataset('null', data=h5py.Empty('<i4'))
    other.create_dataset('zero_length', shape=(0,), dtype='<i4')
    other.create_dataset('zero_length_chunked', shape=(0, 3), maxshape=(None, 3), dtype='<f4')
    # committed (named) datatypes, used by a dataset and an attribute
    f['committed_vec'] = np.dtype([('a', '<i4'), ('b', '<f8')])
    other.create_dataset('uses_committed', data=np.array([(1, 2.0), (3, 4.0)], dtype=f['committed_vec'].dtype), dtype=f['committed_vec'])
    other['uses_committed'].attrs.create('attr_committed', data=np.array((7, 8.5), dtype=f['committed_vec'].dtype), dtype=f['committed_vec'])
    # references
    refs = f.create_group('refs')
    target = f['floats/le_f4']
    refs.create_dataset('objrefs', data=np.array([f['ints'].ref, target.ref, h5py.Reference()], dtype=h5py.ref_dtype))
    refs.create_dataset('regionrefs', data=np.array([target.regionref[1:3], f['ints/le_i4'].regionref[0:2]], dtype=h5py.regionref_dtype))
    refs.attrs['attr_ref'] = f['strings'].ref
    # layouts
    lay = f.create_group('layouts')
    lay.create_dataset('contiguous', data=walk(200, '<f8'))
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_layout(h5py.h5d.COMPACT)
    h5py.h5d.create(lay.id, b'compact', h5py.h5t.STD_I16LE, h5py.h5s.create_simple((4, 5)), dcpl).write(
        h5py.h5s.ALL, h5py.h5s.ALL, np.arange(20, dtype='<i2').reshape(4, 5))
    lay.create_dataset('fill_unwritten_contig', shape=(10,), dtype='<i4', fillvalue=-9)
    lay.create_dataset('fill_unwritten_chunked', shape=(10, 10), chunks=(4, 4), dtype='<f4', fillvalue=2.5)
    part = lay.create_dataset('fill_partial', shape=(9, 7), chunks=(4, 3), dtype='<i2', fillvalue=11)
    part[0:4, 0:3] = 1
    part[8, 6] = 99
    lay.create_dataset('edge_chunks', data=np.arange(7 * 11 * 5, dtype='<u2').reshape(7, 11, 5), chunks=(3, 4, 2))
    # links
    links = f.create_group('links')
    links['soft'] = h5py.SoftLink('/floats/le_f8')
    links['dangling'] = h5py.SoftLink('/does/not/exist')
    links['hard_again'] = f['ints/le_i2']
    links['external'] = h5py.ExternalLink('ext_target.h5', '/data')
    links['external_missing'] = h5py.ExternalLink('no_such_file.h5', '/x')
    links['cycle'] = f['links']
    # an NWB-like group for the inspect view
    ts = f.create_group('acquisition/ElectricalSeries')
    ts.attrs['neurodata_type'] = 'ElectricalSeries'
    ts.attrs['namespace'] = 'core'
    ts.create_dataset('data', data=walk(64, '<f4').reshape(16, 4), chunks=(8, 4), compression='gzip')
    ts['data'].attrs['unit'] = 'volts'
    ts['data'].attrs['conversion'] = np.float32(1e-6)
    f.close()


def chunk_index_file(name):
    """libver latest: superblock v3, object header v2, every chunk index."""
    f = h5py.File(path(name), 'w', libver='latest')
    f.create_dataset('single_chunk', data=walk(100), chunks=(100,))
    f.create_dataset('single_chunk_filtered', data=walk(100), chunks=(100,), compression='gzip')
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((5, 5))
    dcpl.set_alloc_time(h5py.h5d.ALLOC_TIME_EARLY)
    ds = h5py.h5d.create(f.id, b'implicit', h5py.h5t.IEEE_F32LE, h5py.h5s.create_simple((12, 13)), dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, walk(156).reshape(12, 13))
    f.create_dataset('fixed_array', data=walk(600).reshape(20, 30), chunks=(6, 7), compression='gzip', shuffle=True)
    f.create_dataset('fixed_array_paged', data=np.arange(5000, dtype='<i4'), chunks=(4,))
    ea = f.create_dataset('extensible_array', shape=(0, 8), maxshape=(None, 8), chunks=(3, 8), dtype='<f8', compression='gzip')
    ea.resize((50, 8))
    ea[:] = walk(400, '<f8').reshape(50, 8)
    ea2 = f.create_dataset('extensible_array_sparse', shape=(100,), maxshape=(None,), chunks=(10,), dtype='<i4', fillvalue=-1)
    ea2[25:35] = np.arange(10)
    bt = f.create_dataset('btree_v2', shape=(0, 0), maxshape=(None, None), chunks=(4, 4), dtype='<i4')
    bt.resize((10, 9))
    bt[:] = np.arange(90, dtype='<i4').reshape(10, 9)
    f.create_dataset('btree_v2_fletcher', data=np.arange(64, dtype='<u8').reshape(8, 8), maxshape=(None, None), chunks=(3, 3), fletcher32=True)
    # dense links and attributes, creation order tracked
    g = f.create_group('dense_group', track_order=True)
    for i in range(20):
        g.create_group('child_%02d' % (19 - i))
    g.attrs['note'] = 'children created in reverse name order'
    d = f.create_group('dense_attrs', track_order=True)
    for i in range(15):
        d.attrs['attr_%02d' % (14 - i)] = np.arange(i + 1, dtype='<i4')
    d.attrs['big'] = np.arange(20000, dtype='<i4')  # 80 KB: a huge object in the dense-attribute fractal heap
    c = f.create_group('compact_group', track_order=True)
    c['b'] = np.int8(1)
    c['a'] = np.int8(2)
    c['soft'] = h5py.SoftLink('/single_chunk')
    c['external'] = h5py.ExternalLink('ext_target.h5', '/data')
    f.create_dataset('vlen_latest', data=np.array(['p', 'qq', 'rrr'], dtype=h5py.string_dtype()))
    f.close()


def bitshuffle_lz4(f, name, data, chunk):
    """A bitshuffle+LZ4 (filter 32008) dataset, which no Debian package
    writes: chunks are built here (numpy bit transpose per the bitshuffle
    format, python3-lz4 blocks) and stored with write_direct_chunk. h5py
    cannot read it back (no plugin), so its ground truth has no checksum;
    the filter package's tests check the decoded values."""
    try:
        import lz4.block as lz4block
    except ImportError:
        return
    s = data.dtype.itemsize
    block = max((8192 // s) // 8 * 8, 128)
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((chunk,))
    dcpl.set_filter(32008, h5py.h5z.FLAG_OPTIONAL, (0, 3, s, 0, 2))
    tid = h5py.h5t.py_create(data.dtype)
    ds = h5py.h5d.create(f.id, name.lstrip('/').encode(), tid, h5py.h5s.create_simple(data.shape), dcpl)
    for c0 in range(0, data.shape[0], chunk):
        a = np.zeros(chunk, data.dtype)
        part = data[c0:c0 + chunk]
        a[:len(part)] = part
        body, i = b'', 0
        while i + block <= chunk or (chunk - i) // 8 * 8 > 0:
            n = block if i + block <= chunk else (chunk - i) // 8 * 8
            bb = np.frombuffer(a[i:i + n].tobytes(), 'u1').reshape(n, s)
            bits = np.unpackbits(bb, axis=1, bitorder='little').reshape(n, s, 8)
            t = np.packbits(np.ascontiguousarray(bits.transpose(1, 2, 0)), axis=2, bitorder='little').tobytes()
            c = lz4block.compress(t, store_size=False)
            body += len(c).to_bytes(4, 'big') + c
            i += n
        raw = (chunk * s).to_bytes(8, 'big') + (block * s).to_bytes(4, 'big') + body + a[i:].tobytes()
        ds.write_direct_chunk((c0,), raw, 0)
    # h5py cannot read this back: record the ground-truth checksum (numbers:
    # little-endian bytes, as expected_format.py encodes them) separately
    import hashlib
    EXTRA.setdefault(os.path.basename(f.filename), {})[name] = hashlib.sha256(data.astype(data.dtype.newbyteorder('<')).tobytes()).hexdigest()


def filters_file(name):
    f = h5py.File(path(name), 'w')
    data = walk(2000, '<f4').reshape(40, 50)
    f.create_dataset('deflate', data=data, chunks=(16, 16), compression='gzip', compression_opts=6)
    f.create_dataset('shuffle_deflate', data=data, chunks=(16, 16), compression='gzip', shuffle=True)
    f.create_dataset('fletcher32', data=data, chunks=(16, 16), fletcher32=True)
    f.create_dataset('all_builtin', data=data.astype('>f8'), chunks=(10, 25), compression='gzip', shuffle=True, fletcher32=True)
    f.create_dataset('scaleoffset_int', data=(walk(900, '<f8', 30)).astype('<i4'), chunks=(100,), scaleoffset=0)
    f.create_dataset('scaleoffset_float', data=walk(900, '<f8', 0.1), chunks=(100,), scaleoffset=3)
    so = f.create_dataset('scaleoffset_fill', shape=(300,), dtype='<i2', chunks=(64,), scaleoffset=0, fillvalue=-5)
    so[10:200] = np.arange(190) % 17
    f.create_dataset('lzf', data=data, chunks=(16, 16), compression='lzf')
    f.create_dataset('lzf_skipped', data=rng.integers(0, 255, 800, dtype='u1'), chunks=(200,), compression='lzf')
    dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
    dcpl.set_chunk((64,))
    dcpl.set_filter(h5py.h5z.FILTER_NBIT, h5py.h5z.FLAG_OPTIONAL, ())
    t = h5py.h5t.STD_I32LE.copy(); t.set_precision(12); t.set_offset(2)
    ds = h5py.h5d.create(f.id, b'nbit', t, h5py.h5s.create_simple((200,)), dcpl)
    ds.write(h5py.h5s.ALL, h5py.h5s.ALL, (np.arange(200, dtype='<i4') * 13 % 2048) - 1024)
    f.create_dataset('szip_nn', data=(walk(2000, '<f8', 20)).astype('<i4').reshape(40, 50), chunks=(16, 16), compression='szip', compression_opts=('nn', 16))
    f.create_dataset('szip_ec_f8', data=walk(600, '<f8', 0.5), chunks=(256,), compression='szip', compression_opts=('ec', 8))
    bitshuffle_lz4(f, '/bitshuffle_lz4', walk(3000, '<f4').round(2), 1024)
    if hdf5plugin is not None:
        small = (np.arange(3000) // 3).astype('<i4')
        for cname in ['blosclz', 'lz4', 'zlib', 'zstd', 'snappy']:
            for sh in [0, 1, 2]:
                f.create_dataset('blosc_%s_%d' % (cname, sh), data=small, chunks=(1000,), **hdf5plugin.Blosc(cname=cname, shuffle=sh))
        f.create_dataset('lz4', data=data, chunks=(16, 16), **hdf5plugin.LZ4(nbytes=512))
        f.create_dataset('bzip2', data=data, chunks=(16, 16), **hdf5plugin.BZip2())
    f.close()


def userblock_file(name):
    f = h5py.File(path(name), 'w', userblock_size=512)
    f.create_dataset('x', data=np.arange(10, dtype='<i8'))
    f.attrs['where'] = 'after a 512-byte userblock'
    f.close()
    with open(path(name), 'r+b') as fh:
        fh.write(b'neurodata userblock text\n')


def superblock_v2_file(name):
    f = h5py.File(path(name), 'w', libver=('v108', 'v108'))
    f.create_dataset('x', data=walk(30), chunks=(10,), maxshape=(None,))
    g = f.create_group('g')
    g.attrs['a'] = 1
    g['y'] = np.arange(4)
    f.close()


def external_files():
    with h5py.File(path('ext_target.h5'), 'w') as f:
        f.create_dataset('data', data=np.arange(5, dtype='<i2'))
    raw = np.arange(20, dtype='>i4')
    with open(path('ext_raw.bin'), 'wb') as fh:
        fh.write(b'\0' * 16 + raw[:12].tobytes())
    with open(path('ext_raw2.bin'), 'wb') as fh:
        fh.write(raw[12:].tobytes())
    with h5py.File(path('external_raw.h5'), 'w') as f:
        f.create_dataset('raw', shape=(20,), dtype='>i4', external=[('ext_raw.bin', 16, 48), ('ext_raw2.bin', 0, 32)])
        f.create_dataset('missing_raw', shape=(4,), dtype='<i4', external=[('no_such.bin', 0, 16)])


def malformed_files():
    """Deliberately broken files (names start with bad_): the reader must
    return errors for them, never panic."""
    src = open(path('types_v0.h5'), 'rb').read()
    open(path('bad_truncated.h5'), 'wb').write(src[:len(src) // 3])
    b = bytearray(open(path('superblock_v2.h5'), 'rb').read())
    b[30] ^= 0xff  # inside the superblock v2 (checksummed)
    open(path('bad_superblock_checksum.h5'), 'wb').write(bytes(b))
    with h5py.File(path('bad_root_address.h5'), 'w') as f:
        f['x'] = np.arange(3)
    b = bytearray(open(path('bad_root_address.h5'), 'rb').read())
    # the root symbol table entry's object header address (offset 64 in a
    # v0 superblock with 8-byte offsets): point it past the end of file
    b[64:72] = struct.pack('<Q', len(b) * 4)
    b[72:76] = struct.pack('<I', 0)  # and drop the cached symbol-table addresses
    open(path('bad_root_address.h5'), 'wb').write(bytes(b))
    # a file that opens, with one dataset whose v2 object header checksum fails
    with h5py.File(path('bad_object_checksum.h5'), 'w', libver='latest') as f:
        f['good'] = np.arange(4, dtype='<i4')
        f['broken'] = np.arange(4, dtype='<i4')
        addr = h5py.h5o.get_info(f['broken'].id).addr
    b = bytearray(open(path('bad_object_checksum.h5'), 'rb').read())
    assert b[addr:addr + 4] == b'OHDR'
    b[addr + 8] ^= 0x01
    open(path('bad_object_checksum.h5'), 'wb').write(bytes(b))
    open(path('bad_not_hdf5.h5'), 'wb').write(b'This is not an HDF5 file.\n' * 4)
    open(path('bad_empty.h5'), 'wb').write(b'')


def main():
    os.makedirs(OUT, exist_ok=True)
    for n in os.listdir(OUT):
        if n.endswith(('.h5', '.bin')):
            os.remove(os.path.join(OUT, n))
    types_file('types_v0.h5', 'earliest')
    chunk_index_file('chunk_index_v3.h5')
    filters_file('filters.h5')
    userblock_file('userblock.h5')
    superblock_v2_file('superblock_v2.h5')
    external_files()
    malformed_files()
    import json
    with open(os.path.join(OUT, 'expected_extra.json'), 'w') as fh:
        json.dump(EXTRA, fh, indent=1, sort_keys=True)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT) if n.endswith(('.h5', '.bin')))
    print('wrote testdata/hdf5: %d bytes' % total)
    if os.path.exists(SHARED):
        exp = os.path.join(OUT, 'expected')
        if os.path.isdir(exp):
            shutil.rmtree(exp)
        files = sorted(os.path.join(OUT, n) for n in os.listdir(OUT) if n.endswith('.h5'))
        subprocess.run([sys.executable, SHARED, exp] + files, check=True, stdout=subprocess.DEVNULL)
        print('wrote expected JSON with', SHARED)
    else:
        print('../shared absent: expected JSON not regenerated', file=sys.stderr)


if __name__ == '__main__':
    main()
