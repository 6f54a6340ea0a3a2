// Cost of one onnxruntime call on the committed model, for docs/performance.md ("Where the ML's time went").
//   node test/bench/tools/ort-calls.mjs <public|native> <calls> <rows>
//     makes <calls> runs of <rows> rows: run it under callgrind twice (e.g. 10 and 1010 calls) and divide
//     the difference of the instruction counts by the difference of the calls (start-up cancels out):
//     valgrind --tool=callgrind --smc-check=all-non-file node test/bench/tools/ort-calls.mjs native 1010 1
//   node test/bench/tools/ort-calls.mjs cpu [rows]
//     CPU time per run of each session-options variant, interleaved round by round so the machine's load
//     hits them alike (medians of 15 rounds of 300 runs).
// public = InferenceSession.run (async: setImmediate, validation, output re-wrapping); native = the
// synchronous session the service uses (service/scorers/onnx-native.ts).
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { binding, initOrt } from 'onnxruntime-node/dist/binding.js';

const MODEL = fileURLToPath(new URL('../../../models/artifacts/model.onnx', import.meta.url));
const BASE = { intraOpNumThreads: 1, interOpNumThreads: 1 };
const ROW = [0.00003, 0.0004, 0.0011, 0.00031, 1.29, -0.0011, 0.0968, 3.5];
const [mode = 'cpu', ...args] = process.argv.slice(2);
const rowsOf = (n) => Float32Array.from({ length: n * ROW.length }, (_, i) => ROW[i % ROW.length]);
const fetches = { probabilities: null };

function nativeSession(options) {
  initOrt();
  const session = new binding.InferenceSession();
  session.loadModel(MODEL, options);
  return session;
}

if (mode === 'public' || mode === 'native') {
  const [calls, rows] = [Number(args[0] ?? 300), Number(args[1] ?? 1)];
  const input = rowsOf(rows);
  const feeds = () => ({ features: new ort.Tensor('float32', input, [rows, ROW.length]) });
  if (mode === 'public') {
    const session = await ort.InferenceSession.create(MODEL, BASE);
    for (let i = 0; i < calls; i++) await session.run(feeds(), ['probabilities']);
  } else {
    const session = nativeSession(BASE);
    for (let i = 0; i < calls; i++) session.run(feeds(), fetches, {});
  }
} else {
  const rows = Number(args[0] ?? 32);
  const input = rowsOf(rows);
  const variants = {
    default: BASE,
    'graphOptimizationLevel all': { ...BASE, graphOptimizationLevel: 'all' },
    'graphOptimizationLevel disabled': { ...BASE, graphOptimizationLevel: 'disabled' },
    'enableCpuMemArena false': { ...BASE, enableCpuMemArena: false },
    'enableMemPattern false': { ...BASE, enableMemPattern: false },
    'executionMode sequential': { ...BASE, executionMode: 'sequential' },
    'no spinning': { ...BASE, extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } },
  };
  const sessions = Object.entries(variants).map(([name, options]) => ({ name, session: nativeSession(options), cpu: [] }));
  for (let round = 0; round < 15; round++) {
    for (const v of sessions) {
      const start = process.cpuUsage();
      for (let i = 0; i < 300; i++) v.session.run({ features: new ort.Tensor('float32', input, [rows, ROW.length]) }, fetches, {});
      const used = process.cpuUsage(start);
      v.cpu.push((used.user + used.system) / 300);
    }
  }
  for (const v of sessions) {
    const median = v.cpu.sort((a, b) => a - b)[v.cpu.length >> 1];
    console.log(`${v.name.padEnd(32)} ${rows} rows: ${median.toFixed(1)} µs CPU per run, ${(median / rows).toFixed(2)} µs per row`);
  }
}
