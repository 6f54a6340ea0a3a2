// Benchmark (prints figures, not a test): one controller evaluating many targets, `npm run bench:scale`.
//
// A real Prometheus scrapes, every second, one synthetic exporter (lib/synthetic-exporter.mjs) serving the
// service metric contract for N services (a `service` label each). N policies are generated from one
// template (lib/scale-policy.ts: 7 queries each). The controller is the real Runtime — the same tick code
// node-cron runs (queriesOf → PrometheusMetricsSource.queryAll → decide → persist state) — driven by
// tickAll() with the schedule off, with a real state dir. Nothing breaches, so nothing is switched.
// For 10, 100 and 500 targets: tick duration p50/p99, queries per tick, controller CPU per tick and its
// share of a 15 s interval, Prometheus CPU per tick, RSS. Two query modes on the same Prometheus:
//   per-target — what the runtime does today: each policy's 7 queries, 7 × N HTTP queries per tick;
//   grouped    — a batching prototype (lib/grouped-source.ts) behind the same MetricsSource port: one
//                `by (service)` query per rule shape, 7 per tick whatever N, fanned out to the targets.
// Env: BENCH_SCALE_SIZES (default "10,100,500"), BENCH_SCALE_TICKS (default 20),
//      BENCH_SCALE_MODES (default "per-target,grouped").
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { PrometheusMetricsSource } from '../../controller/adapters/prometheus.js';
import type { Sample } from '../../controller/core/index.js';
import type { Actuator } from '../../controller/ports/actuator.js';
import type { MetricsSource, QueryOptions } from '../../controller/ports/metrics-source.js';
import { Runtime } from '../../controller/runtime/runtime.js';
import { openStorage } from '../../controller/runtime/storage.js';
import { startPrometheus, type RealPrometheus } from '../helpers/real-prometheus.js';
import { LIB_DIR } from './lib/load.js';
import { machineLine } from './lib/machine.js';
import { cpuMsOf, findPid } from './lib/process-cpu.js';
import { GroupedSource } from './lib/grouped-source.js';
import { QUERIES_PER_POLICY, RULE_SHAPES, scalePolicyYaml } from './lib/scale-policy.js';
import { markdownTable, percentile, sleep } from './lib/stats.js';

const SIZES = (process.env['BENCH_SCALE_SIZES'] ?? '10,100,500').split(',').map(Number);
const TICKS = Number(process.env['BENCH_SCALE_TICKS'] ?? 20);
const INTERVAL_MS = 15_000; // the shipped policy's evaluation interval: CPU share is per this interval
const MODES: readonly Mode[] = (process.env['BENCH_SCALE_MODES'] ?? 'per-target,grouped').split(',') as Mode[];
const TICK_SPACING_MS = 1_000; // measured ticks are spaced by one scrape so each sees fresh samples

/** Counts what the runtime asks and gets: queries, and answers that were not numbers. */
class CountingSource implements MetricsSource {
  queries = 0;
  unknown: Record<string, number> = {};
  private readonly inner: MetricsSource;
  constructor(inner: MetricsSource) {
    this.inner = inner;
  }
  query(promql: string, opts?: QueryOptions): Promise<Sample> {
    return this.queryAll([promql], opts).then((r) => r[0] ?? { kind: 'unknown', cause: 'bad_response', detail: 'none' });
  }
  async queryAll(promqls: readonly string[], opts?: QueryOptions): Promise<Sample[]> {
    this.queries += promqls.length;
    const samples = await this.inner.queryAll(promqls, opts);
    for (const s of samples) if (s.kind === 'unknown') this.unknown[s.cause] = (this.unknown[s.cause] ?? 0) + 1;
    return samples;
  }
  isReachable(opts?: QueryOptions): Promise<boolean> {
    return this.inner.isReachable(opts);
  }
}

/** The benchmark never switches anything: a call would mean a policy breached by mistake. */
const refusingActuator: Actuator = {
  switchVariant: () => Promise.reject(new Error('bench:scale: nothing should be switched (a synthetic policy breached)')),
  inspect: () => Promise.reject(new Error('bench:scale: inspect not expected')),
  reconcile: () => Promise.reject(new Error('bench:scale: reconcile not expected')),
};

type Mode = 'per-target' | 'grouped';

interface Row {
  readonly targets: number;
  readonly mode: Mode;
  /** HTTP queries sent to Prometheus per tick. */
  readonly queriesPerTick: number;
  readonly tickP50: number;
  readonly tickP99: number;
  readonly cpuP50: number;
  readonly promCpuPerTick: number;
  readonly rssMiB: number;
  readonly rssBeforeMiB: number;
  readonly unknown: Record<string, number>;
}

async function startExporter(services: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [join(LIB_DIR, 'synthetic-exporter.mjs'), String(services), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.once('data', (c: Buffer) => resolve((JSON.parse(c.toString()) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`synthetic exporter exited ${code}`)));
  });
  return { child, port };
}

/** Largest relative difference between the grouped answers and each target's own query (a few targets). */
async function groupedAgreement(grouped: GroupedSource, perTarget: MetricsSource, services: readonly string[]): Promise<number> {
  let worst = 0;
  grouped.beginTick();
  for (const service of services.slice(0, 10)) {
    for (const shape of RULE_SHAPES) {
      const query = shape.perTarget(service);
      const [a, b] = await Promise.all([grouped.query(query), perTarget.query(query)]);
      if (a.kind !== b.kind) return Number.POSITIVE_INFINITY;
      if (a.kind === 'value' && b.kind === 'value') worst = Math.max(worst, Math.abs(a.value - b.value) / Math.max(Math.abs(b.value), 1e-9));
    }
  }
  return worst;
}

async function runMode(mode: Mode, targets: number, prometheus: RealPrometheus, promPid: number | undefined): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-bench-scale-'));
  let runtime: Runtime | undefined;
  try {
    const policyDir = join(dir, 'policies');
    await mkdir(policyDir);
    for (let i = 0; i < targets; i++) await writeFile(join(policyDir, `scale-${i}.yaml`), scalePolicyYaml(i));
    const { store, history } = await openStorage(join(dir, 'state'));
    const perTarget = new CountingSource(new PrometheusMetricsSource({ baseUrl: prometheus.url }));
    const services = Array.from({ length: targets }, (_, i) => `svc-${i}`);
    const grouped = mode === 'grouped' ? new GroupedSource({ baseUrl: prometheus.url, inner: perTarget, services }) : undefined;
    const rssBefore = process.memoryUsage().rss;
    runtime = new Runtime({
      policyPaths: [policyDir],
      metricsSource: grouped ?? perTarget,
      actuator: refusingActuator,
      sinks: [],
      store,
      history,
      logger: pino({ level: 'silent' }),
      schedule: false,
      watch: false,
    });
    await runtime.start();
    if (runtime.status().length !== targets) throw new Error(`loaded ${runtime.status().length} policies, expected ${targets}`);

    const tick = async (): Promise<void> => {
      grouped?.beginTick();
      await runtime?.tickAll();
      await runtime?.idle();
    };
    for (let i = 0; i < 2; i++) await tick(); // warm-up: JIT, connections, first state file
    perTarget.queries = 0;
    perTarget.unknown = {};
    if (grouped !== undefined) grouped.groupedQueries = 0;
    const durations: number[] = [];
    const cpus: number[] = [];
    let rss = process.memoryUsage().rss;
    const promCpuStart = promPid === undefined ? Number.NaN : cpuMsOf(promPid);
    for (let i = 0; i < TICKS; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await tick();
      durations.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpus.push((cpu.user + cpu.system) / 1000);
      rss = Math.max(rss, process.memoryUsage().rss);
      await sleep(TICK_SPACING_MS);
    }
    const promCpu = promPid === undefined ? Number.NaN : cpuMsOf(promPid) - promCpuStart;
    const unknown = { ...perTarget.unknown };
    if (grouped !== undefined) {
      if (grouped.fallbacks > 0) unknown['fallbacks'] = grouped.fallbacks;
      const worst = await groupedAgreement(grouped, perTarget, services);
      console.log(`  grouped answers vs per-target queries (10 targets × 7 shapes): largest relative difference ${worst.toExponential(1)}`);
    }
    // Every target still has its verdicts, and none came back UNKNOWN.
    for (const view of runtime.status()) if (view.phase !== 'watching') throw new Error(`${view.target} is ${view.phase}`);
    return {
      targets,
      mode,
      queriesPerTick: (grouped === undefined ? perTarget.queries : grouped.groupedQueries + perTarget.queries) / TICKS,
      tickP50: percentile(durations, 0.5),
      tickP99: percentile(durations, 0.99),
      cpuP50: percentile(cpus, 0.5),
      // Includes Prometheus's own scraping and TSDB work during the ticks and the pauses between them.
      promCpuPerTick: promCpu / TICKS,
      rssMiB: rss / 2 ** 20,
      rssBeforeMiB: rssBefore / 2 ** 20,
      unknown,
    };
  } finally {
    await runtime?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function measure(targets: number): Promise<Row[]> {
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
      const row = await runMode(mode, targets, prometheus, promPid);
      rows.push(row);
      console.log(`${targets} targets, ${mode}: tick p50 ${row.tickP50.toFixed(0)} ms, p99 ${row.tickP99.toFixed(0)} ms, CPU ${row.cpuP50.toFixed(0)} ms/tick, RSS ${row.rssMiB.toFixed(0)} MiB`);
    }
    return rows;
  } finally {
    await prometheus?.stop();
    exporter.child.kill('SIGTERM');
  }
}

function format(rows: readonly Row[]): string {
  return markdownTable(
    ['targets', 'queries', 'HTTP queries/tick', 'tick p50 ms', 'tick p99 ms', 'controller CPU/tick ms (p50)', 'CPU share of 15 s', 'Prometheus CPU/tick ms', 'RSS MiB (before policies)', 'UNKNOWN samples'],
    rows.map((r) => [
      String(r.targets),
      r.mode,
      String(r.queriesPerTick),
      r.tickP50.toFixed(0),
      r.tickP99.toFixed(0),
      r.cpuP50.toFixed(0),
      `${((r.cpuP50 / INTERVAL_MS) * 100).toFixed(2)}%`,
      r.promCpuPerTick.toFixed(0),
      `${r.rssMiB.toFixed(0)} (${r.rssBeforeMiB.toFixed(0)})`,
      Object.keys(r.unknown).length === 0 ? '0' : JSON.stringify(r.unknown),
    ]),
  );
}

async function main(): Promise<void> {
  console.log(`bench:scale — ${machineLine()}`);
  console.log(`${QUERIES_PER_POLICY} queries per policy, ${TICKS} measured ticks per size, ${TICK_SPACING_MS} ms apart, scrape every 1 s\n`);
  const rows: Row[] = [];
  for (const size of SIZES) rows.push(...(await measure(size)));
  console.log(`\n${format(rows)}\n`);
  console.log('Targets at 100 targets: tick < 1 s, < 5% CPU at a 15 s interval, RSS < 150 MB.');
}

const keepAlive = setInterval(() => undefined, 1_000);
main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => clearInterval(keepAlive));
