// Runs Docker Compose for the stack tests (which CLI: test/helpers/compose.ts).
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { COMPOSE_COMMAND, COMPOSE_FILE, REPO } from '../../helpers/compose.js';

export { COMPOSE_FILE, REPO, waitFor } from '../../helpers/compose.js';

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
  const [command, ...pre] = COMPOSE_COMMAND;
  return new Promise((resolve, reject) => {
    execFile(
      command ?? 'docker-compose',
      [...pre, '-p', project.name, '-f', COMPOSE_FILE, ...args],
      { cwd: REPO, env: { ...process.env, ...project.env }, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${COMPOSE_COMMAND.join(' ')} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve(`${stdout}${stderr}`);
      },
    );
  });
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
