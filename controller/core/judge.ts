// Pure per-tick judgement of one condition: Sample → verdict status, and the `for` timer update.
// Kept as small free functions (like Argo's assessMetricStatus) so each is table-tested directly.

import type { Sample, UnknownCause } from './observation.js';
import type { Condition, Limits } from './policy.js';
import type { BreachTimer } from './state.js';
import type { Verdict } from './verdict.js';

/** Traffic as seen by the minRequests guard at this tick. */
export type TrafficStatus =
  | { readonly kind: 'enough' }
  | { readonly kind: 'low'; readonly detail: string }
  | { readonly kind: 'unknown'; readonly cause: UnknownCause; readonly detail: string };

type Status =
  | { readonly status: 'ok' | 'breach'; readonly value: number }
  | { readonly status: 'unknown'; readonly cause: UnknownCause; readonly detail: string };

/** Equality is OK on both sides: only a value strictly beyond the threshold is a breach. */
export function compare(condition: Pick<Condition, 'comparison' | 'threshold'>, value: number): 'ok' | 'breach' {
  const beyond = condition.comparison === 'above' ? value > condition.threshold : value < condition.threshold;
  return beyond ? 'breach' : 'ok';
}

/**
 * Traffic first: a condition that needs traffic is UNKNOWN `low_traffic` whenever the guard says too little,
 * whatever its own query returned (NaN, empty or a number): with no requests, 0/0 is NaN and a ratio has no
 * series, and a quiet night must not read as "blind". Blindness is left for a guard that itself failed, and
 * for data that is missing while traffic flows.
 */
export function judgeSample(condition: Condition, sample: Sample | undefined, traffic: TrafficStatus): Status {
  if (condition.needsTraffic && traffic.kind === 'low') {
    return { status: 'unknown', cause: 'low_traffic', detail: traffic.detail };
  }
  if (condition.needsTraffic && traffic.kind === 'unknown') {
    return { status: 'unknown', cause: traffic.cause, detail: `traffic guard: ${traffic.detail}` };
  }
  if (sample === undefined) return { status: 'unknown', cause: 'no_data', detail: 'no sample for this tick' };
  if (sample.kind === 'unknown') return { status: 'unknown', cause: sample.cause, detail: sample.detail };
  if (!Number.isFinite(sample.value)) {
    return { status: 'unknown', cause: 'not_finite', detail: `value ${String(sample.value)}` };
  }
  return { status: compare(condition, sample.value), value: sample.value };
}

/**
 * Advances a `for` timer. OK clears it. BREACH adds the time since the last BREACH. UNKNOWN resets it
 * (`reset`, the default: a gap must never count toward a sustained breach, like Prometheus's empty
 * result) or freezes it (`freeze`: keeps the breach time seen so far; the gap itself is not added).
 */
export function nextTimer(
  previous: BreachTimer | undefined,
  status: 'ok' | 'breach' | 'unknown',
  onMissingData: Limits['onMissingData'],
  nowMs: number,
): BreachTimer | undefined {
  if (status === 'ok') return undefined;
  if (status === 'unknown') {
    if (previous === undefined || onMissingData === 'reset') return undefined;
    return { ...previous, frozen: true };
  }
  if (previous === undefined) return { sustainedMs: 0, lastBreachAtMs: nowMs, frozen: false };
  const gained = previous.frozen ? 0 : Math.max(0, nowMs - previous.lastBreachAtMs);
  return { sustainedMs: previous.sustainedMs + gained, lastBreachAtMs: nowMs, frozen: false };
}

/** Judges a condition and advances its timer in one step. */
export function evaluateCondition(
  condition: Condition,
  sample: Sample | undefined,
  traffic: TrafficStatus,
  previous: BreachTimer | undefined,
  onMissingData: Limits['onMissingData'],
  nowMs: number,
): { readonly verdict: Verdict; readonly timer: BreachTimer | undefined } {
  const judged = judgeSample(condition, sample, traffic);
  const timer = nextTimer(previous, judged.status, onMissingData, nowMs);
  const sustainedMs = judged.status === 'breach' && timer !== undefined ? timer.sustainedMs : 0;
  const sustained = judged.status === 'breach' && sustainedMs >= condition.forMs;
  const { id: conditionId, comparison, threshold, forMs } = condition;
  // One literal per case rather than a spread of a common base: a verdict per condition per target per tick
  // (7000 a tick at 1000 targets). Same fields, in the same order.
  const verdict: Verdict =
    judged.status === 'unknown'
      ? { conditionId, status: judged.status, comparison, threshold, forMs, sustainedMs, sustained, cause: judged.cause, detail: judged.detail }
      : { conditionId, status: judged.status, comparison, threshold, forMs, sustainedMs, sustained, value: judged.value };
  return { verdict, timer };
}

/** Reads the minRequests guard's sample. No series at all means no requests, i.e. low traffic. */
export function trafficStatus(guard: { min: number } | undefined, sample: Sample | undefined): TrafficStatus {
  if (guard === undefined) return { kind: 'enough' };
  if (sample === undefined || (sample.kind === 'unknown' && sample.cause === 'no_data')) {
    return { kind: 'low', detail: `no requests seen (minRequests ${guard.min})` };
  }
  if (sample.kind === 'unknown') return { kind: 'unknown', cause: sample.cause, detail: sample.detail };
  if (!Number.isFinite(sample.value)) {
    return { kind: 'unknown', cause: 'not_finite', detail: `requests ${String(sample.value)}` };
  }
  if (sample.value < guard.min) return { kind: 'low', detail: `${sample.value} requests < minRequests ${guard.min}` };
  return { kind: 'enough' };
}
