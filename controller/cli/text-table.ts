// Plain aligned columns for terminal output (no colours, no box drawing: it must survive pipes and logs).
import { escapeControl } from '../core/display-text.js';

export function textTable(header: readonly string[], rawRows: readonly (readonly string[])[]): string {
  // Each cell on one line, shown as text (terminal.ts): escaped before the widths are measured.
  const rows = rawRows.map((r) => r.map((c) => escapeControl(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `45s`, `12m`, `3h 5m`, `2d 4h`: how long ago / how long left, for humans. */
export function humanDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

/** `2026-11-27 09:00:00Z` from an ISO time (seconds precision, UTC). */
export function shortTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
