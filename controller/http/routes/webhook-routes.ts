// POST /api/v1/webhooks/alertmanager: Alertmanager's webhook (payload version 4). The port maps each
// firing alert to policy triggers and queues it; resolved alerts never roll back; a replay (same
// fingerprint + startsAt) does nothing new. Unmatched alerts still get 200: Alertmanager retries 5xx
// (not 4xx), and retrying an alert nobody listens for would only repeat the same answer.
import type { IncomingAlert } from '../../ports/controller.js';
import type { ApiInstance, RouteDeps } from '../api-instance.js';
import { requireToken } from '../auth.js';
import { alertmanagerPayloadSchema, errorResponses, webhookResponseSchema } from '../schemas.js';

/** Alertmanager batches a group's alerts in one payload; 1 MiB holds well over a thousand alerts. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

interface AlertmanagerPayload {
  readonly version: '4';
  readonly status: 'firing' | 'resolved';
  readonly groupKey?: string;
  readonly alerts: readonly IncomingAlert[];
}

export function registerWebhookRoutes(app: ApiInstance, deps: RouteDeps): void {
  const { controller, auth } = deps;

  app.post<{ Body: AlertmanagerPayload }>(
    '/api/v1/webhooks/alertmanager',
    {
      bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
      onRequest: [requireToken(auth, 'webhook')],
      schema: {
        tags: ['webhook'],
        summary: 'Alertmanager webhook receiver (payload version 4)',
        security: [{ bearer: [] }],
        body: alertmanagerPayloadSchema,
        response: { 200: webhookResponseSchema, ...errorResponses(400, 401, 403, 413, 415, 500) },
      },
    },
    async (request) => {
      // Only the validated fields go to the port: annotations, URLs and extra fields stay here.
      const alerts: IncomingAlert[] = request.body.alerts.map((a) => ({ status: a.status, labels: a.labels, startsAt: a.startsAt, fingerprint: a.fingerprint }));
      const outcome = await controller.alertmanagerWebhook(alerts);
      const summary = {
        received: alerts.length,
        queued: outcome.queued.length,
        operations: outcome.queued,
        duplicates: outcome.duplicates,
        resolvedIgnored: outcome.resolvedIgnored,
        unmatched: outcome.unmatched,
      };
      const { operations: _ops, ...counts } = summary;
      if (outcome.unmatched > 0) {
        const names = [...new Set(alerts.filter((a) => a.status === 'firing').map((a) => a.labels['alertname'] ?? '(no alertname)'))];
        request.log.warn({ ...counts, groupKey: request.body.groupKey, alertnames: names }, 'webhook alerts matched no policy trigger');
      } else {
        request.log.info({ ...counts, groupKey: request.body.groupKey }, 'alertmanager webhook handled');
      }
      return summary;
    },
  );
}
