// Reads Arrow IPC and Parquet files written by neurodata with independent
// readers and prints their contents as canonical JSON for nwbarrow's
// interop test (nwbarrow/interop_test.go):
//   .arrow    apache-arrow (JS)
//   .parquet  hyparquet (pure JS) and parquet-wasm (arrow-rs compiled to
//             wasm, decoded via apache-arrow)
// Output: one JSON object per line {file, reader, rows, columns: {name: [values]}}.
// Canonical values: integers of 64 bits as decimal strings, other numbers as
// JSON numbers, NaN/Infinity/-Infinity as strings, lists as arrays, structs
// as objects.
import { readFileSync } from 'node:fs';
import { tableFromIPC } from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import * as pw from 'parquet-wasm/esm';

function norm(v) {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'bigint': return v.toString();
    case 'number':
      if (Number.isNaN(v)) return 'NaN';
      if (v === Infinity) return 'Infinity';
      if (v === -Infinity) return '-Infinity';
      return v;
    case 'string': case 'boolean': return v;
  }
  if (ArrayBuffer.isView(v)) return Array.from(v, norm);
  if (Array.isArray(v)) return v.map(norm);
  if (typeof v.toArray === 'function' && typeof v.length === 'number' && v.type !== undefined) {
    return Array.from(v, norm); // arrow Vector (list / fixed_size_list value)
  }
  if (typeof v.toJSON === 'function') v = v.toJSON(); // arrow StructRow
  const o = {};
  for (const [k, x] of Object.entries(v)) o[k] = norm(x);
  return o;
}

function fromArrowTable(t) {
  const columns = {};
  for (const f of t.schema.fields) {
    const col = t.getChild(f.name);
    const vals = [];
    for (let i = 0; i < t.numRows; i++) vals.push(norm(col.get(i)));
    columns[f.name] = vals;
  }
  return { rows: t.numRows, columns };
}

async function main() {
  const wasmBytes = readFileSync(new URL('./node_modules/parquet-wasm/esm/parquet_wasm_bg.wasm', import.meta.url));
  await pw.default({ module_or_path: wasmBytes });
  for (const file of process.argv.slice(2)) {
    const buf = readFileSync(file);
    if (file.endsWith('.arrow')) {
      const t = tableFromIPC(buf);
      console.log(JSON.stringify({ file, reader: 'apache-arrow', ...fromArrowTable(t) }));
    } else if (file.endsWith('.parquet')) {
      const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
      const rows = await parquetReadObjects({ file: ab });
      const columns = {};
      const top = rows.length ? Object.keys(rows[0]) : [];
      for (const k of top) columns[k] = rows.map(r => norm(r[k]));
      console.log(JSON.stringify({ file, reader: 'hyparquet', rows: rows.length, columns }));
      const wt = pw.readParquet(new Uint8Array(buf));
      const t = tableFromIPC(wt.intoIPCStream());
      console.log(JSON.stringify({ file, reader: 'parquet-wasm', ...fromArrowTable(t) }));
    } else {
      throw new Error('unknown file type: ' + file);
    }
  }
}
main().catch(e => { console.error(e.stack || String(e)); process.exit(1); });
