// Wall time of one single-row ML scoring call, side by side in one run: the service's scorer on the tree
// ensemble compiled from model.onnx (MODEL_ENGINE=auto) and on onnxruntime's native session
// (MODEL_ENGINE=onnxruntime), each `scoreNow([request])` — features derived, model run, scores built: what
// model_inference_duration_seconds measures per micro-batch. The cases are ort-wall.mjs's (back to back,
// varied rows, after idle gaps, after a busy millisecond); within a case the engines alternate call by
// call, so both see the same machine.
//   npx tsx test/bench/tools/trees-wall.ts
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RawFeatures } from '../../../service/contract.js';
import { OnnxScorer, loadModelCard } from '../../../service/scorers/onnx-scorer.js';

const ARTIFACTS = fileURLToPath(new URL('../../../models/artifacts/', import.meta.url));
const card = await loadModelCard(`${ARTIFACTS}model-card.json`);
const compiled = await OnnxScorer.load(`${ARTIFACTS}model.onnx`, card, Date.now());
const ort = await OnnxScorer.load(`${ARTIFACTS}model.onnx`, card, Date.now(), { engine: 'onnxruntime' });
if (compiled.engine !== 'compiled-trees' || ort.engine !== 'onnxruntime-native')
  throw new Error(`engines: ${compiled.engine} (${compiled.engineNote}), ${ort.engine}`);
const engines = [
  { name: 'onnxruntime native', scoreNow: ort.scoreNow! },
  { name: 'compiled trees', scoreNow: compiled.scoreNow! },
];

const FIXED: RawFeatures = {
  price: 50_000.5,
  midprice: 50_000,
  return_1s: 0.0004,
  return_5s: -0.0011,
  volatility: 0.00031,
};
const parity = JSON.parse(readFileSync(`${ARTIFACTS}parity.json`, 'utf8')) as {
  rows: { raw: RawFeatures }[];
};
const varied = parity.rows.map((r) => r.raw);

function timed(scoreNow: (rows: readonly RawFeatures[]) => unknown, row: RawFeatures): number {
  const started = process.hrtime.bigint();
  scoreNow([row]);
  return Number(process.hrtime.bigint() - started) / 1000;
}

const sweep = new Uint8Array(8 * 1024 * 1024);
function busy(ms: number, touchMemory: boolean): number {
  const until = performance.now() + ms;
  let sink = 0;
  while (performance.now() < until)
    if (touchMemory) for (let i = 0; i < sweep.length; i += 64) sink += sweep[i]!++;
  return sink;
}
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Case {
  readonly label: string;
  readonly calls: number;
  readonly before: () => Promise<unknown> | unknown;
  readonly row: (i: number) => RawFeatures;
}
const CASES: Case[] = [
  { label: 'back to back, the same row', calls: 3000, before: () => undefined, row: () => FIXED },
  {
    label: 'back to back, varied rows',
    calls: 3000,
    before: () => undefined,
    row: (i) => varied[i % varied.length]!,
  },
  {
    label: 'after a 1 ms idle gap',
    calls: 500,
    before: () => sleep(1),
    row: (i) => varied[i % varied.length]!,
  },
  {
    label: 'after a 5 ms idle gap',
    calls: 300,
    before: () => sleep(5),
    row: (i) => varied[i % varied.length]!,
  },
  {
    label: 'after 1 ms spinning',
    calls: 500,
    before: () => busy(1, false),
    row: (i) => varied[i % varied.length]!,
  },
  {
    label: 'after 1 ms sweeping 8 MiB',
    calls: 500,
    before: () => busy(1, true),
    row: (i) => varied[i % varied.length]!,
  },
];

function stats(times: number[]): string {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(1);
  return `${at(0.5)} | ${mean} | ${at(0.95)}`;
}

console.log(
  `load average at start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
for (let i = 0; i < 2000; i++) for (const e of engines) e.scoreNow([varied[i % varied.length]!]);
console.log(
  `| one single-row scoreNow | ${engines.map((e) => `${e.name} median / mean / p95 µs`).join(' | ')} |`,
);
console.log(`|---|${engines.map(() => '---:').join('|')}|`);
for (const c of CASES) {
  const times = engines.map(() => [] as number[]);
  for (let i = 0; i < c.calls; i++) {
    for (let e = 0; e < engines.length; e++) {
      // Alternate which engine goes first, so neither always follows the other's warm-up.
      const which = (i + e) % engines.length;
      await c.before();
      times[which]!.push(timed(engines[which]!.scoreNow, c.row(i)));
    }
  }
  console.log(`| ${c.label} | ${times.map(stats).join(' | ')} |`);
}
console.log(
  `load average at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
await compiled.close();
await ort.close();
