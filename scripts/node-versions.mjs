#!/usr/bin/env node
// `npm run test:node-versions`: the unit project again (but the model retraining) on every Node pinned in
// scripts/node-runtimes.json (22, 24: the production images run 24), after `npm run test:unit` ran all of it
// on the machine's own Node, which is 20 on the dev/CI machine. A pinned major equal to that one is skipped.
// Before each run, onnxruntime-node (a native N-API addon, the one part of the service that is not plain
// JavaScript) loads the shipped model and scores one row on that Node, so a broken addon is named as such.
//
// Usage: node scripts/node-versions.mjs [MAJOR...] [-- VITEST_ARGS...]   (default: every pinned major)
// The runs are sequential: the unit project already fills both cores of the CI machine on its own.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeBinary, readPins } from './node-runtimes.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const VITEST = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
// Retrains the model with Debian's Python (~20 s of CPU) to check the training's determinism: nothing in it
// depends on the Node that compares the bytes, and test:unit has just run it.
const NOT_NODE_SPECIFIC = ['test/unit/models/reproducible.test.ts'];

// Runs in the tested Node, from the repository root: load the addon and the model, score a row of zeros.
const ONNX_SMOKE = `
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
const session = await ort.InferenceSession.create('models/artifacts/model.onnx', { intraOpNumThreads: 1 });
const meta = session.inputMetadata.find((m) => m.name === session.inputNames[0]);
const width = Number(meta.shape[1]);
const input = new ort.Tensor('float32', new Float32Array(width), [1, width]);
const outputs = await session.run({ [session.inputNames[0]]: input });
const version = JSON.parse(readFileSync('node_modules/onnxruntime-node/package.json', 'utf8')).version;
console.log('onnxruntime-node ' + version + ' scored 1 row on node ' + process.version +
  ' (N-API ' + process.versions.napi + '), outputs: ' + Object.keys(outputs).join(', '));
`;

/** @param {string[]} argv */
function parseArgs(argv) {
  const dash = argv.indexOf('--');
  const majors = dash === -1 ? argv : argv.slice(0, dash);
  const vitestArgs = dash === -1 ? [] : argv.slice(dash + 1);
  return { majors: majors.length > 0 ? majors : Object.keys(readPins().runtimes), vitestArgs };
}

/**
 * The failed tests of one run, from vitest's JSON report: CI keeps only the tail of the output, and the
 * next Node's run pushes this one's failures out of it, so the summary at the end names them again.
 * @param {string} reportFile
 * @returns {string[]}
 */
function failedTests(reportFile) {
  if (!existsSync(reportFile)) return ['(vitest wrote no JSON report: it did not finish)'];
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  /** @type {string[]} */
  const failed = [];
  for (const file of report.testResults ?? []) {
    const path = String(file.name).replace(ROOT, '');
    const failedAssertions = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    if (failedAssertions.length === 0 && file.status === 'failed') failed.push(`${path}: ${file.message ?? 'failed'}`);
    for (const a of failedAssertions) {
      const reason = String(a.failureMessages?.[0] ?? '').split('\n')[0];
      failed.push(`${path} > ${a.fullName}: ${reason}`);
    }
  }
  return failed;
}

/**
 * @param {string} major
 * @param {string[]} vitestArgs
 * @returns {{ version: string, ok: boolean, seconds: number, failed: string[] }}
 */
function runOn(major, vitestArgs) {
  const node = nodeBinary(major);
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
  // Its directory first on PATH: anything a test starts by the name `node` runs on the same release.
  const env = { ...process.env, PATH: `${dirname(node)}:${process.env['PATH'] ?? ''}` };
  const started = Date.now();
  console.log(`\nnode-versions: ${version} (${node})`);
  const smoke = spawnSync(node, ['--input-type=module', '-e', ONNX_SMOKE], {
    cwd: ROOT,
    env,
    stdio: 'inherit',
  });
  if (smoke.status !== 0) {
    const failed = ['onnxruntime-node did not load or score'];
    console.error(`node-versions: ${failed[0]} on ${version}`);
    return { version, ok: false, seconds: (Date.now() - started) / 1000, failed };
  }
  const exclude = NOT_NODE_SPECIFIC.flatMap((file) => ['--exclude', file]);
  const reportDir = mkdtempSync(join(tmpdir(), 'node-versions-'));
  const reportFile = join(reportDir, 'report.json');
  const reporters = ['--reporter=default', '--reporter=json', `--outputFile.json=${reportFile}`];
  try {
    const run = spawnSync(node, [VITEST, 'run', '--project', 'unit', ...exclude, ...reporters, ...vitestArgs], {
      cwd: ROOT,
      env,
      stdio: 'inherit',
    });
    const ok = run.status === 0;
    return { version, ok, seconds: (Date.now() - started) / 1000, failed: ok ? [] : failedTests(reportFile) };
  } finally {
    rmSync(reportDir, { recursive: true, force: true });
  }
}

function main() {
  const { majors, vitestArgs } = parseArgs(process.argv.slice(2));
  const own = process.versions.node.split('.')[0];
  /** @type {{ version: string, ok: boolean, seconds: number, failed: string[] }[]} */
  const results = [];
  for (const major of majors) {
    if (major === own) {
      // `npm run test:unit` has just run the same suite on this major.
      console.log(`node-versions: skipping ${major}, the machine's own Node (${process.version})`);
      continue;
    }
    results.push(runOn(major, vitestArgs));
  }
  console.log('');
  for (const r of results) {
    console.log(`node-versions: ${r.version} ${r.ok ? 'passed' : 'FAILED'} in ${r.seconds.toFixed(0)} s`);
    for (const failure of r.failed) console.log(`  failed: ${failure}`);
  }
  if (results.some((r) => !r.ok)) process.exit(1);
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
