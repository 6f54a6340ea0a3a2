// What the Docker Compose tests share: where the repository and docker/compose.yaml are, which Compose
// CLI this machine has (v2 `docker compose` when the plugin is there, else Debian's v1.29
// `docker-compose`; the stack is written for both), and a poll-until-ready helper.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const COMPOSE_FILE = join(REPO, 'docker/compose.yaml');

function detectCompose(): readonly string[] {
  try {
    execFileSync('docker', ['compose', 'version'], { stdio: 'ignore' });
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose'];
  }
}

export const COMPOSE_COMMAND: readonly string[] = detectCompose();

/** Polls `probe` until it returns a value (not undefined) or the deadline passes; the last problem is in the error. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, everyMs = 500): Promise<T> {
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
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
