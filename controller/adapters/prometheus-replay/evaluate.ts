// Evaluates queries at every tick time with ONE range query per query (/api/v1/query_range, step = the tick
// interval): Prometheus evaluates a range query by running the same instant evaluation at each step, so the
// value at step i is exactly what an instant query at that time returns. Each step's series are then read
// by the Prometheus adapter's own response rules (interpretQueryJson), as the daemon reads an instant query.

import type { Sample } from '../../core/observation.js';
import type { TickTimes } from '../../ports/series-replay.js';
import { interpretQueryJson } from '../prometheus/response.js';

/** Prometheus refuses range queries of more than 11,000 points per series; stay under it. */
const MAX_STEPS_PER_REQUEST = 10_000;
const QUERY_TIMEOUT_MS = 60_000;

interface MatrixSeries {
  readonly metric: Record<string, string>;
  readonly values: readonly (readonly [number, string])[];
}

function isMatrix(body: unknown): body is { status: 'success'; data: { resultType: 'matrix'; result: MatrixSeries[] } } {
  if (typeof body !== 'object' || body === null) return false;
  const data = (body as { data?: { resultType?: unknown; result?: unknown } }).data;
  return (body as { status?: unknown }).status === 'success' && data?.resultType === 'matrix' && Array.isArray(data.result);
}

async function rangeQuery(baseUrl: string, promql: string, startMs: number, stepMs: number, count: number): Promise<unknown> {
  const form = new URLSearchParams({
    query: promql,
    start: String(startMs / 1000),
    end: String((startMs + (count - 1) * stepMs) / 1000),
    step: String(stepMs / 1000),
  });
  const res = await fetch(`${baseUrl}/api/v1/query_range`, { method: 'POST', body: form, signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
  return (await res.json()) as unknown;
}

/** One query at `count` tick times, split into requests Prometheus accepts. */
async function evaluateOne(baseUrl: string, promql: string, ticks: TickTimes): Promise<Sample[]> {
  const out: Sample[] = [];
  for (let first = 0; first < ticks.count; first += MAX_STEPS_PER_REQUEST) {
    const count = Math.min(MAX_STEPS_PER_REQUEST, ticks.count - first);
    const startMs = ticks.startMs + first * ticks.stepMs;
    const body = await rangeQuery(baseUrl, promql, startMs, ticks.stepMs, count);
    const ctx = { baseUrl, promql };
    if (!isMatrix(body)) {
      // status:error (bad PromQL, execution error) or an odd shape: the same answer at every tick.
      const sample = interpretQueryJson(body, ctx);
      for (let i = 0; i < count; i++) out.push(sample);
      continue;
    }
    const atStep: { metric: Record<string, string>; value: [number, string] }[][] = Array.from({ length: count }, () => []);
    for (const series of body.data.result) {
      for (const [seconds, value] of series.values) {
        const step = Math.round((seconds * 1000 - startMs) / ticks.stepMs);
        atStep[step]?.push({ metric: series.metric, value: [seconds, value] });
      }
    }
    for (let i = 0; i < count; i++) {
      out.push(interpretQueryJson({ status: 'success', data: { resultType: 'vector', result: atStep[i] } }, ctx));
    }
  }
  return out;
}

export async function evaluateAtTicks(baseUrl: string, promqls: readonly string[], ticks: TickTimes): Promise<Sample[][]> {
  return Promise.all(promqls.map((promql) => evaluateOne(baseUrl, promql, ticks)));
}
