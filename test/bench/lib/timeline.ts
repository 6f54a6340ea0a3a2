import type { LoadResult } from './load.js';

// Reading a load run's per-100 ms buckets: when did clients see the error rate fall back under a bound.

/**
 * The end of the last 1 s window (sliding by 100 ms, send times from `fromMs` on) whose error rate is at or
 * over `bound`: from then on every 1 s window the load saw is under it. `fromMs` itself when none is.
 */
export function errorRateBackUnder(load: LoadResult, bound: number, fromMs: number): number {
  const buckets = new Map(load.buckets.map(([at, sent, failed]) => [at, { sent, failed }]));
  let recovered = fromMs;
  const first = Math.floor(fromMs / 100) * 100;
  const lastStart = load.endedAt - 1000;
  for (let start = first; start <= lastStart; start += 100) {
    let sent = 0;
    let failed = 0;
    for (let at = start; at < start + 1000; at += 100) {
      const b = buckets.get(at);
      sent += b?.sent ?? 0;
      failed += b?.failed ?? 0;
    }
    if (sent > 0 && failed / sent >= bound) recovered = start + 1000;
  }
  return recovered;
}

/**
 * Send time of the first 5xx answer (or of the first error of a kind matching `kinds`): the moment the faulty
 * model started hurting clients.
 */
export function firstServerErrorAt(load: LoadResult, kinds: RegExp = /^http_5\d\d$/): number | undefined {
  const times = Object.entries(load.firstErrorAt)
    .filter(([kind]) => kinds.test(kind))
    .map(([, at]) => at);
  return times.length === 0 ? undefined : Math.min(...times);
}
