// Queries a `neurodata run` results directory (a hive-partitioned Parquet
// dataset: analysis=NAME/session=SESSION/part-0.parquet) across sessions with
// an independent Parquet reader (hyparquet, pure JS), for the pipeline's
// interop test (internal/cli/run_interop_test.go). Prints one JSON object:
//   partitions: [{analysis, session, rows, session_name_ok}]
//   decode_accuracy: {session: accuracy}            metric = 'accuracy'
//   tuning: {session: {units, mean_g_osi}}          over units with finite g_osi
//   info_total_bits: {session: sum of mi_bits}
//   rsa_similarity: {session: {model: similarity}}  role = 'model'
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';

const root = process.argv[2];
const out = { partitions: [], decode_accuracy: {}, tuning: {}, info_total_bits: {}, rsa_similarity: {} };

for (const a of readdirSync(root).sort()) {
  if (!a.startsWith('analysis=') || !statSync(join(root, a)).isDirectory()) continue;
  const analysis = a.slice('analysis='.length);
  for (const s of readdirSync(join(root, a)).sort()) {
    if (!s.startsWith('session=')) continue;
    const session = s.slice('session='.length);
    const buf = readFileSync(join(root, a, s, 'part-0.parquet'));
    const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    const rows = await parquetReadObjects({ file: ab });
    out.partitions.push({ analysis, session, rows: rows.length,
      session_name_ok: rows.every(r => r.session_name === session) });
    if (analysis === 'decode') {
      out.decode_accuracy[session] = rows.find(r => r.metric === 'accuracy').value;
    } else if (analysis === 'tuning') {
      const g = rows.map(r => r.g_osi).filter(Number.isFinite);
      out.tuning[session] = { units: rows.length, mean_g_osi: g.reduce((x, y) => x + y, 0) / g.length };
    } else if (analysis === 'info') {
      out.info_total_bits[session] = rows.map(r => r.mi_bits).filter(Number.isFinite).reduce((x, y) => x + y, 0);
    } else if (analysis === 'rsa') {
      out.rsa_similarity[session] = {};
      for (const r of rows) if (r.role === 'model') out.rsa_similarity[session][r.model] = r.similarity;
    }
  }
}
console.log(JSON.stringify(out));
