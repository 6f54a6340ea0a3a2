import type { RawFeatures } from '../contract.js';
import type { ServiceMetrics } from '../metrics.js';
import { MicroBatch } from '../scorers/micro-batch.js';
import type { Score, Scorer } from '../scorers/scorer.js';

// How the prediction routes reach the model, and what model_inference_duration_seconds measures: the
// model's own time, once per call (one request or one batch request). A scorer that scores synchronously
// (the compiled ML ensemble, onnxruntime's native session, the baseline) is reached through a micro-batch,
// so the requests of one event-loop turn share one model run and are answered together after it; each of
// them observes that run's duration. Any other scorer (onnxruntime's public API, or a model wrapped by
// fault injection, whose faults are drawn per request) is called per request and timed around the call,
// injected latency included. This is the one seam between the routes and the model: a request mirror
// (shadow scoring) belongs beside it, in the routes, not inside it.

/** Rows of one run at most: a /predict/batch of up to 1000 rows joins, larger runs are split. */
const MAX_ROWS_PER_RUN = 1024;

export interface Scoring {
  /** One score per instance, in order; rejects with the model's error. */
  score(instances: readonly RawFeatures[]): Promise<readonly Score[]>;
}

export function scoringFor(scorer: Scorer, metrics: ServiceMetrics): Scoring {
  const labels = { variant: scorer.variant };
  const scoreNow = scorer.scoreNow;
  if (scoreNow === undefined) {
    return {
      async score(instances) {
        const start = process.hrtime.bigint();
        try {
          return await scorer.score(instances);
        } finally {
          metrics.inferenceDuration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
        }
      },
    };
  }
  const batch = new MicroBatch<RawFeatures, Score>({
    run: scoreNow,
    maxItems: MAX_ROWS_PER_RUN,
    onRun: ({ seconds, calls }) => {
      for (let i = 0; i < calls; i++) metrics.inferenceDuration.observe(labels, seconds);
    },
  });
  return { score: (instances) => batch.add(instances) };
}
