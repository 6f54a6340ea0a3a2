// Liveness, readiness and metrics: open to anyone who can reach the port (Docker health checks and
// Prometheus carry no token), and they reveal no target state beyond what /metrics already exports.
import type { ApiInstance, RouteDeps } from '../api-instance.js';

const healthResponse = {
  type: 'object',
  required: ['status'],
  properties: { status: { type: 'string', enum: ['ok', 'ready', 'not_ready'] }, detail: { type: 'string' } },
} as const;

export function registerHealthRoutes(app: ApiInstance, deps: RouteDeps): void {
  const { controller, registry } = deps;

  app.get('/healthz', { schema: { tags: ['health'], summary: 'Liveness: 200 while the process serves', response: { 200: healthResponse } } }, async () => ({
    status: 'ok' as const,
  }));

  app.get(
    '/readyz',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: policies loaded and state restored',
        response: { 200: healthResponse, 503: healthResponse },
      },
    },
    async (_request, reply) => {
      const { ready, detail } = controller.readiness();
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', detail });
    },
  );

  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics (text exposition format)' } }, async (_request, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
}
