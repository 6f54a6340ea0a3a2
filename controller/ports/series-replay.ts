// The raw-series port of `guardrail policy test`: scenario series (promtool's `input_series`) replayed into a
// REAL PromQL engine, so every query of a policy is evaluated the way Prometheus evaluates it in production —
// a wrong label, a wrong aggregation or a window longer than the history shows up in the test.
// Adapter: adapters/prometheus-replay (promtool backfill + a throwaway Prometheus on a free loopback port).

import type { Sample } from '../core/observation.js';

/** One input series: a metric name, its labels, and one value per step (`null`: no sample at that step). */
export interface ReplaySeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly values: readonly (number | null)[];
}

export interface ReplayInput {
  readonly series: readonly ReplaySeries[];
  /** Time of each series' first value (ms since the epoch); value i is at startMs + i * stepMs. */
  readonly startMs: number;
  readonly stepMs: number;
}

/** The times a scenario's ticks are judged at: startMs + i * stepMs, for i in [0, count). */
export interface TickTimes {
  readonly startMs: number;
  readonly stepMs: number;
  readonly count: number;
}

export interface ReplayedMetrics {
  /**
   * Every query at every tick time, as the daemon would see an instant query at that time: one Sample per
   * query per tick (`result[query][tick]`), an empty vector no_data, NaN not_finite, two series several_series.
   */
  evaluate(promqls: readonly string[], ticks: TickTimes): Promise<Sample[][]>;
  close(): Promise<void>;
}

export interface SeriesReplay {
  /** Throws ReplayUnavailableError when the engine's tools are missing, with how to get them. */
  open(input: ReplayInput): Promise<ReplayedMetrics>;
}

/** The engine cannot run here (e.g. promtool or prometheus not on PATH); the message says how to fix it. */
export class ReplayUnavailableError extends Error {
  override readonly name = 'ReplayUnavailableError';
}
