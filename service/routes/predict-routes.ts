// POST /predict and POST /predict/batch: validate, score (scoring.ts: micro-batched for the ML model),
// count, answer.
import type { FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { Logger } from 'pino';
import type { ApiField } from '../contract.js';
import { errorBody } from '../errors.js';
import type { ServiceMetrics } from '../metrics.js';
import type { Score, Scorer } from '../scorers/scorer.js';
import { parseBatch, parseInstance, type ParsedInstance } from '../validate-input.js';
import { scoringFor, type Scoring } from './scoring.js';

export type AppInstance = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, Logger>;

/** Told of every request the routes scored, with what they served (service/shadow/ mirrors it once sent). */
export type ServedHook = (request: object, served: readonly Score[]) => void;

interface PredictDeps {
  readonly scorer: Scorer | undefined;
  readonly metrics: ServiceMetrics;
  readonly now: () => number;
  /** Absent when mirroring is off: then the routes do nothing more than before. */
  readonly onServed?: ServedHook | undefined;
}

export interface PredictionBody {
  readonly prediction: 0 | 1;
  readonly probability: number;
  readonly missing_features?: readonly ApiField[];
}

function toBody(score: Score, parsed: ParsedInstance): PredictionBody {
  const body = { prediction: score.prediction, probability: score.probability };
  return parsed.missing.length === 0 ? body : { ...body, missing_features: parsed.missing };
}

export function registerPredictRoutes(app: AppInstance, deps: PredictDeps): void {
  const { scorer, metrics, now, onServed } = deps;

  const scoring = scorer === undefined ? undefined : scoringFor(scorer, metrics);
  const scoreAll = (model: Scoring, parsed: readonly ParsedInstance[]): Promise<readonly Score[]> => model.score(parsed.map((p) => p.features));

  function countPredictions(model: Scorer, scores: readonly Score[]): void {
    let spikes = 0;
    for (const s of scores) spikes += s.prediction;
    if (spikes > 0) metrics.predictions.inc({ variant: model.variant, prediction: '1' }, spikes);
    if (scores.length - spikes > 0) metrics.predictions.inc({ variant: model.variant, prediction: '0' }, scores.length - spikes);
  }

  const notLoaded = errorBody('MODEL_NOT_LOADED', 'the model is not loaded');

  app.post('/predict', async (request, reply) => {
    if (scorer === undefined || scoring === undefined) return reply.code(503).send(notLoaded);
    const parsed = parseInstance(request.body);
    const [score] = await scoreAll(scoring, [parsed]);
    if (score === undefined) throw new Error('scorer returned no score');
    countPredictions(scorer, [score]);
    onServed?.(request, [score]);
    return {
      ...toBody(score, parsed),
      model_version: scorer.version,
      model_variant: scorer.variant,
      timestamp: now() / 1000,
    };
  });

  app.post('/predict/batch', async (request, reply) => {
    if (scorer === undefined || scoring === undefined) return reply.code(503).send(notLoaded);
    const parsed = parseBatch(request.body);
    const scores = await scoreAll(scoring, parsed);
    if (scores.length !== parsed.length) throw new Error(`scorer returned ${scores.length} scores for ${parsed.length} instances`);
    countPredictions(scorer, scores);
    onServed?.(request, scores);
    return {
      predictions: scores.map((score, i) => toBody(score, parsed[i] as ParsedInstance)),
      model_version: scorer.version,
      model_variant: scorer.variant,
      timestamp: now() / 1000,
    };
  });
}
