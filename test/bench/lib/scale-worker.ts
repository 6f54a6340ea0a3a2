// bench:scale's measuring process: ONE controller Runtime over N generated policies, run by plain node
// (scale.ts transpiles it and the controller code, type-stripped, so tsx's loader does not inflate RSS).
//   node scale-worker.js <grouping-off|grouping-on> <targets> <prometheusUrl> <ticks> <tickSpacingMs> [tickTimeoutMs]
// The two modes are the runtime's Prometheus adapter with `groupQueries` false (every query on its own)
// and true (the default: each rule's N copies asked as one `by (service)` query).
// Prints `measuring` when the measured ticks start, `measured` when they end (the parent reads
// Prometheus's CPU at those moments), then one JSON line with the figures.
import { filePolicySource } from '../../../controller/adapters/policy/index.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
import axios from 'axios';
import { pino } from 'pino';
import { PrometheusMetricsSource } from '../../../controller/adapters/prometheus/metrics-source.js';
import type { Sample } from '../../../controller/core/index.js';
import type { Actuator } from '../../../controller/ports/actuator.js';
import type { MetricsSource, QueryOptions } from '../../../controller/ports/metrics-source.js';
import { Runtime } from '../../../controller/runtime/runtime.js';
import { tuneControllerHeap } from '../../../controller/wiring/heap-tuning.js';
import { openStorage } from '../../../controller/wiring/storage.js';
import { runBench } from './run-bench.js';
import { RULE_SHAPES, scalePolicyYaml } from './scale-policy.js';
import { percentile, sleep } from './stats.js';

export type Mode = 'grouping-off' | 'grouping-on';

export interface WorkerResult {
  readonly targets: number;
  readonly mode: Mode;
  /** HTTP queries sent to Prometheus per tick. */
  readonly queriesPerTick: number;
  readonly tickP50: number;
  readonly tickP99: number;
  readonly cpuP50: number;
  /** How long the tick's one queryAll() took (Prometheus's evaluation, the HTTP and the answer splitting). */
  readonly queryP50: number;
  /** RSS right after start-up (modules loaded, no policy yet), and the largest seen while ticking. */
  readonly rssStartMiB: number;
  readonly rssPeakMiB: number;
  readonly unknown: Record<string, number>;
  /** grouping-on: largest relative difference to the same queries sent on their own, at the same time= (10 targets × 7 shapes). */
  readonly groupedDifference?: number;
}

/** Counts the answers the runtime gets that were not numbers. */
class CountingSource implements MetricsSource {
  unknown: Record<string, number> = {};
  durations: number[] = [];
  private readonly inner: MetricsSource;
  constructor(inner: MetricsSource) {
    this.inner = inner;
  }
  query(promql: string, opts?: QueryOptions): Promise<Sample> {
    return this.queryAll([promql], opts).then((r) => r[0] ?? { kind: 'unknown', cause: 'bad_response', detail: 'none' });
  }
  async queryAll(promqls: readonly string[], opts?: QueryOptions): Promise<Sample[]> {
    const started = performance.now();
    const samples = await this.inner.queryAll(promqls, opts);
    this.durations.push(performance.now() - started);
    for (const s of samples) if (s.kind === 'unknown') this.unknown[s.cause] = (this.unknown[s.cause] ?? 0) + 1;
    return samples;
  }
  isReachable(opts?: QueryOptions): Promise<boolean> {
    return this.inner.isReachable(opts);
  }
}

/**
 * The benchmark never switches anything: a call would mean a policy breached by mistake. Its inspect
 * answers what a healthy target's look would (one running container serving the normal value, probed ok),
 * at once: the tick's own work on that answer is measured, not Docker's (docs/performance.md says so).
 */
const refusingActuator: Actuator = {
  switchVariant: () => Promise.reject(new Error('bench:scale: nothing should be switched (a synthetic policy breached)')),
  inspect: (service) =>
    Promise.resolve({
      target: service.name,
      instances: [
        { id: `id-${service.name}`, name: service.name, running: true, value: null, role: 'current', labels: {}, probe: { variant: 'ml', detail: 'ok' } },
      ],
    }),
  reconcile: () => Promise.reject(new Error('bench:scale: reconcile not expected')),
};

/** Largest relative difference between grouped answers and the same queries sent on their own, at one time=. */
async function groupedAgreement(prometheusUrl: string, services: readonly string[]): Promise<number> {
  const queries = services.slice(0, 10).flatMap((s) => RULE_SHAPES.map((shape) => shape.perTarget(s)));
  const timeMs = Date.now() - 2_000; // scrapes up to then are ingested
  const [grouped, own] = await Promise.all([
    new PrometheusMetricsSource({ baseUrl: prometheusUrl }).queryAll(queries, { timeMs }),
    new PrometheusMetricsSource({ baseUrl: prometheusUrl, groupQueries: false }).queryAll(queries, { timeMs }),
  ]);
  let worst = 0;
  own.forEach((b, i) => {
    const a = grouped[i];
    if (a?.kind !== b.kind) worst = Number.POSITIVE_INFINITY;
    else if (a.kind === 'value' && b.kind === 'value') worst = Math.max(worst, Math.abs(a.value - b.value) / Math.max(Math.abs(b.value), 1e-9));
  });
  return worst;
}

const mib = (bytes: number): number => bytes / 2 ** 20;

/**
 * BENCH_SCALE_CPU_PROF=<dir>: a V8 CPU profile of the measured ticks only (not start-up, policy loading or
 * the warm-up), written to <dir>/scale-<mode>-<targets>.cpuprofile (open in Chrome DevTools or speedscope).
 */
async function startProfile(): Promise<((name: string) => Promise<void>) | undefined> {
  const dir = process.env['BENCH_SCALE_CPU_PROF'];
  const allocations = process.env['BENCH_SCALE_ALLOC_PROF'];
  if (allocations !== undefined && allocations !== '') return startAllocationProfile(allocations);
  if (dir === undefined || dir === '') return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
  return async (name) => {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

/**
 * BENCH_SCALE_ALLOC_PROF=<dir>: instead of the CPU profile, V8's sampling heap profile of the measured ticks,
 * counting what was allocated (garbage included): <dir>/scale-<mode>-<targets>.heapprofile (DevTools).
 */
async function startAllocationProfile(dir: string): Promise<(name: string) => Promise<void>> {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async (name) => {
    const { profile } = await session.post('HeapProfiler.stopSampling');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${name}.heapprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

export async function runMode(mode: Mode, targets: number, prometheusUrl: string, ticks: number, spacingMs: number, tickTimeoutMs?: number): Promise<WorkerResult> {
  const rssStart = process.memoryUsage().rss;
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-bench-scale-'));
  let runtime: Runtime | undefined;
  try {
    const policyDir = join(dir, 'policies');
    await mkdir(policyDir);
    for (let i = 0; i < targets; i++) await writeFile(join(policyDir, `scale-${i}.yaml`), scalePolicyYaml(i));
    const { store, history } = await openStorage(join(dir, 'state'));
    // Every HTTP request the adapter sends (grouped, own, retries, fallbacks) is counted here.
    const http = axios.create();
    let httpQueries = 0;
    http.interceptors.request.use((config) => {
      httpQueries += 1;
      return config;
    });
    let fallbacks = 0;
    const source = new CountingSource(
      new PrometheusMetricsSource({
        baseUrl: prometheusUrl,
        http,
        groupQueries: mode === 'grouping-on',
        onGrouping: (event) => {
          if (event.kind === 'own_queries') fallbacks += event.members;
        },
      }),
    );
    const services = Array.from({ length: targets }, (_, i) => `svc-${i}`);
    runtime = new Runtime({
      policyPaths: [policyDir],
      policySource: filePolicySource,
      metricsSource: source,
      actuator: refusingActuator,
      sinks: [],
      store,
      history,
      logger: pino({ level: 'silent' }),
      schedule: false,
      watch: false,
      ...(tickTimeoutMs === undefined ? {} : { tickTimeoutMs }),
    });
    await runtime.start();
    if (runtime.status().length !== targets) throw new Error(`loaded ${runtime.status().length} policies, expected ${targets}`);

    const tick = async (): Promise<void> => {
      await runtime?.tickAll();
      await runtime?.idle();
    };
    for (let i = 0; i < 2; i++) await tick(); // warm-up: JIT, connections, first state file
    // BENCH_SCALE_HEAP_SNAPSHOT=<file>: the heap after the warm-up, for finding what each target keeps
    // (the snapshot itself inflates the RSS measured after it: not for figures).
    const snapshot = process.env['BENCH_SCALE_HEAP_SNAPSHOT'];
    if (snapshot !== undefined && snapshot !== '') writeHeapSnapshot(snapshot);
    httpQueries = 0;
    fallbacks = 0;
    source.unknown = {};
    source.durations = [];
    const durations: number[] = [];
    const cpus: number[] = [];
    let rssPeak = process.memoryUsage().rss;
    console.log('measuring');
    const stopProfile = await startProfile();
    for (let i = 0; i < ticks; i++) {
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await tick();
      durations.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      cpus.push((cpu.user + cpu.system) / 1000);
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
      await sleep(spacingMs);
    }
    console.log('measured');
    await stopProfile?.(`scale-${mode}-${targets}`);
    const queriesPerTick = httpQueries / ticks;
    const unknown = { ...source.unknown };
    if (fallbacks > 0) unknown['fallbacks'] = fallbacks;
    // Nothing breached: every target still watches.
    for (const view of runtime.status()) {
      if (view.phase !== 'watching') throw new Error(`${view.target} is ${view.phase}: ${JSON.stringify({ rollback: view.rollback, lastError: view.lastError, verdicts: view.lastEvaluation?.verdicts.filter((v) => v.status !== 'ok') })}`);
    }
    return {
      targets,
      mode,
      queriesPerTick,
      tickP50: percentile(durations, 0.5),
      tickP99: percentile(durations, 0.99),
      cpuP50: percentile(cpus, 0.5),
      queryP50: percentile(source.durations, 0.5),
      rssStartMiB: mib(rssStart),
      rssPeakMiB: mib(rssPeak),
      unknown,
      ...(mode === 'grouping-on' ? { groupedDifference: await groupedAgreement(prometheusUrl, services) } : {}),
    };
  } finally {
    await runtime?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

// Run as a process (not when imported for its types).
if (process.argv[1]?.endsWith('scale-worker.js') === true) {
  const [mode, targets, url, ticks, spacing, timeout] = process.argv.slice(2);
  // The heap settings the controller's process runs with (startDaemon); BENCH_SCALE_V8_DEFAULTS=1 measures V8's own.
  if (process.env['BENCH_SCALE_V8_DEFAULTS'] !== '1') tuneControllerHeap();
  runBench(async () => {
    const tickTimeoutMs = timeout === undefined || timeout === '' ? undefined : Number(timeout);
    console.log(JSON.stringify(await runMode(mode as Mode, Number(targets), url ?? '', Number(ticks), Number(spacing), tickTimeoutMs)));
  });
}
