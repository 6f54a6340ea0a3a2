// The runtime's real surroundings for integration tests: the compiled prediction service run by the
// process actuator, a real Prometheus scraping it, a real Alertmanager receiving the controller's alerts,
// the demo policy (short windows) pointed at the service's free port, and the runtime ticking on cron.
import { filePolicySource } from '../../../controller/adapters/policy/index.js';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { AlertmanagerSink } from '../../../controller/adapters/alerts/alertmanager-sink.js';
import { PrometheusMetricsSource } from '../../../controller/adapters/prometheus/metrics-source.js';
import { createProcessActuator, type ManagedProcessActuator } from '../../../controller/wiring/process-actuator.js';
import { Runtime } from '../../../controller/runtime/runtime.js';
import { openStorage } from '../../../controller/wiring/storage.js';
import { freePort } from '../../helpers/free-port.js';
import { startAlertmanager, type RealAlertmanager } from '../../helpers/real-alertmanager.js';
import { startPrometheus, type RealPrometheus } from '../../helpers/real-prometheus.js';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVICE_JS = join(REPO_ROOT, 'dist/service/main.js');

/** The service is run compiled (as in production); build it if dist/ is missing. */
export async function ensureServiceBuilt(): Promise<void> {
  if (existsSync(SERVICE_JS)) return;
  await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: REPO_ROOT }).catch(() => undefined);
  if (!existsSync(SERVICE_JS)) throw new Error(`${SERVICE_JS} is missing and the build did not produce it`);
}

export interface RealStack {
  readonly dir: string;
  readonly servicePort: number;
  readonly serviceUrl: string;
  /** The shadow candidate's port, when started with `shadow`. */
  readonly shadowPort: number | undefined;
  readonly prometheus: RealPrometheus;
  readonly alertmanager: RealAlertmanager;
  managed: ManagedProcessActuator;
  runtime: Runtime;
  /** Stops the runtime and its service child (a clean controller stop), then starts both again on the same state. */
  restartRuntime(): Promise<void>;
  stop(): Promise<void>;
}

/** `shadow`: run the policy's ML candidate in shadow while rolled back, on a free port (RealStack.shadowPort). */
export async function startRealStack(serviceEnv: Record<string, string> = {}, options: { readonly shadow?: boolean } = {}): Promise<RealStack> {
  await ensureServiceBuilt();
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-runtime-it-'));
  const servicePort = await freePort();
  const shadowPort = options.shadow === true ? await freePort() : undefined;
  await mkdir(join(dir, 'policies'));
  const policy = (await readFile(join(REPO_ROOT, 'policies/examples/demo.yaml'), 'utf8')).replace(/port: 8000\b/, `port: ${servicePort}`);
  await writeFile(join(dir, 'policies/demo.yaml'), policy);
  const alertmanager = await startAlertmanager({});
  const prometheus = await startPrometheus({ scrapeTargets: [`127.0.0.1:${servicePort}`] });
  const logger = pino({ level: process.env['GUARDRAIL_TEST_LOG'] ?? 'silent' });

  const build = async (): Promise<{ managed: ManagedProcessActuator; runtime: Runtime }> => {
    const managed = await createProcessActuator(
      { command: process.execPath, args: [SERVICE_JS], env: { PORT: String(servicePort), HOST: '127.0.0.1', ...serviceEnv }, stdio: 'ignore', ...(shadowPort === undefined ? {} : { shadowPort }) },
      [join(dir, 'policies')],
      logger,
    );
    const { store, history } = await openStorage(join(dir, 'state'));
    const runtime = new Runtime({
      policyPaths: [join(dir, 'policies')],
      policySource: filePolicySource,
      metricsSource: new PrometheusMetricsSource({ baseUrl: prometheus.url, timeoutMs: 1_000, retries: 1 }),
      actuator: managed.actuator,
      sinks: [new AlertmanagerSink({ baseUrl: alertmanager.url, resendIntervalMs: 10_000 })],
      store,
      history,
      logger,
      watch: false,
      tickTimeoutMs: 1_800,
      ...(managed.prepare === undefined ? {} : { prepare: managed.prepare }),
    });
    await runtime.start();
    return { managed, runtime };
  };

  const first = await build();
  const stack: RealStack = {
    dir,
    servicePort,
    serviceUrl: `http://127.0.0.1:${servicePort}`,
    shadowPort,
    prometheus,
    alertmanager,
    managed: first.managed,
    runtime: first.runtime,
    async restartRuntime() {
      await stack.runtime.stop();
      await stack.managed.close();
      const next = await build();
      stack.managed = next.managed;
      stack.runtime = next.runtime;
    },
    async stop() {
      await stack.runtime.stop().catch(() => undefined);
      await stack.managed.close().catch(() => undefined);
      await prometheus.stop();
      await alertmanager.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

export async function serviceVariant(url: string): Promise<string> {
  const res = await fetch(`${url}/version`, { signal: AbortSignal.timeout(2_000) });
  const body = (await res.json()) as { model_variant: string; model_version: string };
  return `${body.model_variant} ${body.model_version}`;
}

export async function waitUntil<T>(what: string, timeoutMs: number, probe: () => T | undefined | Promise<T | undefined>, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
