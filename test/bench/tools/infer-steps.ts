// Where a single-row ML scoring call's time goes, step by step, each step timed alone with hrtime after a
// 1 ms idle gap (what a request meets at 1000 rps): the feature conversion from the request's object to the
// typed row, the tree walk (in JavaScript and in WebAssembly), the logistic post-transform (two expf per row as before, and the pair from
// one), the result object, and the service's whole scoreNow.
// Within a round the steps run in a shuffled order, so none always follows another's warm-up.
//   npx tsx test/bench/tools/infer-steps.ts
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RawFeatures } from '../../../service/contract.js';
import { FEATURE_NAMES, deriveFeaturesInto } from '../../../service/model/features.js';
import { OnnxScorer, loadModelCard } from '../../../service/scorers/onnx-scorer.js';
import { fail } from '../../../service/scorers/trees/attributes.js';
import { logisticF32, logisticPairF32 } from '../../../service/scorers/trees/logistic.js';
import { readOnnxGraph } from '../../../service/scorers/trees/onnx-graph.js';
import { buildTrees } from '../../../service/scorers/trees/tree-arrays.js';
import { layOut, scoreRowAnyDepth } from '../../../service/scorers/trees/tree-layout.js';
import { createWasmWalk } from '../../../service/scorers/trees/tree-walk-wasm.js';

const ARTIFACTS = fileURLToPath(new URL('../../../models/artifacts/', import.meta.url));
const WIDTH = FEATURE_NAMES.length;
const ROUNDS = Number(process.env['INFER_STEPS_ROUNDS'] ?? 600);
/** The idle gap before each timed step; 0: back to back (warm). */
const GAP_MS = Number(process.env['INFER_STEPS_GAP_MS'] ?? 1);
const card = await loadModelCard(`${ARTIFACTS}model-card.json`);
const scorer = await OnnxScorer.load(`${ARTIFACTS}model.onnx`, card, Date.now());
if (scorer.engine !== 'compiled-trees') throw new Error(`engine ${scorer.engine}: ${scorer.engineNote}`);
const graph = readOnnxGraph(readFileSync(`${ARTIFACTS}model.onnx`));
const layout = layOut(buildTrees(graph.nodes[0]!, WIDTH, fail), WIDTH, fail);
const parity = JSON.parse(readFileSync(`${ARTIFACTS}parity.json`, 'utf8')) as {
  rows: { raw: RawFeatures }[];
};
const raws = parity.rows.map((r) => r.raw);
const rows = new Float32Array(raws.length * WIDTH);
raws.forEach((raw, i) => deriveFeaturesInto(raw, rows, i * WIDTH));
const wasm = createWasmWalk(layout, WIDTH);
if (typeof wasm === 'string') throw new Error(wasm);
const scores = Float32Array.from(raws, (_, i) => scoreRowAnyDepth(layout, rows, i * WIDTH));

const row = new Float32Array(WIDTH);
const out = new Float32Array(2);
let sink = 0;
const STEPS: Record<string, (i: number) => void> = {
  'nothing (the timer itself)': () => undefined,
  'feature conversion (deriveFeaturesInto)': (i) => deriveFeaturesInto(raws[i]!, row, 0),
  'tree walk in JavaScript (scoreRowAnyDepth)': (i) => (sink += scoreRowAnyDepth(layout, rows, i * WIDTH)),
  'tree walk in WebAssembly (score)': (i) => (sink += wasm.score(rows, i * WIDTH)),
  'logistic, two expf (logisticF32 × 2)': (i) => {
    out[0] = logisticF32(-scores[i]!);
    out[1] = logisticF32(scores[i]!);
  },
  'logistic, one expf (logisticPairF32)': (i) => (sink += +logisticPairF32(scores[i]!, out, 0)),
  'result object ({prediction, probability} in an array)': (i) => {
    const p = out[1]! + i;
    sink += [{ prediction: p >= 0.5 ? 1 : 0, probability: p }].length;
  },
  'whole scoreNow([request]) (what the metric times)': (i) => (sink += scorer.scoreNow!([raws[i]!]).length),
};
const names = Object.keys(STEPS);
const times = new Map(names.map((n) => [n, [] as number[]]));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (let i = 0; i < 3000; i++) for (const n of names) STEPS[n]!(i % raws.length);
const startLoad = loadavg();
for (let r = 0; r < ROUNDS; r++) {
  const order = [...names].sort(() => Math.random() - 0.5);
  for (const n of order) {
    if (GAP_MS > 0) await sleep(GAP_MS);
    const started = process.hrtime.bigint();
    STEPS[n]!(r % raws.length);
    times.get(n)!.push(Number(process.hrtime.bigint() - started) / 1000);
  }
}
const fmt = (xs: number[]): string => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!.toFixed(2);
  return `${at(0.5)} | ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)} | ${at(0.95)}`;
};
console.log(
  `load average at start ${startLoad.map((x) => x.toFixed(2)).join(' ')}; ${ROUNDS} rounds, ${GAP_MS} ms idle before each step`,
);
console.log(`| step, one row after a ${GAP_MS} ms idle gap | median / mean / p95 µs |\n|---|---:|`);
for (const n of names) console.log(`| ${n} | ${fmt(times.get(n)!)} |`);
console.log(
  `load average at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')} (sink ${Number.isFinite(sink)})`,
);
await scorer.close();
