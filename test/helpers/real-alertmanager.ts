import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { stringify } from 'yaml';
import { findBinary, launchOnFreePort, spawnDaemon, waitForHttpOk, type Daemon } from './daemon.js';

// A real Alertmanager for integration tests, on a temp dir and a free loopback port. Clustering is
// switched off (`--cluster.listen-address=`): otherwise it binds :9094 and two test instances collide.

export interface StartAlertmanagerOptions {
  /** A complete alertmanager.yml; when given, the options below are ignored. */
  readonly configYaml?: string;
  /** Route every alert to this webhook (e.g. a startHttpRecorder() url), resolved ones included. */
  readonly webhookUrl?: string;
  /** Sent as `Authorization: Bearer <token>` to the webhook. */
  readonly bearerToken?: string;
  /** Route `group_wait`; "0s" by default so notifications go out at once. */
  readonly groupWait?: string;
  /** Route `group_interval`; "1s" by default. */
  readonly groupInterval?: string;
  /** `global.resolve_timeout`; Alertmanager's default is 5m. */
  readonly resolveTimeout?: string;
  readonly readyTimeoutMs?: number;
  /**
   * Put the API behind basic auth (`--web.config.file` with bcrypt hashes, as the stack does): user name ->
   * password. The first user is the one the helper's own calls (readiness, alerts()) use.
   */
  readonly basicAuthUsers?: Readonly<Record<string, string>>;
}

/** `Authorization: Basic …` for a user and password. */
export function basicAuthHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** One entry of GET /api/v2/alerts (gettableAlert). */
export interface AlertmanagerAlert {
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly updatedAt: string;
  readonly generatorURL?: string;
  readonly fingerprint: string;
  readonly status: { readonly state: 'active' | 'suppressed' | 'unprocessed'; readonly silencedBy: string[]; readonly inhibitedBy: string[] };
  readonly receivers: readonly { readonly name: string }[];
}

export interface RealAlertmanager {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /**
   * GET /api/v2/alerts. Alertmanager lists only alerts whose endsAt is still in the future (active or
   * suppressed); a resolved alert drops out of this list.
   */
  alerts(filter?: { readonly active?: boolean; readonly silenced?: boolean; readonly inhibited?: boolean }): Promise<AlertmanagerAlert[]>;
  stop(): Promise<void>;
  kill(): Promise<void>;
  /** Starts it again (after kill()) on the same port, config and storage: "Alertmanager is back". */
  restart(): Promise<void>;
}

const ALERTMANAGER_BINARIES = ['/usr/bin/prometheus-alertmanager', 'alertmanager', 'prometheus-alertmanager'];

export async function startAlertmanager(options: StartAlertmanagerOptions = {}): Promise<RealAlertmanager> {
  const binary = findBinary(ALERTMANAGER_BINARIES);
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-alertmanager-'));
  try {
    const configPath = join(dir, 'alertmanager.yml');
    await writeFile(configPath, options.configYaml ?? buildConfig(options));
    const users = Object.entries(options.basicAuthUsers ?? {});
    const webConfigPath = join(dir, 'web.yml');
    if (users.length > 0) {
      // Cost 4: the lowest bcrypt allows, so each check stays cheap in tests; the stack uses the default 10.
      await writeFile(webConfigPath, stringify({ basic_auth_users: Object.fromEntries(users.map(([user, password]) => [user, bcrypt.hashSync(password, 4)])) }));
    }
    const [firstUser] = users;
    const headers: Record<string, string> = firstUser === undefined ? {} : { authorization: basicAuthHeader(firstUser[0], firstUser[1]) };

    const argsFor = (port: number): string[] => [
      `--config.file=${configPath}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
      ...(users.length > 0 ? [`--web.config.file=${webConfigPath}`] : []),
    ];
    const readyTimeoutMs = options.readyTimeoutMs ?? 20_000;
    const { daemon, url, port } = await launchOnFreePort({ binary, name: 'alertmanager', readyTimeoutMs, argsFor, readyHeaders: headers });
    const respawn = async (): Promise<Daemon> => {
      const next = spawnDaemon(binary, argsFor(port));
      await waitForHttpOk(next, `${url}/-/ready`, readyTimeoutMs, 'alertmanager (restarted)', headers);
      return next;
    };
    return handle(daemon, url, port, dir, respawn, headers);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

function buildConfig(options: StartAlertmanagerOptions): string {
  const receiver: Record<string, unknown> = { name: 'default' };
  if (options.webhookUrl !== undefined) {
    const webhook: Record<string, unknown> = { url: options.webhookUrl, send_resolved: true };
    if (options.bearerToken !== undefined) {
      webhook['http_config'] = { authorization: { type: 'Bearer', credentials: options.bearerToken } };
    }
    receiver['webhook_configs'] = [webhook];
  }
  return stringify({
    global: { resolve_timeout: options.resolveTimeout ?? '5m' },
    route: {
      receiver: 'default',
      // '...' groups by every label: each alert is its own group, so tests see one notification per alert.
      group_by: ['...'],
      group_wait: options.groupWait ?? '0s',
      group_interval: options.groupInterval ?? '1s',
      repeat_interval: '1h',
    },
    receivers: [receiver],
  });
}

function handle(first: Daemon, url: string, port: number, dir: string, respawn: () => Promise<Daemon>, headers: Readonly<Record<string, string>>): RealAlertmanager {
  let removed = false;
  let daemon = first;
  return {
    url,
    port,
    dir,
    async alerts(filter = {}) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filter)) {
        if (typeof value === 'boolean') params.set(key, String(value));
      }
      const res = await fetch(`${url}/api/v2/alerts?${params}`, { headers, signal: AbortSignal.timeout(5_000) });
      if (!res.ok) throw new Error(`alertmanager ${url}: GET /api/v2/alerts answered HTTP ${res.status}: ${await res.text()}`);
      return (await res.json()) as AlertmanagerAlert[];
    },
    async stop() {
      await daemon.terminate();
      if (!removed) {
        removed = true;
        await rm(dir, { recursive: true, force: true });
      }
    },
    kill: () => daemon.kill(),
    async restart() {
      await daemon.terminate();
      daemon = await respawn();
    },
  };
}
