// Raw-series scenarios of `guardrail policy test`: the backfilled throwaway Prometheus, queried through the
// same Prometheus adapter the daemon uses (so an empty vector, NaN or several series become the same UNKNOWN
// causes as in production).
import { startReplayPrometheus } from '../adapters/prometheus-replay/index.js';
import { PrometheusMetricsSource } from '../adapters/prometheus/index.js';
import type { SeriesReplay } from '../ports/series-replay.js';

export const seriesReplay: SeriesReplay = {
  async open(input) {
    const prometheus = await startReplayPrometheus(input);
    return {
      // A local, idle Prometheus: a generous per-query deadline instead of the daemon's 2 s, no retries.
      metrics: new PrometheusMetricsSource({ baseUrl: prometheus.url, timeoutMs: 30_000, retries: 0, maxConcurrency: 16 }),
      close: () => prometheus.close(),
    };
  },
};
