import type { Alert, Policy, TargetState } from '../core/index.js';
import { blindAlert, holdAlert, rollbackLastingAlert, rollbackStartedAlert, ruleAlert } from '../core/notifications.js';

// The alerts a target's persisted state says are still firing, rebuilt with the engine's own builders
// (same names and dedup keys), for re-sending after a restart.

export function reannounce(policy: Policy, state: TargetState, nowMs: number): Alert[] {
  const alerts: Alert[] = [];
  const record = state.rollback;
  if (record !== null) {
    alerts.push(rollbackStartedAlert(policy, record, { policy: policy.name, reason: record.reason, trigger: record.trigger, conditions: [], atMs: record.startedAtMs }));
    if (record.warningsSent > 0) alerts.push(rollbackLastingAlert(policy, record, record.warningsSent, nowMs));
  }
  if (state.blindSinceMs !== null) alerts.push(blindAlert(policy, state.blindSinceMs, 'still blind at controller restart'));
  if (state.hold !== null) alerts.push({ ...holdAlert(policy, state.hold.cause, '', state.hold.detail, state.hold.sinceMs), dedupKey: state.hold.dedupKey });
  for (const rule of policy.alerts) {
    const since = state.firingAlerts[rule.name];
    if (since !== undefined) alerts.push(ruleAlert(policy, rule, undefined, since));
  }
  return alerts;
}
