// The seed guide's rollback history table (docs/rollback_history.md), rendered from history entries:
//   # Rollback History
//   | Date | Duration | Reason | Resolved | Notes |
import { escapeControl } from '../core/display-text.js';
import type { Evidence, Trigger } from '../core/index.js';
import type { HistoryEntryView } from '../ports/controller.js';

export function historyMarkdown(entries: readonly HistoryEntryView[]): string {
  const lines = ['# Rollback History', '', '| Date | Duration | Reason | Resolved | Notes |', '|------|----------|--------|----------|-------|'];
  for (const e of entries) {
    const cells = [e.startedAt.slice(0, 10), formatHistoryDuration(e), cell(reasonText(e)), isResolved(e) ? 'Yes' : 'No', cell(notesOf(e))];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  if (entries.length === 0) lines.push('| - | - | - | - | - |');
  return `${lines.join('\n')}\n`;
}

/** Decision to verified switch: `10min`, `1h 5min`, `45s`; `-` while it is still running (no end yet). */
export function formatHistoryDuration(entry: Pick<HistoryEntryView, 'durationSeconds' | 'endedAt'>): string {
  if (entry.endedAt === null || entry.durationSeconds === null) return '-';
  const seconds = Math.max(0, Math.round(entry.durationSeconds));
  if (seconds < 60) return `${seconds}s`;
  const totalMin = Math.round(seconds / 60);
  const hours = Math.floor(totalMin / 60);
  const minutes = totalMin % 60;
  if (hours === 0) return `${minutes}min`;
  return minutes === 0 ? `${hours}h` : `${hours}h ${minutes}min`;
}

/**
 * The switch completed and was verified. `restored` is not resolved: the switch failed and the previous
 * container was put back, so the service still runs what it ran before and a human must look.
 */
export function isResolved(entry: Pick<HistoryEntryView, 'endedAt' | 'result'>): boolean {
  return entry.endedAt !== null && entry.result === 'succeeded';
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

function notesOf(e: HistoryEntryView): string {
  const parts = [e.action === 'rollforward' ? 'roll-forward' : null, triggerText(e.trigger), e.result.replace('_', ' '), evidenceText(e.evidence), e.notes];
  return parts.filter((p): p is string => p !== null && p !== '').join('; ');
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
