import { execFile, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

// Drives load-client.mjs from the host (a child process) or from a container on a Docker network (the
// same file bind-mounted), and reads back its one JSON line. Both stop on SIGTERM, so a benchmark can
// start the load, do its switch, then stop the load exactly when it wants.

const run = promisify(execFile);
export const LIB_DIR = dirname(fileURLToPath(import.meta.url));
const CLIENT = join(LIB_DIR, 'load-client.mjs');

export interface LoadResult {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly errors: Readonly<Record<string, number>>;
  readonly variants: Readonly<Record<string, number>>;
  /** Send time (epoch ms) of the first request that failed with each error kind, e.g. `http_500`. */
  readonly firstErrorAt: Readonly<Record<string, number>>;
  /** Send time of the last request that failed with each error kind. */
  readonly lastErrorAt: Readonly<Record<string, number>>;
  /** Send time of the first request each variant answered with a 2xx. */
  readonly firstVariantAt: Readonly<Record<string, number>>;
  /** When the first answer from each variant arrived (epoch ms). */
  readonly firstVariantAnsweredAt: Readonly<Record<string, number>>;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Send time (epoch ms) of the first and last failed request. */
  readonly firstFailureAt: number | null;
  readonly lastFailureAt: number | null;
  /** Per 100 ms of send time: [bucketStartMs, sent, failed]. */
  readonly buckets: readonly (readonly [number, number, number])[];
  /** Send to last byte of the 2xx answers, ms; null when none succeeded. */
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number } | null;
}

export interface RunningLoad {
  stop(): Promise<LoadResult>;
}

export interface LoadSpec {
  readonly url: string;
  readonly rps: number;
  /** Hard bound on the traffic, whatever happens to the benchmark. */
  readonly maxDurationMs: number;
  /** JSON body: POST when given, GET otherwise. */
  readonly body?: string;
}

function argsOf(spec: LoadSpec): string[] {
  return [spec.url, String(spec.rps), String(spec.maxDurationMs), ...(spec.body === undefined ? [] : [spec.body])];
}

function parseResult(stdout: string, where: string): LoadResult {
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as LoadResult;
  } catch {
    throw new Error(`load client (${where}) printed no result: ${stdout.slice(-500)}`);
  }
}

/** Load from the host, e.g. to a published port on 127.0.0.1. */
export function startHostLoad(spec: LoadSpec): RunningLoad {
  const child = spawn(process.execPath, [CLIENT, ...argsOf(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (stderr.trim() !== '') console.error(stderr.trim());
      return parseResult(stdout, 'host');
    },
  };
}

/**
 * Load from a container on `network` (an alias only resolves inside its network). The container runs the
 * image's own node with this folder bind-mounted read-only.
 */
export async function startContainerLoad(spec: LoadSpec, options: { image: string; network: string; name: string }): Promise<RunningLoad> {
  await run('docker', [
    'run', '-d', '--name', options.name, '--network', options.network,
    '-v', `${LIB_DIR}:/bench:ro`, '--entrypoint', 'node', options.image,
    '/bench/load-client.mjs', ...argsOf(spec),
  ]);
  return {
    async stop() {
      await run('docker', ['kill', '--signal', 'TERM', options.name]).catch(() => undefined);
      await run('docker', ['wait', options.name]);
      const { stdout } = await run('docker', ['logs', options.name], { maxBuffer: 64 * 1024 * 1024 });
      await run('docker', ['rm', '-f', options.name]).catch(() => undefined);
      return parseResult(stdout, `container ${options.name}`);
    },
  };
}

/** First-to-last failed request, ms (0 when nothing failed). */
export function failureWindowMs(result: LoadResult): number {
  return result.firstFailureAt === null || result.lastFailureAt === null ? 0 : result.lastFailureAt - result.firstFailureAt;
}
