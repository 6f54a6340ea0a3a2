// The series-replay port (ports/series-replay.ts): promtool backfill + a throwaway Prometheus.
export { startReplayPrometheus, type ReplayPrometheus } from './replay.js';
export { findReplayTools, HOW_TO_GET_THE_TOOLS } from './tools.js';
export { renderOpenMetrics } from './openmetrics.js';
