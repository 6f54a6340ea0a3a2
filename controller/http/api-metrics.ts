// The API's own request counter, in the registry the runtime exports at /metrics. Labelled by route
// pattern (never the raw URL) so unknown paths and target names cannot blow up cardinality.
import { Counter, type Registry } from 'prom-client';
import type { ApiInstance } from './api-instance.js';

export const API_REQUESTS_METRIC = 'guardrail_api_requests_total';
const UNMATCHED_ROUTE = 'unmatched';

export function instrumentRequests(app: ApiInstance, registry: Registry): void {
  const existing = registry.getSingleMetric(API_REQUESTS_METRIC);
  const requests =
    existing instanceof Counter
      ? (existing as Counter<'method' | 'route' | 'status_code'>)
      : new Counter({
          name: API_REQUESTS_METRIC,
          help: 'HTTP requests answered by the controller API, by route pattern and status code',
          labelNames: ['method', 'route', 'status_code'] as const,
          registers: [registry],
        });
  app.addHook('onResponse', async (request, reply) => {
    requests.inc({ method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_code: String(reply.statusCode) });
  });
}
