// One compose stack per e2e test file: docker/compose.yaml (+ test/e2e-fixtures/compose.e2e.yaml and any
// scenario override) under a unique project name on free host ports, with the controller container running
// a generated fast-window policy (e2e-policy.ts) mounted through GUARDRAIL_POLICIES_PATH. `down()` removes
// containers, networks and volumes, and is safe to call after a failed start.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../helpers/free-port.js';
import { COMPOSE_COMMAND, COMPOSE_FILE, E2E_IMAGES, FIXTURES, REPO, run, waitFor } from './e2e-compose.js';
import { generateE2ePolicy, type E2ePolicyOptions } from './e2e-policy.js';

export type PortName = 'api' | 'consumer' | 'controller' | 'prometheus' | 'alertmanager';

export interface E2eStackOptions {
  /** Part of the project name, e.g. `errors`. */
  readonly name: string;
  /** Compose services to start. */
  readonly services: readonly string[];
  readonly policy: Omit<E2ePolicyOptions, 'project'>;
  /** Extra override files under test/e2e-fixtures/. */
  readonly overrides?: readonly string[];
  /** Environment for every compose call (fault variables, E2E_WEBHOOK_URL, ...). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface ContainerInfo {
  readonly id: string;
  readonly name: string;
  readonly running: boolean;
  readonly env: readonly string[];
  readonly ip: string | undefined;
}

/** Environment the caller's shell must not leak into the stack: compose passes these through to api. */
const SCENARIO_VARIABLES = ['MODEL_VARIANT', 'FAULT_ML_ERROR_RATE', 'FAULT_ML_LATENCY_MS', 'MODEL_DIR', 'E2E_WEBHOOK_URL', 'E2E_MODEL_DIR'];

export class E2eStack {
  readonly project: string;
  readonly token: string;
  readonly url: Readonly<Record<PortName, string>>;
  private env: Record<string, string>;
  private readonly files: readonly string[];
  private readonly workdir: string;

  private constructor(project: string, ports: Record<PortName, number>, env: Record<string, string>, files: readonly string[], workdir: string) {
    this.project = project;
    this.env = env;
    this.files = files;
    this.workdir = workdir;
    this.url = Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}`])) as Record<PortName, string>;
    this.token = readFileSync(join(REPO, 'docker/secrets/guardrail-token'), 'utf8').trim();
  }

  /** Writes the policy, then `compose up -d` the services. Call `down()` in afterAll even if this throws. */
  static async create(options: E2eStackOptions): Promise<E2eStack> {
    const project = `guardrail-e2e-${options.name}-${process.pid}-${Date.now().toString(36)}`;
    const workdir = mkdtempSync(join(tmpdir(), 'guardrail-e2e-'));
    const policies = join(workdir, 'policies');
    execFileSync('mkdir', ['-p', policies]);
    writeFileSync(join(policies, 'prediction-service.yaml'), generateE2ePolicy({ ...options.policy, project }));
    // The controller runs as the unprivileged `node` user: the mounted policy must be readable to it.
    chmodSync(workdir, 0o755);
    chmodSync(policies, 0o755);
    chmodSync(join(policies, 'prediction-service.yaml'), 0o644);
    execFileSync('bash', [join(REPO, 'docker/make-secrets.sh')], { stdio: 'ignore' });

    const ports: Record<PortName, number> = {
      api: await freePort(),
      consumer: await freePort(),
      controller: await freePort(),
      prometheus: await freePort(),
      alertmanager: await freePort(),
    };
    const env: Record<string, string> = {
      API_PORT: String(ports.api),
      CONSUMER_PORT: String(ports.consumer),
      CONTROLLER_PORT: String(ports.controller),
      PROMETHEUS_PORT: String(ports.prometheus),
      ALERTMANAGER_PORT: String(ports.alertmanager),
      DOCKER_GID: String(socketGid()),
      GUARDRAIL_POLICIES_PATH: policies,
      SERVICE_IMAGE: E2E_IMAGES.service,
      CONTROLLER_IMAGE: E2E_IMAGES.controller,
      ...options.env,
    };
    const files = [COMPOSE_FILE, join(FIXTURES, 'compose.e2e.yaml'), ...(options.overrides ?? []).map((file) => join(FIXTURES, file))];
    const stack = new E2eStack(project, ports, env, files, workdir);
    await stack.compose(['up', '-d', ...options.services], 180_000);
    return stack;
  }

  /** Runs `compose -p PROJECT -f ... ARGS` with the stack's environment; resolves with stdout+stderr. */
  async compose(args: readonly string[], timeoutMs = 120_000): Promise<string> {
    const [program, ...pre] = COMPOSE_COMMAND;
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of SCENARIO_VARIABLES) delete env[name];
    Object.assign(env, this.env);
    const fileArgs = this.files.flatMap((file) => ['-f', file]);
    const { stdout, stderr } = await run(program ?? 'docker-compose', [...pre, '-p', this.project, ...fileArgs, ...args], { env, timeoutMs });
    return `${stdout}${stderr}`;
  }

  /** Changes the environment of later compose calls (a scenario's fault), e.g. `{ FAULT_ML_LATENCY_MS: '1500' }`. */
  setEnv(changes: Readonly<Record<string, string | undefined>>): void {
    const next = { ...this.env };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete next[name];
      else next[name] = value;
    }
    this.env = next;
  }

  /** `compose down -v`, then the temp dir. Never throws: it runs in afterAll, possibly after a failed start. E2E_KEEP=1 leaves it up to look at. */
  async down(): Promise<void> {
    if (process.env['E2E_KEEP'] === '1') {
      process.stderr.write(`e2e: E2E_KEEP=1, stack ${this.project} left up (files: ${this.files.join(', ')})\n`);
      return;
    }
    try {
      await this.compose(['down', '-v', '--remove-orphans', '--timeout', '3'], 120_000);
    } catch (error) {
      // Containers the actuator renamed are still labelled with the project; remove them by label.
      process.stderr.write(`e2e: compose down failed (${String(error)}); removing by label\n`);
      forceRemoveProject(this.project);
    }
    rmSync(this.workdir, { recursive: true, force: true });
  }

  /** All containers (running or not) of one compose service of this project, from `docker inspect`. */
  containers(service: string): ContainerInfo[] {
    const ids = execFileSync(
      'docker',
      ['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${this.project}`, '--filter', `label=com.docker.compose.service=${service}`],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter((id) => id !== '');
    // One inspect per id: a container the actuator removes between `ps` and `inspect` is skipped.
    return ids.flatMap((id): ContainerInfo[] => {
      let raw: unknown;
      try {
        raw = JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
      } catch {
        return [];
      }
      return (raw as InspectedContainer[]).map((c) => ({
        id: c.Id,
        name: c.Name.replace(/^\//, ''),
        running: c.State.Running,
        env: c.Config.Env ?? [],
        ip: Object.values(c.NetworkSettings.Networks ?? {}).map((n) => n.IPAddress).find((ip) => ip !== ''),
      }));
    });
  }

  /** The single running container of a service; fails when there are none or several. */
  onlyRunning(service: string): ContainerInfo {
    const running = this.containers(service).filter((c) => c.running);
    if (running.length !== 1) throw new Error(`expected exactly one running ${service} container, found ${running.length}: ${running.map((c) => c.name).join(', ')}`);
    return running[0] as ContainerInfo;
  }

  /** GET on the controller's API with the stack's token. */
  async controllerGet<T>(path: string): Promise<T> {
    const response = await fetch(`${this.url.controller}${path}`, { headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  }

  async controllerPost(path: string, body: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.url.controller}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    });
    return { status: response.status, body: (await response.json()) as unknown };
  }

  /** The `prediction-service` target's status view. */
  async targetStatus(): Promise<TargetStatus> {
    const view = await this.controllerGet<{ targets: TargetStatus[] }>('/api/v1/status');
    const target = view.targets.find((t) => t.target === 'prediction-service');
    if (target === undefined) throw new Error(`status has no prediction-service target: ${JSON.stringify(view)}`);
    return target;
  }

  async history(): Promise<HistoryEntry[]> {
    return (await this.controllerGet<{ entries: HistoryEntry[] }>('/api/v1/history')).entries;
  }

  /** Alerts of one name that Alertmanager holds (active, not silenced); as the `operator` user (basic auth). */
  async alertmanagerAlerts(alertname: string): Promise<AlertmanagerAlert[]> {
    const filter = encodeURIComponent(`alertname="${alertname}"`);
    const password = readFileSync(join(REPO, 'docker/secrets/alertmanager-password-operator'), 'utf8').trim();
    const authorization = `Basic ${Buffer.from(`operator:${password}`).toString('base64')}`;
    const response = await fetch(`${this.url.alertmanager}/api/v2/alerts?filter=${filter}`, { headers: { authorization }, signal: AbortSignal.timeout(5_000) });
    if (response.status !== 200) throw new Error(`Alertmanager /api/v2/alerts: HTTP ${response.status}`);
    return (await response.json()) as AlertmanagerAlert[];
  }

  /** Waits for the ML model on the api, the controller's API and Prometheus scraping the api. */
  async waitReady(apiBase = this.url.api): Promise<void> {
    await waitFor('api serving the ML model', 120_000, async () => ((await versionAt(apiBase)).model_variant === 'ml' ? true : undefined));
    await waitFor('controller status', 90_000, async () => ((await this.targetStatus()).phase === 'watching' ? true : undefined));
    await waitFor('Prometheus scraping the api', 60_000, async () => {
      const response = await fetch(`${this.url.prometheus}/api/v1/query?query=${encodeURIComponent('up{job="prediction-service"} == 1')}`, { signal: AbortSignal.timeout(3_000) });
      const body = (await response.json()) as { data: { result: unknown[] } };
      return body.data.result.length > 0 ? true : undefined;
    });
  }
}

export interface TargetStatus {
  readonly target: string;
  readonly phase: string;
  readonly variant: string | null;
  readonly rollback: { id: string; reason: string; trigger: Trigger; startedAt: string; ageSeconds: number } | null;
  readonly lastEvaluation: { at: string; verdicts: { conditionId: string; status: string; cause?: string }[] } | null;
  readonly lastError: string | null;
}

/** Who or what started a switch: `automatic`, `webhook` (an Alertmanager alert) or `manual` (with the actor). */
export interface Trigger {
  readonly kind: string;
  readonly actor?: string;
  /** The free text of a manual operation. */
  readonly reason?: string;
}

export interface HistoryEntry {
  readonly id: string;
  readonly action: 'rollback' | 'rollforward';
  readonly trigger: Trigger;
  readonly reason: string;
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly result: string;
}

export interface AlertmanagerAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly status: { state: string };
}

export interface VersionView {
  readonly model_variant: string;
  readonly model_version: string;
}

/** GET /version on a service base URL (published port, or `http://<container ip>:8000`). */
export async function versionAt(base: string): Promise<VersionView> {
  const response = await fetch(`${base}/version`, { signal: AbortSignal.timeout(3_000) });
  if (response.status !== 200) throw new Error(`GET ${base}/version: HTTP ${response.status}`);
  return (await response.json()) as VersionView;
}

interface InspectedContainer {
  Id: string;
  Name: string;
  State: { Running: boolean };
  Config: { Env?: string[] };
  NetworkSettings: { Networks?: Record<string, { IPAddress: string }> };
}

function socketGid(): number {
  try {
    return Number(execFileSync('stat', ['-c', '%g', '/var/run/docker.sock'], { encoding: 'utf8' }).trim());
  } catch {
    return 0;
  }
}

function forceRemoveProject(project: string): void {
  try {
    const ids = execFileSync('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`], { encoding: 'utf8' }).split('\n').filter((id) => id !== '');
    if (ids.length > 0) execFileSync('docker', ['rm', '-f', '-v', ...ids], { stdio: 'ignore' });
    execFileSync('bash', ['-c', `docker network ls -q --filter label=com.docker.compose.project=${project} | xargs -r docker network rm; docker volume ls -q --filter label=com.docker.compose.project=${project} | xargs -r docker volume rm`], { stdio: 'ignore' });
  } catch {
    // best effort: report nothing more from afterAll
  }
}
