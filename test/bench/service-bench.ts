// Benchmark of the prediction service (not a test: it prints figures). `npm run bench:service`.
//
// Each target runs alone on the machine's 2 cores (the autocannon client takes the other one): the Node
// service with MODEL_VARIANT=ml, then =baseline, then the seed's stack as a peer (FastAPI + uvicorn +
// xgboost, test/bench/service_peer.py) serving the same model with the same feature derivation. Per target:
// 2 s warm-up, then fixed rates of 500 and 1000 rps, then maximum throughput. Latency percentiles are
// computed from every response time autocannon reports (it has no p95 of its own).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { freePort } from '../helpers/free-port.js';
import { PACKAGE_ROOT, buildService, startService } from '../integration/service/service-process.js';

const PYTHON = '/usr/bin/python3';
const PEER_SCRIPT = join(PACKAGE_ROOT, 'test', 'bench', 'service_peer.py');
const PEER_CACHE = join(tmpdir(), 'guardrail-bench');
const SCENARIO_SECONDS = 8;
const BODY = JSON.stringify({ price: 50_000, midprice: 50_001.5, return_1s: 0.0004, return_5s: -0.0011, volatility: 0.00031 });

interface Scenario {
  readonly name: string;
  readonly overallRate?: number;
  readonly connections: number;
}
const SCENARIOS: readonly Scenario[] = [
  { name: '500 rps', overallRate: 500, connections: 10 },
  { name: '1000 rps', overallRate: 1000, connections: 10 },
  { name: 'max', connections: 32 },
];

interface Row {
  readonly target: string;
  readonly scenario: string;
  readonly rps: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly non2xx: number;
  readonly errors: number;
}

function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

async function load(url: string, scenario: Scenario, seconds: number): Promise<Omit<Row, 'target' | 'scenario'>> {
  const times: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${url}/predict`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BODY,
        connections: scenario.connections,
        duration: seconds,
        ...(scenario.overallRate === undefined ? {} : { overallRate: scenario.overallRate }),
      },
      (err, res) => (err === null || err === undefined ? resolve(res) : reject(err instanceof Error ? err : new Error(String(err)))),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      times.push(responseTime);
    });
  });
  const sorted = Float64Array.from(times).sort();
  return {
    rps: times.length / seconds,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function runTarget(target: string, url: string): Promise<Row[]> {
  await load(url, { name: 'warm-up', connections: 10 }, 2);
  const rows: Row[] = [];
  for (const scenario of SCENARIOS) {
    const row = { target, scenario: scenario.name, ...(await load(url, scenario, SCENARIO_SECONDS)) };
    console.log(`  ${target.padEnd(22)} ${scenario.name.padEnd(9)} ${fmtRow(row)}`);
    rows.push(row);
  }
  console.log(`  ${target.padEnd(22)} server-side means over the whole run: ${await serverSideMeans(url)}`);
  return rows;
}

/** Mean time inside the server (its own histograms), which the client's queueing does not inflate. */
async function serverSideMeans(url: string): Promise<string> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const sum = (pattern: RegExp): number =>
    [...text.matchAll(pattern)].reduce((acc, m) => acc + Number(m[1]), 0);
  const mean = (name: string, filter: string): string => {
    const s = sum(new RegExp(`^${name}_sum\\{[^}]*${filter}[^}]*\\} (\\S+)$`, 'gm'));
    const c = sum(new RegExp(`^${name}_count\\{[^}]*${filter}[^}]*\\} (\\S+)$`, 'gm'));
    return c > 0 ? `${((s / c) * 1000).toFixed(3)} ms` : 'n/a';
  };
  return `request ${mean('http_request_duration_seconds', 'route="/predict"')}, inference ${mean('model_inference_duration_seconds', '')}`;
}

function fmtRow(r: Row): string {
  return `rps ${r.rps.toFixed(0).padStart(6)}  p50 ${r.p50.toFixed(2).padStart(7)} ms  p95 ${r.p95.toFixed(2).padStart(7)} ms  p99 ${r.p99.toFixed(2).padStart(7)} ms  non-2xx ${r.non2xx}  errors ${r.errors}`;
}

async function runNode(variant: 'ml' | 'baseline'): Promise<Row[]> {
  const service = startService({ MODEL_VARIANT: variant });
  try {
    const url = await service.listening();
    return await runTarget(`node ${variant}`, url);
  } finally {
    await service.kill();
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
    return { rows: await runTarget('python fastapi+xgboost', url), note };
  } finally {
    child.kill('SIGKILL');
  }
}

async function pythonVersions(): Promise<string> {
  const code = 'import sys, fastapi, uvicorn, xgboost; print(sys.version.split()[0], fastapi.__version__, uvicorn.__version__, xgboost.__version__)';
  const [py, fastapi, uvicorn, xgboost] = (await promisify(execFile)(PYTHON, ['-c', code])).stdout.trim().split(' ');
  return `Python ${py}, FastAPI ${fastapi}, uvicorn ${uvicorn}, xgboost ${xgboost}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  await buildService();
  const cpu = cpus();
  console.log(`machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}; load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  console.log(`peer: ${await pythonVersions()}`);
  console.log(`body: ${BODY}; ${SCENARIO_SECONDS} s per scenario after a 2 s warm-up; fixed rates with 10 connections, max with 32`);
  const rows = [...(await runNode('ml')), ...(await runNode('baseline'))];
  const peer = await runPeer();
  rows.push(...peer.rows);
  console.log(`peer model: ${peer.note}`);

  const find = (target: string, scenario: string): Row | undefined => rows.find((r) => r.target === target && r.scenario === scenario);
  const mlMax = find('node ml', 'max')?.rps ?? Number.NaN;
  const peerMax = find('python fastapi+xgboost', 'max')?.rps ?? Number.NaN;
  const mlP95 = find('node ml', '1000 rps')?.p95 ?? Number.NaN;
  const baseP95 = find('node baseline', '1000 rps')?.p95 ?? Number.NaN;
  console.log('\n| target | load | achieved rps | p50 ms | p95 ms | p99 ms | non-2xx | errors |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.target} | ${r.scenario} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.non2xx} | ${r.errors} |`);
  }
  console.log('\ntargets:');
  console.log(`  ML P95 at 1000 rps <= 2 ms: ${mlP95.toFixed(2)} ms ${mlP95 <= 2 ? 'MET' : 'NOT MET'}`);
  console.log(`  baseline P95 at 1000 rps <= 1 ms: ${baseP95.toFixed(2)} ms ${baseP95 <= 1 ? 'MET' : 'NOT MET'}`);
  console.log(`  ML max throughput >= 5x the Python peer: ${(mlMax / peerMax).toFixed(1)}x (${mlMax.toFixed(0)} vs ${peerMax.toFixed(0)} rps) ${mlMax >= 5 * peerMax ? 'MET' : 'NOT MET'}`);
  console.log(`\nload average at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}; total ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
