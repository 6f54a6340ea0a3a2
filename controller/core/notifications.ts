// Builders for every alert the engine raises. One place for names, severities and dedup keys so sinks
// and dashboards can rely on them (documented in docs/lifecycle.md).

import type { Alert, Severity } from './alert.js';
import type { ConditionEvidence, Evidence, NotifyCommand } from './commands.js';
import type { AlertRule, Policy } from './policy.js';
import type { HoldCause, RollbackRecord } from './state.js';

const HOUR_MS = 3_600_000;

function notify(alert: Alert): NotifyCommand {
  return { type: 'notify', alert };
}

function resolved(alert: Alert, nowMs: number): NotifyCommand {
  return notify({ ...alert, resolvedAtMs: nowMs });
}

function baseLabels(policy: Policy, extra: Record<string, string>): Record<string, string> {
  return { policy: policy.name, target: policy.target.name, ...extra };
}

export function describeEvidence(evidence: Evidence): string {
  const trigger =
    evidence.trigger.kind === 'manual'
      ? `manual by ${evidence.trigger.actor}: ${evidence.trigger.reason}`
      : evidence.trigger.kind === 'webhook'
        ? `Alertmanager alert ${evidence.trigger.alertname}`
        : 'automatic';
  const numbers = evidence.conditions.map(
    (c) =>
      `${c.conditionId}: ${c.value} ${c.comparison} ${c.threshold} for ${c.sustainedMs / 1000}s` +
      ` (for ${c.forMs / 1000}s) — ${c.query}`,
  );
  return [`reason ${evidence.reason} (${trigger})`, ...numbers].join('\n');
}

export function rollbackStartedAlert(policy: Policy, record: RollbackRecord, evidence: Evidence): Alert {
  return {
    dedupKey: `rollback-started:${policy.target.name}:${record.rollbackId}`,
    name: 'GuardrailRollbackStarted',
    severity: 'info',
    target: policy.target.name,
    summary: `Rolling ${policy.target.name} back to ${policy.target.rollbackValue}: ${record.reason}`,
    description: describeEvidence(evidence),
    labels: baseLabels(policy, { reason: record.reason, rollbackId: record.rollbackId, trigger: record.trigger.kind }),
    startsAtMs: record.startedAtMs,
  };
}

/** `n` = 1 for the warning at warnAfter, 2 one warnEvery later, ... Each repeat is its own alert. */
export function rollbackLastingAlert(policy: Policy, record: RollbackRecord, n: number, nowMs: number): Alert {
  const lastedMs = nowMs - record.startedAtMs;
  const hours = (lastedMs / HOUR_MS).toFixed(1);
  return {
    dedupKey: `rollback-lasting:${policy.target.name}:${record.rollbackId}:${n}`,
    name: 'GuardrailRollbackLasting',
    severity: 'warning',
    target: policy.target.name,
    summary: `${policy.target.name} has been on ${policy.target.rollbackValue} for ${hours} h`,
    description:
      `Rollback ${record.rollbackId} (${record.reason}) started at ${new Date(record.startedAtMs).toISOString()}. ` +
      `Fix the model and roll forward, or keep it on purpose. Repeats every ${policy.warnEveryMs / 60_000} min.`,
    labels: baseLabels(policy, { rollbackId: record.rollbackId, repeat: String(n) }),
    startsAtMs: nowMs,
  };
}

/** What happens next after an incomplete attempt: the retry's time, or that a human must act. */
function nextStep(record: RollbackRecord): string {
  const attempt = record.attempts ?? 1;
  if (record.retryAtMs === undefined || record.retryAtMs === null) return `Attempt ${attempt} was the last: a human must act.`;
  return `Attempt ${attempt}; attempt ${attempt + 1} at ${new Date(record.retryAtMs).toISOString()}.`;
}

export function rollbackFailedAlert(policy: Policy, record: RollbackRecord, error: string, nowMs: number): Alert {
  return {
    dedupKey: `rollback-failed:${policy.target.name}:${record.rollbackId}`,
    name: 'GuardrailRollbackFailed',
    severity: 'critical',
    target: policy.target.name,
    summary: `Rollback of ${policy.target.name} to ${policy.target.rollbackValue} FAILED: ${error}`,
    description: `Rollback ${record.rollbackId} (${record.reason}) reached no service. ${nextStep(record)}`,
    labels: baseLabels(policy, { rollbackId: record.rollbackId, reason: record.reason }),
    startsAtMs: nowMs,
  };
}

/** Some services serve the rollback value (they stay there), the others do not: named with their causes. */
export function rollbackPartialAlert(policy: Policy, record: RollbackRecord, nowMs: number): Alert {
  const services = record.services ?? [];
  const failed = services.filter((s) => !s.onValue);
  const reached = services.filter((s) => s.onValue).map((s) => s.service);
  return {
    dedupKey: `rollback-partial:${policy.target.name}:${record.rollbackId}`,
    name: 'GuardrailRollbackPartial',
    severity: 'critical',
    target: policy.target.name,
    summary:
      `Rollback of ${policy.target.name} INCOMPLETE: ${failed.map((s) => `${s.service} not on ${policy.target.rollbackValue} (${s.detail})`).join('; ')}`,
    description:
      `Rollback ${record.rollbackId} (${record.reason}): ${reached.join(', ') || 'no service'} serve ${policy.target.rollbackValue} and stay there. ` +
      nextStep(record),
    labels: baseLabels(policy, { rollbackId: record.rollbackId, reason: record.reason }),
    startsAtMs: nowMs,
  };
}

/** The open CRITICAL of an incomplete rollback, resolved (the rollback completed, or ended). */
export function resolveIncomplete(policy: Policy, record: RollbackRecord, nowMs: number): NotifyCommand[] {
  if (record.incompleteAlert === 'partial') return [resolved(rollbackPartialAlert(policy, record, nowMs), nowMs)];
  if (record.incompleteAlert === 'failed') return [resolved(rollbackFailedAlert(policy, record, 'resolved', nowMs), nowMs)];
  return [];
}

/** A change Guardrail did not make, found in what runs. */
export function outOfBandAlert(policy: Policy, what: string, nowMs: number): Alert {
  return {
    dedupKey: `out-of-band:${policy.target.name}:${nowMs}`,
    name: 'GuardrailOutOfBandChange',
    severity: 'warning',
    target: policy.target.name,
    summary: `${policy.target.name} was changed outside Guardrail: ${what}`,
    description:
      'Recorded in history (actor out-of-band). Guardrail now guards what runs with the usual rules: a model ' +
      'that breaches is rolled back after `for`, within the limits.',
    labels: baseLabels(policy, { actor: 'out-of-band', since: String(nowMs) }),
    startsAtMs: nowMs,
  };
}

export function rollforwardFailedAlert(policy: Policy, record: RollbackRecord, error: string, nowMs: number): Alert {
  return {
    dedupKey: `rollforward-failed:${policy.target.name}:${record.rollbackId}`,
    name: 'GuardrailRollforwardFailed',
    severity: 'critical',
    target: policy.target.name,
    summary: `Roll-forward of ${policy.target.name} to ${policy.target.normalValue ?? policy.target.verify.absentVariant} FAILED: ${error}`,
    description: `Still on ${policy.target.rollbackValue} (rollback ${record.rollbackId}).`,
    labels: baseLabels(policy, { rollbackId: record.rollbackId }),
    startsAtMs: nowMs,
  };
}

export function rolledForwardAlert(policy: Policy, record: RollbackRecord, evidence: Evidence, nowMs: number): Alert {
  return {
    dedupKey: `rolled-forward:${policy.target.name}:${record.rollbackId}`,
    name: 'GuardrailRolledForward',
    severity: 'info',
    target: policy.target.name,
    summary: `${policy.target.name} is back on ${policy.target.normalValue ?? policy.target.verify.absentVariant}`,
    description: describeEvidence(evidence),
    labels: baseLabels(policy, { rollbackId: record.rollbackId, trigger: evidence.trigger.kind }),
    startsAtMs: nowMs,
  };
}

/** The rollback did not help: a good reason keeps firing on the baseline (see baseline-breach.ts). */
export function baselineBreachAlert(policy: Policy, record: RollbackRecord, conditions: readonly ConditionEvidence[], sinceMs: number): Alert {
  const reason = record.baselineBreach?.reason ?? 'unknown';
  const evidence: Evidence = { policy: policy.name, reason, trigger: { kind: 'automatic' }, conditions, atMs: sinceMs };
  return {
    dedupKey: `baseline-breaching:${policy.target.name}:${record.rollbackId}`,
    name: 'GuardrailBaselineBreaching',
    severity: 'critical',
    target: policy.target.name,
    summary: `${policy.target.name} still breaches ${reason} on ${policy.target.rollbackValue}: the rollback did not help — investigate the baseline`,
    description:
      `Rollback ${record.rollbackId} (${record.reason}) was verified, but ${reason} keeps firing on the baseline ` +
      `(its for and its query window have passed since). Rolling back again cannot help: check the baseline ` +
      `model, its dependencies and the input data.\n${describeEvidence(evidence)}`,
    labels: baseLabels(policy, { rollbackId: record.rollbackId, reason }),
    startsAtMs: sinceMs,
  };
}

/** Commands that close a rollback's open alerts: the start notice, the latest lasting warning, a baseline breach. */
export function resolveRollbackAlerts(policy: Policy, record: RollbackRecord, evidence: Evidence, nowMs: number): NotifyCommand[] {
  const out = [resolved(rollbackStartedAlert(policy, record, evidence), nowMs)];
  if (record.warningsSent > 0) {
    out.push(resolved(rollbackLastingAlert(policy, record, record.warningsSent, nowMs), nowMs));
  }
  if (record.baselineBreach !== undefined) out.push(resolved(baselineBreachAlert(policy, record, [], record.baselineBreach.sinceMs), nowMs));
  return out;
}

export function blindAlert(policy: Policy, sinceMs: number, detail: string): Alert {
  return {
    dedupKey: `blind:${policy.target.name}`,
    name: 'GuardrailBlind',
    severity: 'warning',
    target: policy.target.name,
    summary: `Guardrail is blind for ${policy.target.name}: ${policy.evaluation.blindAfter} ticks without data`,
    description: `No automatic rollback can happen while the metrics are unknown. ${detail}`,
    labels: baseLabels(policy, {}),
    startsAtMs: sinceMs,
  };
}

const HOLD_SEVERITY: Record<HoldCause, Severity> = { veto: 'warning', cooldown: 'warning', rate_limit: 'critical' };

export function holdAlert(policy: Policy, cause: HoldCause, reason: string, detail: string, sinceMs: number): Alert {
  return {
    dedupKey: `rollback-held:${policy.target.name}:${cause}`,
    name: 'GuardrailRollbackHeld',
    severity: HOLD_SEVERITY[cause],
    target: policy.target.name,
    summary: `Automatic rollback of ${policy.target.name} held (${cause}): ${detail}`,
    description: `Reason ${reason} is sustained, but the rollback is held: ${detail}. Roll back by hand if needed.`,
    labels: baseLabels(policy, { cause, reason }),
    startsAtMs: sinceMs,
  };
}

export function ruleAlert(policy: Policy, rule: AlertRule, value: number | undefined, sinceMs: number): Alert {
  const seen = value === undefined ? '' : ` (value ${value}, ${rule.condition.comparison} ${rule.condition.threshold})`;
  return {
    dedupKey: `rule:${policy.target.name}:${rule.name}`,
    name: rule.name,
    severity: rule.severity,
    target: policy.target.name,
    summary: rule.summary,
    description: `${rule.description}${seen}\nquery: ${rule.condition.query}`,
    labels: baseLabels(policy, { rule: rule.name, ...rule.labels }),
    startsAtMs: sinceMs,
  };
}

export { notify, resolved };
