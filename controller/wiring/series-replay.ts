// Raw-series scenarios of `guardrail policy test`: the backfilled throwaway Prometheus (adapters/prometheus-replay).
import { openReplay } from '../adapters/prometheus-replay/index.js';
import type { SeriesReplay } from '../ports/series-replay.js';

export const seriesReplay: SeriesReplay = { open: openReplay };
