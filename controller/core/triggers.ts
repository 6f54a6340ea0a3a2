// Maps an Alertmanager alert's labels to the policies (targets) and reasons it triggers. The webhook
// route calls this, then feeds a `webhook` event per match into `decide`.

import type { Policy } from './policy.js';

export interface TriggerMatch {
  readonly policy: string;
  readonly target: string;
  readonly reason: string;
}

/** Every trigger whose matchers are all equal to the alert's labels (first matching trigger per policy). */
export function matchAlertmanager(policies: readonly Policy[], labels: Readonly<Record<string, string>>): TriggerMatch[] {
  const out: TriggerMatch[] = [];
  for (const policy of policies) {
    const hit = policy.triggers.alertmanager.find((t) => Object.entries(t.matchers).every(([k, v]) => labels[k] === v));
    if (hit !== undefined) out.push({ policy: policy.name, target: policy.target.name, reason: hit.reason });
  }
  return out;
}
