// The shadow candidate's paired evidence as Prometheus metrics (docs/service/shadow-and-metrics.md, "Shadow mirroring"),
// registered on the service's Registry only when mirroring is on. Every label value exists from the start
// at 0, so rate() and increase() have a series from the first scrape, not the first mirrored request.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC, SHADOW_AGREEMENTS, SHADOW_DROP_REASONS, SHADOW_OUTCOMES } from '../contract.js';

/**
 * The candidate's latency, seconds: 1 ms to 10 s. 0.8 s is the latency SLO a roll-forward gate compares
 * its P95 with, and 1 s the default SHADOW_TIMEOUT_MS (a timed-out mirror is not observed here).
 */
export const SHADOW_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1, 2.5, 5, 10] as const;

export interface ShadowMetrics {
  readonly requests: Counter<'outcome'>;
  readonly dropped: Counter<'reason'>;
  readonly duration: Histogram;
  readonly predictions: Counter<'agreement'>;
  readonly info: Gauge<'shadow_url'>;
}

export function createShadowMetrics(registry: Registry, shadowUrl: string): ShadowMetrics {
  const registers = [registry];
  const requests = new Counter<'outcome'>({
    name: METRIC.shadowRequests,
    help: 'Requests mirrored to the shadow candidate, by outcome: ok, error, timeout or unreachable',
    labelNames: ['outcome'],
    registers,
  });
  const dropped = new Counter<'reason'>({ name: METRIC.shadowDropped, help: 'Mirrors not sent, by reason (queue_full: SHADOW_MAX_IN_FLIGHT were outstanding)', labelNames: ['reason'], registers });
  const duration = new Histogram({
    name: METRIC.shadowDuration,
    help: "The shadow candidate's latency in seconds for mirrors it answered (outcomes ok and error)",
    buckets: [...SHADOW_DURATION_BUCKETS],
    registers,
  });
  const predictions = new Counter<'agreement'>({
    name: METRIC.shadowPredictions,
    help: "Instances of ok mirrors, by whether the candidate's predicted class agrees with the served one",
    labelNames: ['agreement'],
    registers,
  });
  const info = new Gauge<'shadow_url'>({ name: METRIC.shadowInfo, help: 'Always 1 while requests are mirrored to the shadow candidate at shadow_url', labelNames: ['shadow_url'], registers });
  for (const outcome of SHADOW_OUTCOMES) requests.inc({ outcome }, 0);
  for (const reason of SHADOW_DROP_REASONS) dropped.inc({ reason }, 0);
  for (const agreement of SHADOW_AGREEMENTS) predictions.inc({ agreement }, 0);
  info.set({ shadow_url: shadowUrl }, 1);
  return { requests, dropped, duration, predictions, info };
}
