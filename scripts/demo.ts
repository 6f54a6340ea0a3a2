// `npm start`: the local demo. Real Prometheus and Alertmanager, the prediction service run by the
// controller's process actuator, the controller with policies/examples/demo.yaml (short windows), light
// traffic, and a control endpoint for `npm run demo:incident`. Temp dirs; Ctrl-C stops everything.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import pino from 'pino';
import { loadConfig, type ControllerConfig } from '../controller/config.js';
import { LOG_REDACT_CENSOR, LOG_REDACT_PATHS } from '../controller/http/log-redact.js';
import { startDaemon, type RunningDaemon } from '../controller/main.js';
import { createProcessActuator, type ManagedProcessActuator } from '../controller/wiring/process-actuator.js';
import { findPackageRoot } from '../service/package-root.js';
import { startControlServer } from './demo-control.js';
import { demoPorts, ensureBinaries, startAlertmanager, startPrometheus, stopChild } from './demo-parts.js';
import { watchStatus } from './demo-status.js';
import { escapeControl } from '../controller/core/display-text.js';
import { startTraffic } from './demo-traffic.js';

type Cleanup = () => Promise<void>;

// Status lines carry reasons and errors from outside: control and bidi characters are shown escaped.
const say = (line: string): void => {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${escapeControl(line)}\n`);
};

type Ports = ReturnType<typeof demoPorts>;

/** The demo policy with the service's port (the actuator verifies /health and /version there). */
async function writeDemoPolicy(root: string, dir: string, ports: Ports): Promise<void> {
  await mkdir(join(dir, 'policies'));
  const policy = (await readFile(join(root, 'policies/examples/demo.yaml'), 'utf8')).replace(/port: 8000\b/, `port: ${ports.service}`);
  await writeFile(join(dir, 'policies', 'demo.yaml'), policy);
}

function demoConfig(root: string, dir: string, ports: Ports, token: string): ControllerConfig {
  return loadConfig({
    env: {
      GUARDRAIL_TOKEN: token,
      GUARDRAIL_PROMETHEUS_URL: `http://127.0.0.1:${ports.prometheus}`,
      GUARDRAIL_ALERTMANAGER_URL: `http://127.0.0.1:${ports.alertmanager}`,
      GUARDRAIL_POLICIES_DIR: join(dir, 'policies'),
      GUARDRAIL_STATE_DIR: join(dir, 'state'),
      GUARDRAIL_LISTEN: `127.0.0.1:${ports.controller}`,
      GUARDRAIL_ACTUATOR: 'process',
      GUARDRAIL_PROCESS_COMMAND: `${process.execPath} ${join(root, 'dist/service/main.js')}`,
      GUARDRAIL_PROCESS_STDIO: 'ignore',
      GUARDRAIL_LOG_LEVEL: process.env['GUARDRAIL_LOG_LEVEL'] ?? 'info',
      GUARDRAIL_ALERT_RESEND_INTERVAL: '20s',
    },
  });
}

/** The service under the process actuator, then the controller; both stop through `cleanups`. */
async function startController(config: ControllerConfig, ports: Ports, logFile: string, cleanups: Cleanup[]): Promise<{ daemon: RunningDaemon; managed: ManagedProcessActuator }> {
  const logger = pino({ level: config.logLevel, name: 'guardrail', redact: { paths: [...LOG_REDACT_PATHS], censor: LOG_REDACT_CENSOR } }, pino.destination({ dest: logFile, sync: false }));
  const managed = await createProcessActuator(
    { ...(config.actuator.process ?? { command: process.execPath, args: [], env: {} }), env: { PORT: String(ports.service), HOST: '127.0.0.1' }, shadowPort: ports.shadow },
    config.policies,
    logger,
  );
  cleanups.push(() => managed.close());
  say(`starting the prediction service (ML variant) on 127.0.0.1:${ports.service} under the process actuator, and the controller on 127.0.0.1:${ports.controller}`);
  const daemon = await startDaemon(config, { logger, managedActuator: managed });
  cleanups.push(() => daemon.stop());
  return { daemon, managed };
}

function printBanner(ports: Ports, daemon: RunningDaemon, token: string, logFile: string, target: string): void {
  process.stdout.write(
    [
      '',
      'Guardrail demo is running:',
      `  prediction service  http://127.0.0.1:${ports.service}   (GET /version, POST /predict, /metrics)`,
      `  dashboard           ${daemon.url}/   (paste the API token below; live, no reload)`,
      `  controller API      ${daemon.url}   (GET /api/v1/status, /api/v1/history, /metrics)`,
      `  Prometheus          http://127.0.0.1:${ports.prometheus}`,
      `  Alertmanager        http://127.0.0.1:${ports.alertmanager}`,
      `  API token           ${token}${process.env['GUARDRAIL_TOKEN'] === undefined ? '   (generated; set GUARDRAIL_TOKEN to choose it)' : '   (from GUARDRAIL_TOKEN)'}`,
      `  controller log      ${logFile}`,
      '',
      'Inject an incident (ML model failing 50% of requests):  npm run demo:incident',
      `While rolled back the ML candidate runs in shadow on 127.0.0.1:${ports.shadow}; clear the fault and Guardrail rolls forward on its own:  npm run demo:incident -- --clear`,
      `Then watch:  curl -s ${daemon.url}/api/v1/status   |   curl -s http://127.0.0.1:${ports.service}/version`,
      `Or roll forward by hand:  GUARDRAIL_TOKEN=${token} GUARDRAIL_URL=${daemon.url} npx guardrail rollforward ${target} --reason "model fixed"`,
      '  (refused while the candidate in shadow still fails, unless --force)',
      'Ctrl-C stops everything.',
      '',
    ].join('\n'),
  );
}

async function runDemo(root: string, dir: string, token: string, cleanups: Cleanup[]): Promise<void> {
  const ports = demoPorts();
  const binaries = ensureBinaries(say);
  await writeDemoPolicy(root, dir, ports);
  say(`starting Alertmanager on 127.0.0.1:${ports.alertmanager} and Prometheus on 127.0.0.1:${ports.prometheus} (logs in ${dir})`);
  const alertmanager = await startAlertmanager(binaries.alertmanager, dir, ports.alertmanager);
  cleanups.push(() => stopChild(alertmanager));
  const prometheus = await startPrometheus(binaries.prometheus, dir, ports);
  cleanups.push(() => stopChild(prometheus));

  const logFile = join(dir, 'controller.log');
  const { daemon, managed } = await startController(demoConfig(root, dir, ports, token), ports, logFile, cleanups);
  const traffic = startTraffic(`http://127.0.0.1:${ports.service}/predict`, 10);
  cleanups.push(async () => traffic.stop());
  const target = managed.services[0]?.name ?? 'demo';
  const urls = {
    serviceUrl: `http://127.0.0.1:${ports.service}`,
    controllerUrl: daemon.url,
    prometheusUrl: `http://127.0.0.1:${ports.prometheus}`,
    alertmanagerUrl: `http://127.0.0.1:${ports.alertmanager}`,
  };
  const control: Server = await startControlServer(ports.control, managed, { ...urls, target, startedAtMs: Date.now() }, say);
  cleanups.push(() => new Promise((resolve) => control.close(() => resolve())));
  const stopWatching = watchStatus(daemon, traffic, say);
  cleanups.push(async () => stopWatching());
  printBanner(ports, daemon, token, logFile, target);
}

async function main(): Promise<void> {
  const root = findPackageRoot(import.meta.url);
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-demo-'));
  const token = process.env['GUARDRAIL_TOKEN'] ?? randomBytes(24).toString('base64url');
  const cleanups: Cleanup[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    say('stopping everything ...');
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  try {
    await runDemo(root, dir, token, cleanups);
  } catch (error) {
    say(`demo failed: ${error instanceof Error ? error.message : String(error)} (logs in ${dir})`);
    await stopAll(1);
  }
}

await main();
