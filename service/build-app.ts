// Builds the Fastify app without listening (tests drive it with inject(); main.ts listens). Everything it
// touches comes in as an option: the scorer, the pino logger, the prom-client Registry and the config.
import fastify, { LogController, type FastifyError, type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ModelVariant } from './contract.js';
import { InvalidInputError, errorBody } from './errors.js';
import { handleClientError, redactedUrl, serverOptions } from './http-limits.js';
import { UNMATCHED_ROUTE, createMetrics } from './metrics.js';
import { registerInfoRoutes } from './routes/info-routes.js';
import { registerPredictRoutes, type AppInstance } from './routes/predict-routes.js';
import { ModelError, type Scorer } from './scorers/scorer.js';
import { attachShadow } from './shadow/mirror.js';
import type { ShadowConfig } from './shadow/shadow-config.js';

/** A batch of 1000 instances is ~130 KB of JSON; 512 KiB leaves room and refuses abuse early. */
export const DEFAULT_BODY_LIMIT_BYTES = 512 * 1024;

export interface AppConfig {
  /** The variant this process serves; reported by /health even when the model is not loaded. */
  readonly variant: ModelVariant;
  readonly bodyLimitBytes?: number;
  /** Mirror answered prediction requests to a shadow candidate (service/shadow/); absent: off, no hook at all. */
  readonly shadow?: ShadowConfig | undefined;
}

export interface BuildAppOptions {
  /** The loaded model, or undefined while none is (then /health and the prediction routes answer 503). */
  readonly scorer: Scorer | undefined;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly config: AppConfig;
  /** Clock, ms since epoch; injected so response timestamps are testable. */
  readonly now?: () => number;
}

/** Fastify's own errors that are really the client's input, mapped onto our counted reasons and messages. */
const FASTIFY_INPUT_ERRORS: Readonly<Record<string, { reason: InvalidInputError['reason']; message?: string }>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { reason: 'body_too_large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { reason: 'unsupported_media_type', message: 'Content-Type must be application/json' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { reason: 'invalid_json' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { reason: 'invalid_json' },
  FST_ERR_CTP_INVALID_JSON_BODY: { reason: 'invalid_json' },
};

type Metrics = ReturnType<typeof createMetrics>;

/** The Fastify instance with the service's limits, logging and catalogue-shaped framework errors; no routes. */
function createInstance(opts: BuildAppOptions): AppInstance {
  return fastify({
    // Should a request line be logged, it carries the path only (no query string).
    loggerInstance: opts.logger.child({}, { serializers: { req: (request: { method: string; url: string }) => ({ method: request.method, url: redactedUrl(request.url) }) } }),
    bodyLimit: opts.config.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    // Headers 10 s, whole request 30 s, keep-alive 72 s, each closing within a second (http-limits.ts).
    ...serverOptions(),
    clientErrorHandler: handleClientError,
    // Our own 503 while closing (closeGracefully), in the catalogue's shape.
    return503OnClosing: false,
    // A URL whose %-escapes do not decode, refused by the router before any route runs.
    frameworkErrors: (_err, _request, reply) => {
      void (reply as FastifyReply).code(400).send(errorBody('BAD_REQUEST', 'malformed URL: a %-escape that does not decode'));
    },
    // One log line per request would cost more than the inference at 1000 rps; errors are logged below.
    logController: new LogController({ disableRequestLogging: true }),
  });
}

/**
 * Our own JSON parser: Fastify's answers bad JSON in its own error shape, and only JSON is accepted
 * (text/plain and the rest get 415). JSON.parse turns 1e400 into Infinity; the validator refuses that.
 */
function acceptJsonOnly(app: AppInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(new InvalidInputError('invalid_json', 'request body is empty; send a JSON object'), undefined);
      return;
    }
    try {
      done(null, JSON.parse(text) as unknown);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      done(new InvalidInputError('invalid_json', `request body is not valid JSON: ${detail}`), undefined);
    }
  });
}

/** Every failure in the catalogue: input errors counted by reason, model errors, unknown routes. */
function answerErrors(app: AppInstance, metrics: Metrics): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    const mapped = toInputError(err);
    if (mapped !== undefined) {
      metrics.countInvalid(mapped.reason);
      return reply.code(mapped.statusCode).send(mapped.toBody());
    }
    if (err instanceof ModelError) {
      request.log.warn({ err, route: request.routeOptions.url }, 'model error');
      return reply.code(500).send(errorBody('MODEL_ERROR', err.message));
    }
    const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(errorBody('code' in err && typeof err.code === 'string' ? err.code : 'BAD_REQUEST', err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.code(500).send(errorBody('INTERNAL', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) => {
    return reply.code(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${redactedUrl(request.url).slice(0, 100)}`));
  });
}

/** http_requests_total and its histogram, by route pattern; `skip` holds requests not to count. */
function countRequests(app: AppInstance, metrics: Metrics, skip: WeakSet<object>): void {
  app.addHook('onResponse', (request, reply, done) => {
    if (skip.has(request)) {
      done();
      return;
    }
    // The route pattern, never the raw URL, so unknown paths share one label value.
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? UNMATCHED_ROUTE,
      status_code: String(reply.statusCode),
    };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}

/**
 * Graceful shutdown: Fastify closes idle keep-alive sockets, but a request already in flight would leave
 * its socket open and idle afterwards, holding server.close() until the keep-alive timeout. Telling that
 * client "Connection: close" ends it at once. A request whose headers finish after closing began gets
 * 503 SHUTTING_DOWN. Returns those refused requests: they are not counted, as Fastify's own 503 was not
 * (they are not the model's doing, and would count against the old variant during every switch).
 */
function closeGracefully(app: AppInstance): WeakSet<object> {
  const refused = new WeakSet<object>();
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!closing) return;
    refused.add(request);
    return reply.code(503).send(errorBody('SHUTTING_DOWN', 'the service is shutting down; retry on another instance'));
  });
  return refused;
}

export function buildApp(opts: BuildAppOptions): AppInstance {
  const { scorer, config } = opts;
  if (scorer !== undefined && scorer.variant !== config.variant) {
    throw new Error(`scorer variant ${scorer.variant} does not match config variant ${config.variant}`);
  }
  const app = createInstance(opts);
  const metrics = createMetrics(opts.registry, scorer);
  acceptJsonOnly(app);
  answerErrors(app, metrics);
  countRequests(app, metrics, closeGracefully(app));
  const onServed = config.shadow === undefined || scorer === undefined ? undefined : attachShadow(app, config.shadow, opts.registry, opts.logger);
  registerPredictRoutes(app, { scorer, metrics, now: opts.now ?? Date.now, onServed });
  registerInfoRoutes(app, { scorer, registry: opts.registry, variant: config.variant });
  return app;
}

export type App = ReturnType<typeof buildApp>;

function toInputError(err: FastifyError | Error): InvalidInputError | undefined {
  if (err instanceof InvalidInputError) return err;
  const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
  const known = code === undefined ? undefined : FASTIFY_INPUT_ERRORS[code];
  if (known === undefined) return undefined;
  const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 400;
  return new InvalidInputError(known.reason, known.message ?? err.message, undefined, status);
}
