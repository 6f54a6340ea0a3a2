// Runs Docker Compose for the stack tests: v2 (`docker compose`) when the CLI has the plugin, else
// Debian's v1.29 (`docker-compose`). docker/compose.yaml is written for both.
import { execFile, execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const COMPOSE_FILE = join(REPO, 'docker/compose.yaml');

function detectCompose(): readonly string[] {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose'];
  }
}

const COMPOSE = detectCompose();

/** The group of the Docker socket, so the controller's non-root user can reach it (compose DOCKER_GID). */
export function dockerSocketGid(): string {
  try {
    return String(statSync('/var/run/docker.sock').gid);
  } catch {
    return '0';
  }
}

export interface ComposeProject {
  readonly name: string;
  readonly env: Readonly<Record<string, string>>;
}

/** Runs `compose -p NAME -f docker/compose.yaml ARGS`, resolving with stdout+stderr; rejects on failure. */
export function compose(project: ComposeProject, args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const [command, ...pre] = COMPOSE;
  return new Promise((resolve, reject) => {
    execFile(
      command ?? 'docker-compose',
      [...pre, '-p', project.name, '-f', COMPOSE_FILE, ...args],
      { cwd: REPO, env: { ...process.env, ...project.env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${COMPOSE.join(' ')} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes; the last problem is in the error. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not tried yet';
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
      last = 'not yet';
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export async function getJson(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(3_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body };
}
