// Maps an Alertmanager alert's labels to the policies (targets) and reasons it triggers. The webhook
// route calls this, then feeds a `webhook` event per match into `decide`.

import type { Decision } from './decide.js';
import type { AlertmanagerTrigger, Policy } from './policy.js';

export interface TriggerMatch {
  readonly policy: string;
  readonly target: string;
  readonly reason: string;
  /** The trigger that matched: its matchers select the alert in ALERTS when it is corroborated. */
  readonly trigger: AlertmanagerTrigger;
}

/** Every trigger whose matchers are all equal to the alert's labels (first matching trigger per policy). */
export function matchAlertmanager(policies: readonly Policy[], labels: Readonly<Record<string, string>>): TriggerMatch[] {
  const out: TriggerMatch[] = [];
  for (const policy of policies) {
    const hit = policy.triggers.alertmanager.find((t) => Object.entries(t.matchers).every(([k, v]) => labels[k] === v));
    if (hit !== undefined) out.push({ policy: policy.name, target: policy.target.name, reason: hit.reason, trigger: hit });
  }
  return out;
}

/**
 * What a webhook event's decision means for deduplication (issue #14, "no lost triggers"): `acted` when it
 * started a rollback; `refused` when the refusal lasts (already rolled back, a reason the policy does not
 * have); `held` for every refusal that is only for now — a pause, a hold (veto, cooldown, hourly limit),
 * a switch in progress, a failed rollback waiting for a human — and for any phase added later.
 */
export function webhookFate(decision: Decision): { readonly fate: 'acted' | 'refused' | 'held'; readonly note: string } {
  const rollback = decision.commands.find((c) => c.type === 'rollback');
  if (rollback !== undefined) return { fate: 'acted', note: `rollback ${rollback.rollbackId}` };
  const refused = decision.refused;
  if (refused !== undefined && (refused.phase === 'rolled_back' || refused.reason.startsWith('unknown reason'))) {
    return { fate: 'refused', note: refused.reason };
  }
  const { hold, pause, phase } = decision.state;
  if (hold !== null) return { fate: 'held', note: `held (${hold.cause}): ${hold.detail}` };
  if (phase === 'paused' && pause !== null) return { fate: 'held', note: `automation is paused until ${new Date(pause.untilMs).toISOString()}` };
  return { fate: 'held', note: refused?.reason ?? `no rollback (${phase})` };
}
