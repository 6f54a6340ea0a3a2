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

/**
 * Expands the values of one promtool `input_series` entry: numbers (with `nan`, `inf`), `a+bxn` / `a-bxn`
 * / `axn` (n+1 values), `_` / `_xn` (no sample; n of them). `null` is "no sample at this step". `stale`
 * is the same as `_` here: the replay's lookback is under one step, so a missing sample already makes the
 * series vanish from instant queries at that step, as a staleness marker does in production.
 */
export function expandInputValues(text: string): (number | null)[] {
  const out: (number | null)[] = [];
  for (const token of text.trim().split(/\s+/).filter((t) => t !== '')) {
    const m = /^(.+)x(\d+)$/.exec(token);
    const base = m === null ? token : (m[1] as string);
    const times = m === null ? undefined : Number(m[2]);
    if (base === '_' || base === 'stale') {
      for (let i = 0; i < (times ?? 1); i++) out.push(null);
      continue;
    }
    const stepped = numberWord(base) === undefined ? /^(.+?)([-+][^-+]+)$/.exec(base) : null;
    const start = numberWord(stepped === null ? base : (stepped[1] as string));
    const delta = stepped === null ? 0 : numberWord(stepped[2] as string);
    if (start === undefined || delta === undefined) throw new Error(`value "${token}" is not a number, a+bxn, axn, _ or _xn`);
    const count = times === undefined ? 1 : times + 1;
    for (let i = 0; i < count; i++) out.push(start + i * delta);
  }
  return out;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function unescapeLabelValue(raw: string): string {
  return raw.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}

/** `metric{label="value",...}` (or `{__name__="metric",...}`), as promtool's `series:` is written. */
export function parseSeriesSelector(text: string): { name: string; labels: Record<string, string> } {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{([\s\S]*)\})?\s*$/.exec(text);
  if (m === null) throw new Error(`series "${text}" is not of the form metric{label="value",...}`);
  const labels: Record<string, string> = {};
  let rest = (m[2] ?? '').trim();
  while (rest !== '') {
    const pair = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,\s*|$)/.exec(rest);
    if (pair === null) throw new Error(`series "${text}": cannot read the labels at "${rest}" (write label="value", only "=" matchers)`);
    const [whole, key, value] = pair as unknown as [string, string, string];
    if (!LABEL_NAME.test(key)) throw new Error(`series "${text}": bad label name "${key}"`);
    if (key in labels) throw new Error(`series "${text}": label "${key}" is given twice`);
    labels[key] = unescapeLabelValue(value);
    rest = rest.slice(whole.length).trim();
  }
  const name = m[1] ?? labels['__name__'];
  delete labels['__name__'];
  if (name === undefined || !NAME.test(name)) throw new Error(`series "${text}" has no metric name`);
  return { name, labels };
}
