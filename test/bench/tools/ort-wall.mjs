// Wall time of one native onnxruntime run of the committed model (1 row), back to back and after an idle
// gap, for docs/performance.md: at 1000 rps a request arrives ~1 ms after the last, and a run after a gap
// finds the model's memory and the core's caches cold, so it takes several times the back-to-back time.
//   node test/bench/tools/ort-wall.mjs
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { binding, initOrt } from 'onnxruntime-node/dist/binding.js';

const MODEL = fileURLToPath(new URL('../../../models/artifacts/model.onnx', import.meta.url));
const ROW = Float32Array.from([0.00003, 0.0004, 0.0011, 0.00031, 1.29, -0.0011, 0.0968, 3.5]);
initOrt();
const session = new binding.InferenceSession();
session.loadModel(MODEL, { intraOpNumThreads: 1, interOpNumThreads: 1 });
const fetches = { probabilities: null };

/** Microseconds of one synchronous run (of `row`, by default the same fixed row every time). */
function timedRun(row = ROW) {
  const started = process.hrtime.bigint();
  session.run({ features: new ort.Tensor('float32', row, [1, row.length]) }, fetches, {});
  return Number(process.hrtime.bigint() - started) / 1000;
}

function summary(label, times) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(1);
  const mean = (times.reduce((a, b) => a + b, 0) / times.length).toFixed(1);
  console.log(`${label.padEnd(28)} median ${at(0.5)} µs  mean ${mean} µs  p95 ${at(0.95)} µs  (${times.length} runs)`);
}

console.log(`load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (let i = 0; i < 2000; i++) timedRun();
summary('back to back', Array.from({ length: 3000 }, () => timedRun()));
// Real requests differ: rows drawn at random around the fixed one (each feature × 0.5–1.5), made beforehand.
const rows = Array.from({ length: 3000 }, () => ROW.map((x) => x * (0.5 + Math.random())));
summary('back to back, varied rows', rows.map((row) => timedRun(row)));
for (const gapMs of [1, 5]) {
  const times = [];
  for (let i = 0; i < 500; i++) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    times.push(timedRun());
  }
  summary(`after a ${gapMs} ms idle gap`, times);
}

// The same 1 ms gap, but the core stays busy: spinning on a clock read (touches almost no memory), or
// sweeping 8 MiB (evicts the caches). Which of the two gaps is slow says why a run after a gap is.
const sweep = new Uint8Array(8 * 1024 * 1024);
function busyGap(ms, touchMemory) {
  const until = performance.now() + ms; // a double: no BigInt garbage while spinning
  let sink = 0;
  while (performance.now() < until) {
    if (touchMemory) for (let i = 0; i < sweep.length; i += 64) sink += sweep[i]++;
  }
  return sink;
}
for (const touchMemory of [false, true]) {
  const times = [];
  for (let i = 0; i < 500; i++) {
    busyGap(1, touchMemory);
    times.push(timedRun());
  }
  summary(touchMemory ? 'after 1 ms sweeping 8 MiB' : 'after 1 ms spinning', times);
}
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
