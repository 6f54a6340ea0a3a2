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

/** Microseconds of one synchronous run. */
function timedRun() {
  const started = process.hrtime.bigint();
  session.run({ features: new ort.Tensor('float32', ROW, [1, ROW.length]) }, fetches, {});
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
summary('back to back', Array.from({ length: 3000 }, timedRun));
for (const gapMs of [1, 5]) {
  const times = [];
  for (let i = 0; i < 500; i++) {
    await new Promise((resolve) => setTimeout(resolve, gapMs));
    times.push(timedRun());
  }
  summary(`after a ${gapMs} ms idle gap`, times);
}
console.log(`load average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
