// THE FAULT MATRIX'S SHARED STACK (docs/faults.md). Every file in test/integration/faults/
// is one fault: it starts this stack once, injects its fault, and asserts the END STATE through the
// outside of the system — which variant each container serves (GET /version), what `guardrail status
// --json` and `guardrail history --json` say (the real CLI), which alerts are active in Alertmanager, and
// the controller's /metrics. Real parts only:
//
//   exporter (test-controlled gauges) ◀─scrape 1 s─ Prometheus ◀─ fault proxy ◀─ controller (startDaemon,
//   Docker actuator, cron ticks every 1 s, API on a free port) ──▶ Alertmanager ; controller ──▶ Docker:
//   fixture containers `<prefix>-<service>` (test/fixtures/docker/variant-server.mjs, MODEL_VARIANT absent = ml)
//
// The policy (faultPolicy) reads the exporter's gauges: `fault_error_ratio` (reason high-error-rate,
// > 0.05 for 2 s), `fault_p95_seconds` (latency-above-slo, > 0.8 for 2 s), `fault_requests` (the traffic
// guard, ≥ 10). Like the real service's injected faults, the values follow the variant that serves: the
// exporter shows `setMetrics(ml)` while any container serves ml and `baseline` (HEALTHY unless given)
// once all serve the baseline, so a rollback cures the breach (the harness polls /version every 300 ms).
// `setMetrics({...HEALTHY, errorRatio: 0.4})` makes a real breach; a value left undefined removes that
// series (Prometheus marks it stale at the next scrape). A rollback takes ~3-6 s from a breach.
//
// Extending it for a new fault: pass `services` (several containers switch together), `containerEnv`
// (e.g. FAIL_HEALTH_FOR_VARIANT=baseline), `editPolicy` (any YAML edit), `editConfig` (the controller's
// ControllerConfig, e.g. another state dir), or start your own containers with `startContainer`;
// `restartController()` restarts the daemon on the same state dir (state-file faults), `proxy.set()` and
// `alertmanager.kill()/restart()` break the observers. Everything the stack creates carries `prefix` and is
// removed by stop(), also after a failed test. Keep each file to seconds: one stack per file.
// Pieces: fault-policy.ts (the policy), fault-containers.ts (containers and what they serve),
// fault-proxy.ts (500s and delays in front of Prometheus).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import pino from 'pino';
import type { ControllerConfig } from '../../../controller/config-schema.js';
import { startDaemon, type RunningDaemon } from '../../../controller/main.js';
import type { HistoryEntryView, TargetStatusView } from '../../../controller/ports/controller.js';
import { startMetricsExporter, type ExportedSeries, type MetricsExporter } from '../../helpers/metrics-exporter.js';
import { startAlertmanager, type RealAlertmanager } from '../../helpers/real-alertmanager.js';
import { startPrometheus, type RealPrometheus } from '../../helpers/real-prometheus.js';
import { buildCliBundle, runCli, type CliBundle } from '../../unit/cli/cli-harness.js';
import { cleanup, docker, fixtureImage, runPrefix } from '../docker/docker-fixture.js';
import { waitUntil } from '../runtime/real-stack.js';
import { createFixture, publishedPorts, servedVariants } from './fault-containers.js';
import { faultPolicy } from './fault-policy.js';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';

export { waitUntil, faultPolicy };

export const TOKEN = 'fault-matrix-operator-token-0123';
export const WEBHOOK_TOKEN = 'fault-matrix-webhook-token-4567';

/** The exporter's values; undefined = the series is not exported at all. */
export interface FaultMetrics {
  readonly errorRatio?: number;
  readonly p95Seconds?: number;
  readonly requests?: number;
}
export const HEALTHY = { errorRatio: 0.01, p95Seconds: 0.1, requests: 100 } as const satisfies FaultMetrics;

export interface FaultStackOptions {
  /** Fixture containers the target switches together (default `['api']`), named `<prefix>-<service>`. */
  readonly services?: readonly string[];
  readonly containerEnv?: Readonly<Record<string, string>>;
  readonly editPolicy?: (yaml: string) => string;
  readonly editConfig?: (config: ControllerConfig) => ControllerConfig;
  readonly metrics?: FaultMetrics;
}

export interface StatusJson {
  readonly ready: boolean;
  readonly detail: string;
  readonly targets: readonly TargetStatusView[];
}

export interface FaultStack {
  readonly prefix: string;
  readonly dir: string;
  readonly client: Docker;
  readonly image: string;
  readonly exporter: MetricsExporter;
  readonly prometheus: RealPrometheus;
  readonly proxy: FaultProxy;
  readonly alertmanager: RealAlertmanager;
  readonly controller: RunningDaemon;
  /** What the exporter shows while ml serves, and once the baseline serves everywhere (default HEALTHY). */
  setMetrics(ml: FaultMetrics, baseline?: FaultMetrics): void;
  /** Running containers of this stack → the `model_variant` each serves on /version. */
  variants(): Promise<Record<string, string>>;
  /** `guardrail status --json` (the real CLI: a node process each time; assert with it, poll with target()). */
  status(): Promise<StatusJson>;
  /** The first target's status from GET /api/v1/status: cheap enough to poll. */
  target(): Promise<TargetStatusView | undefined>;
  history(): Promise<HistoryEntryView[]>;
  /** Alert names active in Alertmanager now, sorted (a resolved alert drops out). */
  activeAlerts(): Promise<string[]>;
  /** The controller's /metrics text. */
  metricsText(): Promise<string>;
  /** POST an Alertmanager webhook payload to the controller (with the webhook token). */
  postWebhook(payload: unknown): Promise<Response>;
  /** Another container (the fixture image unless `image` is given, e.g. the real service image). */
  startContainer(name: string, env?: Readonly<Record<string, string>>, image?: string): Promise<void>;
  /** Stops the daemon, runs `whileStopped` (a change to its state dir it must not save over), starts it again. */
  restartController(whileStopped?: () => Promise<void>): Promise<void>;
  stop(): Promise<void>;
}

function seriesOf(metrics: FaultMetrics): ExportedSeries[] {
  const out: ExportedSeries[] = [];
  if (metrics.errorRatio !== undefined) out.push({ name: 'fault_error_ratio', value: metrics.errorRatio });
  if (metrics.p95Seconds !== undefined) out.push({ name: 'fault_p95_seconds', value: metrics.p95Seconds });
  if (metrics.requests !== undefined) out.push({ name: 'fault_requests', value: metrics.requests });
  return out;
}

function controllerConfig(dir: string, prometheusUrl: string, alertmanagerUrl: string): ControllerConfig {
  return {
    prometheus: { url: prometheusUrl, timeoutMs: 500 },
    policies: [join(dir, 'policies')],
    stateDir: join(dir, 'state'),
    listen: { host: '127.0.0.1', port: 0 },
    auth: { token: TOKEN, webhookToken: WEBHOOK_TOKEN, protectReads: false, dashboardPublic: false },
    alerts: { alertmanagerUrl, resendIntervalMs: 2_000 },
    actuator: { kind: 'docker' },
    logLevel: 'warn',
    tickTimeoutMs: 900,
  };
}

export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  const client = docker();
  const prefix = runPrefix();
  const image = await fixtureImage(client);
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-faults-'));
  const parts: { stop(): Promise<void> }[] = [];
  try {
    const containers = (options.services ?? ['api']).map((s) => `${prefix}-${s}`);
    for (const name of containers) await createFixture(client, image, name, options.containerEnv ?? {});
    await mkdir(join(dir, 'policies'));
    await writeFile(join(dir, 'policies', 'faults.yaml'), (options.editPolicy ?? ((y) => y))(faultPolicy(containers)));
    const exporter = await startMetricsExporter(seriesOf(options.metrics ?? HEALTHY));
    parts.push(exporter);
    const prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });
    parts.push(prometheus);
    const proxy = await startFaultProxy(prometheus.url);
    parts.push(proxy);
    const alertmanager = await startAlertmanager({});
    parts.push(alertmanager);
    const cli = await buildCliBundle();
    parts.push({ stop: () => cli.remove() });
    await waitUntil('the fixture containers', 20_000, async () => ((await publishedPorts(client, prefix)).size === containers.length ? true : undefined), 200);
    const base = controllerConfig(dir, proxy.url, alertmanager.url);
    const config = options.editConfig?.(base) ?? base;
    return await assemble({ client, prefix, image, dir, exporter, prometheus, proxy, alertmanager, cli, config }, parts, options.metrics ?? HEALTHY);
  } catch (error) {
    await Promise.all(parts.map((p) => p.stop().catch(() => undefined)));
    await cleanup(client, prefix);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

interface Parts {
  readonly client: Docker;
  readonly prefix: string;
  readonly image: string;
  readonly dir: string;
  readonly exporter: MetricsExporter;
  readonly prometheus: RealPrometheus;
  readonly proxy: FaultProxy;
  readonly alertmanager: RealAlertmanager;
  readonly cli: CliBundle;
  readonly config: ControllerConfig;
}

function launch(config: ControllerConfig): Promise<RunningDaemon> {
  return startDaemon(config, { logger: pino({ level: process.env['GUARDRAIL_TEST_LOG'] ?? 'silent' }) });
}

/** Keeps the exporter on the values of the variant that serves (polls /version, like a scrape would see). */
function followVariants(p: Parts, initial: FaultMetrics): { set(ml: FaultMetrics, baseline: FaultMetrics): void; stop(): Promise<void> } {
  let values: { ml: FaultMetrics; baseline: FaultMetrics } = { ml: initial, baseline: HEALTHY };
  let onBaseline = false;
  const render = (): void => p.exporter.set(seriesOf(onBaseline ? values.baseline : values.ml));
  const timer = setInterval(() => {
    void servedVariants(p.client, p.prefix).then((served) => {
      const all = Object.values(served);
      const next = all.length > 0 && all.every((v) => v === 'baseline');
      if (next !== onBaseline) {
        onBaseline = next;
        render();
      }
    });
  }, 300);
  return {
    set(ml, baseline) {
      values = { ml, baseline };
      render();
    },
    stop: () => Promise.resolve(clearInterval(timer)),
  };
}

async function assemble(p: Parts, parts: { stop(): Promise<void> }[], initial: FaultMetrics): Promise<FaultStack> {
  const follow = followVariants(p, initial);
  parts.push(follow);
  let controller = await launch(p.config);
  const cliJson = async <T>(args: readonly string[]): Promise<T> => {
    const result = await runCli(p.cli, args, { GUARDRAIL_URL: controller.url, GUARDRAIL_TOKEN: TOKEN });
    if (result.code !== 0) throw new Error(`guardrail ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
  return {
    ...p,
    get controller() {
      return controller;
    },
    setMetrics: (ml, baseline = HEALTHY) => follow.set(ml, baseline),
    variants: () => servedVariants(p.client, p.prefix),
    status: () => cliJson<StatusJson>(['status', '--json']),
    target: async () => ((await (await fetch(`${controller.url}/api/v1/status`)).json()) as StatusJson).targets[0],
    history: async () => (await cliJson<{ entries: HistoryEntryView[] }>(['history', '--json'])).entries,
    activeAlerts: async () => (await p.alertmanager.alerts({ active: true })).map((a) => a.labels['alertname'] ?? '').sort(),
    metricsText: async () => (await fetch(`${controller.url}/metrics`)).text(),
    postWebhook: (payload) =>
      fetch(`${controller.url}/api/v1/webhooks/alertmanager`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${WEBHOOK_TOKEN}` },
        body: JSON.stringify(payload),
      }),
    startContainer: (name, env = {}, image = p.image) => createFixture(p.client, image, name, env),
    async restartController(whileStopped) {
      await controller.stop();
      await whileStopped?.();
      controller = await launch(p.config);
    },
    async stop() {
      await controller.stop().catch(() => undefined);
      await Promise.all(parts.map((part) => part.stop().catch(() => undefined)));
      await cleanup(p.client, p.prefix);
      await rm(p.dir, { recursive: true, force: true });
    },
  };
}
