// The prediction service's wire contract and metric names. The controller's policies query these metric
// names, and the controller imports this file only with `import type` / constants, never the service code.

/** The five fields a client sends to POST /predict, in the seed's order. */
export const API_FIELDS = ['price', 'midprice', 'return_1s', 'return_5s', 'volatility'] as const;
export type ApiField = (typeof API_FIELDS)[number];

/** A request's features. A field that is absent is a missing value (NaN for the model). */
export type RawFeatures = Partial<Record<ApiField, number>>;

export type ModelVariant = 'ml' | 'baseline';
export const MODEL_VARIANTS: readonly ModelVariant[] = ['ml', 'baseline'];

/** Metric names: the contract the controller's PromQL relies on (documented in docs/service.md). */
export const METRIC = {
  httpRequests: 'http_requests_total',
  httpDuration: 'http_request_duration_seconds',
  predictions: 'model_predictions_total',
  inferenceDuration: 'model_inference_duration_seconds',
  modelInfo: 'model_info',
  invalidInput: 'prediction_invalid_input_total',
} as const;
