// The real parts of the local demo: Prometheus and Alertmanager from the OS packages, spawned on loopback
// with their own temp dirs and configs, their output kept in log files.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { stringify } from 'yaml';

export interface DemoPorts {
  readonly service: number;
  readonly controller: number;
  readonly prometheus: number;
  readonly alertmanager: number;
  readonly control: number;
  /** The ML candidate in shadow while rolled back (policy rollforward.shadow). */
  readonly shadow: number;
}

function portFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`${name}="${raw}" is not a port number`);
  return port;
}

export function demoPorts(): DemoPorts {
  return {
    service: portFromEnv('GUARDRAIL_DEMO_SERVICE_PORT', 8000),
    controller: portFromEnv('GUARDRAIL_DEMO_CONTROLLER_PORT', 8090),
    prometheus: portFromEnv('GUARDRAIL_DEMO_PROMETHEUS_PORT', 9090),
    alertmanager: portFromEnv('GUARDRAIL_DEMO_ALERTMANAGER_PORT', 9093),
    control: portFromEnv('GUARDRAIL_DEMO_CONTROL_PORT', 8099),
    shadow: portFromEnv('GUARDRAIL_DEMO_SHADOW_PORT', 8001),
  };
}

function onPath(candidates: readonly string[]): string | undefined {
  for (const c of candidates) {
    if (c.includes('/')) {
      if (existsSync(c)) return c;
      continue;
    }
    for (const dir of (process.env['PATH'] ?? '').split(delimiter)) if (dir !== '' && existsSync(join(dir, c))) return join(dir, c);
  }
  return undefined;
}

/**
 * Prometheus and Alertmanager binaries. When missing on Debian as root they are installed with apt-get
 * (announced on screen first); otherwise the error says how to install them.
 */
export function ensureBinaries(say: (line: string) => void): { prometheus: string; alertmanager: string } {
  const find = (): { prometheus?: string; alertmanager?: string } => {
    const prometheus = onPath(['/usr/bin/prometheus', 'prometheus']);
    const alertmanager = onPath(['/usr/bin/prometheus-alertmanager', 'alertmanager', 'prometheus-alertmanager']);
    return { ...(prometheus === undefined ? {} : { prometheus }), ...(alertmanager === undefined ? {} : { alertmanager }) };
  };
  let found = find();
  if (found.prometheus === undefined || found.alertmanager === undefined) {
    const canApt = process.getuid?.() === 0 && onPath(['apt-get']) !== undefined;
    if (!canApt) {
      throw new Error(
        'the demo needs Prometheus and Alertmanager on PATH. On Debian/Ubuntu: sudo apt-get install -y prometheus prometheus-alertmanager ' +
          '(or download them from https://prometheus.io/download/ and put prometheus and alertmanager on PATH)',
      );
    }
    say('Prometheus/Alertmanager missing: installing them now with `apt-get install -y prometheus prometheus-alertmanager` (Debian packages) ...');
    const result = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'prometheus', 'prometheus-alertmanager'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) throw new Error('apt-get install prometheus prometheus-alertmanager failed (try `apt-get update` first)');
    // The packages start system services on the default ports; the demo runs its own instances.
    spawnSync('sh', ['-c', 'systemctl stop prometheus prometheus-alertmanager prometheus-node-exporter 2>/dev/null || service prometheus stop 2>/dev/null; true']);
    found = find();
  }
  if (found.prometheus === undefined || found.alertmanager === undefined) throw new Error('Prometheus/Alertmanager still not found after installing them');
  return { prometheus: found.prometheus, alertmanager: found.alertmanager };
}

export function spawnLogged(binary: string, args: readonly string[], logFile: string): ChildProcess {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(binary, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.on('error', (error) => log.write(`spawn error: ${error.message}\n`));
  return child;
}

export async function waitForOk(url: string, timeoutMs: number, what: string, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child !== undefined && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${what} exited (see its log)`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready at ${url} within ${timeoutMs} ms (${last})`);
}

export async function startAlertmanager(binary: string, dir: string, port: number): Promise<ChildProcess> {
  const config = {
    route: { receiver: 'demo', group_by: ['alertname', 'target'], group_wait: '1s', group_interval: '5s', repeat_interval: '4h' },
    // No notification integration: the alerts are to be seen in Alertmanager's UI and API.
    receivers: [{ name: 'demo' }],
  };
  const configPath = join(dir, 'alertmanager.yml');
  await writeFile(configPath, stringify(config));
  const child = spawnLogged(
    binary,
    [`--config.file=${configPath}`, `--storage.path=${join(dir, 'alertmanager-data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    join(dir, 'alertmanager.log'),
  );
  await waitForOk(`http://127.0.0.1:${port}/-/ready`, 20_000, 'Alertmanager', child);
  return child;
}

export async function startPrometheus(binary: string, dir: string, ports: DemoPorts): Promise<ChildProcess> {
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s', scrape_timeout: '1s' },
    scrape_configs: [
      { job_name: 'prediction-service', static_configs: [{ targets: [`127.0.0.1:${ports.service}`] }] },
      { job_name: 'guardrail', static_configs: [{ targets: [`127.0.0.1:${ports.controller}`] }] },
    ],
  };
  const configPath = join(dir, 'prometheus.yml');
  await writeFile(configPath, stringify(config));
  const child = spawnLogged(
    binary,
    [`--config.file=${configPath}`, `--storage.tsdb.path=${join(dir, 'prometheus-data')}`, `--web.listen-address=127.0.0.1:${ports.prometheus}`, '--log.level=warn'],
    join(dir, 'prometheus.log'),
  );
  await waitForOk(`http://127.0.0.1:${ports.prometheus}/-/ready`, 20_000, 'Prometheus', child);
  return child;
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
