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
    e.reason.replace(/\s+/g, ' '),
  ]);
  const table = textTable(['STARTED', 'TARGET', 'ACTION', 'DURATION', 'RESULT', 'TRIGGER', 'REASON'], rows);
  const shown = `${page.offset + 1}-${page.offset + page.entries.length} of ${page.total}`;
  return `${table}\n(${shown})`;
}
