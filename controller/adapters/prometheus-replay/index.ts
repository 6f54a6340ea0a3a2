// The series-replay port (ports/series-replay.ts): promtool backfill + a throwaway Prometheus, queried with
// range queries read by the Prometheus adapter's response rules.
export { openReplay } from './replay.js';
export { findReplayTools, HOW_TO_GET_THE_TOOLS } from './tools.js';
export { renderOpenMetrics } from './openmetrics.js';
