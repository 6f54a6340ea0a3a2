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
// Figures for 10, 100, 500, 1000 and 5000 targets (grouping-off only up to 500: 7 × N HTTP queries per
// tick take seconds beyond): tick duration p50/p99, queries per tick, controller CPU per tick and its share
// of a 15 s interval, Prometheus CPU per tick, RSS, then (added at the end of the table) the controller CPU
// per target, which shows at a glance whether the tick grows linearly, and the time the tick's queries took.
// Env: BENCH_SCALE_SIZES (default "10,100,500,1000,5000"), BENCH_SCALE_TICKS (default 20),
//      BENCH_SCALE_MODES (default "grouping-off,grouping-on"), BENCH_SCALE_OFF_MAX (largest size run
//      with grouping-off, default 500), BENCH_SCALE_CPU_PROF=<dir> (a CPU profile of the measured ticks),
//      BENCH_SCALE_TICK_TIMEOUT_MS (the runtime's tick deadline, default its own 10 s), BENCH_SCALE_SCRAPE_S
//      (Prometheus's scrape interval, default 1 s; at 5000 services × ~20 series a 1 s scrape falls behind
//      on 2 shared cores, series go stale and the model-not-loaded rule breaches).
import { spawn, type ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { startPrometheus, type RealPrometheus } from '../helpers/real-prometheus.js';
import { LIB_DIR } from './lib/load.js';
import { BenchLoad, machineLine } from './lib/machine.js';
import { cpuMsOf, findPid } from './lib/process-cpu.js';
import { QUERIES_PER_POLICY } from './lib/scale-policy.js';
import type { Mode, WorkerResult } from './lib/scale-worker.js';
import { runBench } from './lib/run-bench.js';
import { buildScaleWorker } from './lib/scale-worker-build.js';
import { markdownTable } from './lib/stats.js';

const SIZES = (process.env['BENCH_SCALE_SIZES'] ?? '10,100,500,1000,5000').split(',').map(Number);
const OFF_MAX = Number(process.env['BENCH_SCALE_OFF_MAX'] ?? 500);
const TICK_TIMEOUT_MS = process.env['BENCH_SCALE_TICK_TIMEOUT_MS'] ?? '';
const SCRAPE_S = Number(process.env['BENCH_SCALE_SCRAPE_S'] ?? 1);
const TICKS = Number(process.env['BENCH_SCALE_TICKS'] ?? 20);
const MODES: readonly Mode[] = (process.env['BENCH_SCALE_MODES'] ?? 'grouping-off,grouping-on').split(',') as Mode[];
const INTERVAL_MS = 15_000; // the shipped policy's evaluation interval: CPU share is per this interval
const TICK_SPACING_MS = 1_000; // measured ticks are spaced by one scrape so each sees fresh samples
const REPO_ROOT = join(LIB_DIR, '../../..');

interface Row extends WorkerResult {
  /** Prometheus CPU during the measured ticks and the pauses between them (scraping included), per tick. */
  readonly promCpuPerTick: number;
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
  const child = spawn(process.execPath, [script, mode, String(targets), prometheus.url, String(TICKS), String(TICK_SPACING_MS), TICK_TIMEOUT_MS], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${exporter.port}`], scrapeIntervalSec: SCRAPE_S });
    await prometheus.waitForSample(`count(model_info) == ${targets}`, Math.max(30_000, targets * 20));
    // rate() needs two samples in its window.
    await prometheus.waitForSample('count(rate(http_requests_total[1m]) > 0) > 0', Math.max(30_000, targets * 20));
    const promPid = findPid(prometheus.dir);
    const rows: Row[] = [];
    for (const mode of MODES) {
      if (mode === 'grouping-off' && targets > OFF_MAX) {
        console.log(`${targets} targets, grouping-off: skipped (above BENCH_SCALE_OFF_MAX=${OFF_MAX})`);
        continue;
      }
      const row = await runWorker(workerDir, mode, targets, prometheus, promPid);
      rows.push(row);
      const agreement = row.groupedDifference === undefined ? '' : `; grouped vs own-query answers at one time= differ by at most ${row.groupedDifference.toExponential(1)} (relative)`;
      console.log(
        `${targets} targets, ${mode}: tick p50 ${row.tickP50.toFixed(0)} ms, p99 ${row.tickP99.toFixed(0)} ms, CPU ${row.cpuP50.toFixed(0)} ms/tick, RSS ${row.rssPeakMiB.toFixed(0)} MiB${agreement}; ${new Date().toISOString().slice(11, 19)} UTC, load average ${loadavg()[0]?.toFixed(2) ?? '?'}`,
      );
    }
    return rows;
  } finally {
    await prometheus?.stop();
    exporter.child.kill('SIGTERM');
  }
}

function format(rows: readonly Row[]): string {
  return markdownTable(
    // Scripts read this table: the first ten columns keep their order, new ones go at the end.
    ['targets', 'queries', 'HTTP queries/tick', 'tick p50 ms', 'tick p99 ms', 'controller CPU/tick ms (p50)', 'CPU share of 15 s', 'Prometheus CPU/tick ms', 'RSS peak MiB (at start)', 'UNKNOWN samples', 'controller CPU/target µs', 'queries p50 ms'],
    rows.map((r) => [
      String(r.targets),
      r.mode,
      Number.isInteger(r.queriesPerTick) ? String(r.queriesPerTick) : r.queriesPerTick.toFixed(1),
      r.tickP50.toFixed(0),
      r.tickP99.toFixed(0),
      r.cpuP50.toFixed(0),
      `${((r.cpuP50 / INTERVAL_MS) * 100).toFixed(2)}%`,
      r.promCpuPerTick.toFixed(0),
      `${r.rssPeakMiB.toFixed(0)} (${r.rssStartMiB.toFixed(0)})`,
      Object.keys(r.unknown).length === 0 ? '0' : JSON.stringify(r.unknown),
      ((r.cpuP50 * 1000) / r.targets).toFixed(0),
      r.queryP50.toFixed(0),
    ]),
  );
}

/** The issue-#17 targets at 1000 targets × 7 rules, and the original ones at 100 targets (grouping on). */
function targetLines(rows: readonly Row[], load: BenchLoad): string[] {
  const at = (targets: number): Row | undefined => rows.find((r) => r.targets === targets && r.mode === 'grouping-on');
  const lines: string[] = [];
  const hundred = at(100);
  if (hundred !== undefined) {
    const share = (hundred.cpuP50 / INTERVAL_MS) * 100;
    lines.push(`  100 targets: tick p50 < 1 s: ${hundred.tickP50.toFixed(0)} ms ${load.verdict(hundred.tickP50 < 1000)}`);
    lines.push(`  100 targets: CPU < 5% of a 15 s interval: ${share.toFixed(2)}% ${load.verdict(share < 5)}`);
    lines.push(`  100 targets: RSS < 150 MB: ${hundred.rssPeakMiB.toFixed(0)} MiB ${load.verdict(hundred.rssPeakMiB * 2 ** 20 < 150e6)}`);
  }
  const thousand = at(1000);
  if (thousand !== undefined) {
    lines.push(`  1000 targets: tick p50 <= 250 ms: ${thousand.tickP50.toFixed(0)} ms ${load.verdict(thousand.tickP50 <= 250)}`);
    lines.push(`  1000 targets: controller CPU <= 150 ms per tick: ${thousand.cpuP50.toFixed(0)} ms ${load.verdict(thousand.cpuP50 <= 150)}`);
    lines.push(`  1000 targets: RSS <= 200 MiB: ${thousand.rssPeakMiB.toFixed(0)} MiB ${load.verdict(thousand.rssPeakMiB <= 200)}`);
  }
  return lines;
}

async function main(): Promise<void> {
  const load = new BenchLoad();
  console.log(`bench:scale — ${machineLine(load)}`);
  const deadline = TICK_TIMEOUT_MS === '' ? "the runtime's default tick deadline" : `tick deadline ${TICK_TIMEOUT_MS} ms`;
  console.log(`${QUERIES_PER_POLICY} queries per policy, ${TICKS} measured ticks per size, ${TICK_SPACING_MS} ms apart, scrape every ${SCRAPE_S} s, ${deadline}\n`);
  const workerDir = await buildScaleWorker();
  try {
    const rows: Row[] = [];
    for (const size of SIZES) rows.push(...(await measure(workerDir, size)));
    console.log(`\n${format(rows)}\n`);
    console.log(['targets (grouping on):', ...targetLines(rows, load)].join('\n'));
    console.log(`\n${load.endLine()}`);
  } finally {
    await rm(workerDir, { recursive: true, force: true });
  }
}

runBench(main);
