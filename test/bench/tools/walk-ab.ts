// The tree walk in WebAssembly against the same walk in JavaScript, side by side in one process: the
// service's layout of the committed model, parity.json's requests as features, batches of 1 and 8 rows
// (8 is about what a micro-batch holds at 1000 rps: docs/performance.md), rows with every feature and rows
// with a missing one, each call after a 1 ms idle gap (what a request meets) and back to back. The two
// walks alternate call by call, so both see the same machine; their sums are checked equal first.
//   npx tsx test/bench/tools/walk-ab.ts
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RawFeatures } from '../../../service/contract.js';
import { FEATURE_NAMES, deriveFeaturesInto } from '../../../service/model/features.js';
import { fail } from '../../../service/scorers/trees/attributes.js';
import { readOnnxGraph } from '../../../service/scorers/trees/onnx-graph.js';
import { buildTrees } from '../../../service/scorers/trees/tree-arrays.js';
import { layOut, scoreRowAnyDepth } from '../../../service/scorers/trees/tree-layout.js';
import { createWasmWalk } from '../../../service/scorers/trees/tree-walk-wasm.js';

const ARTIFACTS = fileURLToPath(new URL('../../../models/artifacts/', import.meta.url));
const WIDTH = FEATURE_NAMES.length;
const CALLS = Number(process.env['WALK_AB_CALLS'] ?? 2000);
const layout = layOut(
  buildTrees(readOnnxGraph(readFileSync(`${ARTIFACTS}model.onnx`)).nodes[0]!, WIDTH, fail),
  WIDTH,
  fail,
);
const wasm = createWasmWalk(layout, WIDTH);
if (typeof wasm === 'string') throw new Error(wasm);

const parity = JSON.parse(readFileSync(`${ARTIFACTS}parity.json`, 'utf8')) as {
  rows: { raw: RawFeatures }[];
};
const toRows = (raws: RawFeatures[]): Float32Array => {
  const rows = new Float32Array(raws.length * WIDTH);
  raws.forEach((raw, i) => deriveFeaturesInto(raw, rows, i * WIDTH));
  return rows;
};
const all = toRows(parity.rows.map((r) => r.raw));
const hasMissing = (i: number): boolean => all.subarray(i * WIDTH, (i + 1) * WIDTH).some(Number.isNaN);
const pick = (missing: boolean): Float32Array => {
  const keep = parity.rows.map((_, i) => i).filter((i) => hasMissing(i) === missing);
  const rows = new Float32Array(keep.length * WIDTH);
  keep.forEach((i, j) => rows.set(all.subarray(i * WIDTH, (i + 1) * WIDTH), j * WIDTH));
  return rows;
};
const SETS = { 'every feature': pick(false), 'one or more missing': pick(true) };

type Walk = (rows: Float32Array, first: number, count: number) => number;
const walks: Record<string, Walk> = {
  JavaScript: (rows, first, count) => {
    let sink = 0;
    for (let r = first; r < first + count; r++) sink += scoreRowAnyDepth(layout, rows, r * WIDTH);
    return sink;
  },
  WebAssembly: (rows, first, count) => {
    let sink = 0;
    for (let r = first; r < first + count; r++) sink += wasm.score(rows, r * WIDTH);
    return sink;
  },
};
for (const rows of Object.values(SETS))
  for (let r = 0; r < rows.length / WIDTH; r++)
    if (!Object.is(scoreRowAnyDepth(layout, rows, r * WIDTH), wasm.score(rows, r * WIDTH)))
      throw new Error(`row ${r}: the walks differ`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const stats = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return `${s[s.length >> 1]!.toFixed(1)} / ${mean.toFixed(1)} / ${s[Math.floor(s.length * 0.95)]!.toFixed(1)}`;
};
console.log(
  `load average at start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${CALLS} calls per walk and case`,
);
console.log(
  '| rows | batch | before each call | JavaScript median / mean / p95 µs | WebAssembly median / mean / p95 µs |',
);
console.log('|---|---:|---|---:|---:|');
let sink = 0;
for (const [label, rows] of Object.entries(SETS)) {
  const n = rows.length / WIDTH;
  for (const batch of [1, 8]) {
    for (const gap of [1, 0]) {
      const times: Record<string, number[]> = { JavaScript: [], WebAssembly: [] };
      for (let i = 0; i < 300; i++)
        for (const w of Object.values(walks)) sink += w(rows, i % (n - batch), batch);
      for (let i = 0; i < 2 * CALLS; i++) {
        const name = i % 2 === 0 ? 'JavaScript' : 'WebAssembly';
        if (gap > 0) await sleep(gap);
        const started = process.hrtime.bigint();
        sink += walks[name]!(rows, (i >> 1) % (n - batch), batch);
        times[name]!.push(Number(process.hrtime.bigint() - started) / 1000);
      }
      const when = gap > 0 ? `${gap} ms idle gap` : 'back to back';
      console.log(
        `| ${label} | ${batch} | ${when} | ${stats(times['JavaScript']!)} | ${stats(times['WebAssembly']!)} |`,
      );
    }
  }
}
console.log(
  `load average at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (sink ${Number.isFinite(sink)})`,
);
