// GET /version, /health and /metrics: what operators, Docker health checks and Prometheus read.
import type { Registry } from 'prom-client';
import type { ModelVariant } from '../contract.js';
import { errorBody } from '../errors.js';
import type { Scorer } from '../scorers/scorer.js';
import type { AppInstance } from './predict-routes.js';

/** The HTTP API's version (the seed's "api_version"); bump on a breaking change of the wire contract. */
export const API_VERSION = '1.0.0';

interface InfoDeps {
  readonly scorer: Scorer | undefined;
  readonly registry: Registry;
  readonly variant: ModelVariant;
}

export function registerInfoRoutes(app: AppInstance, deps: InfoDeps): void {
  const { scorer, registry, variant } = deps;

  app.get('/version', async (_request, reply) => {
    if (scorer === undefined) return reply.code(503).send(errorBody('MODEL_NOT_LOADED', 'the model is not loaded'));
    return {
      api_version: API_VERSION,
      model_version: scorer.version,
      model_variant: scorer.variant,
      // Unix seconds, as in the seed.
      model_loaded_at: scorer.loadedAtMs / 1000,
      // What computes the scores: compiled-trees (the ensemble compiled from model.onnx, checked against
      // onnxruntime at start), onnxruntime-native, onnxruntime, or baseline.
      model_engine: scorer.engine ?? null,
      node_version: process.version,
    };
  });

  app.get('/health', async (_request, reply) => {
    if (scorer === undefined) return reply.code(503).send({ status: 'unavailable', model_variant: variant, model_version: null });
    return { status: 'ok', model_variant: scorer.variant, model_version: scorer.version };
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
}
