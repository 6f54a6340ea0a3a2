import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { Sample } from '../../core/observation.js';
import type { MetricsSource, QueryOptions } from '../../ports/metrics-source.js';
import { classifyTransportFailure, isTransientStatus, type TransportFailure } from './failure.js';
import { splitGroupedAnswer } from './grouped-answer.js';
import { DEFAULT_MAX_GROUP_SIZE, QueryPlanner, type GroupUnit } from './query-plan.js';
import { interpretQueryJson, parseQueryBody, unknown, type ResponseContext } from './response.js';

// MetricsSource over Prometheus's HTTP API (instant queries, /api/v1/query). Every failure becomes an
// UNKNOWN sample with a specific cause; transient ones (connection refused/reset, timeout, 429, 5xx) are
// retried a bounded number of times with exponential backoff first, because a single blip should not
// make the controller blind for a whole tick. 4xx and Prometheus "status: error" answers for bad PromQL
// are never retried: they will fail the same way again.
//
// queryAll() sends queries that differ only in one label's value as ONE grouped query
// (prometheus-grouping.ts; `groupQueries`, on by default): N targets' copies of a rule cost one round trip
// instead of N. Each member still gets exactly what its own query would have returned; a grouped query
// Prometheus rejects falls back to the members' own queries for that tick.

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
  /** queryAll() keeps at most this many queries (grouped or not) in flight. */
  readonly maxConcurrency?: number;
  /** POST (form body) avoids URL length limits for long PromQL; GET is friendlier to some proxies. */
  readonly method?: 'GET' | 'POST';
  /** Extra request headers, e.g. `{Authorization: 'Bearer ...'}`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Called before each retry; for logs and a retry counter. */
  readonly onRetry?: (info: RetryInfo) => void;
  /** Injectable for tests; must resolve early (without throwing) when the signal fires. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** queryAll() groups queries that differ only in one label's value (default true). */
  readonly groupQueries?: boolean;
  /** Largest number of label values one grouped query asks for. */
  readonly maxGroupSize?: number;
  /** Told about each grouped query and each time members had to use their own query; for logs and counters. */
  readonly onGrouping?: (event: GroupingEvent) => void;
}

export interface RetryInfo {
  readonly promql: string;
  /** The attempt that just failed, from 1. */
  readonly attempt: number;
  readonly delayMs: number;
  readonly failure: Sample;
}

/**
 * `grouped`: one grouped query answered its `members`. `own_queries`: `members` queries were sent on
 * their own instead, because Prometheus rejected the grouped query (`rejected`), its answer could not be
 * split safely (`bad_answer`), or it held several series for one member (`several_series`).
 */
export type GroupingEvent =
  | { readonly kind: 'grouped'; readonly promql: string; readonly members: number }
  | {
      readonly kind: 'own_queries';
      readonly promql: string;
      readonly members: number;
      readonly cause: 'rejected' | 'bad_answer' | 'several_series';
      readonly detail: string;
    };

export const PROMETHEUS_DEFAULTS = {
  timeoutMs: 2_000,
  retries: 2,
  backoffMs: 200,
  maxBackoffMs: 2_000,
  maxConcurrency: 4,
  method: 'GET',
  groupQueries: true,
} as const;

/** What one attempt got: an HTTP answer (any status), or no answer at all. */
type Exchange =
  | { readonly kind: 'answer'; readonly status: number; readonly statusText: string; readonly bodyText: string }
  | { readonly kind: 'transport'; readonly failure: TransportFailure };

/** `gaveUp`: the last attempt still failed transiently (retries exhausted, or the caller's signal fired). */
interface ExchangeResult {
  readonly last: Exchange;
  readonly gaveUp: boolean;
}

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
  /** Undefined when grouping is off. */
  private readonly planner: QueryPlanner | undefined;
  private readonly onGrouping: ((event: GroupingEvent) => void) | undefined;

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
    const grouping = options.groupQueries ?? PROMETHEUS_DEFAULTS.groupQueries;
    this.planner = grouping ? new QueryPlanner(options.maxGroupSize ?? DEFAULT_MAX_GROUP_SIZE) : undefined;
    this.onGrouping = options.onGrouping;
  }

  async query(promql: string, opts: QueryOptions = {}): Promise<Sample> {
    return this.finalSample(await this.exchange(promql, opts), promql);
  }

  async queryAll(promqls: readonly string[], opts: QueryOptions = {}): Promise<Sample[]> {
    const answers = new Map<string, Sample>();
    const queue: (() => Promise<void>)[] = [];
    const single =
      (promql: string): (() => Promise<void>) =>
      async () => {
        answers.set(promql, await this.query(promql, opts));
      };
    // The same text twice (two policies with one rule) is asked once.
    const units = this.planner?.plan(promqls) ?? [...new Set(promqls)].map((promql) => ({ kind: 'single' as const, promql }));
    for (const unit of units) {
      if (unit.kind === 'single') queue.push(single(unit.promql));
      // Members that must use their own query join the same queue, under the same concurrency bound.
      else queue.push(async () => void queue.push(...(await this.queryGroup(unit, opts, answers)).map(single)));
    }
    await drain(queue, this.maxConcurrency);
    return promqls.map((p) => answers.get(p) ?? unknown('bad_response', `no answer was recorded for query ${JSON.stringify(p)}`));
  }

  async isReachable(opts: QueryOptions = {}): Promise<boolean> {
    return (await this.query('1', opts)).kind === 'value';
  }

  /**
   * Runs one grouped query and records each member's sample in `answers`; returns the members that must
   * be asked with their own query. A failure that would have hit each member's own query the same way
   * (unreachable, timeout, 5xx after the retries) gives each member that very UNKNOWN: never a value.
   */
  private async queryGroup(group: GroupUnit, opts: QueryOptions, answers: Map<string, Sample>): Promise<string[]> {
    const everyone = group.members.map((m) => m.promql);
    const result = await this.exchange(group.promql, opts);
    const last = result.last;
    if (last.kind === 'transport' || (!isSuccess(last.status) && isTransientStatus(last.status))) {
      for (const promql of everyone) answers.set(promql, this.finalSample(result, promql));
      return [];
    }
    const ownQueries = (cause: 'rejected' | 'bad_answer', detail: string): string[] => {
      this.onGrouping?.({ kind: 'own_queries', promql: group.promql, members: everyone.length, cause, detail });
      return everyone;
    };
    if (!isSuccess(last.status)) return ownQueries('rejected', `HTTP ${last.status}: ${excerpt(last.bodyText)}`);
    let body: unknown;
    try {
      body = JSON.parse(last.bodyText) as unknown;
    } catch {
      return ownQueries('bad_answer', `the body is not JSON: ${excerpt(last.bodyText)}`);
    }
    const split = splitGroupedAnswer(body, group, this.baseUrl);
    if (!split.ok) return ownQueries(isRecord(body) && body['status'] === 'error' ? 'rejected' : 'bad_answer', split.reason);
    this.onGrouping?.({ kind: 'grouped', promql: group.promql, members: everyone.length });
    const own: string[] = [];
    for (const [promql, outcome] of split.members) {
      if (outcome.kind === 'sample') answers.set(promql, outcome.sample);
      else own.push(promql);
    }
    if (own.length > 0) {
      this.onGrouping?.({ kind: 'own_queries', promql: group.promql, members: own.length, cause: 'several_series', detail: 'several series for one member' });
    }
    return own;
  }

  /** Sends one query, retrying transient failures; returns the last exchange. */
  private async exchange(promql: string, opts: QueryOptions): Promise<ExchangeResult> {
    const attempts = this.retries + 1;
    let last: Exchange | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      last = await this.attempt(promql, opts);
      if (!isTransient(last)) return { last, gaveUp: false };
      if (attempt === attempts || opts.signal?.aborted === true) break;
      const delayMs = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
      this.onRetry?.({ promql, attempt, delayMs, failure: this.sampleOf(last, promql) });
      await this.sleep(delayMs, opts.signal);
    }
    return { last: last ?? notQueried(this.baseUrl), gaveUp: true };
  }

  /** The sample `promql`'s own query gets from this exchange (also each member's when its group failed). */
  private finalSample(result: ExchangeResult, promql: string): Sample {
    const sample = this.sampleOf(result.last, promql);
    const attempts = this.retries + 1;
    return result.gaveUp && sample.kind === 'unknown' && attempts > 1 ? { ...sample, detail: `${sample.detail} (gave up after ${attempts} attempts)` } : sample;
  }

  private sampleOf(exchange: Exchange, promql: string): Sample {
    if (exchange.kind === 'transport') return unknown(exchange.failure.cause, exchange.failure.reason);
    const ctx: ResponseContext = { baseUrl: this.baseUrl, promql };
    if (isSuccess(exchange.status)) return parseQueryBody(exchange.bodyText, ctx);
    // Prometheus answers bad PromQL with 400/422 and a JSON status:"error" body: that is query_error.
    const statusText = exchange.statusText ? ` ${exchange.statusText}` : '';
    return (
      prometheusErrorSample(exchange.bodyText, ctx, exchange.status) ??
      unknown('http_error', `Prometheus at ${ctx.baseUrl} answered HTTP ${exchange.status}${statusText} for query ${JSON.stringify(promql)}`)
    );
  }

  private async attempt(promql: string, opts: QueryOptions): Promise<Exchange> {
    const callerSignal = opts.signal;
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const signal = callerSignal === undefined ? deadline : AbortSignal.any([callerSignal, deadline]);
    const params: Record<string, string> = { query: promql, timeout: String(this.timeoutMs / 1000) };
    // A tick's queries are evaluated at its scheduled time when given, all at the same instant.
    if (opts.timeMs !== undefined) params['time'] = (opts.timeMs / 1000).toFixed(3);
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
      return { kind: 'transport', failure };
    }
    const bodyText = typeof response.data === 'string' ? response.data : JSON.stringify(response.data ?? '');
    return { kind: 'answer', status: response.status, statusText: response.statusText, bodyText };
  }
}

/** Runs the queue's tasks, at most `limit` at once; tasks may add more tasks while it runs. */
async function drain(queue: (() => Promise<void>)[], limit: number): Promise<void> {
  let active = 0;
  const running = new Set<Promise<void>>();
  const start = (): void => {
    while (active < limit && queue.length > 0) {
      const task = queue.shift();
      if (task === undefined) return;
      active += 1;
      const run: Promise<void> = task().finally(() => {
        active -= 1;
        running.delete(run);
        start();
      });
      running.add(run);
    }
  };
  start();
  while (running.size > 0) await Promise.race(running);
}

function notQueried(baseUrl: string): Exchange {
  return { kind: 'transport', failure: { cause: 'unreachable', transient: false, reason: `Prometheus at ${baseUrl} was not queried` } };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Transient failures (refused/reset connection, timeout, 429, 5xx) are worth another attempt. */
function isTransient(exchange: Exchange): boolean {
  return exchange.kind === 'transport' ? exchange.failure.transient : !isSuccess(exchange.status) && isTransientStatus(exchange.status);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 160 ? `${flat.slice(0, 160)}...` : flat;
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
