// When a pause ends. A pause switches automation off, so it must be bounded: a forgotten pause would
// leave the service unguarded. The CLI checks the same rules before it sends anything.
import { parseDuration } from '../core/duration.js';

export const MIN_PAUSE_MS = 60_000;
export const MAX_PAUSE_MS = 7 * 86_400_000;

export type PauseWindow = { readonly ok: true; readonly untilMs: number } | { readonly ok: false; readonly message: string };

/** Exactly one of duration (`30m`, `2h`, `1h30m`, `1d`) or until (ISO 8601, in the future). */
export function pauseUntil(input: { readonly duration?: string | undefined; readonly until?: string | undefined }, nowMs: number): PauseWindow {
  const { duration, until } = input;
  if ((duration === undefined) === (until === undefined)) {
    return { ok: false, message: 'give exactly one of duration (e.g. "30m") or until (ISO 8601)' };
  }
  if (duration !== undefined) {
    const ms = /^([0-9]{1,6}(s|m|h|d))+$/.test(duration) ? parseDuration(duration) : undefined;
    if (ms === undefined) return { ok: false, message: `duration ${JSON.stringify(duration)} is not like 30m, 2h, 1h30m or 1d` };
    return bounded(ms, `duration ${duration}`, nowMs);
  }
  const untilText = until as string;
  const untilMs = Date.parse(untilText);
  if (!/^\d{4}-\d\d-\d\dT/.test(untilText) || Number.isNaN(untilMs)) {
    return { ok: false, message: `until ${JSON.stringify(untilText)} is not an ISO 8601 date-time` };
  }
  if (untilMs <= nowMs) return { ok: false, message: `until ${untilText} is not in the future` };
  return bounded(untilMs - nowMs, `until ${untilText}`, nowMs);
}

function bounded(ms: number, what: string, nowMs: number): PauseWindow {
  if (ms < MIN_PAUSE_MS) return { ok: false, message: `${what} is shorter than 1 minute` };
  if (ms > MAX_PAUSE_MS) return { ok: false, message: `${what} is longer than 7 days` };
  return { ok: true, untilMs: nowMs + ms };
}
