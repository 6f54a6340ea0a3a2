// Exact time: an evaluation interval runs exactly as written, or the policy is refused. node-cron fires on
// the wall clock's grid (UTC), so an interval must be a whole number of seconds that divides a minute, of
// minutes that divides an hour, or of hours that divides a day; anything else (90 s, 7 s, 45 m) would be
// bent at the grid's edge (90 s ran every 2 min). Pure: the policy loader refuses, the scheduler uses it.

export type Schedule = { readonly expression: string } | { readonly problem: string };

const SEC = 1_000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;

function divisors(of: number, unit: string): string {
  const list: number[] = [];
  for (let d = 1; d <= of; d++) if (of % d === 0) list.push(d);
  return list.map((d) => `${d}${unit}`).join(', ');
}

/** The six-field (seconds) cron expression that fires exactly every `intervalMs`, or why none does. */
export function scheduleFor(intervalMs: number): Schedule {
  if (!Number.isFinite(intervalMs) || intervalMs <= 0) return { problem: 'must be above 0' };
  if (intervalMs % SEC !== 0) return { problem: `must be a whole number of seconds (use one of ${divisors(60, 's')})` };
  if (intervalMs < MIN) {
    const seconds = intervalMs / SEC;
    if (60 % seconds !== 0) return { problem: `${seconds}s does not divide a minute, so it cannot run exactly on the clock: use one of ${divisors(60, 's')}, or whole minutes` };
    return { expression: `*/${seconds} * * * * *` };
  }
  if (intervalMs < HOUR) {
    const minutes = intervalMs / MIN;
    if (!Number.isInteger(minutes) || 60 % minutes !== 0) return { problem: `${intervalMs / SEC}s is not a number of minutes that divides an hour: use one of ${divisors(60, 'm')}` };
    return { expression: `0 */${minutes} * * * *` };
  }
  const hours = intervalMs / HOUR;
  if (!Number.isInteger(hours) || 24 % hours !== 0) return { problem: `${intervalMs / MIN}m is not a number of hours that divides a day: use one of ${divisors(24, 'h')}` };
  return { expression: `0 0 */${hours} * * *` };
}
