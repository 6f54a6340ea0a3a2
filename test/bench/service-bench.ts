// Benchmark of the prediction service (not a test: it prints figures). `npm run bench:service`.
//
// Each target runs alone on the machine's 2 cores (the autocannon client takes the other one): the Node
// service with MODEL_VARIANT=ml, then =baseline, then the seed's stack as a peer (FastAPI + uvicorn +
// xgboost, test/bench/service_peer.py) serving the same model with the same feature derivation. Per target:
// 2 s warm-up, then fixed rates of 500 and 1000 rps, then maximum throughput. Latency percentiles are
// computed from every response time autocannon reports (it has no p95 of its own). Per scenario the
// service's own histograms give the server-side request and inference means and the inference P95, and
// /proc gives the service's CPU time per request.
// With `shadow` among the targets (not by default), three more rows at 1000 rps only: the baseline without
// mirroring, mirroring to an ML candidate process, and to a candidate that never answers (lib/service-shadow.ts).
// With `ml-onnxruntime` among the targets (not by default), the ML variant once more with MODEL_ENGINE=onnxruntime
// (scored by onnxruntime instead of the tree ensemble compiled from model.onnx): before and after in one run.
// `ml-before` (a default) is the ML service as issue #17 measured it: the commit before its service changes,
// extracted from git and compiled beside this one (lib/service-before.ts), run first, judged against in this run.
// Env: BENCH_SERVICE_TARGETS (default "ml-before,ml,baseline,python"; add "shadow", "ml-onnxruntime"), BENCH_SERVICE_SECONDS (default 8),
//      BENCH_SERVICE_CPU_PROF=<dir> (the Node services write a V8 CPU profile there when they stop).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../helpers/free-port.js';
import { startNodeChild } from '../helpers/node-child.js';
import { PACKAGE_ROOT, buildService, startService } from '../integration/service/service-process.js';
import { buildBeforeService } from './lib/service-before.js';
import { BenchLoad, machineLine } from './lib/machine.js';
import { BEFORE_LABEL, printReport, type Row } from './lib/service-report.js';
import { load, type Scenario } from './lib/service-load.js';
import { mean, readServer, serverDifference } from './lib/service-metrics.js';
import { cpuMsOf } from './lib/process-cpu.js';
import { runShadowRows } from './lib/service-shadow.js';

const PYTHON = '/usr/bin/python3';
const PEER_SCRIPT = join(PACKAGE_ROOT, 'test', 'bench', 'service_peer.py');
const PEER_CACHE = join(tmpdir(), 'guardrail-bench');
const SCENARIO_SECONDS = Number(process.env['BENCH_SERVICE_SECONDS'] ?? 8);
const TARGETS = (process.env['BENCH_SERVICE_TARGETS'] ?? 'ml-before,ml,baseline,python').split(',');
const CPU_PROF_DIR = process.env['BENCH_SERVICE_CPU_PROF'];
export const BODY = JSON.stringify({ price: 50_000, midprice: 50_001.5, return_1s: 0.0004, return_5s: -0.0011, volatility: 0.00031 });

const SCENARIOS: readonly Scenario[] = [
  { name: '500 rps', overallRate: 500, connections: 10 },
  { name: '1000 rps', overallRate: 1000, connections: 10 },
  { name: 'max', connections: 32 },
];

async function measure(target: string, url: string, pid: number | undefined, scenario: Scenario): Promise<Row> {
  const before = await readServer(url);
  const cpuBefore = pid === undefined ? Number.NaN : cpuMsOf(pid);
  const client = await load(url, BODY, scenario, SCENARIO_SECONDS);
  const cpuMs = pid === undefined ? Number.NaN : cpuMsOf(pid) - cpuBefore;
  const server = serverDifference(await readServer(url), before);
  const row: Row = { target, scenario: scenario.name, ...client, server, cpuUsPerRequest: (cpuMs * 1000) / Math.max(1, server.request.count) };
  console.log(`  ${target.padEnd(22)} ${scenario.name.padEnd(9)} ${fmtRow(row)}`);
  return row;
}

async function runTarget(target: string, url: string, pid: number | undefined, scenarios: readonly Scenario[] = SCENARIOS): Promise<Row[]> {
  await load(url, BODY, { name: 'warm-up', connections: 10 }, 2);
  const rows: Row[] = [];
  for (const scenario of scenarios) rows.push(await measure(target, url, pid, scenario));
  console.log(`  ${target.padEnd(22)} server-side means over the whole run: ${await serverSideMeans(url)}`);
  return rows;
}

const AT_1000_RPS = SCENARIOS.filter((s) => s.name === '1000 rps');

/** Mean time inside the server over the whole run (its own histograms), which the client's queueing does not inflate. */
async function serverSideMeans(url: string): Promise<string> {
  const whole = await readServer(url);
  const ms = (x: number): string => (Number.isNaN(x) ? 'n/a' : `${(x * 1000).toFixed(3)} ms`);
  return `request ${ms(mean(whole.request))}, inference ${ms(mean(whole.inference))}`;
}

function fmtRow(r: Row): string {
  const us = (x: number): string => (Number.isNaN(x) ? 'n/a' : (x * 1e6).toFixed(1));
  const shadow = r.server.shadow === undefined ? '' : `  shadow ${Object.entries(r.server.shadow.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`;
  return (
    `rps ${r.rps.toFixed(0).padStart(6)}  p50 ${r.p50.toFixed(2).padStart(7)} ms  p95 ${r.p95.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  non-2xx ${r.non2xx}  errors ${r.errors}` +
    `  server request mean ${us(mean(r.server.request))} µs  inference mean ${us(mean(r.server.inference))} µs  CPU ${r.cpuUsPerRequest.toFixed(1)} µs/request${shadow}`
  );
}

type NodeTarget = 'ml-before' | 'ml-onnxruntime' | 'ml' | 'baseline';

const NODE_LABELS: Readonly<Record<NodeTarget, string>> = {
  'ml-before': BEFORE_LABEL,
  'ml-onnxruntime': 'node ml onnxruntime',
  ml: 'node ml',
  baseline: 'node baseline',
};

async function runNode(target: NodeTarget, beforeMainJs: string | undefined): Promise<Row[]> {
  const variant = target === 'baseline' ? 'baseline' : 'ml';
  const profile = CPU_PROF_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`, `--cpu-prof-name=service-${target}.cpuprofile`];
  const engine = target === 'ml-onnxruntime' ? { MODEL_ENGINE: 'onnxruntime' } : {};
  // No drain on SIGTERM: a profile is written when the service exits on its own.
  const env = { MODEL_VARIANT: variant, SHUTDOWN_DRAIN_MS: '0', ...engine };
  const service =
    beforeMainJs === undefined
      ? startService(env, profile)
      : startNodeChild(beforeMainJs, { what: BEFORE_LABEL, listeningMessage: 'prediction service listening', env, nodeArgs: profile });
  try {
    const url = await service.listening();
    return await runTarget(NODE_LABELS[target], url, service.child.pid);
  } finally {
    if (CPU_PROF_DIR === undefined) await service.kill();
    else await service.terminate();
  }
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`peer exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`peer not healthy at ${url} within ${timeoutMs} ms`);
}

async function runPeer(): Promise<{ rows: Row[]; note: string }> {
  // One-off: the peer needs an XGBoost booster; training's output is only ONNX, so the first run retrains
  // (deterministically) and caches it. Outside the timed part.
  const prepared = await promisify(execFile)(PYTHON, [PEER_SCRIPT, '--prepare', '--cache-dir', PEER_CACHE], { cwd: PACKAGE_ROOT, maxBuffer: 16 << 20 });
  const note = prepared.stdout.trim().split('\n').pop() ?? '';
  const port = await freePort();
  const child = spawn(PYTHON, [PEER_SCRIPT, '--port', String(port), '--cache-dir', PEER_CACHE], { cwd: PACKAGE_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url, child, 30_000);
    return { rows: await runTarget('python fastapi+xgboost', url, child.pid), note };
  } finally {
    child.kill('SIGKILL');
  }
}

/** The peer's Debian packages: the bench checks them before anything is timed and names what is missing. */
const PEER_PACKAGES = 'python3-fastapi python3-uvicorn python3-xgboost python3-prometheus-client';

async function pythonVersions(): Promise<string> {
  const code =
    'import sys, fastapi, uvicorn, xgboost, prometheus_client; print(sys.version.split()[0], fastapi.__version__, uvicorn.__version__, xgboost.__version__)';
  let out: string;
  try {
    out = (await promisify(execFile)(PYTHON, ['-c', code])).stdout;
  } catch (err) {
    const missing = /No module named '([^']+)'/.exec(String((err as { stderr?: unknown }).stderr))?.[1] ?? 'a module';
    throw new Error(
      `the Python peer cannot start: ${PYTHON} has no ${missing}. Install the peer's packages (apt-get install -y ${PEER_PACKAGES}) or leave python out of BENCH_SERVICE_TARGETS`,
    );
  }
  const [py, fastapi, uvicorn, xgboost] = out.trim().split(' ');
  return `Python ${py}, FastAPI ${fastapi}, uvicorn ${uvicorn}, xgboost ${xgboost}`;
}

async function main(): Promise<void> {
  const loadWatch = new BenchLoad();
  const started = Date.now();
  await buildService();
  console.log(`machine: ${machineLine(loadWatch)}`);
  if (TARGETS.includes('python')) console.log(`peer: ${await pythonVersions()}`);
  console.log(`body: ${BODY}; ${SCENARIO_SECONDS} s per scenario after a 2 s warm-up; fixed rates with 10 connections, max with 32`);
  const rows: Row[] = [];
  if (TARGETS.includes('ml-before')) {
    try {
      rows.push(...(await runNode('ml-before', await buildBeforeService())));
    } catch (err) {
      console.log(`  ${BEFORE_LABEL}: not run: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  for (const target of ['ml-onnxruntime', 'ml', 'baseline'] as const) if (TARGETS.includes(target)) rows.push(...(await runNode(target, undefined)));
  if (TARGETS.includes('python')) {
    const peer = await runPeer();
    rows.push(...peer.rows);
    console.log(`peer model: ${peer.note}`);
  }
  if (TARGETS.includes('shadow')) rows.push(...(await runShadowRows(async (target, url, pid) => (await runTarget(target, url, pid, AT_1000_RPS))[0] as Row)));
  printReport(rows, loadWatch);
  console.log(`\n${loadWatch.endLine()}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
