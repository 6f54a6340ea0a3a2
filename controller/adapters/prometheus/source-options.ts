import type { AxiosInstance } from 'axios';
import type { Sample } from '../../core/observation.js';

// The Prometheus metrics source's options, defaults and the events it reports (metrics-source.ts).

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
