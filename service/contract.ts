// The prediction service's wire contract and metric names. The controller's policies query these metric
// names, and the controller imports this file only with `import type` / constants, never the service code.

/** The five fields a client sends to POST /predict, in the seed's order. */
export const API_FIELDS = ['price', 'midprice', 'return_1s', 'return_5s', 'volatility'] as const;
export type ApiField = (typeof API_FIELDS)[number];

/** A request's features. A field that is absent is a missing value (NaN for the model). */
export type RawFeatures = Partial<Record<ApiField, number>>;

export type ModelVariant = 'ml' | 'baseline';
export const MODEL_VARIANTS: readonly ModelVariant[] = ['ml', 'baseline'];

/** Metric names: the contract the controller's PromQL relies on (documented in docs/service/shadow-and-metrics.md). */
export const METRIC = {
  httpRequests: 'http_requests_total',
  httpDuration: 'http_request_duration_seconds',
  predictions: 'model_predictions_total',
  inferenceDuration: 'model_inference_duration_seconds',
  modelInfo: 'model_info',
  invalidInput: 'prediction_invalid_input_total',
  // Request mirroring to a shadow candidate (service/shadow/): registered only when SHADOW_URL is set.
  shadowRequests: 'shadow_requests_total',
  shadowDropped: 'shadow_dropped_total',
  shadowDuration: 'shadow_request_duration_seconds',
  shadowPredictions: 'shadow_predictions_total',
  shadowInfo: 'shadow_info',
} as const;

/** The metrics that exist only while mirroring is on (SHADOW_URL set). */
export const SHADOW_METRICS: readonly string[] = [METRIC.shadowRequests, METRIC.shadowDropped, METRIC.shadowDuration, METRIC.shadowPredictions, METRIC.shadowInfo];

/**
 * The `outcome` label of `shadow_requests_total`, one per mirrored request:
 * ok — the candidate answered 200 with a body that parses and holds one prediction per instance sent;
 * error — any other answer (non-200, unparsable, the wrong number of predictions, cut off, not HTTP);
 * timeout — no complete answer within SHADOW_TIMEOUT_MS;
 * unreachable — no answer at all: connection refused, DNS failure, reset before any answer.
 */
export const SHADOW_OUTCOMES = ['ok', 'error', 'timeout', 'unreachable'] as const;
export type ShadowOutcome = (typeof SHADOW_OUTCOMES)[number];

/** The `reason` label of `shadow_dropped_total`: SHADOW_MAX_IN_FLIGHT mirrors were already outstanding. */
export const SHADOW_DROP_REASONS = ['queue_full'] as const;
export type ShadowDropReason = (typeof SHADOW_DROP_REASONS)[number];

/** The `agreement` label of `shadow_predictions_total`: per instance of an `ok` mirror, candidate class vs served class. */
export const SHADOW_AGREEMENTS = ['agree', 'differ'] as const;
export type ShadowAgreement = (typeof SHADOW_AGREEMENTS)[number];

/**
 * Why a request was refused with 4xx: the `reason` label of `prediction_invalid_input_total`. A small fixed
 * set so the metric's cardinality is bounded; the error body's `code` is the same word in upper case.
 */
export const INVALID_INPUT_REASONS = [
  'invalid_json', // not JSON at all, or an empty body
  'unsupported_media_type', // a Content-Type other than application/json
  'not_an_object', // JSON, but an array, string, number, boolean or null where an object is expected
  'wrong_type', // a field that is not a number (e.g. the string "NaN", true, an object)
  'not_finite', // a number that parses to ±Infinity, e.g. 1e400
  'out_of_range', // price or midprice <= 0, volatility < 0
  'unknown_field', // a field the API does not know (a misspelt feature must not be dropped silently)
  'no_features', // an object with none of the five fields
  'batch_size', // instances empty or longer than MAX_BATCH_SIZE
  'body_too_large', // the request body is over the body limit
] as const;
export type InvalidInputReason = (typeof INVALID_INPUT_REASONS)[number];

/** Most instances one POST /predict/batch may carry. */
export const MAX_BATCH_SIZE = 1000;
