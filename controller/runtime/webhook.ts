import { matchAlertmanager } from '../core/index.js';
import type { IncomingAlert, OperationView, WebhookOutcome } from '../ports/controller.js';
import type { RuntimeContext } from './context.js';
import { applyEvent } from './engine-step.js';
import { rememberWebhook } from './runtime-state.js';

// Alertmanager webhooks: each firing alert is matched against the policies' triggers and queued as a
// `webhook` event on its target's queue. Alertmanager re-sends the same alert every repeat_interval and
// after its own restarts, so (fingerprint, startsAt) pairs already handled are remembered, persisted and
// bounded: a replay, even after a controller restart, does nothing. Resolved alerts never roll back.

export function webhookKey(alert: IncomingAlert): string {
  return `${alert.fingerprint}@${alert.startsAt}`;
}

export async function handleWebhook(ctx: RuntimeContext, alerts: readonly IncomingAlert[]): Promise<WebhookOutcome> {
  const { logger, metrics } = ctx.ports;
  const queued: OperationView[] = [];
  let duplicates = 0;
  let resolvedIgnored = 0;
  let unmatched = 0;
  for (const alert of alerts) {
    if (alert.status === 'resolved') {
      resolvedIgnored += 1;
      continue;
    }
    const key = webhookKey(alert);
    if (ctx.state.seenWebhooks.includes(key)) {
      duplicates += 1;
      continue;
    }
    ctx.update((s) => ({ ...s, seenWebhooks: rememberWebhook(s.seenWebhooks, key) }));
    const matches = matchAlertmanager(ctx.policies, alert.labels);
    if (matches.length === 0) {
      unmatched += 1;
      logger.info({ labels: alert.labels, fingerprint: alert.fingerprint }, 'webhook alert matches no policy trigger');
      continue;
    }
    for (const match of matches) queued.push(queueWebhookEvent(ctx, alert, match.target, match.reason));
  }
  metrics.webhookAlerts.inc({ outcome: 'queued' }, queued.length);
  metrics.webhookAlerts.inc({ outcome: 'duplicate' }, duplicates);
  metrics.webhookAlerts.inc({ outcome: 'resolved_ignored' }, resolvedIgnored);
  metrics.webhookAlerts.inc({ outcome: 'unmatched' }, unmatched);
  // The seen set must be durable before we answer, or a replay after a crash would act twice.
  await ctx.persist();
  return { queued, duplicates, resolvedIgnored, unmatched };
}

function queueWebhookEvent(ctx: RuntimeContext, alert: IncomingAlert, target: string, reason: string): OperationView {
  const op = ctx.operations.create('webhook', target);
  void ctx.queues
    .for(target)
    .run(async () => {
      const policy = ctx.policyOf(target);
      if (policy === undefined) return ctx.operations.update(op.id, 'refused', 'the policy is gone');
      if (ctx.safeMode !== null) return ctx.operations.update(op.id, 'refused', `safe mode: ${ctx.safeMode}`);
      ctx.operations.update(op.id, 'running');
      const alertname = alert.labels['alertname'] ?? 'unknown';
      const decision = await applyEvent(ctx, policy, { type: 'webhook', reason, alertname, labels: alert.labels, fingerprint: alert.fingerprint }, { operationId: op.id });
      if (decision.refused !== undefined) return ctx.operations.update(op.id, 'refused', decision.refused.reason);
      const current = ctx.operations.get(op.id);
      return current?.status === 'running' ? ctx.operations.update(op.id, 'done', decision.commands.length === 0 ? 'nothing to do' : null) : current;
    })
    .catch((error: unknown) => {
      ctx.ports.logger.error({ target, err: error }, 'webhook event failed');
      ctx.operations.update(op.id, 'failed', error instanceof Error ? error.message : String(error));
    });
  return op;
}
