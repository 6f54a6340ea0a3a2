// GET /api/v1/status, /history, /policies and /operations/:id. With `protectReads` they need the
// operator token; otherwise they are open on the (loopback) listen address.
import type { ApiInstance, RouteDeps } from '../api-instance.js';
import { requireToken } from '../auth.js';
import { ApiError } from '../errors.js';
import { historyMarkdown } from '../history-markdown.js';
import {
  errorResponses,
  historyQuerySchema,
  historyResponseSchema,
  operationParamsSchema,
  operationResponseSchema,
  policiesResponseSchema,
  statusResponseSchema,
} from '../schemas.js';

interface HistoryQueryString {
  readonly target?: string;
  readonly since?: string;
  readonly limit: number;
  readonly offset: number;
  readonly format: 'json' | 'markdown';
}

export function registerReadRoutes(app: ApiInstance, deps: RouteDeps): void {
  const { controller, auth } = deps;
  const onRequest = auth.protectReads ? [requireToken(auth, 'operator')] : [];
  const security = auth.protectReads ? [{ bearer: [] }] : [];
  const readErrors = auth.protectReads ? [400, 401, 403, 500] : [400, 500];

  app.get(
    '/api/v1/status',
    { onRequest, schema: { tags: ['read'], summary: 'Every target: phase, variant, rollback, pause, last verdicts', security, response: { 200: statusResponseSchema, ...errorResponses(...readErrors) } } },
    async () => {
      // `ready`/`detail` say why `targets` may be empty (starting, safe mode) so nobody reads it as "all fine".
      const { ready, detail } = controller.readiness();
      return { ready, detail, targets: controller.status() };
    },
  );

  registerHistoryRoute(app, deps, { onRequest, security, readErrors });

  app.get(
    '/api/v1/policies',
    { onRequest, schema: { tags: ['read'], summary: 'Loaded policies and the last failed reload, if any', security, response: { 200: policiesResponseSchema, ...errorResponses(...readErrors) } } },
    async () => controller.policies(),
  );

  app.get<{ Params: { id: string } }>(
    '/api/v1/operations/:id',
    {
      onRequest,
      schema: { tags: ['read'], summary: 'One operation submitted by an override or a webhook', security, params: operationParamsSchema, response: { 200: operationResponseSchema, ...errorResponses(...readErrors, 404) } },
    },
    async (request) => {
      const operation = controller.operation(request.params.id);
      if (operation === undefined) throw new ApiError('GR_ERR_NOT_FOUND', `no operation ${JSON.stringify(request.params.id)}`);
      return { operation };
    },
  );
}

interface ReadAccess {
  readonly onRequest: ReturnType<typeof requireToken>[];
  readonly security: { bearer: never[] }[];
  readonly readErrors: number[];
}

function registerHistoryRoute(app: ApiInstance, deps: RouteDeps, { onRequest, security, readErrors }: ReadAccess): void {
  const { controller } = deps;
  app.get<{ Querystring: HistoryQueryString }>(
    '/api/v1/history',
    {
      onRequest,
      schema: {
        tags: ['read'],
        summary: 'Rollbacks and roll-forwards, newest first; format=markdown gives the whole rollback history table (one row per rollback, oldest first; limit and offset do not apply)',
        security,
        querystring: historyQuerySchema,
        response: { 200: historyResponseSchema, ...errorResponses(...readErrors) },
      },
    },
    async (request, reply) => {
      const { target, since, limit, offset, format } = request.query;
      const query = {
        limit,
        offset,
        ...(target === undefined ? {} : { target }),
        ...(since === undefined ? {} : { sinceMs: Date.parse(since) }),
      };
      if (format === 'markdown') {
        // The whole history (limit and offset do not apply): `guardrail history --markdown > file` must
        // write a complete table, and a rollback needs its roll-forward to say how long it lasted.
        const all = await controller.history({ ...query, limit: Number.MAX_SAFE_INTEGER, offset: 0 });
        const activeRollbackIds = new Set(controller.status().flatMap((t) => (t.rollback === null ? [] : [t.rollback.id])));
        const table = historyMarkdown(all.entries, { nowMs: deps.now(), activeRollbackIds });
        // Sent as a string: the JSON response schema does not apply to text.
        return reply.type('text/markdown; charset=utf-8').serializer((payload) => String(payload)).send(table);
      }
      const { entries, total } = await controller.history(query);
      return { entries, total, limit, offset };
    },
  );
}
