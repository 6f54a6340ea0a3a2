// The service's Prometheus metrics, registered on an injected Registry (tests get a fresh one each). The
// names come from METRIC in contract.ts; labels and buckets are the contract documented in docs/service/shadow-and-metrics.md,
// which the controller's PromQL relies on, so change them only together with the policies.
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { INVALID_INPUT_REASONS, METRIC, type InvalidInputReason, type ModelVariant } from './contract.js';
import { metricRegistrar, registerModelInfo } from './metric-registry.js';

/**
 * Request latency buckets, seconds. 0.8 s is the seed's latency SLO and 5 s its rollback trigger, and
 * histogram_quantile caps at the highest finite bound below +Inf, so 10 and 30 make a P95 above 5 s
 * observable rather than clamped. The sub-millisecond bounds resolve the normal case (~0.1–2 ms).
 */
export const HTTP_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.8, 1, 2.5, 5, 10, 30,
] as const;

/** Model inference alone (no HTTP, no JSON): microseconds to a second. */
export const INFERENCE_DURATION_BUCKETS = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1,
] as const;

/** The `route` label of requests that matched no route: one value, so scanners cannot explode cardinality. */
export const UNMATCHED_ROUTE = 'unmatched';

export interface ServiceMetrics {
  readonly httpRequests: Counter<'method' | 'route' | 'status_code'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  readonly predictions: Counter<'variant' | 'prediction'>;
  readonly inferenceDuration: Histogram<'variant'>;
  readonly modelInfo: Gauge<'variant' | 'version'>;
  readonly invalidInput: Counter<'reason'>;
  countInvalid(reason: InvalidInputReason): void;
}

export function createMetrics(registry: Registry, model: { variant: ModelVariant; version: string } | undefined): ServiceMetrics {
  const define = metricRegistrar(registry);
  const httpLabels = ['method', 'route', 'status_code'] as const;
  const httpRequests = define.counter({ name: METRIC.httpRequests, help: 'HTTP requests answered, by method, route pattern and status code', labelNames: httpLabels });
  const httpDuration = define.histogram({
    name: METRIC.httpDuration,
    help: 'HTTP request duration in seconds, from request received to response sent',
    labelNames: httpLabels,
    buckets: HTTP_DURATION_BUCKETS,
  });
  const predictions = define.counter({
    name: METRIC.predictions,
    help: 'Predictions served, one per instance (a batch of n counts n), by model variant and predicted class',
    labelNames: ['variant', 'prediction'] as const,
  });
  const inferenceDuration = define.histogram({
    name: METRIC.inferenceDuration,
    help: 'Model scoring time in seconds per call (one request or one batch), injected faults included',
    labelNames: ['variant'] as const,
    buckets: INFERENCE_DURATION_BUCKETS,
  });
  const modelInfo = registerModelInfo(registry, 'The model being served: always 1, labelled with its variant and version', model);
  const invalidInput = define.counter({ name: METRIC.invalidInput, help: 'Requests refused with 4xx because of their input, by reason', labelNames: ['reason'] as const });
  // Zero-initialise the fixed label sets, so rate() has a series from the first scrape, not the first event.
  for (const reason of INVALID_INPUT_REASONS) invalidInput.inc({ reason }, 0);
  if (model !== undefined) for (const prediction of ['0', '1']) predictions.inc({ variant: model.variant, prediction }, 0);
  return {
    httpRequests,
    httpDuration,
    predictions,
    inferenceDuration,
    modelInfo,
    invalidInput,
    countInvalid: (reason) => invalidInput.inc({ reason }),
  };
}
