// The metrics source (ports/metrics-source.ts): Prometheus's HTTP query API, with grouped queries.
export { PrometheusMetricsSource } from './metrics-source.js';
export { PROMETHEUS_DEFAULTS, type GroupingEvent, type PrometheusSourceOptions } from './source-options.js';
