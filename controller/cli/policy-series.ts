// promtool's series notation for scenario files: `0.01x10 0.08x20`, `1+2x3`, `_`, `_x4`, plus words for
// failed queries (`err` = query_error, or any UnknownCause such as `timeout`) and `nan`/`inf`.
// As in promtool, `axn` expands to n+1 samples (a, then n more), while `_xn` / `errxn` give n.

import type { Sample, UnknownCause } from '../core/observation.js';

const CAUSES: readonly UnknownCause[] = [
  'unreachable',
  'timeout',
  'http_error',
  'bad_response',
  'query_error',
  'no_data',
  'not_finite',
  'several_series',
  'low_traffic',
];

function unknownWord(word: string): Sample | undefined {
  if (word === '_') return { kind: 'unknown', cause: 'no_data', detail: 'no data (scenario)' };
  if (word === 'err') return { kind: 'unknown', cause: 'query_error', detail: 'query failed (scenario)' };
  const cause = CAUSES.find((c) => c === word);
  return cause === undefined ? undefined : { kind: 'unknown', cause, detail: `${cause} (scenario)` };
}

function numberWord(word: string): number | undefined {
  const lower = word.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === 'inf' || lower === '+inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(word)) return undefined;
  return Number(word);
}

/** Expands one series string; throws with the offending token on a typo. */
export function expandSeries(text: string): Sample[] {
  const out: Sample[] = [];
  for (const token of text.trim().split(/\s+/).filter((t) => t !== '')) {
    const m = /^(.+)x(\d+)$/.exec(token);
    const base = m === null ? token : (m[1] as string);
    const times = m === null ? undefined : Number(m[2]);
    // `a+bxn`: a start and a step; a plain number (even 1e-5) has no step.
    const stepped = numberWord(base) === undefined ? /^(.+?)([-+][^-+]+)$/.exec(base) : null;
    const word = stepped === null ? base : (stepped[1] as string);
    const step = stepped === null ? undefined : (stepped[2] as string);
    const unknown = unknownWord(word);
    if (unknown !== undefined) {
      if (step !== undefined) throw new Error(`series token "${token}": ${word} cannot have a step`);
      for (let i = 0; i < (times ?? 1); i++) out.push(unknown);
      continue;
    }
    const start = numberWord(word);
    const delta = step === undefined ? 0 : numberWord(step);
    if (start === undefined || delta === undefined) throw new Error(`series token "${token}" is not a number, _, err, nan or an UnknownCause`);
    const count = times === undefined ? 1 : times + 1;
    for (let i = 0; i < count; i++) out.push({ kind: 'value', value: start + i * delta });
  }
  return out;
}
