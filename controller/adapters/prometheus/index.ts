// The metrics source (ports/metrics-source.ts): Prometheus's HTTP query API, with grouped queries.
export { PrometheusMetricsSource, PROMETHEUS_DEFAULTS, type GroupingEvent, type PrometheusSourceOptions } from './metrics-source.js';
