// Runs the real compiled service (node dist/service/main.js) as a child process on a kernel-picked port
// (PORT=0; the bound address is read from its "listening" log line), with its JSON log lines kept.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const MAIN_JS = fileURLToPath(new URL('../../../dist/service/main.js', import.meta.url));

/**
 * Compiles the package (what `npm ci` does via `prepare`). Other parts of the tree may have type errors
 * mid-way; tsc still emits, so only a missing main.js is fatal.
 */
export async function buildService(): Promise<void> {
  try {
    await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT });
  } catch (err) {
    if (!existsSync(MAIN_JS)) throw err;
  }
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  /** Parsed JSON log lines so far (non-JSON stdout/stderr lines as {raw}). */
  logs(): Record<string, unknown>[];
  /** The process's exit code (null if killed by a signal), once it has exited. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the base URL once the "listening" line appears; rejects if the process exits first. */
  listening(timeoutMs?: number): Promise<string>;
  /** SIGKILL if still running. */
  kill(): Promise<void>;
}

const MAX_LINES = 2_000;
const KEEP_FIRST = 50;

export function startService(env: Record<string, string>): ServiceProcess {
  const child = spawn(process.execPath, [MAIN_JS], {
    cwd: PACKAGE_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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
      if (typeof parsed['address'] === 'string' && String(parsed['msg']).startsWith('prediction service listening')) address = parsed['address'];
      lines.push(parsed);
    }
    // Under injected faults every failed request logs a line: keep the start-up lines and the latest ones.
    if (lines.length > MAX_LINES) lines.splice(KEEP_FIRST, lines.length - MAX_LINES);
    waiters.splice(0).forEach((w) => w());
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
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
        if (isGone()) throw new Error(`service exited before listening:\n${JSON.stringify(lines, null, 1)}`);
        if (Date.now() > deadline) throw new Error(`service not listening within ${timeoutMs} ms:\n${JSON.stringify(lines, null, 1)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    async kill() {
      if (!isGone()) child.kill('SIGKILL');
      await exit;
    },
  };
}
