// Runs the real compiled consumer (node dist/service/consumer/main.js) as a child process, keeping its JSON
// log lines, the way Docker or the process actuator runs it.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sleep } from '../../helpers/daemon.js';

export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CONSUMER_JS = fileURLToPath(new URL('../../../dist/service/consumer/main.js', import.meta.url));

/** Every service/**.ts source that has no dist/**.js at least as new (the consumer runs only service code). */
async function staleSources(): Promise<string[]> {
  const stale: string[] = [];
  for (const file of await readdir(join(PACKAGE_ROOT, 'service'), { recursive: true })) {
    if (!file.endsWith('.ts')) continue;
    const source = join(PACKAGE_ROOT, 'service', file);
    const built = join(PACKAGE_ROOT, 'dist', 'service', file.replace(/\.ts$/, '.js'));
    const builtAt = await stat(built).then((s) => s.mtimeMs, () => 0);
    if ((await stat(source)).mtimeMs > builtAt) stale.push(file);
  }
  return stale;
}

/**
 * Compiles the package unless dist/service is already up to date (a full tsc takes most of a minute on a
 * busy 2-core machine). Other parts of the tree may be mid-way with type errors; tsc still emits.
 */
export async function buildConsumer(): Promise<void> {
  if ((await staleSources()).length === 0) return;
  try {
    await promisify(execFile)(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT });
  } catch (err) {
    if (!existsSync(CONSUMER_JS)) throw err;
  }
}

export interface ConsumerProcess {
  readonly child: ChildProcess;
  logs(): Record<string, unknown>[];
  /** Resolves with the base URL once the listening line is logged; rejects if it exits first. */
  listening(timeoutMs?: number): Promise<string>;
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait for the exit. */
  terminate(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL (a crash) and wait for the exit. */
  kill(): Promise<void>;
}

export function startConsumer(env: Record<string, string>): ConsumerProcess {
  const child = spawn(process.execPath, [CONSUMER_JS], {
    cwd: PACKAGE_ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  let address: string | undefined;
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
      if (typeof parsed['address'] === 'string' && String(parsed['msg']).startsWith('prediction consumer listening')) address = parsed['address'];
      if (lines.length < 5_000) lines.push(parsed);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const isGone = (): boolean => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    logs: () => lines,
    exited: () => exit,
    async listening(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (address === undefined) {
        if (isGone()) throw new Error(`consumer exited before listening:\n${JSON.stringify(lines, null, 1)}`);
        if (Date.now() > deadline) throw new Error(`consumer not listening within ${timeoutMs} ms:\n${JSON.stringify(lines, null, 1)}`);
        await sleep(50);
      }
      return address;
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
