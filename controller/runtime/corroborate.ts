import { NOT_CORROBORATED_ALERT_MS, corroborationQueries, judgeCorroboration, matchAlertmanager, notCorroboratedAlert, type Corroboration, type Policy, type TriggerMatch } from '../core/index.js';
import type { RuntimeContext } from './context.js';
import type { WebhookTrigger } from './runtime-state.js';

// The webhook's trust check (docs/api/webhook-and-limits.md, "The webhook's trust model"): before a webhook alert may act,
// the Prometheus the controller queries must back it (core/corroboration.ts). Called from the webhook
// path on the target's queue; it runs the queries through the runtime's MetricsSource port and, when the
// alert is refused, records why: a WARNING log line, guardrail_webhook_alerts_total{outcome=
// "not_corroborated"} and a GuardrailWebhookNotCorroborated WARNING alert. The caller remembers the
// refusal and marks the operation refused with the returned message.

/** Runs the corroboration queries at now, bounded by the tick timeout. */
export async function corroborate(ctx: RuntimeContext, policy: Policy, match: TriggerMatch): Promise<Corroboration> {
  const queries = corroborationQueries(policy, match.trigger);
  const samples = await ctx.ports.metricsSource.queryAll(
    queries.map((q) => q.query),
    { timeMs: ctx.ports.now(), signal: AbortSignal.timeout(ctx.ports.tickTimeoutMs) },
  );
  return judgeCorroboration(policy, match.trigger, Object.fromEntries(queries.map((q, i) => [q.id, samples[i] ?? { kind: 'unknown', cause: 'no_data', detail: 'no answer' }])));
}

/**
 * undefined when the alert may act (corroborated, or its trigger says `corroborate: false`); otherwise the
 * refusal message, after recording the refusal. The trigger is the policy's current one for the alert's
 * labels (a held alert may be decided after a reload).
 */
export async function refusalOfUncorroborated(ctx: RuntimeContext, policy: Policy, alert: WebhookTrigger): Promise<string | undefined> {
  const { logger, metrics, notifier, now } = ctx.ports;
  const match = matchAlertmanager([policy], alert.labels)[0];
  if (match !== undefined && !match.trigger.corroborate) return undefined;
  const result: Corroboration =
    match === undefined ? { corroborated: false, blind: false, detail: 'no trigger of the policy matches the alert any more' } : await corroborate(ctx, policy, match);
  if (result.corroborated) {
    logger.info({ target: policy.target.name, alertname: alert.alertname, fingerprint: alert.fingerprint, by: result.by, detail: result.detail }, 'webhook alert corroborated by Prometheus');
    return undefined;
  }
  metrics.webhookAlerts.inc({ outcome: 'not_corroborated' });
  logger.warn(
    { target: policy.target.name, reason: alert.reason, alertname: alert.alertname, fingerprint: alert.fingerprint, labels: alert.labels, blind: result.blind, detail: result.detail },
    'webhook alert refused: Prometheus does not corroborate it (forged, or from a Prometheus the controller cannot query)',
  );
  notifier.notifyPassing(notCorroboratedAlert(policy, { alertname: alert.alertname, fingerprint: alert.fingerprint }, result, now()), NOT_CORROBORATED_ALERT_MS);
  return `not corroborated by Prometheus: ${result.detail}`;
}
