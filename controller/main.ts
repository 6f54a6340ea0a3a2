import pino, { type Logger } from 'pino';
import { PrometheusMetricsSource } from './adapters/prometheus/index.js';
import { CONFIG_DEFAULTS, type ControllerConfig } from './config.js';
import { buildApi } from './http/build-api.js';
import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from './http/log-redact.js';
import { createControllerMetrics, recordGrouping, type ControllerMetrics } from './metrics.js';
import type { Actuator } from './ports/actuator.js';
import { Runtime } from './runtime/runtime.js';
import { createActuator } from './wiring/actuator.js';
import { tuneControllerHeap } from './wiring/heap-tuning.js';
import { alertSinks } from './wiring/alert-sinks.js';
import type { ManagedActuator } from './wiring/managed-actuator.js';
import { policySource } from './wiring/policy.js';
import { openStorage } from './wiring/storage.js';

// The daemon's composition root: config → adapters → runtime → HTTP API. Only this file and wiring/ choose
// adapters (eslint.config.js enforces it). `guardrail run` (controller/cli/run.ts) calls startDaemon and wires the signals.

export interface RunningDaemon {
  readonly runtime: Runtime;
  readonly logger: Logger;
  /** `http://host:port` the API listens on. */
  readonly url: string;
  /** Stop cron, finish the current tick/actuation, close the server, stop child processes. Idempotent. */
  stop(): Promise<void>;
}

export interface DaemonOverrides {
  readonly logger?: Logger;
  /** Replace the configured actuator (tests). */
  readonly actuator?: Actuator;
  /** Use this actuator (built by the caller, e.g. the demo supervisor that also restarts it with a fault). */
  readonly managedActuator?: ManagedActuator;
  /** Run ticks on cron (default true). */
  readonly schedule?: boolean;
}

export function createLogger(level: ControllerConfig['logLevel']): Logger {
  return pino({ level, name: 'guardrail', redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR } });
}

function createMetricsSource(config: ControllerConfig, metrics: ControllerMetrics, logger: Logger): PrometheusMetricsSource {
  const promLogger = logger.child({ component: 'prometheus' });
  return new PrometheusMetricsSource({
    baseUrl: config.prometheus.url,
    timeoutMs: config.prometheus.timeoutMs,
    groupQueries: config.prometheus.groupQueries ?? CONFIG_DEFAULTS.prometheusGroupQueries,
    onGrouping: (event) => {
      recordGrouping(metrics, event);
      if (event.kind === 'own_queries') promLogger.warn({ grouped: event.promql, members: event.members, cause: event.cause, detail: event.detail }, 'grouped query not used: members sent on their own');
    },
  });
}

async function createRuntime(config: ControllerConfig, overrides: DaemonOverrides, logger: Logger, managed: ManagedActuator | undefined): Promise<Runtime> {
  const { store, history } = await openStorage(config.stateDir, logger);
  const actuator = overrides.actuator ?? managed?.actuator;
  if (actuator === undefined) throw new Error('no actuator');
  const metrics = createControllerMetrics();
  return new Runtime({
    policyPaths: config.policies,
    policySource,
    metricsSource: createMetricsSource(config, metrics, logger),
    metrics,
    actuator,
    sinks: alertSinks(config, logger),
    store,
    history,
    logger: logger.child({ component: 'runtime' }),
    tickTimeoutMs: config.tickTimeoutMs,
    webhookDedupWindowMs: config.webhookDedupWindowMs ?? CONFIG_DEFAULTS.webhookDedupWindowMs,
    schedule: overrides.schedule ?? true,
    ...(managed?.onPolicies === undefined ? {} : { onPolicies: managed.onPolicies }),
    ...(managed?.prepare === undefined ? {} : { prepare: managed.prepare }),
  });
}

/** `http://host:port` of a listening server (IPv6 hosts in brackets). */
function listenUrl(api: ReturnType<typeof buildApi>, config: ControllerConfig): string {
  const address = api.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.listen.port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  return `http://${host}:${port}`;
}

export async function startDaemon(config: ControllerConfig, overrides: DaemonOverrides = {}): Promise<RunningDaemon> {
  // `guardrail run`, `npm start` and the image all start here: the heap is held near what is live.
  tuneControllerHeap();
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const managed: ManagedActuator | undefined =
    overrides.managedActuator ?? (overrides.actuator === undefined ? await createActuator(config, logger) : undefined);
  const runtime = await createRuntime(config, overrides, logger, managed);
  // Listen first: /healthz answers and /readyz says "restoring state" while the runtime starts its targets.
  const api = buildApi({
    controller: runtime,
    registry: runtime.metrics.registry,
    logger: logger.child({ component: 'http' }),
    auth: { token: config.auth.token, protectReads: config.auth.protectReads, dashboardPublic: config.auth.dashboardPublic, ...(config.auth.webhookToken === undefined ? {} : { webhookToken: config.auth.webhookToken }) },
  });
  try {
    await api.listen({ host: config.listen.host, port: config.listen.port });
    await runtime.start().catch(async (error: unknown) => {
      await api.close();
      throw error;
    });
  } catch (error) {
    await runtime.stop();
    await managed?.close();
    throw error;
  }
  const url = listenUrl(api, config);
  logger.info({ url, actuator: config.actuator.kind, prometheus: config.prometheus.url }, 'guardrail controller listening');

  let stopping: Promise<void> | undefined;
  return {
    runtime,
    logger,
    url,
    stop() {
      stopping ??= (async () => {
        logger.info('shutting down: finishing the current tick/actuation');
        await runtime.stop();
        await api.close();
        await managed?.close();
        logger.info('stopped');
      })();
      return stopping;
    },
  };
}
