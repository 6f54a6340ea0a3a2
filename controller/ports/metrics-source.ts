import type { Sample } from '../core/observation.js';

// Where the controller's numbers come from. An implementation never throws for a failed or ambiguous
// query: it returns `{kind:'unknown', cause, detail}` so the engine can treat "blind" differently from
// "bad" (UNKNOWN never rolls anything back).

export interface QueryOptions {
  /** Aborts the query (and its retries), e.g. when the tick's deadline passes. */
  readonly signal?: AbortSignal;
  /**
   * Evaluation time (ms since the epoch), Prometheus's `time` parameter: a tick's queries are all
   * evaluated at its scheduled instant. Absent: the backend's own "now".
   */
  readonly timeMs?: number;
}

export interface MetricsSource {
  /** One instant query that must produce exactly one finite number. */
  query(promql: string, opts?: QueryOptions): Promise<Sample>;
  /**
   * A tick's queries, at most a bounded number in flight at once so one tick cannot flood Prometheus.
   * Results are in the same order as `promqls`. An implementation may answer several queries with one
   * request (the Prometheus adapter groups queries that differ in one label's value) as long as each
   * result is exactly what that query alone would have returned.
   */
  queryAll(promqls: readonly string[], opts?: QueryOptions): Promise<Sample[]>;
  /** True when the metrics backend answers a trivial query; for startup checks and `guardrail status`. */
  isReachable(opts?: QueryOptions): Promise<boolean>;
}
