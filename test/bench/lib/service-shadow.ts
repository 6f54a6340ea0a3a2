import { createServer } from 'node:http';
import { startService } from '../../integration/service/service-process.js';
import { close, listen } from '../../helpers/http-recorder.js';
import type { Row } from './service-report.js';
import { quantile, type ShadowReading } from './service-metrics.js';

// bench:service's shadow rows (BENCH_SERVICE_TARGETS=…,shadow): what mirroring costs the serving process.
// The baseline serves at 1000 rps three times, one after the other in the same run: without mirroring,
// mirroring 100% to an ML candidate process (another port, same machine, so it competes for the same 2
// cores as a shadow container would), and mirroring to a candidate that accepts connections and never
// answers (the hung candidate; SHADOW_TIMEOUT_MS and SHADOW_MAX_IN_FLIGHT at their defaults).

export const SHADOW_TARGETS = {
  off: 'node baseline (no shadow)',
  ml: 'node baseline+shadow ml',
  hung: 'node baseline+shadow hung',
} as const;

/** Warm-up, then the 1000 rps scenario against the service at `url`; one row. */
export type MeasureAt1000 = (target: string, url: string, pid: number | undefined) => Promise<Row>;

async function baselineRow(target: string, env: Record<string, string>, measure: MeasureAt1000): Promise<Row> {
  const service = startService({ MODEL_VARIANT: 'baseline', SHUTDOWN_DRAIN_MS: '0', ...env });
  try {
    return await measure(target, await service.listening(), service.child.pid);
  } finally {
    await service.kill();
  }
}

export async function runShadowRows(measure: MeasureAt1000): Promise<Row[]> {
  const rows = [await baselineRow(SHADOW_TARGETS.off, {}, measure)];
  const candidate = startService({ MODEL_VARIANT: 'ml', SHUTDOWN_DRAIN_MS: '0' });
  try {
    rows.push(await baselineRow(SHADOW_TARGETS.ml, { SHADOW_URL: await candidate.listening() }, measure));
  } finally {
    await candidate.kill();
  }
  const hung = createServer(() => undefined);
  const port = await listen(hung);
  try {
    rows.push(await baselineRow(SHADOW_TARGETS.hung, { SHADOW_URL: `http://127.0.0.1:${port}` }, measure));
  } finally {
    await close(hung);
  }
  return rows;
}

/** The columns appended to the table when a row mirrors (in this order). */
export const SHADOW_COLUMNS = ['shadow ok', 'shadow error', 'shadow timeout', 'shadow unreachable', 'shadow dropped', 'shadow p95 ms', 'shadow agreement'] as const;

export function shadowCells(shadow: ShadowReading | undefined): string[] {
  if (shadow === undefined) return SHADOW_COLUMNS.map(() => '-');
  const c = shadow.counts;
  const p95 = quantile(shadow.duration, 0.95);
  const compared = c.agree + c.differ;
  return [
    String(c.ok),
    String(c.error),
    String(c.timeout),
    String(c.unreachable),
    String(c.dropped),
    Number.isNaN(p95) ? 'n/a' : (p95 * 1000).toFixed(2),
    compared === 0 ? 'n/a' : (c.agree / compared).toFixed(3),
  ];
}

/** The shadow rows side by side: the served P95 with mirroring off and on. */
export function shadowSideBySide(rows: readonly Row[]): void {
  const [off, ml, hung] = [SHADOW_TARGETS.off, SHADOW_TARGETS.ml, SHADOW_TARGETS.hung].map((t) => rows.find((r) => r.target === t));
  if (off === undefined || ml === undefined || hung === undefined) return;
  const us = (x: number): string => (Number.isNaN(x) ? 'n/a' : (x * 1e6).toFixed(1));
  const serverMean = (r: Row): number => (r.server.request.count > 0 ? r.server.request.sum / r.server.request.count : Number.NaN);
  const line = (what: string, f: (r: Row) => string): void => console.log(`| ${what} | ${f(off)} | ${f(ml)} | ${f(hung)} |`);
  console.log('\nShadow mirroring side by side (this run; the baseline serves, 1000 rps):');
  console.log(`| at 1000 rps | ${SHADOW_TARGETS.off} | ${SHADOW_TARGETS.ml} | ${SHADOW_TARGETS.hung} |\n|---|---:|---:|---:|`);
  line('client p50 ms', (r) => r.p50.toFixed(2));
  line('client p95 ms', (r) => r.p95.toFixed(2));
  line('client p95 ms, change from no shadow', (r) => (r === off ? '—' : `${r.p95 - off.p95 >= 0 ? '+' : ''}${(r.p95 - off.p95).toFixed(2)}`));
  line('client p99 ms', (r) => r.p99.toFixed(2));
  line('non-2xx + errors', (r) => String(r.non2xx + r.errors));
  line('server-side request mean µs', (r) => us(serverMean(r)));
  line('serving process CPU µs/request', (r) => r.cpuUsPerRequest.toFixed(1));
  line('mirrors ok / error / timeout / unreachable / dropped', (r) => (r.server.shadow === undefined ? '—' : shadowCells(r.server.shadow).slice(0, 5).join(' / ')));
  line('candidate p95 ms (shadow histogram)', (r) => (r.server.shadow === undefined ? '—' : (shadowCells(r.server.shadow)[5] ?? 'n/a')));
}
