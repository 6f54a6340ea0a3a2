// The compose CLI and image build for the e2e tests (the CLI detection is test/helpers/compose.ts).
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../helpers/compose.js';

export { COMPOSE_COMMAND, COMPOSE_FILE, REPO, waitFor } from '../../helpers/compose.js';
export const FIXTURES = join(REPO, 'test/e2e-fixtures');

export interface RunResult {
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program, rejecting with its stderr when it fails or outlives `timeoutMs`. */
export function run(program: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      [...args],
      { cwd: REPO, env: options.env ?? process.env, timeout: options.timeoutMs ?? 120_000, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${program} ${args.join(' ')} failed: ${error.message}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/**
 * The e2e stacks run images under their own tags: other suites rebuild `guardrail/*:dev` at any time, and
 * a rebuilt image under the tag a stack uses makes `compose up -d` recreate its containers (the image id
 * is part of compose's config hash), which would look like compose undoing a rollback.
 * E2E_IMAGE_TAG (default `e2e`) gives a run tags of its own, e.g. when several clones share one Docker daemon.
 */
const E2E_TAG = process.env['E2E_IMAGE_TAG'] ?? 'e2e';
export const E2E_IMAGES = { service: `guardrail/service:${E2E_TAG}`, controller: `guardrail/controller:${E2E_TAG}` } as const;

/**
 * Builds the images once per vitest run: the first e2e file runs docker/offline/build-all.sh under the
 * e2e tags (its layer cache makes an unchanged rebuild ~30 s), later files of the same run reuse them.
 * Vitest's worker processes share their parent, so its pid names the run. E2E_SKIP_BUILD=1 reuses
 * existing e2e images.
 */
export async function buildImagesOnce(): Promise<void> {
  const stamp = `/tmp/guardrail-e2e-built-${process.ppid}`;
  const imagesExist = Object.values(E2E_IMAGES).every((image) => {
    try {
      execFileSync('docker', ['image', 'inspect', image], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  // A stamp older than an hour belongs to an earlier run whose pid was reused.
  const builtThisRun = existsSync(stamp) && Date.now() - statSync(stamp).mtimeMs < 3_600_000;
  if (imagesExist && (builtThisRun || process.env['E2E_SKIP_BUILD'] === '1')) return;
  const env = { ...process.env, SERVICE_IMAGE: E2E_IMAGES.service, CONTROLLER_IMAGE: E2E_IMAGES.controller };
  const { stdout } = await run('bash', [join(REPO, 'docker/offline/build-all.sh')], { env, timeoutMs: 300_000 });
  if (!stdout.includes(`built ${E2E_IMAGES.controller}`)) throw new Error(`build-all.sh did not build ${E2E_IMAGES.controller}:\n${stdout}`);
  writeFileSync(stamp, new Date().toISOString());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
