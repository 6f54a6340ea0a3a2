// `guardrail status` as text: one row per target, then what an operator needs to act on: the active
// rollback and its age, whether the baseline breaches too, webhook triggers held for now, the pause and its
// expiry, a held-back rollback, the last verdicts (value vs threshold, verdict, `for` progress), the shadow
// candidate and its roll-forward gate, the last error.
import type { Verdict } from '../core/index.js';
import type { CandidateView, ShadowView, TargetStatusView } from '../ports/controller.js';
import { triggerText } from '../http/history-markdown.js';
import { escapeControl } from '../core/display-text.js';
import { humanDuration, shortTime, textTable } from './text-table.js';

export function formatStatus(targets: readonly TargetStatusView[], nowMs: number): string {
  if (targets.length === 0) return 'No targets: no policy is loaded.';
  const rows = targets.map((t) => [
    t.target,
    t.phase,
    t.variant ?? '(default)',
    t.rollback === null ? '-' : `${t.rollback.reason} (${humanDuration(t.rollback.ageSeconds)} ago)`,
    t.pause === null ? '-' : `until ${shortTime(t.pause.until)}`,
    t.inFlight === null ? '-' : `${t.inFlight.kind} ${t.inFlight.id} (${t.inFlight.status})`,
  ]);
  const table = textTable(['TARGET', 'PHASE', 'VARIANT', 'ROLLBACK', 'PAUSE', 'IN FLIGHT'], rows);
  // Each detail line is one line: a newline or ESC inside a reason or detail is shown escaped.
  const details = targets.flatMap((t) => detailLines(t, nowMs)).map((line) => escapeControl(line));
  return details.length === 0 ? table : `${table}\n\n${details.join('\n')}`;
}

function detailLines(t: TargetStatusView, nowMs: number): string[] {
  const lines = [`${t.target} (policy ${t.policy}), ${t.phase} since ${shortTime(t.phaseSince)}`];
  if (t.rollback !== null) {
    lines.push(`  rollback ${t.rollback.id}: ${t.rollback.reason}, ${triggerText(t.rollback.trigger)}, started ${shortTime(t.rollback.startedAt)} (${humanDuration(t.rollback.ageSeconds)} ago)`);
    for (const s of t.rollback.services) lines.push(`    ${s.service}: ${s.onValue ? 'on the rollback value' : 'NOT on the rollback value'}: ${s.detail}`);
    if (t.rollback.nextAttemptAt !== null) lines.push(`    attempt ${t.rollback.attempts + 1} at ${shortTime(t.rollback.nextAttemptAt)}`);
  }
  for (const s of t.services) lines.push(`  ${s.service} runs ${s.known ? (s.value ?? '(variable absent)') : 'UNKNOWN'} (since ${shortTime(s.since)}): ${s.detail}`);
  if (t.canAct !== null && !t.canAct.ok) lines.push(`  CANNOT ACT since ${shortTime(t.canAct.since)}: ${t.canAct.detail}`);
  const baselineBreach = t.rollback === null ? null : t.rollback.baselineBreach;
  if (baselineBreach !== null) {
    const since = baselineBreach.since;
    lines.push(`  baseline breaches too: ${baselineBreach.reason} since ${shortTime(since)} (${humanDuration((nowMs - Date.parse(since)) / 1000)}): the rollback did not help; check the baseline and its inputs`);
  }
  for (const h of t.heldTriggers) {
    lines.push(`  held webhook trigger ${h.alertname} (reason ${h.reason}) since ${shortTime(h.since)} (${humanDuration((nowMs - Date.parse(h.since)) / 1000)}): ${h.why}`);
  }
  if (t.pause !== null) {
    const left = (Date.parse(t.pause.until) - nowMs) / 1000;
    lines.push(`  paused by ${t.pause.actor} until ${shortTime(t.pause.until)} (${left > 0 ? `${humanDuration(left)} left` : 'expired'}): ${t.pause.reason}`);
  }
  if (t.hold !== null) lines.push(`  automatic rollback held (${t.hold.cause}) since ${shortTime(t.hold.since)}: ${t.hold.detail}`);
  if (t.lastEvaluation === null) lines.push('  last evaluation: none yet');
  else {
    const age = (nowMs - Date.parse(t.lastEvaluation.at)) / 1000;
    lines.push(`  last evaluation ${shortTime(t.lastEvaluation.at)} (${humanDuration(age)} ago):`);
    const verdictRows = t.lastEvaluation.verdicts.map(verdictRow);
    if (verdictRows.length > 0) lines.push(...textTable(['CONDITION', 'VERDICT', 'VALUE', 'SUSTAINED'], verdictRows).split('\n').map((l) => `    ${l}`));
  }
  for (const s of t.standbys) {
    const container = s.container === null ? '' : ` (${s.container})`;
    lines.push(`  warm standby of ${s.service}: ${s.state}${container}, checked ${shortTime(s.checkedAt)}: ${s.detail}`);
  }
  if (t.shadow !== null && t.shadow !== undefined) lines.push(...shadowLines(t.shadow));
  if (t.lastError !== null) lines.push(`  last error: ${t.lastError}`);
  return lines;
}

const VERDICT_TEXT = { ok: 'OK', breach: 'BREACH', unknown: 'UNKNOWN', not_judged: 'not judged' } as const;

/** The ML candidate in shadow, the gate's verdict and `for` progress, and each bound against its threshold. */
function shadowLines(s: ShadowView): string[] {
  const candidate = s.candidate === null ? '' : ` ${s.candidate}`;
  const rollforward = s.mode === 'automatic' ? 'rolls forward on its own once passed' : 'manual roll-forward';
  const since = s.since === null ? '' : ` since ${shortTime(s.since)}`;
  const lines = [
    `  shadow candidate${candidate}: ${s.state} (${s.detail})`,
    `  roll-forward gate: ${VERDICT_TEXT[s.verdict]}${since}, passing ${humanDuration(s.passingSeconds)}/${humanDuration(s.forSeconds)} (${rollforward})`,
    ...candidateSpecLines(s.candidateSpec ?? null),
  ];
  if (s.bounds.length === 0) return lines;
  const rows = s.bounds.map((b) => {
    if (b.status === 'unknown') return [b.bound, 'UNKNOWN', `${b.cause ?? 'unknown'}${b.detail === null ? '' : `: ${b.detail}`}`];
    // The candidate bound (core/gate.ts) has no measured value: it says in words why the candidate is not judged.
    if (b.bound === 'candidate') return [b.bound, VERDICT_TEXT[b.status], b.detail ?? ''];
    const op = b.comparison === 'above' ? (b.status === 'breach' ? '>' : '<=') : b.status === 'breach' ? '<' : '>=';
    return [b.bound, VERDICT_TEXT[b.status], `${formatNumber(b.value ?? undefined)} ${op} ${formatNumber(b.threshold)}`];
  });
  return [...lines, ...textTable(['BOUND', 'VERDICT', 'VALUE'], rows).split('\n').map((l) => `    ${l}`)];
}

/** The operator's candidate (`rollforward --candidate`), if one was set: what it runs, who set it, whether it serves. */
function candidateSpecLines(c: CandidateView | null): string[] {
  if (c === null) return [];
  const parts = [...(c.image === null ? [] : [`image ${c.image}`]), ...Object.entries(c.env).map(([k, v]) => `${k}=${v}`)].join(', ');
  const where = c.promotedAt === null ? 'in shadow, gated before it serves' : `promoted ${shortTime(c.promotedAt)}, serves`;
  return [escapeControl(`  candidate: ${parts} (set by ${c.setBy} ${shortTime(c.setAt)}: ${c.reason}; ${where})`)];
}

function verdictRow(v: Verdict): string[] {
  const op = v.comparison === 'above' ? '>' : '<';
  if (v.status === 'unknown') return [v.conditionId, 'UNKNOWN', `${v.cause ?? 'unknown'}${v.detail === undefined ? '' : `: ${v.detail}`}`, '-'];
  const value = `${formatNumber(v.value)} ${v.status === 'breach' ? op : op === '>' ? '<=' : '>='} ${formatNumber(v.threshold)}`;
  const sustained = v.status === 'breach' ? `${humanDuration(v.sustainedMs / 1000)}/${humanDuration(v.forMs / 1000)}${v.sustained ? ' (sustained)' : ''}` : '-';
  return [v.conditionId, v.status === 'breach' ? 'BREACH' : 'OK', value, sustained];
}

function formatNumber(value: number | undefined): string {
  if (value === undefined) return '?';
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}
