import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.js';

/** A spawned real part (Prometheus, Alertmanager) with its output kept for error messages. */
export interface Daemon {
  readonly child: ChildProcess;
  /** Last lines of stdout+stderr, for "why did it not start" messages. */
  output(): string;
  /** Resolves when the process has exited (immediately if it already has). */
  exited(): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. Idempotent. */
  terminate(graceMs?: number): Promise<void>;
  /** SIGKILL at once (a crash, not a shutdown); resolves once the process is gone. Idempotent. */
  kill(): Promise<void>;
}

/** The first of `candidates` that exists: absolute paths as is, bare names searched on PATH. */
export function findBinary(candidates: readonly string[]): string {
  for (const candidate of candidates) {
    if (candidate.includes('/')) {
      if (existsSync(candidate)) return candidate;
      continue;
    }
    for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
      if (dir !== '' && existsSync(join(dir, candidate))) return join(dir, candidate);
    }
  }
  throw new Error(
    `none of ${candidates.join(', ')} is installed; run scripts/ensure-test-prereqs.sh (it apt-installs them)`,
  );
}

const OUTPUT_KEEP_CHARS = 8_000;

export function spawnDaemon(binary: string, args: readonly string[]): Daemon {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_KEEP_CHARS);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  // A spawn failure (ENOENT) arrives as 'error' and must not become an unhandled exception.
  child.on('error', (err) => keep(Buffer.from(`spawn error: ${err.message}\n`)));

  const exitPromise = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  const isGone = (): boolean => child.exitCode !== null || child.signalCode !== null;

  return {
    child,
    output: () => output,
    exited: () => exitPromise,
    async terminate(graceMs = 5_000) {
      if (isGone()) return exitPromise;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!isGone()) child.kill('SIGKILL');
      }, graceMs);
      await exitPromise;
      clearTimeout(timer);
    },
    async kill() {
      if (!isGone()) child.kill('SIGKILL');
      await exitPromise;
    },
  };
}

/**
 * Polls `url` until it answers 200, the daemon exits, or `timeoutMs` passes. Throws with the daemon's
 * own output in the message so a failed start explains itself (bad config, port taken ...).
 */
export async function waitForHttpOk(daemon: Daemon, url: string, timeoutMs: number, what: string, headers: Readonly<Record<string, string>> = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void daemon.exited().then(() => {
    exited = true;
  });
  let lastError = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what} exited before it was ready:\n${daemon.output()}`);
    try {
      const res = await fetch(url, { headers, signal: AbortSignal.timeout(1_000) });
      if (res.ok) return;
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    await sleep(50);
  }
  throw new Error(`${what} was not ready at ${url} within ${timeoutMs} ms (${lastError}):\n${daemon.output()}`);
}

/** True when the daemon's output says another process took the port between freePort() and bind(). */
export function lostPortRace(daemon: Daemon): boolean {
  return /address already in use/i.test(daemon.output());
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const PORT_ATTEMPTS = 3;

export interface LaunchOptions {
  readonly binary: string;
  /** For the ready error message, e.g. 'prometheus'. */
  readonly name: string;
  /** The daemon's arguments for a port picked by freePort(). */
  readonly argsFor: (port: number) => readonly string[];
  readonly readyTimeoutMs: number;
  /** Sent with the readiness probe (e.g. basic auth for a daemon behind --web.config.file). */
  readonly readyHeaders?: Readonly<Record<string, string>>;
}

/**
 * Spawns a daemon on a free loopback port and waits for its `/-/ready`. freePort() cannot reserve the
 * port, so another process may take it before the daemon binds: that case is retried on a new port.
 */
export async function launchOnFreePort(options: LaunchOptions): Promise<{ daemon: Daemon; url: string; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const daemon = spawnDaemon(options.binary, options.argsFor(port));
    try {
      await waitForHttpOk(daemon, `${url}/-/ready`, options.readyTimeoutMs, options.name, options.readyHeaders);
      return { daemon, url, port };
    } catch (err) {
      await daemon.kill();
      if (attempt < PORT_ATTEMPTS && lostPortRace(daemon)) continue;
      throw err;
    }
  }
}
