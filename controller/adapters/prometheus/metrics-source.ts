import axios from 'axios';
import type { Sample } from '../../core/observation.js';
import type { MetricsSource, QueryOptions } from '../../ports/metrics-source.js';
import {
  attemptQuery,
  excerpt,
  isSuccess,
  isTransient,
  notQueried,
  sampleOfExchange,
  type Exchange,
  type ExchangeResult,
  type QueryHttpSettings,
} from './exchange.js';
import { isTransientStatus } from './failure.js';
import { scanGroupedAnswer } from './grouped-scan.js';
import { splitGroupedAnswer } from './grouped-answer.js';
import { DEFAULT_MAX_GROUP_SIZE, QueryPlanner, type GroupUnit } from './query-plan.js';
import { unknown } from './response.js';
import {
  PROMETHEUS_DEFAULTS,
  type GroupingEvent,
  type PrometheusSourceOptions,
  type RetryInfo,
} from './source-options.js';
import { abortableSleep, drain } from './task-queue.js';

export {
  PROMETHEUS_DEFAULTS,
  type GroupingEvent,
  type PrometheusSourceOptions,
  type RetryInfo,
} from './source-options.js';

// MetricsSource over Prometheus's HTTP API (instant queries, /api/v1/query). Every failure becomes an
// UNKNOWN sample with a specific cause; transient ones (connection refused/reset, timeout, 429, 5xx) are
// retried a bounded number of times with exponential backoff first, because a single blip should not
// make the controller blind for a whole tick. 4xx and Prometheus "status: error" answers for bad PromQL
// are never retried: they will fail the same way again.
//
// queryAll() sends queries that differ only in one label's value as ONE grouped query
// (grouping.ts; `groupQueries`, on by default): N targets' copies of a rule cost one round trip
// instead of N. Each member still gets exactly what its own query would have returned; a grouped query
// Prometheus rejects falls back to the members' own queries for that tick.

export class PrometheusMetricsSource implements MetricsSource {
  readonly baseUrl: string;
  private readonly settings: QueryHttpSettings;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxConcurrency: number;
  private readonly onRetry: ((info: RetryInfo) => void) | undefined;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Undefined when grouping is off. */
  private readonly planner: QueryPlanner | undefined;
  private readonly onGrouping: ((event: GroupingEvent) => void) | undefined;

  constructor(options: PrometheusSourceOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.settings = {
      baseUrl: this.baseUrl,
      http: options.http ?? axios.create(),
      timeoutMs: options.timeoutMs ?? PROMETHEUS_DEFAULTS.timeoutMs,
      method: options.method ?? PROMETHEUS_DEFAULTS.method,
      headers: options.headers ?? {},
    };
    this.retries = Math.max(0, options.retries ?? PROMETHEUS_DEFAULTS.retries);
    this.backoffMs = options.backoffMs ?? PROMETHEUS_DEFAULTS.backoffMs;
    this.maxBackoffMs = options.maxBackoffMs ?? PROMETHEUS_DEFAULTS.maxBackoffMs;
    this.maxConcurrency = Math.max(1, options.maxConcurrency ?? PROMETHEUS_DEFAULTS.maxConcurrency);
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
    const units =
      this.planner?.plan(promqls) ??
      [...new Set(promqls)].map((promql) => ({ kind: 'single' as const, promql }));
    for (const unit of units) {
      if (unit.kind === 'single') queue.push(single(unit.promql));
      // Members that must use their own query join the same queue, under the same concurrency bound.
      else
        queue.push(async () => void queue.push(...(await this.queryGroup(unit, opts, answers)).map(single)));
    }
    await drain(queue, this.maxConcurrency);
    return promqls.map(
      (p) =>
        answers.get(p) ?? unknown('bad_response', `no answer was recorded for query ${JSON.stringify(p)}`),
    );
  }

  async isReachable(opts: QueryOptions = {}): Promise<boolean> {
    return (await this.query('1', opts)).kind === 'value';
  }

  /**
   * Runs one grouped query and records each member's sample in `answers`; returns the members that must
   * be asked with their own query. A failure that would have hit each member's own query the same way
   * (unreachable, timeout, 5xx after the retries) gives each member that very UNKNOWN: never a value.
   */
  private async queryGroup(
    group: GroupUnit,
    opts: QueryOptions,
    answers: Map<string, Sample>,
  ): Promise<string[]> {
    const everyone = group.members.map((m) => m.promql);
    // By POST whatever `method` says: a grouped query names up to maxGroupSize values (~10-30 KB encoded),
    // past the URL limit of common proxies (nginx's 8 KB), and axios's URL encoding cost CPU every tick.
    // A proxy that refuses POST rejects the group, and its members fall back to their own queries.
    const result = await this.exchange(group.promql, opts, 'POST');
    const last = result.last;
    if (last.kind === 'transport' || (!isSuccess(last.status) && isTransientStatus(last.status))) {
      for (const promql of everyone) answers.set(promql, this.finalSample(result, promql));
      return [];
    }
    const ownQueries = (cause: 'rejected' | 'bad_answer', detail: string): string[] => {
      this.onGrouping?.({
        kind: 'own_queries',
        promql: group.promql,
        members: everyone.length,
        cause,
        detail,
      });
      return everyone;
    };
    if (!isSuccess(last.status))
      return ownQueries('rejected', `HTTP ${last.status}: ${excerpt(last.bodyText)}`);
    // Prometheus's plain answer is read in place (grouped-scan.ts); anything else is parsed.
    let body: unknown;
    let split = scanGroupedAnswer(last.bodyText, group, this.baseUrl);
    if (split === undefined) {
      try {
        body = JSON.parse(last.bodyText) as unknown;
      } catch {
        return ownQueries('bad_answer', `the body is not JSON: ${excerpt(last.bodyText)}`);
      }
      split = splitGroupedAnswer(body, group, this.baseUrl);
    }
    if (!split.ok)
      return ownQueries(
        isRecord(body) && body['status'] === 'error' ? 'rejected' : 'bad_answer',
        split.reason,
      );
    this.onGrouping?.({ kind: 'grouped', promql: group.promql, members: everyone.length });
    const own: string[] = [];
    for (const [promql, outcome] of split.members) {
      if (outcome.kind === 'sample') answers.set(promql, outcome.sample);
      else own.push(promql);
    }
    if (own.length > 0) {
      this.onGrouping?.({
        kind: 'own_queries',
        promql: group.promql,
        members: own.length,
        cause: 'several_series',
        detail: 'several series for one member',
      });
    }
    return own;
  }

  /** Sends one query, retrying transient failures; returns the last exchange. */
  private async exchange(promql: string, opts: QueryOptions, method = this.settings.method): Promise<ExchangeResult> {
    const attempts = this.retries + 1;
    let last: Exchange | undefined;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      last = await attemptQuery(method === this.settings.method ? this.settings : { ...this.settings, method }, promql, opts);
      if (!isTransient(last)) return { last, gaveUp: false };
      if (attempt === attempts || opts.signal?.aborted === true) break;
      const delayMs = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** (attempt - 1));
      this.onRetry?.({ promql, attempt, delayMs, failure: sampleOfExchange(last, promql, this.baseUrl) });
      await this.sleep(delayMs, opts.signal);
    }
    return { last: last ?? notQueried(this.baseUrl), gaveUp: true };
  }

  /** The sample `promql`'s own query gets from this exchange (also each member's when its group failed). */
  private finalSample(result: ExchangeResult, promql: string): Sample {
    const sample = sampleOfExchange(result.last, promql, this.baseUrl);
    const attempts = this.retries + 1;
    return result.gaveUp && sample.kind === 'unknown' && attempts > 1
      ? { ...sample, detail: `${sample.detail} (gave up after ${attempts} attempts)` }
      : sample;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
