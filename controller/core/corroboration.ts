// Corroborating an Alertmanager webhook alert before acting on it (docs/api/webhook-and-limits.md, "The webhook's trust
// model"). Anyone who can post to Alertmanager can make it send the controller any alert, with the
// webhook token; so an alert is only a claim. It is believed when the Prometheus the controller queries
// agrees: the alert's rule is firing there (the ALERTS series, selected by the trigger's matchers), or the
// policy's own conditions for the trigger's reason breach now (their `for` aside: the alert's rule had its
// own). Pure: the runtime runs the queries and hands the samples in.

import type { Alert } from './alert.js';
import { judgeSample, trafficStatus } from './judge.js';
import type { Sample } from './observation.js';
import type { AlertmanagerTrigger, Policy } from './policy.js';

export const ALERTS_QUERY_ID = 'corroborate:ALERTS';

export interface CorroborationQuery {
  readonly id: string;
  readonly query: string;
}

export type Corroboration =
  | { readonly corroborated: true; readonly by: 'alerts' | 'reason'; readonly detail: string }
  /** `blind`: Prometheus could not answer the ALERTS query (unreachable, error), as opposed to saying no. Either way: no action. */
  | { readonly corroborated: false; readonly blind: boolean; readonly detail: string };

/** A PromQL string literal. */
function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `ALERTS{alertstate="firing", <matchers>}`: the trigger's alert, firing, in the controller's Prometheus. */
export function firingAlertsSelector(trigger: AlertmanagerTrigger): string {
  const matchers = Object.entries(trigger.matchers)
    .filter(([name]) => name !== 'alertstate')
    .map(([name, value]) => `${name}=${quote(value)}`);
  return `ALERTS{${['alertstate="firing"', ...matchers].join(',')}}`;
}

/** The queries that can corroborate an alert of `trigger`: ALERTS, then the reason's conditions and the traffic guard. */
export function corroborationQueries(policy: Policy, trigger: AlertmanagerTrigger): CorroborationQuery[] {
  // count() of no series is an empty vector, which the metrics source reports as no_data: no firing alert.
  const queries: CorroborationQuery[] = [{ id: ALERTS_QUERY_ID, query: `count(${firingAlertsSelector(trigger)})` }];
  const reason = policy.reasons.find((r) => r.name === trigger.reason);
  if (reason === undefined || reason.conditions.length === 0) return queries;
  const guard = policy.evaluation.minRequests;
  if (guard !== undefined && reason.conditions.some((c) => c.needsTraffic)) queries.push({ id: guard.id, query: guard.query });
  for (const condition of reason.conditions) queries.push({ id: condition.id, query: condition.query });
  return queries;
}

function describeSample(sample: Sample | undefined): string {
  if (sample === undefined) return 'no sample';
  return sample.kind === 'value' ? String(sample.value) : `unknown (${sample.cause}: ${sample.detail})`;
}

/** Whether the samples of corroborationQueries() back the alert, and what they showed. */
export function judgeCorroboration(policy: Policy, trigger: AlertmanagerTrigger, samples: Readonly<Record<string, Sample>>): Corroboration {
  const selector = firingAlertsSelector(trigger);
  const alerts = samples[ALERTS_QUERY_ID];
  if (alerts?.kind === 'value' && alerts.value >= 1) return { corroborated: true, by: 'alerts', detail: `${selector} is firing` };
  const alertsBlind = alerts === undefined || (alerts.kind === 'unknown' && alerts.cause !== 'no_data');
  const parts = [alertsBlind ? `${selector}: ${describeSample(alerts)}` : `${selector} has no firing series`];

  const reason = policy.reasons.find((r) => r.name === trigger.reason);
  if (reason === undefined || reason.conditions.length === 0) {
    parts.push(`reason ${trigger.reason} has no conditions to check`);
    return { corroborated: false, blind: alertsBlind, detail: parts.join('; ') };
  }
  const guard = policy.evaluation.minRequests;
  const traffic = trafficStatus(guard, guard === undefined ? undefined : samples[guard.id]);
  const judged = reason.conditions.map((condition) => ({ condition, verdict: judgeSample(condition, samples[condition.id], traffic) }));
  const shown = judged.map(({ condition, verdict }) => {
    const op = condition.comparison === 'above' ? '>' : '<';
    return verdict.status === 'unknown'
      ? `${condition.id} unknown (${verdict.cause}: ${verdict.detail})`
      : `${condition.id} ${verdict.value} ${verdict.status === 'breach' ? op : `not ${op}`} ${condition.threshold}`;
  });
  if (judged.every((j) => j.verdict.status === 'breach')) return { corroborated: true, by: 'reason', detail: `reason ${reason.name} breaches now: ${shown.join(', ')}` };
  parts.push(`reason ${reason.name}: ${shown.join(', ')}`);
  return { corroborated: false, blind: alertsBlind, detail: parts.join('; ') };
}

/** How long the WARNING about a refused alert stays firing (it is an event, not a lasting condition). */
export const NOT_CORROBORATED_ALERT_MS = 3_600_000;

/** The WARNING raised when a webhook alert is refused for want of corroboration. */
export function notCorroboratedAlert(policy: Policy, claimed: { readonly alertname: string; readonly fingerprint: string }, result: Corroboration, nowMs: number): Alert {
  // The alert's name and fingerprint are the sender's words: capped, and kept out of `alertname` so this
  // warning can never match a route that feeds the controller's own webhook.
  const alertname = claimed.alertname.slice(0, 128);
  const fingerprint = claimed.fingerprint.slice(0, 128);
  return {
    dedupKey: `webhook-not-corroborated:${policy.target.name}:${fingerprint}`,
    name: 'GuardrailWebhookNotCorroborated',
    severity: 'warning',
    target: policy.target.name,
    summary: `Alertmanager alert ${alertname} for ${policy.target.name} refused: Prometheus does not corroborate it`,
    description:
      `${result.detail}. Nothing was done. Either someone who can post to Alertmanager sent it (a forged alert), ` +
      `or this Alertmanager is fed by a Prometheus the controller cannot query (then set corroborate: false on the trigger), ` +
      `or the alert had ended before it arrived.`,
    labels: { policy: policy.name, target: policy.target.name, claimed_alertname: alertname, fingerprint, blind: String('blind' in result && result.blind) },
    startsAtMs: nowMs,
  };
}
