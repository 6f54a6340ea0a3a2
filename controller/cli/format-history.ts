// `guardrail history` as text (the markdown table comes from the server with --markdown).
import type { HistoryEntryView } from '../ports/controller.js';
import { formatHistoryDuration, triggerText } from '../http/history-markdown.js';
import { shortTime, textTable } from './text-table.js';

export function formatHistory(page: { readonly entries: readonly HistoryEntryView[]; readonly total: number; readonly offset: number }): string {
  if (page.entries.length === 0) return page.total === 0 ? 'No rollbacks recorded.' : `No entries at offset ${page.offset} (total ${page.total}).`;
  const rows = page.entries.map((e) => [
    shortTime(e.startedAt),
    e.target,
    e.action,
    formatHistoryDuration(e),
    e.result,
    triggerText(e.trigger),
    `${e.reason.replace(/\s+/g, ' ')}${candidateText(e.candidate)}`,
  ]);
  const table = textTable(['STARTED', 'TARGET', 'ACTION', 'DURATION', 'RESULT', 'TRIGGER', 'REASON'], rows);
  const shown = `${page.offset + 1}-${page.offset + page.entries.length} of ${page.total}`;
  return `${table}\n(${shown})`;
}

/** A candidate set or promoted (issue #19), after the reason: ` [candidate image …, KEY=VALUE]`. */
function candidateText(c: HistoryEntryView['candidate']): string {
  if (c === undefined) return '';
  return ` [candidate ${[...(c.image === null ? [] : [c.image]), ...Object.entries(c.env).map(([k, v]) => `${k}=${v}`)].join(', ')}]`;
}
