// A throwaway Prometheus over backfilled series: `promtool tsdb create-blocks-from openmetrics` writes the
// scenario's series as TSDB blocks into a temp dir, and `prometheus` serves that dir on a free loopback port
// (no scrape configs). Queries then run on Prometheus's own engine: what a policy's PromQL returns here is
// what it returns in production for the same samples.
// Staleness: backfilled blocks carry no staleness markers, so Prometheus runs with --query.lookback-delta
// just under the series' step (the lookback is inclusive). An instant query then always sees the latest
// sample if there is one at every step, and a series that ends, or has no sample at a step (`_`), is gone
// from instant queries at that step — as in production, where a vanished series or a failed scrape is
// marked stale at once — instead of lingering for the default 5 minutes. Range selectors (rate,
// max_over_time, offset) are unaffected.

import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ReplayedMetrics, ReplayInput } from '../../ports/series-replay.js';
import { evaluateAtTicks } from './evaluate.js';
import { renderOpenMetrics } from './openmetrics.js';
import { findReplayTools, type ReplayTools } from './tools.js';

const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 5_000;
const START_ATTEMPTS = 3;


function run(binary: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(binary, [...args], { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`${binary} ${args[0] ?? ''} ${args[1] ?? ''} failed: ${error.message}\n${stderr || stdout}`.trim()));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1_000) })).ok;
  } catch {
    return false;
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Starts prometheus on the TSDB dir; a port taken between the probe and the bind is retried. */
async function launch(tools: ReplayTools, dir: string, lookbackMs: number): Promise<{ child: ChildProcess; url: string }> {
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, 'global: {}\nscrape_configs: []\n');
  let lastError = '';
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      tools.prometheus,
      [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        '--storage.tsdb.retention.time=100y',
        `--query.lookback-delta=${lookbackMs}ms`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4_000);
    });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
      if (await isReady(url)) return { child, url };
      await sleep(50);
    }
    await stopProcess(child);
    lastError = `prometheus did not become ready on ${url} (${child.exitCode !== null ? `exit ${child.exitCode}` : 'timeout'}): ${stderr.trim()}`;
  }
  throw new Error(lastError);
}

/** Backfills `input` and serves it; the caller must close() (stops prometheus, removes the temp dir). */
export async function openReplay(input: ReplayInput): Promise<ReplayedMetrics> {
  const tools = await findReplayTools();
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-replay-'));
  try {
    const { text, samples } = renderOpenMetrics(input);
    if (samples > 0) {
      const file = join(dir, 'series.om');
      await writeFile(file, text);
      await run(tools.promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dir, 'data')]);
    }
    const { child, url } = await launch(tools, dir, Math.max(1, input.stepMs - 1));
    return {
      evaluate: (promqls, ticks) => evaluateAtTicks(url, promqls, ticks),
      close: async () => {
        await stopProcess(child);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
