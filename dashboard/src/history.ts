// The history table with the columns of the seed's rollback history: when, what, why, how long, result.
import type { HistoryEntryView } from '../../controller/ports/controller.js';
import { el } from './dom.js';
import { dateTime, duration } from './format.js';

function trigger(e: HistoryEntryView): string {
  if (e.trigger.kind === 'manual') return `manual by ${e.trigger.actor}: ${e.trigger.reason}`;
  if (e.trigger.kind === 'webhook') return `alert ${e.trigger.alertname}`;
  return 'automatic';
}

function evidence(e: HistoryEntryView): string {
  return e.evidence.conditions
    .map(
      (c) =>
        `${c.conditionId} ${Number(c.value.toPrecision(4))} ${c.comparison === 'above' ? '>' : '<'} ${c.threshold}`,
    )
    .join('; ');
}

export function historyTable(entries: readonly HistoryEntryView[], total: number): HTMLElement {
  if (entries.length === 0) return el('p', { class: 'muted' }, 'No rollback or roll-forward yet.');
  const head = el(
    'tr',
    {},
    ...['started', 'target', 'action', 'trigger', 'reason', 'duration', 'result', 'notes'].map((h) =>
      el('th', {}, h),
    ),
  );
  const rows = entries.map((e) =>
    el(
      'tr',
      { 'data-history': e.id, class: `result-${e.result}` },
      el('td', {}, dateTime(e.startedAt)),
      el('td', {}, e.target),
      el('td', {}, e.action),
      el('td', {}, trigger(e)),
      el('td', {}, e.reason, el('br'), el('span', { class: 'muted' }, evidence(e))),
      el('td', { class: 'num' }, e.durationSeconds === null ? 'ongoing' : duration(e.durationSeconds)),
      el('td', {}, e.result.replace('_', ' ')),
      el('td', { class: 'cause' }, e.notes),
    ),
  );
  const more =
    total > entries.length
      ? el('p', { class: 'muted' }, `Newest ${entries.length} of ${total}: GET /api/v1/history for the rest.`)
      : null;
  return el(
    'div',
    {},
    el('table', { class: 'history' }, el('thead', {}, head), el('tbody', {}, ...rows)),
    more,
  );
}
