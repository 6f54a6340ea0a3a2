// Numbers and durations as an on-call engineer reads them.

export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

export function secondsBetween(fromIso: string, toMs: number): number {
  return (toMs - Date.parse(fromIso)) / 1000;
}

export function value(v: number | undefined | null): string {
  if (v === undefined || v === null) return '—';
  if (v === 0 || Math.abs(v) >= 1000) return String(Math.round(v * 100) / 100);
  return String(Number(v.toPrecision(4)));
}

export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function dateTime(iso: string): string {
  const d = new Date(iso);
  return `${d.toLocaleDateString()} ${clock(iso)}`;
}

/** `reasons.high-error-rate` → `high-error-rate` with its kind apart. */
export function conditionName(conditionId: string): { kind: string; name: string } {
  const dot = conditionId.indexOf('.');
  return dot < 0
    ? { kind: '', name: conditionId }
    : { kind: conditionId.slice(0, dot), name: conditionId.slice(dot + 1) };
}
