// Composition root of the prediction service: env → config → model → app → listen. Shutdown, exit 0 (or 1
// after 9 s, inside Docker's 10 s):
//   SIGTERM — keep serving SHUTDOWN_DRAIN_MS and then until no connection has come for 150 ms (2 s at
//             most), then stop accepting and finish in-flight requests: for start-first switches and
//             orchestrators, whose clients may still hold this address;
//   SIGINT  — stop accepting now and finish in-flight requests: for a recreate switch (the actuator's
//             `stopSignal: SIGINT`), where the successor needs this port and the drain only prolongs
//             the old model; also what Ctrl-C sends.
import type { Server as HttpServer } from 'node:http';
import { Server as NetServer } from 'node:net';
import { join } from 'node:path';
import closeWithGrace from 'close-with-grace';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildApp } from './build-app.js';
import { EnvConfigError, loadConfig } from './config.js';
import { loadScorer } from './load-scorer.js';
import { findPackageRoot } from './package-root.js';

const SHUTDOWN_GRACE_MS = 9_000;
/** After a SIGTERM drain: how long connections accepted just before the listener closed get to send their request. */
const FRESH_CONNECTION_GRACE_MS = 100;

/** After a SIGTERM drain the listener closes only once no connection has arrived for this long… */
const QUIET_BEFORE_CLOSE_MS = 150;
/** …or once the drain has run this much longer, whichever is first. */
const QUIET_WAIT_MAX_MS = 2_000;

/**
 * Counts the service's new connections from the signal on, so the listener closes in a quiet moment: a
 * connection the kernel completed but Node had not yet accepted when the listener closed is reset, and with
 * it a client's request (2 ECONNRESET at a shadow takeover under 100 rps in one CI run, docs/actuators.md).
 */
function connectionWatch(server: HttpServer): { quiet(): Promise<void> } {
  let lastMs = Date.now();
  const seen = (): void => void (lastMs = Date.now());
  server.on('connection', seen);
  return {
    async quiet() {
      const deadline = Date.now() + QUIET_WAIT_MAX_MS;
      for (;;) {
        // After the poll phase, so connections waiting in the accept queue are counted before the check.
        await new Promise((done) => setImmediate(done));
        if (Date.now() - lastMs >= QUIET_BEFORE_CLOSE_MS || Date.now() >= deadline) break;
        await new Promise((done) => setTimeout(done, 25));
      }
      server.off('connection', seen);
    },
  };
}

/**
 * Stops accepting connections (the listening socket only) and gives the ones accepted a moment ago time to
 * send their request. Node's http close() would reset those as "idle" — no request has begun on them — and
 * with them the client's request: measured with the real image under a start-first switch at 200 rps, one
 * ECONNRESET at the end of the drain in 3 of 6 switches. app.close() afterwards waits for them like any
 * in-flight request and resets only truly idle keep-alive sockets.
 */
async function stopAccepting(server: HttpServer): Promise<void> {
  NetServer.prototype.close.call(server);
  await new Promise((done) => setTimeout(done, FRESH_CONNECTION_GRACE_MS));
}

async function main(): Promise<void> {
  // Synchronous stdout: a fatal start-up line must be written before process.exit.
  // Level info until LOG_LEVEL itself is validated.
  const bootLog = pino({ level: 'info', base: { service: 'prediction' } }, pino.destination({ fd: 1, sync: true }));
  let config;
  try {
    config = loadConfig(process.env, join(findPackageRoot(import.meta.url), 'models', 'artifacts'), process.cwd());
  } catch (err) {
    if (!(err instanceof EnvConfigError)) throw err;
    bootLog.fatal(`invalid configuration: ${err.message}`);
    process.exit(2);
  }
  const log = bootLog.child({ model_variant: config.variant });
  log.level = config.logLevel;

  let scorer;
  try {
    scorer = await loadScorer(config, log, Date.now());
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.fatal({ err, model_dir: config.modelDir }, `failed to load the ${config.variant} model: ${message}`);
    process.exit(1);
  }

  const app = buildApp({ scorer, logger: log, registry: new Registry(), config: { variant: config.variant, shadow: config.shadow } });
  closeWithGrace({ delay: SHUTDOWN_GRACE_MS, logger: { error: (m: unknown) => log.error(m) } }, async ({ signal, err }) => {
    const drainMs = err === undefined && signal === 'SIGTERM' ? config.shutdownDrainMs : 0;
    if (err !== undefined) log.error({ err }, 'shutting down after an error');
    else if (drainMs > 0) log.info({ signal, drain_ms: drainMs }, 'shutting down: serving a short drain, then finishing in-flight requests');
    else log.info({ signal, drain_ms: 0 }, 'shutting down now: finishing in-flight requests');
    // Keep accepting briefly: during a start-first switch, clients that resolved the alias a moment ago
    // still connect here (measured: 20 of 600 requests failed without this, 0 with 500 ms).
    if (drainMs > 0) {
      const watch = connectionWatch(app.server);
      await new Promise((done) => setTimeout(done, drainMs));
      await watch.quiet();
      await stopAccepting(app.server);
    }
    await app.close(); // stops accepting, waits for in-flight requests
    await scorer.close();
    log.info('shut down cleanly');
  });

  if (config.mlStartDelayMs > 0 && config.variant === 'ml') {
    // A drill of a slow boot (a large model's load): nothing listens meanwhile, as while a real model loads.
    log.warn({ fault_ml_start_delay_ms: config.mlStartDelayMs }, `FAULT INJECTION: listening only ${config.mlStartDelayMs} ms from now (FAULT_ML_START_DELAY_MS)`);
    await new Promise((done) => setTimeout(done, config.mlStartDelayMs));
  }
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    log.fatal({ err }, `cannot listen on ${config.host}:${config.port}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  log.info({ address, model_version: scorer.version }, `prediction service listening on ${address}`);
}

await main();
