import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { findBinary, launchOnFreePort, sleep, type Daemon } from './daemon.js';

// A real Prometheus for integration tests: its own temp dir (config, rules, TSDB) and a free loopback
// port, never the packaged service on :9090.

export interface StartPrometheusOptions {
  /** `host:port` of endpoints to scrape at /metrics (job "targets"). */
  readonly scrapeTargets: readonly string[];
  /** Scrape and rule-evaluation interval; 1 s by default so samples appear quickly. */
  readonly scrapeIntervalSec?: number;
  /** Text of ONE rule file (YAML, `groups: [...]`). */
  readonly ruleFiles?: string;
  /** e.g. `http://127.0.0.1:40123`: alerts from the rules are sent there. */
  readonly alertmanagerUrl?: string;
  /**
   * `--rules.alert.resend-delay`: how often firing alerts are (re)sent to Alertmanager. 1 s by default
   * (Prometheus' own default is 1m): Alertmanager discovery takes ~5 s after start, so the first send of
   * an alert that fires at once is dropped, and with 1m the test would wait a minute for the next one.
   */
  readonly alertResendDelay?: string;
  /** Extra `scrape_configs` entries, passed through as is. */
  readonly extraScrapeConfigs?: readonly Record<string, unknown>[];
  /** How long to wait for /-/ready. */
  readonly readyTimeoutMs?: number;
}

/** The JSON of /api/v1/query, as Prometheus sends it. */
export interface PrometheusQueryResponse {
  readonly status: 'success' | 'error';
  readonly data?: {
    readonly resultType: 'vector' | 'scalar' | 'matrix' | 'string';
    readonly result: unknown;
  };
  readonly errorType?: string;
  readonly error?: string;
  readonly warnings?: readonly string[];
}

export interface VectorSample {
  readonly metric: Record<string, string>;
  readonly value: [number, string];
}

export interface RealPrometheus {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Instant query; returns Prometheus's parsed JSON (also for status:error answers). */
  query(promql: string): Promise<PrometheusQueryResponse>;
  /** Polls until `promql` returns a non-empty vector (or a scalar); throws after `timeoutMs`. */
  waitForSample(promql: string, timeoutMs?: number): Promise<PrometheusQueryResponse>;
  /** Graceful stop, then removes the temp dir. Safe to call twice and after kill(). */
  stop(): Promise<void>;
  /** SIGKILL (a crash): the port stops answering; the dir stays until stop(). */
  kill(): Promise<void>;
}

const PROMETHEUS_BINARIES = ['/usr/bin/prometheus', 'prometheus'];

export async function startPrometheus(options: StartPrometheusOptions): Promise<RealPrometheus> {
  const binary = findBinary(PROMETHEUS_BINARIES);
  const dir = await mkdtemp(join(tmpdir(), 'guardrail-prometheus-'));
  try {
    const configPath = join(dir, 'prometheus.yml');
    await writeFile(configPath, await buildConfig(options, dir));

    const { daemon, url, port } = await launchOnFreePort({
      binary,
      name: 'prometheus',
      readyTimeoutMs: options.readyTimeoutMs ?? 20_000,
      argsFor: (port) => [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        `--rules.alert.resend-delay=${options.alertResendDelay ?? '1s'}`,
        '--log.level=warn',
      ],
    });
    return handle(daemon, url, port, dir);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

async function buildConfig(options: StartPrometheusOptions, dir: string): Promise<string> {
  const interval = `${options.scrapeIntervalSec ?? 1}s`;
  const config: Record<string, unknown> = {
    global: { scrape_interval: interval, evaluation_interval: interval, scrape_timeout: interval },
    scrape_configs: [
      { job_name: 'targets', static_configs: [{ targets: [...options.scrapeTargets] }] },
      ...(options.extraScrapeConfigs ?? []),
    ],
  };
  if (options.ruleFiles !== undefined) {
    const rulesPath = join(dir, 'rules.yml');
    await writeFile(rulesPath, options.ruleFiles);
    config['rule_files'] = [rulesPath];
  }
  if (options.alertmanagerUrl !== undefined) {
    const am = new URL(options.alertmanagerUrl);
    config['alerting'] = {
      alertmanagers: [{ scheme: am.protocol.replace(':', ''), static_configs: [{ targets: [am.host] }] }],
    };
  }
  return stringify(config);
}

function handle(daemon: Daemon, url: string, port: number, dir: string): RealPrometheus {
  const query = async (promql: string): Promise<PrometheusQueryResponse> => {
    const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: promql })}`, {
      signal: AbortSignal.timeout(5_000),
    });
    return (await res.json()) as PrometheusQueryResponse;
  };
  let removed = false;
  return {
    url,
    port,
    dir,
    query,
    async waitForSample(promql, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      let last: PrometheusQueryResponse | string = 'no answer yet';
      while (Date.now() < deadline) {
        try {
          last = await query(promql);
          if (hasSample(last)) return last;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
        }
        await sleep(200);
      }
      throw new Error(`prometheus ${url}: no sample for ${promql} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    },
    async stop() {
      await daemon.terminate();
      if (!removed) {
        removed = true;
        await rm(dir, { recursive: true, force: true });
      }
    },
    kill: () => daemon.kill(),
  };
}

function hasSample(response: PrometheusQueryResponse): boolean {
  if (response.status !== 'success' || response.data === undefined) return false;
  if (response.data.resultType === 'scalar') return true;
  return Array.isArray(response.data.result) && response.data.result.length > 0;
}
