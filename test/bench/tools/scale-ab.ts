// Side-by-side controller cost of two checkouts of this repository at one size (prints figures, not a test):
//   npx tsx test/bench/tools/scale-ab.ts <repoA> <repoB> [rounds=5] [targets=1000] [ticks=8]
//   (SCALE_AB_PROMETHEUS_URL=<url>: both sides query that instead, e.g. replay-prometheus.mjs's canned answers)
// e.g. a `git worktree add ../base origin/main` beside this clone. ONE synthetic exporter and ONE real
// Prometheus serve both; each round runs A's bench:scale worker, then B's (grouping-on, in turn, never at
// once), so a shared machine's load falls on both alike. Each worker is its repo's own
// test/bench/lib/scale-worker.ts and the controller code it imports, type-stripped (as bench:scale does).
// Prints every run (CPU per tick p50, peak RSS, tick p50, load average) and the medians per side.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { startPrometheus, type RealPrometheus } from '../../helpers/real-prometheus.js';
import { LIB_DIR } from '../lib/load.js';
import type { WorkerResult } from '../lib/scale-worker.js';
import { buildScaleWorker, SCALE_WORKER } from '../lib/scale-worker-build.js';
import { median } from '../lib/stats.js';


function runWorker(dir: string, targets: number, url: string, ticks: number): Promise<WorkerResult> {
  const child = spawn(process.execPath, [join(dir, SCALE_WORKER.replace(/\.ts$/, '.js')), 'grouping-on', String(targets), url, String(ticks), '1000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolvePromise, reject) => {
    child.once('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`worker in ${dir} exited ${code}`));
      else resolvePromise(JSON.parse(last) as WorkerResult);
    });
  });
}

/**
 * What both sides query: SCALE_AB_PROMETHEUS_URL when set (e.g. `replay-prometheus.mjs replay`'s URL, so
 * Prometheus's evaluation is out of the figures), else ONE synthetic exporter and ONE real Prometheus.
 */
async function startSource(targets: number): Promise<{ readonly url: string; stop(): Promise<void> }> {
  const given = process.env['SCALE_AB_PROMETHEUS_URL'];
  if (given !== undefined && given !== '') return { url: given, stop: () => Promise.resolve() };
  const exporter = spawn(process.execPath, [join(LIB_DIR, 'synthetic-exporter.mjs'), String(targets), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let prometheus: RealPrometheus | undefined;
  const stop = async (): Promise<void> => {
    await prometheus?.stop();
    exporter.kill('SIGTERM');
  };
  try {
    const port = await new Promise<number>((ok) => exporter.stdout.once('data', (c: Buffer) => ok((JSON.parse(c.toString()) as { port: number }).port)));
    prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${port}`], scrapeIntervalSec: 1 });
    await prometheus.waitForSample(`count(model_info) == ${targets}`, Math.max(30_000, targets * 20));
    await prometheus.waitForSample('count(rate(http_requests_total[1m]) > 0) > 0', Math.max(30_000, targets * 20));
    return { url: prometheus.url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function main(): Promise<void> {
  const [a, b, roundsArg, targetsArg, ticksArg] = process.argv.slice(2);
  if (a === undefined || b === undefined) throw new Error('usage: scale-ab.ts <repoA> <repoB> [rounds] [targets] [ticks]');
  const rounds = Number(roundsArg ?? 5);
  const targets = Number(targetsArg ?? 1000);
  const ticks = Number(ticksArg ?? 8);
  const sides = [
    { name: 'A', root: resolve(a), dir: await buildScaleWorker(resolve(a)), runs: [] as WorkerResult[] },
    { name: 'B', root: resolve(b), dir: await buildScaleWorker(resolve(b)), runs: [] as WorkerResult[] },
  ];
  const source = await startSource(targets);
  try {
    console.log(`A = ${sides[0]?.root}\nB = ${sides[1]?.root}\n${targets} targets, grouping-on, ${ticks} measured ticks per run, ${rounds} rounds`);
    for (let round = 1; round <= rounds; round++) {
      for (const side of sides) {
        const before = loadavg()[0] ?? 0;
        const r = await runWorker(side.dir, targets, source.url, ticks);
        side.runs.push(r);
        const unknown = Object.keys(r.unknown).length === 0 ? '' : ` UNKNOWN ${JSON.stringify(r.unknown)}`;
        console.log(
          `round ${round} ${side.name}: CPU/tick p50 ${r.cpuP50.toFixed(0)} ms, RSS peak ${r.rssPeakMiB.toFixed(0)} MiB (start ${r.rssStartMiB.toFixed(0)}), tick p50 ${r.tickP50.toFixed(0)} ms, queries p50 ${r.queryP50.toFixed(0)} ms; load ${before.toFixed(2)} → ${(loadavg()[0] ?? 0).toFixed(2)}${unknown}`,
        );
      }
    }
    for (const side of sides) {
      const med = (f: (r: WorkerResult) => number): string => median(side.runs.map(f)).toFixed(0);
      console.log(`median ${side.name}: CPU/tick ${med((r) => r.cpuP50)} ms, RSS peak ${med((r) => r.rssPeakMiB)} MiB, tick p50 ${med((r) => r.tickP50)} ms, queries p50 ${med((r) => r.queryP50)} ms`);
    }
    console.log(`load average at end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  } finally {
    await source.stop();
    for (const side of sides) await rm(side.dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
