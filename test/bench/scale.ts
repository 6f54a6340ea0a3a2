// Benchmark (prints figures, not a test): one controller evaluating many targets, `npm run bench:scale`.
//
// A real Prometheus scrapes, every second, one synthetic exporter (lib/synthetic-exporter.mjs) serving the
// service metric contract for N services (a `service` label each). N policies are generated from one
// template (lib/scale-policy.ts: 7 queries each). The controller is the real Runtime — the same tick code
// node-cron runs (queriesOf → PrometheusMetricsSource.queryAll → decide → persist state) — driven by
// tickAll() with the schedule off, with a real state dir, in its own plain-node process
// (lib/scale-worker.ts, type-stripped with the controller code) so its CPU and RSS are the controller's
// alone. Nothing breaches, so nothing is switched. tickAll() goes through the same batched path as a cron
// firing (all policies of one interval observed together, one queryAll). Two modes of the real adapter:
//   grouping-off — prometheus.groupQueries false: each policy's 7 queries on their own, 7 × N per tick;
//   grouping-on  — the default: each rule's N copies asked as one `by (service)` query, 7 per tick.
// Figures for 10, 100 and 500 targets: tick duration p50/p99, queries per tick, controller CPU per tick and
// its share of a 15 s interval, Prometheus CPU per tick, RSS.
// Env: BENCH_SCALE_SIZES (default "10,100,500"), BENCH_SCALE_TICKS (default 20),
//      BENCH_SCALE_MODES (default "grouping-off,grouping-on").
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { rm, symlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { startPrometheus, type RealPrometheus } from '../helpers/real-prometheus.js';
import { transpileForChild } from '../helpers/transpile-for-child.js';
import { LIB_DIR } from './lib/load.js';
import { machineLine } from './lib/machine.js';
import { cpuMsOf, findPid } from './lib/process-cpu.js';
import { QUERIES_PER_POLICY } from './lib/scale-policy.js';
import type { Mode, WorkerResult } from './lib/scale-worker.js';
import { runBench } from './lib/run-bench.js';
import { markdownTable } from './lib/stats.js';

const SIZES = (process.env['BENCH_SCALE_SIZES'] ?? '10,100,500').split(',').map(Number);
const TICKS = Number(process.env['BENCH_SCALE_TICKS'] ?? 20);
const MODES: readonly Mode[] = (process.env['BENCH_SCALE_MODES'] ?? 'grouping-off,grouping-on').split(',') as Mode[];
const INTERVAL_MS = 15_000; // the shipped policy's evaluation interval: CPU share is per this interval
const TICK_SPACING_MS = 1_000; // measured ticks are spaced by one scrape so each sees fresh samples
const REPO_ROOT = join(LIB_DIR, '../../..');

interface Row extends WorkerResult {
  /** Prometheus CPU during the measured ticks and the pauses between them (scraping included), per tick. */
  readonly promCpuPerTick: number;
}

function tsFilesUnder(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));
}

/** The worker and everything it imports, type-stripped into a temp dir that sees the repo's node_modules. */
async function buildWorker(): Promise<string> {
  const sources = [...tsFilesUnder('controller'), 'service/contract.ts', ...['run-bench', 'scale-policy', 'scale-worker', 'stats'].map((f) => relative(REPO_ROOT, join(LIB_DIR, `${f}.ts`)))];
  const out = await transpileForChild(sources);
  await symlink(join(REPO_ROOT, 'node_modules'), join(out, 'node_modules'));
  await symlink(join(REPO_ROOT, 'policies'), join(out, 'policies')); // the policy loader reads its JSON schema

  return out;
}

async function startExporter(services: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(LIB_DIR, 'synthetic-exporter.mjs'), String(services), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`synthetic exporter exited ${code}`)));
  });
  return { child, port };
}

function runWorker(workerDir: string, mode: Mode, targets: number, prometheus: RealPrometheus, promPid: number | undefined): Promise<Row> {
  const script = join(workerDir, relative(REPO_ROOT, join(LIB_DIR, 'scale-worker.js')));
  const child = spawn(process.execPath, [script, mode, String(targets), prometheus.url, String(TICKS), String(TICK_SPACING_MS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let promCpuStart = Number.NaN;
  let promCpuEnd = Number.NaN;
  let last = '';
  return new Promise<Row>((resolve, reject) => {
    let buffer = '';
    child.stdout.on('data', (c: Buffer) => {
      buffer += c.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (line === 'measuring' && promPid !== undefined) promCpuStart = cpuMsOf(promPid);
        else if (line === 'measured' && promPid !== undefined) promCpuEnd = cpuMsOf(promPid);
        else if (line !== '') last = line;
        newline = buffer.indexOf('\n');
      }
    });
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`scale worker ${mode} ${targets} exited ${code}`));
      const result = JSON.parse(last) as WorkerResult;
      resolve({ ...result, promCpuPerTick: (promCpuEnd - promCpuStart) / TICKS });
    });
  });
}

async function measure(workerDir: string, targets: number): Promise<Row[]> {
  const exporter = await startExporter(targets);
  let prometheus: RealPrometheus | undefined;
  try {
    prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${exporter.port}`], scrapeIntervalSec: 1 });
    await prometheus.waitForSample(`count(model_info) == ${targets}`, 30_000);
    // rate() needs two samples in its window.
    await prometheus.waitForSample('count(rate(http_requests_total[1m]) > 0) > 0', 30_000);
    const promPid = findPid(prometheus.dir);
    const rows: Row[] = [];
    for (const mode of MODES) {
      const row = await runWorker(workerDir, mode, targets, prometheus, promPid);
      rows.push(row);
      const agreement = row.groupedDifference === undefined ? '' : `; grouped vs own-query answers at one time= differ by at most ${row.groupedDifference.toExponential(1)} (relative)`;
      console.log(`${targets} targets, ${mode}: tick p50 ${row.tickP50.toFixed(0)} ms, p99 ${row.tickP99.toFixed(0)} ms, CPU ${row.cpuP50.toFixed(0)} ms/tick, RSS ${row.rssPeakMiB.toFixed(0)} MiB${agreement}`);
    }
    return rows;
  } finally {
    await prometheus?.stop();
    exporter.child.kill('SIGTERM');
  }
}

function format(rows: readonly Row[]): string {
  return markdownTable(
    ['targets', 'queries', 'HTTP queries/tick', 'tick p50 ms', 'tick p99 ms', 'controller CPU/tick ms (p50)', 'CPU share of 15 s', 'Prometheus CPU/tick ms', 'RSS peak MiB (at start)', 'UNKNOWN samples'],
    rows.map((r) => [
      String(r.targets),
      r.mode,
      String(r.queriesPerTick),
      r.tickP50.toFixed(0),
      r.tickP99.toFixed(0),
      r.cpuP50.toFixed(0),
      `${((r.cpuP50 / INTERVAL_MS) * 100).toFixed(2)}%`,
      r.promCpuPerTick.toFixed(0),
      `${r.rssPeakMiB.toFixed(0)} (${r.rssStartMiB.toFixed(0)})`,
      Object.keys(r.unknown).length === 0 ? '0' : JSON.stringify(r.unknown),
    ]),
  );
}

async function main(): Promise<void> {
  console.log(`bench:scale — ${machineLine()}`);
  console.log(`${QUERIES_PER_POLICY} queries per policy, ${TICKS} measured ticks per size, ${TICK_SPACING_MS} ms apart, scrape every 1 s\n`);
  const workerDir = await buildWorker();
  try {
    const rows: Row[] = [];
    for (const size of SIZES) rows.push(...(await measure(workerDir, size)));
    console.log(`\n${format(rows)}\n`);
    console.log('Targets at 100 targets: tick < 1 s, < 5% CPU at a 15 s interval, RSS < 150 MB.');
  } finally {
    await rm(workerDir, { recursive: true, force: true });
  }
}

runBench(main);
