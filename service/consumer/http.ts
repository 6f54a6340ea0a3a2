// The consumer's small HTTP side: /health for Docker and the actuator's verification, /version in the API's
// shape (model_variant, model_version) so the same verification works on it, and /metrics for Prometheus.
import fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { API_VERSION } from '../routes/info-routes.js';
import { handleClientError, serverOptions } from '../http-limits.js';
import type { Scorer } from '../scorers/scorer.js';

export interface ConsumerHttpDeps {
  readonly scorer: Scorer;
  readonly registry: Registry;
  /** Resolves true when Redis answers; the caller bounds its time. */
  readonly redisAlive: () => Promise<boolean>;
  readonly consumerName: string;
  readonly logger: Logger;
}

/** /health must answer a probe quickly even when Redis hangs. */
export const REDIS_HEALTH_TIMEOUT_MS = 1_000;

export function buildConsumerHttp(deps: ConsumerHttpDeps) {
  const { scorer, registry } = deps;
  const app = fastify({
    loggerInstance: deps.logger,
    logController: new LogController({ disableRequestLogging: true }),
    // The same connection limits as the API (headers 10 s, request 30 s, keep-alive 72 s).
    ...serverOptions(),
    clientErrorHandler: handleClientError,
  });

  app.get('/health', async (_request, reply) => {
    const redis = await withTimeout(deps.redisAlive(), REDIS_HEALTH_TIMEOUT_MS).catch(() => false);
    const body = { status: redis ? 'ok' : 'unavailable', redis: redis ? 'ok' : 'unreachable', model_variant: scorer.variant, model_version: scorer.version };
    return reply.code(redis ? 200 : 503).send(body);
  });

  app.get('/version', async () => ({
    api_version: API_VERSION,
    model_version: scorer.version,
    model_variant: scorer.variant,
    model_loaded_at: scorer.loadedAtMs / 1000,
    // The same field as the API's /version: which engine computes the scores (compiled-trees, onnxruntime...).
    model_engine: scorer.engine ?? null,
    node_version: process.version,
    consumer_name: deps.consumerName,
  }));

  app.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
  return app;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}
