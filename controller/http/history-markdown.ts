// The seed guide's rollback history table (docs/rollback_history.md), rendered from history entries:
//   # Rollback History
//   | Date | Duration | Reason | Resolved | Notes |
import { escapeControl } from '../core/display-text.js';
import type { Evidence, Trigger } from '../core/index.js';
import type { HistoryEntryView } from '../ports/controller.js';
import { rollbackRows, type RollbackRow } from './rollback-rows.js';

export interface HistoryMarkdownOptions {
  /** The time "ongoing (1h 12min)" is measured to; the same input and `nowMs` give byte-identical output. */
  readonly nowMs?: number;
  /** Rollback ids active right now (the controller's status); see rollback-rows.ts. */
  readonly activeRollbackIds?: ReadonlySet<string>;
}

/**
 * One row per rollback, oldest first, with the seed's meaning: Date is when the rollback started, Duration
 * the time on the baseline up to the roll-forward (or "ongoing (…)"), Reason the policy reason with its
 * numbers, Resolved Yes (rolled forward) / No / ongoing, Notes the trigger, actor and outcome. Nothing in
 * it depends on the clock except an ongoing rollback's duration, in whole minutes past the first.
 */
export function historyMarkdown(entries: readonly HistoryEntryView[], options: HistoryMarkdownOptions = {}): string {
  const lines = ['# Rollback History', '', '| Date | Duration | Reason | Resolved | Notes |', '|------|----------|--------|----------|-------|'];
  const rows = rollbackRows(entries, { nowMs: options.nowMs ?? Date.now(), ...(options.activeRollbackIds === undefined ? {} : { activeRollbackIds: options.activeRollbackIds }) });
  for (const row of rows) {
    const cells = [minuteTime(row.rollback.startedAt), durationCell(row), cell(reasonWithNumbers(row.rollback)), RESOLVED[row.status], cell(rowNotes(row))];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (rows.length === 0) lines.push('| - | - | - | - | - |');
  return `${lines.join('\n')}\n`;
}

const RESOLVED = { rolled_forward: 'Yes', ongoing: 'ongoing', not_rolled_forward: 'No', never_on_baseline: 'No' } as const;

/** `2026-11-27 10:00 UTC`: the rollback's start (several can fall on one day). */
function minuteTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function durationCell(row: RollbackRow): string {
  if (row.baselineSeconds === null) return '-';
  if (row.status !== 'ongoing') return formatSeconds(row.baselineSeconds);
  // Whole minutes, so two runs in the same minute write the same bytes.
  const minutes = Math.floor(row.baselineSeconds / 60);
  return `ongoing (${minutes === 0 ? '<1min' : formatSeconds(minutes * 60)})`;
}

/** The policy reason and the numbers that made it fire, e.g. `high-error-rate: reasons.high-error-rate=0.4 > 0.05 for 6s`. */
export function reasonWithNumbers(entry: Pick<HistoryEntryView, 'reason' | 'trigger' | 'evidence'>): string {
  const numbers = evidenceText(entry.evidence);
  const reason = reasonText(entry);
  if (numbers !== '') return `${reason}: ${numbers}`;
  return entry.trigger.kind === 'webhook' ? `${reason} (alert ${entry.trigger.alertname})` : reason;
}

function rowNotes(row: RollbackRow): string {
  const rb = row.rollback;
  const parts = [triggerText(rb.trigger), rollbackOutcome(rb)];
  for (const failed of row.failedRollforwards) parts.push(`roll-forward ${minuteTime(failed.startedAt)} (${triggerText(failed.trigger)}) ${failed.result.replace('_', ' ')}${failed.notes === '' ? '' : `: ${failed.notes}`}`);
  if (row.rollforward !== null) {
    const rf = row.rollforward;
    const why = rf.trigger.kind === 'manual' && rf.trigger.reason !== '' ? `: ${rf.trigger.reason}` : '';
    parts.push(`rolled forward ${minuteTime(rf.endedAt ?? rf.startedAt)} (${triggerText(rf.trigger)})${why}`);
  }
  if (row.status === 'not_rolled_forward') parts.push('left the baseline without a Guardrail roll-forward');
  return parts.join('; ');
}

function rollbackOutcome(rb: HistoryEntryView): string {
  const took = rb.durationSeconds === null ? '' : ` in ${formatSeconds(rb.durationSeconds)}`;
  const notes = rb.notes === '' ? '' : `: ${rb.notes}`;
  switch (rb.result) {
    case 'succeeded':
      return `baseline verified${took}${notes}`;
    case 'in_progress':
      return 'switch in progress';
    case 'restored':
      return `switch failed, previous containers restored${notes}`;
    case 'failed':
      return `switch failed${notes}`;
    case 'partial':
      return `partly on the baseline${notes}`;
    case 'out_of_band':
      return `changed outside Guardrail${notes}`;
  }
}

/** Decision to verified switch: `10min`, `1h 5min`, `45s`; `-` while it is still running (no end yet). */
export function formatHistoryDuration(entry: Pick<HistoryEntryView, 'durationSeconds' | 'endedAt'>): string {
  if (entry.endedAt === null || entry.durationSeconds === null) return '-';
  return formatSeconds(entry.durationSeconds);
}

/** `45s`, `10min`, `1h 5min`, `25h`: the seed table's durations. */
export function formatSeconds(raw: number): string {
  const seconds = Math.max(0, Math.round(raw));
  if (seconds < 60) return `${seconds}s`;
  const totalMin = Math.round(seconds / 60);
  const hours = Math.floor(totalMin / 60);
  const minutes = totalMin % 60;
  if (hours === 0) return `${minutes}min`;
  return minutes === 0 ? `${hours}h` : `${hours}h ${minutes}min`;
}

/**
 * The Reason column: the policy reason, or for a free-text manual action the operator's own words (the
 * engine records such actions under the reason `manual` and keeps the text with the trigger).
 */
export function reasonText(entry: Pick<HistoryEntryView, 'reason' | 'trigger'>): string {
  return entry.trigger.kind === 'manual' && entry.reason === 'manual' ? entry.trigger.reason : entry.reason;
}

export function triggerText(trigger: Trigger): string {
  switch (trigger.kind) {
    case 'automatic':
      return 'automatic';
    case 'manual':
      return `manual by ${trigger.actor}`;
    case 'webhook':
      return `alert ${trigger.alertname}`;
  }
}

/** `error_ratio=0.12 > 0.05 for 5m`: the numbers behind an automatic decision. */
export function evidenceText(evidence: Evidence): string {
  return evidence.conditions
    .map((c) => `${c.conditionId}=${round(c.value)} ${c.comparison === 'above' ? '>' : '<'} ${round(c.threshold)} for ${Math.round(c.sustainedMs / 1000)}s`)
    .join(', ');
}

function round(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/**
 * A table cell: one line, no pipe that would split the row, no HTML a renderer would run or hide, and
 * every other control or bidi character (ESC, NUL, U+202E) shown escaped.
 */
function cell(text: string): string {
  const flat = escapeControl(text.replace(/[\r\n\t]+/g, ' ').replace(/\|/g, '\\|').replace(/</g, '&lt;').trim());
  return flat === '' ? '-' : flat;
}
