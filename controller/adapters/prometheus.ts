import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Sample } from '../core/observation.js';
import type { MetricsSource, QueryOptions } from '../ports/metrics-source.js';
import { classifyTransportFailure, isTransientStatus } from './prometheus-failure.js';
import { interpretQueryJson, parseQueryBody, unknown, type ResponseContext } from './prometheus-response.js';

// MetricsSource over Prometheus's HTTP API (instant queries, /api/v1/query). Every failure becomes an
// UNKNOWN sample with a specific cause; transient ones (connection refused/reset, timeout, 429, 5xx) are
// retried a bounded number of times with exponential backoff first, because a single blip should not
// make the controller blind for a whole tick. 4xx and Prometheus "status: error" answers for bad PromQL
// are never retried: they will fail the same way again.

export interface PrometheusSourceOptions {
  /** e.g. `http://127.0.0.1:9090` (a path prefix such as `/prometheus` is kept). */
  readonly baseUrl: string;
  /** Bring your own instance for proxies, TLS, auth interceptors; a plain axios.create() otherwise. */
  readonly http?: AxiosInstance;
  /** Deadline of ONE attempt, connect to last byte. Also sent as Prometheus's own `timeout` parameter. */
  readonly timeoutMs?: number;
  /** Extra attempts after a transient failure (so at most 1 + retries requests per query). */
  readonly retries?: number;
  /** Wait before the first retry; doubled for each further retry, capped by maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** queryAll() keeps at most this many queries in flight. */
  readonly maxConcurrency?: number;
  /** POST (form body) avoids URL length limits for long PromQL; GET is friendlier to some proxies. */
  readonly method?: 'GET' | 'POST';
  /** Extra request headers, e.g. `{Authorization: 'Bearer ...'}`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called before each retry; for logs and a retry counter. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** Injectable for tests; must resolve early (without throwing) when the signal fires. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface RetryInfo {
  readonly promql: string;
  /** The attempt that just failed, from 1. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly failure: Sample;
}

export const PROMETHEUS_DEFAULTS = {
  timeoutMs: 2_000,
  retries: 2,
  backoffMs: 200,
  maxBackoffMs: 2_000,
  maxConcurrency: 4,
  method: 'GET',
} as const;

/** One attempt's outcome: a final sample, or a transient failure worth another attempt. */
type AttemptOutcome = { readonly final: true; readonly sample: Sample } | { readonly final: false; readonly sample: Sample };

export class PrometheusMetricsSource implements MetricsSource {
  readonly baseUrl: string;
  private readonly http: AxiosInstance;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxConcurrency: number;
  private readonly method: 'GET' | 'POST';
  private readonly headers: Readonly<Record<string, string>>;
  private readonly onRetry: ((info: RetryInfo) => void) | undefined;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(options: PrometheusSourceOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.http = options.http ?? axios.create();
    this.timeoutMs = options.timeoutMs ?? PROMETHEUS_DEFAULTS.timeoutMs;
    this.retries = Math.max(0, options.retries ?? PROMETHEUS_DEFAULTS.retries);
    this.backoffMs = options.backoffMs ?? PROMETHEUS_DEFAULTS.backoffMs;
    this.maxBackoffMs = options.maxBackoffMs ?? PROMETHEUS_DEFAULTS.maxBackoffMs;
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? PROMETHEUS_DEFAULTS.maxConcurrency);
    this.method = options.method ?? PROMETHEUS_DEFAULTS.method;
    this.headers = options.headers ?? {};
    this.onRetry = options.onRetry;
    this.sleep = options.sleep ?? abortableSleep;
  }

  async query(promql: string, opts: QueryOptions = {}): Promise<Sample> {
    const attempts = this.retries + 1;
    let last: Sample = unknown('unreachable', `Prometheus at ${this.baseUrl} was not queried`);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcome = await this.attempt(promql, opts.signal);
      if (outcome.final) return outcome.sample;
      last = outcome.sample;
      if (attempt === attempts || opts.signal?.aborted === true) break;
      const delayMs = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
      this.onRetry?.({ promql, attempt, delayMs, failure: last });
      await this.sleep(delayMs, opts.signal);
    }
    return last.kind === 'unknown' && attempts > 1 ? { ...last, detail: `${last.detail} (gave up after ${attempts} attempts)` } : last;
  }

  async queryAll(promqls: readonly string[], opts: QueryOptions = {}): Promise<Sample[]> {
    const results = new Array<Sample>(promqls.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < promqls.length) {
        const index = next++;
        results[index] = await this.query(promqls[index] ?? '', opts);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.maxConcurrency, promqls.length) }, worker));
    return results;
  }

  async isReachable(opts: QueryOptions = {}): Promise<boolean> {
    return (await this.query('1', opts)).kind === 'value';
  }

  private async attempt(promql: string, callerSignal: AbortSignal | undefined): Promise<AttemptOutcome> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal === undefined ? deadline : AbortSignal.any([callerSignal, deadline]);
    const params = { query: promql, timeout: String(this.timeoutMs / 1000) };
    let response: AxiosResponse<unknown>;
    try {
      response = await this.http.request<unknown>({
        url: `${this.baseUrl}/api/v1/query`,
        method: this.method,
        ...(this.method === 'GET' ? { params } : { data: new URLSearchParams(params).toString() }),
        headers: {
          Accept: 'application/json',
          ...(this.method === 'POST' ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
          ...this.headers,
        },
        timeout: this.timeoutMs,
        signal,
        // We judge statuses and parse JSON ourselves: a garbage body must become bad_response, not a throw.
        validateStatus: () => true,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
      });
    } catch (err) {
      const failure = classifyTransportFailure(err, {
        baseUrl: this.baseUrl,
        timeoutMs: this.timeoutMs,
        callerAborted: callerSignal?.aborted === true,
        deadlineFired: deadline.aborted,
      });
      return { final: !failure.transient, sample: unknown(failure.cause, failure.reason) };
    }
    return this.judgeResponse(response, { baseUrl: this.baseUrl, promql });
  }

  private judgeResponse(response: AxiosResponse<unknown>, ctx: ResponseContext): AttemptOutcome {
    const bodyText = typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? '');
    const status = response.status;
    if (status >= 200 && status < 300) return { final: true, sample: parseQueryBody(bodyText, ctx) };

    // Prometheus answers bad PromQL with 400/422 and a JSON status:"error" body: that is query_error.
    const prometheusError = prometheusErrorSample(bodyText, ctx, status);
    const sample =
      prometheusError ??
      unknown('http_error', `Prometheus at ${ctx.baseUrl} answered HTTP ${status}${statusText(response)} for query ${JSON.stringify(ctx.promql)}`);
    return { final: !isTransientStatus(status), sample };
  }
}

function prometheusErrorSample(bodyText: string, ctx: ResponseContext, status: number): Sample | undefined {
  let body: unknown;
  try {
    body = JSON.parse(bodyText) as unknown;
  } catch {
    return undefined;
  }
  if (typeof body !== 'object' || body === null || !('status' in body) || body.status !== 'error') return undefined;
  const sample = interpretQueryJson(body, ctx);
  return sample.kind === 'unknown' ? { ...sample, detail: `${sample.detail} (HTTP ${status})` } : undefined;
}

function statusText(response: AxiosResponse<unknown>): string {
  return response.statusText ? ` ${response.statusText}` : '';
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
