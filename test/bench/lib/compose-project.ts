import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sleep } from './stats.js';

// A throw-away docker compose project holding one service `api`, the way the seed guide runs the
// prediction service: its variant comes from the shell (`MODEL_VARIANT: ${MODEL_VARIANT:-ml}`), so the
// seed's manual rollback `MODEL_VARIANT=baseline docker compose up -d` works on it unchanged.
// This machine has Compose v1 (`docker-compose` 1.29.2); the commands are the same as v2's.

const run = promisify(execFile);
const FRONT_DOOR_CONFIG = fileURLToPath(new URL('../../../docker/front-door/haproxy.cfg', import.meta.url));

export interface ComposeProjectOptions {
  /** Project name: lower case letters, digits, dashes. Also prefixes every container and network. */
  readonly name: string;
  readonly image: string;
  /** Host port published on 127.0.0.1 for the container's 8000. */
  readonly hostPort: number;
  /** Extra `environment:` entries, compose syntax (`${VAR:-default}` is interpolated from the shell). */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * The stack's front door (docker/compose.yaml's `front-door`: HAProxy, docker/front-door/haproxy.cfg) as a
   * second service publishing `hostPort`; the api then publishes `directPort` only when given (to compare
   * against), and `up -d` must name `front-door` too.
   */
  readonly frontDoor?: { readonly image: string; readonly directPort?: number };
}

export interface ComposeProject {
  readonly name: string;
  readonly file: string;
  /** Compose's default network, where the service has the alias `api`. */
  readonly network: string;
  readonly baseUrl: string;
  /** `docker-compose <args>` with `env` added to this process's environment. */
  compose(args: readonly string[], env?: Readonly<Record<string, string>>): Promise<string>;
  /** Polls /health = 200 and /version model_variant = `variant` through the published port. */
  waitServing(variant: string, timeoutMs?: number): Promise<number>;
  /** `down` (containers, network) and the temp dir. */
  remove(): Promise<void>;
}

function composeYaml(options: ComposeProjectOptions): string {
  const env: Record<string, string> = { MODEL_VARIANT: '${MODEL_VARIANT:-ml}', LOG_LEVEL: 'warn', ...options.environment };
  const door = options.frontDoor;
  const apiPort = door === undefined ? options.hostPort : door.directPort;
  return [
    'version: "3.8"',
    'services:',
    '  api:',
    `    image: ${options.image}`,
    '    environment:',
    ...Object.entries(env).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}`),
    ...(apiPort === undefined ? [] : ['    ports:', `      - "127.0.0.1:${apiPort}:8000"`]),
    ...(door === undefined
      ? []
      : [
          '  front-door:',
          `    image: ${door.image}`,
          '    command: ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]',
          `    volumes: ["${FRONT_DOOR_CONFIG}:/usr/local/etc/haproxy/haproxy.cfg:ro"]`,
          '    read_only: true',
          '    cap_drop: [ALL]',
          `    ports: ["127.0.0.1:${options.hostPort}:8000"]`,
        ]),
    '',
  ].join('\n');
}

export async function createComposeProject(options: ComposeProjectOptions): Promise<ComposeProject> {
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-bench-compose-'));
  const file = join(dir, 'docker-compose.yml');
  await writeFile(file, composeYaml(options));
  const baseUrl = `http://127.0.0.1:${options.hostPort}`;
  const compose = async (args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<string> => {
    const { stdout, stderr } = await run('docker-compose', ['-p', options.name, '-f', file, ...args], {
      env: { ...process.env, ...env },
      maxBuffer: 16 * 1024 * 1024,
    });
    return `${stdout}${stderr}`;
  };
  return {
    name: options.name,
    file,
    network: `${options.name}_default`,
    baseUrl,
    compose,
    async waitServing(variant, timeoutMs = 60_000) {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        const version = await fetch(`${baseUrl}/version`, { signal: AbortSignal.timeout(1000) })
          .then((r) => (r.ok ? (r.json() as Promise<{ model_variant?: string }>) : undefined))
          .catch(() => undefined);
        const health = version?.model_variant === variant ? await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined) : undefined;
        if (health?.ok === true) return Date.now() - started;
        await sleep(50);
      }
      throw new Error(`${options.name}: api does not serve ${variant} on ${baseUrl} after ${timeoutMs} ms`);
    },
    async remove() {
      await compose(['down', '--remove-orphans', '-t', '2']).catch((err: unknown) => console.error(`compose down ${options.name}:`, err));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Removes containers and networks left by an earlier, interrupted run of a benchmark (by name prefix). */
export async function removeLeftovers(prefix: string): Promise<void> {
  const { stdout } = await run('docker', ['ps', '-aq', '--filter', `name=${prefix}`]);
  const ids = stdout.split('\n').filter((l) => l.trim() !== '');
  if (ids.length > 0) await run('docker', ['rm', '-f', ...ids]).catch(() => undefined);
  const nets = await run('docker', ['network', 'ls', '-q', '--filter', `name=${prefix}`]);
  const netIds = nets.stdout.split('\n').filter((l) => l.trim() !== '');
  if (netIds.length > 0) await run('docker', ['network', 'rm', ...netIds]).catch(() => undefined);
}
