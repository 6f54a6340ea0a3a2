// Runs one of the package's compiled programs (the prediction service, the consumer) as a child process on a
// kernel-picked port (PORT=0; the bound address is read from its "listening" log line), the way Docker or
// the process actuator runs it, with its JSON log lines kept for assertions and error messages.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every service/**.ts source without a dist/**.js at least as new (these programs run only service code). */
async function staleServiceSources(): Promise<string[]> {
  const stale: string[] = [];
  for (const file of await readdir(join(PACKAGE_ROOT, 'service'), { recursive: true })) {
    if (!file.endsWith('.ts')) continue;
    const built = join(PACKAGE_ROOT, 'dist', 'service', file.replace(/\.ts$/, '.js'));
    const builtAt = await stat(built).then((s) => s.mtimeMs, () => 0);
    if ((await stat(join(PACKAGE_ROOT, 'service', file))).mtimeMs > builtAt) stale.push(file);
  }
  return stale;
}

/**
 * Compiles the package (what `npm ci` does via `prepare`) unless dist/service is up to date: a full tsc
 * takes most of a minute on a busy 2-core machine. tsc emits even when another part of the tree has type
 * errors, so only a missing `entry` is fatal.
 */
export async function buildServiceDist(entry: string): Promise<void> {
  if (existsSync(entry) && (await staleServiceSources()).length === 0) return;
  try {
    await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT });
  } catch (err) {
    if (!existsSync(entry)) throw err;
  }
}

export type ExitStatus = { code: number | null; signal: NodeJS.Signals | null };

export interface NodeChild {
  readonly child: ChildProcess;
  /** Parsed JSON log lines so far (non-JSON stdout/stderr lines as {raw}). */
  logs(): Record<string, unknown>[];
  /** The exit code (null if killed by a signal), once it has exited. */
  exited(): Promise<ExitStatus>;
  /** Resolves with the base URL once the "listening" line appears; rejects if the process exits first. */
  listening(timeoutMs?: number): Promise<string>;
  /** SIGTERM (a graceful stop) and wait for the exit. */
  terminate(): Promise<ExitStatus>;
  /** SIGKILL (a crash) if still running, and wait for the exit. */
  kill(): Promise<void>;
}

export interface NodeChildOptions {
  /** For error messages: 'service', 'consumer'. */
  readonly what: string;
  /** The start of the log message that carries the bound `address`. */
  readonly listeningMessage: string;
  readonly env: Record<string, string>;
  /** Options for node itself, before the script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  readonly nodeArgs?: readonly string[];
  /** Under injected faults every failed request logs a line: keep the first lines and the latest ones. */
  readonly maxLines?: number;
}

const KEEP_FIRST = 50;

export function startNodeChild(script: string, options: NodeChildOptions): NodeChild {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    cwd: PACKAGE_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const maxLines = options.maxLines ?? 2_000;
  const lines: Record<string, unknown>[] = [];
  let address: string | undefined;
  const waiters: (() => void)[] = [];
  let pending = '';
  const onData = (chunk: Buffer): void => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const line of parts.filter((l) => l.trim() !== '')) {
      let parsed: Record<string, unknown>;
      try {
        parsed = JSON.parse(line) as Record<string, unknown>;
      } catch {
        parsed = { raw: line };
      }
      if (typeof parsed['address'] === 'string' && String(parsed['msg']).startsWith(options.listeningMessage)) address = parsed['address'];
      lines.push(parsed);
    }
    if (lines.length > maxLines) lines.splice(KEEP_FIRST, lines.length - maxLines);
    waiters.splice(0).forEach((w) => w());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<ExitStatus>((resolve) => {
    child.once('exit', (code, signal) => {
      waiters.splice(0).forEach((w) => w());
      resolve({ code, signal });
    });
  });
  const isGone = (): boolean => child.exitCode !== null || child.signalCode !== null;

  return {
    child,
    logs: () => lines,
    exited: () => exit,
    async listening(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (address !== undefined) return address;
        if (isGone()) throw new Error(`${options.what} exited before listening:\n${JSON.stringify(lines, null, 1)}`);
        if (Date.now() > deadline) throw new Error(`${options.what} not listening within ${timeoutMs} ms:\n${JSON.stringify(lines, null, 1)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    async terminate() {
      if (!isGone()) child.kill('SIGTERM');
      return exit;
    },
    async kill() {
      if (!isGone()) child.kill('SIGKILL');
      await exit;
    },
  };
}
