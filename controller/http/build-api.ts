// Builds the controller's HTTP API without listening: tests drive it with inject(), the runtime listens
// (127.0.0.1:8090 by default). Everything it touches comes in as an option; it reaches the controller
// only through ControllerPort, so no request can name a container or bypass the engine's queue.
import swagger from '@fastify/swagger';
import fastify, { type FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerPort } from '../ports/controller.js';
import type { ApiInstance } from './api-instance.js';
import { instrumentRequests } from './api-metrics.js';
import { validateAuthConfig, type AuthConfig } from './auth.js';
import { handleClientError, handleError, handleNotFound, sendProblem } from './error-handler.js';
import { ApiError, ERROR_BODY_SCHEMA } from './errors.js';
import { HTTP_TIMEOUTS, MAX_PARAM_LENGTH, serverOptions } from './http-limits.js';
import { requestLogSerializers } from './log-redact.js';
import { registerDashboardRoutes } from './routes/dashboard-routes.js';
import { registerHealthRoutes } from './routes/health-routes.js';
import { registerProblemRoutes } from './routes/problem-routes.js';
import { registerOverrideRoutes } from './routes/override-routes.js';
import { registerReadRoutes } from './routes/read-routes.js';
import { WEBHOOK_BODY_LIMIT_BYTES, registerWebhookRoutes } from './routes/webhook-routes.js';
import { operationSchema } from './schemas.js';
import { createValidatorCompiler } from './validation.js';

export const API_VERSION = '1.0.0';
export const OPENAPI_PATH = '/api/v1/openapi.json';

export interface BuildApiOptions {
  readonly controller: ControllerPort;
  readonly registry: Registry;
  readonly logger: Logger;
  readonly auth: AuthConfig;
  /** The largest body any route accepts (the webhook's); override routes have their own 64 KiB. */
  readonly bodyLimit?: number;
  /** Clock, ms since epoch (pause expiries); Date.now by default. */
  readonly now?: () => number;
  /** The built dashboard page (index.html, app.js, app.css); dist/dashboard/ by default. */
  readonly dashboardDir?: string;
}

/** The Fastify instance with the API's limits, logging and catalogue-shaped framework errors; no routes. */
function createInstance(opts: BuildApiOptions): ApiInstance {
  return fastify({
    // Request lines are logged with the path only: a query string may carry a token (log-redact.ts).
    loggerInstance: opts.logger.child({}, { serializers: requestLogSerializers }),
    bodyLimit: opts.bodyLimit ?? WEBHOOK_BODY_LIMIT_BYTES,
    // Slow clients must not hold connections open: headers, whole request and keep-alive timeouts, checked
    // often enough that each closes at its documented second (http-limits.ts, docs/api.md).
    ...serverOptions(HTTP_TIMEOUTS),
    // A target name may have 128 characters, an operation id 200: the router must let both through to
    // the schemas, which give the precise 400.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Our own 503 while closing (below), in the catalogue's format.
    return503OnClosing: false,
    // Errors the router raises before any route runs (a malformed %-escape) get the catalogue's shape too.
    frameworkErrors: (_err, _request, reply) => {
      // Fastify's message quotes the whole URL; the answer never echoes it.
      void sendProblem(reply as FastifyReply, new ApiError('GR_ERR_VALIDATION', 'malformed URL: a %-escape that does not decode'));
    },
    clientErrorHandler: handleClientError,
  });
}

/** A request that arrives once closing has begun gets GR_ERR_UNAVAILABLE and `Connection: close`. */
function refuseWhileClosing(app: ApiInstance): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (closing) return sendProblem(reply.header('connection', 'close'), new ApiError('GR_ERR_UNAVAILABLE', 'the controller is shutting down; try again in a moment'));
  });
}

/**
 * Only JSON is accepted (anything else: 415). Fastify's own JSON parser refuses `__proto__` and
 * `constructor.prototype` keys (prototype poisoning); we only add that an empty body reads as {}, so a
 * bare `POST .../resume` with a JSON Content-Type is not an error.
 */
function acceptJsonOnly(app: ApiInstance): void {
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, {});
      return;
    }
    jsonParser(request, text, (err, parsed) => {
      if (err === null) done(null, parsed);
      else done(new ApiError('GR_ERR_INVALID_JSON', 'request body is not valid JSON (or carries a __proto__/constructor key)'), undefined);
    });
  });
}

export function buildApi(opts: BuildApiOptions): ApiInstance {
  validateAuthConfig(opts.auth);
  const app = createInstance(opts);
  refuseWhileClosing(app);
  app.setValidatorCompiler(createValidatorCompiler());
  app.addSchema(ERROR_BODY_SCHEMA);
  app.addSchema(operationSchema);
  acceptJsonOnly(app);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  instrumentRequests(app, opts.registry);

  void app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Guardrail controller API',
        version: API_VERSION,
        description: 'Status, history and manual overrides of the Guardrail controller, and its Alertmanager webhook receiver.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });

  // Registered as a plugin so @fastify/swagger (loaded above, in order) sees every route.
  const deps = { controller: opts.controller, registry: opts.registry, auth: opts.auth, now: opts.now ?? Date.now };
  void app.register(async (api: ApiInstance) => {
    registerHealthRoutes(api, deps);
    registerProblemRoutes(api);
    registerReadRoutes(api, deps);
    registerOverrideRoutes(api, deps);
    registerWebhookRoutes(api, deps);
    registerDashboardRoutes(api, { ...deps, dashboardDir: opts.dashboardDir });
    api.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
  });
  return app;
}

