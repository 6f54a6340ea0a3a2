import type { GroupedAnswer, MemberOutcome } from './grouped-answer.js';
import type { GroupUnit } from './query-plan.js';
import type { Sample } from '../../core/observation.js';
import { formatLabels, interpretValueText, interpretVector, type ResponseContext } from './response.js';

// The grouped answers of a 1000-target tick are ~520 KB of JSON in ~7,000 series. JSON.parse made an
// object, a labels object, a pair and two strings of each, only for splitGroupedAnswer to read one label
// and one value of it: ~10% of the controller's CPU per tick (docs/performance.md). This reads Prometheus's
// compact answer in place instead: each series' label value and value text are slices of the body, and a
// series is parsed for real only when a message needs its labels. It knows exactly one shape, the one
// Prometheus writes; anything else (an escape, whitespace, warnings, another key, a missing label) returns
// undefined and the caller takes the JSON.parse path, whose result this must equal (a property test checks).

const HEAD = '{"status":"success","data":{"resultType":"vector","result":[';
const TAIL = ']}}';
/** A backslash (an escape) or a raw control character (invalid JSON, which JSON.parse would refuse). */
// eslint-disable-next-line no-control-regex -- control characters are exactly what it looks for
const NOT_PLAIN = /[\\\u0000-\u001f]/;

/** The series of one answer, by position; by label value, the position of its first series. */
interface ScannedSeries {
  readonly valueTexts: string[];
  /** Where each series' object starts in the body (parsed when a message needs its labels), and ends. */
  readonly bounds: number[];
  readonly byValue: Map<string, number>;
  /** How many series a label value has, when more than one. */
  readonly several: Map<string, number>;
}

/** Whether text[from, to) is a JSON number (the time of a sample), read without slicing it. */
function isJsonNumber(text: string, from: number, to: number): boolean {
  let at = text.charCodeAt(from) === 45 /* - */ ? from + 1 : from;
  const digits = (): number => {
    const begin = at;
    while (at < to && text.charCodeAt(at) >= 48 && text.charCodeAt(at) <= 57) at++;
    return at - begin;
  };
  const first = at;
  if (digits() === 0 || (text.charCodeAt(first) === 48 && at - first > 1)) return false;
  if (at < to && text.charCodeAt(at) === 46 /* . */) {
    at++;
    if (digits() === 0) return false;
  }
  if (at < to && (text.charCodeAt(at) | 32) === 101 /* e */) {
    at++;
    if (text.charCodeAt(at) === 43 || text.charCodeAt(at) === 45) at++;
    if (digits() === 0) return false;
  }
  return at === to;
}

/** The end of `"name":"value"` at `at` (just past its closing quote), or -1 when it is not one. */
function labelPairEnd(text: string, at: number): number {
  const nameEnd = text.indexOf('"', at + 1);
  if (nameEnd < 0 || text.charCodeAt(nameEnd + 1) !== 58 /* : */ || text.charCodeAt(nameEnd + 2) !== 34) return -1;
  const valueEnd = text.indexOf('"', nameEnd + 3);
  return valueEnd < 0 ? -1 : valueEnd + 1;
}

/** One `{"metric":{…},"value":[t,"v"]}` at `at`: its end, recorded in `into`; -1 when it is not one. */
function scanOne(text: string, at: number, label: string, into: ScannedSeries): number {
  const start = at;
  if (!text.startsWith('{"metric":{', at)) return -1;
  at += 11;
  let labelValue: string | undefined;
  // `"name":"value"` pairs, one comma between two of them.
  for (let more = text.charCodeAt(at) === 34; /* " */ more; ) {
    const end = labelPairEnd(text, at);
    if (end < 0) return -1;
    if (end - at >= label.length + 5 && text.charCodeAt(at + label.length + 1) === 34 && text.startsWith(label, at + 1)) {
      if (labelValue !== undefined) return -1;
      labelValue = text.slice(at + label.length + 4, end - 1);
    }
    at = end;
    more = text.charCodeAt(at) === 44; /* , */
    if (more && text.charCodeAt(++at) !== 34) return -1;
  }
  if (labelValue === undefined || !text.startsWith('},"value":[', at)) return -1;
  const timeEnd = text.indexOf(',', at + 11);
  if (timeEnd < 0 || !isJsonNumber(text, at + 11, timeEnd) || text.charCodeAt(timeEnd + 1) !== 34) return -1;
  const valueEnd = text.indexOf('"', timeEnd + 2);
  if (valueEnd < 0 || text.charCodeAt(valueEnd + 1) !== 93 /* ] */ || text.charCodeAt(valueEnd + 2) !== 125 /* } */) return -1;
  const index = into.valueTexts.push(text.slice(timeEnd + 2, valueEnd)) - 1;
  into.bounds.push(start, valueEnd + 3);
  const first = into.byValue.get(labelValue);
  if (first === undefined) into.byValue.set(labelValue, index);
  else into.several.set(labelValue, (into.several.get(labelValue) ?? 1) + 1);
  return valueEnd + 3;
}

/** Every series of the body, or undefined when it is not the plain shape. */
function scanSeries(text: string, label: string): ScannedSeries | undefined {
  if (!text.startsWith(HEAD) || !text.endsWith(TAIL) || NOT_PLAIN.test(text)) return undefined;
  const scanned: ScannedSeries = { valueTexts: [], bounds: [], byValue: new Map(), several: new Map() };
  const last = text.length - TAIL.length;
  let at = HEAD.length;
  while (at < last) {
    at = scanOne(text, at, label, scanned);
    if (at < 0) return undefined;
    if (at < last) {
      if (text.charCodeAt(at) !== 44) return undefined;
      at += 1;
      if (at === last) return undefined;
    }
  }
  return at === last ? scanned : undefined;
}

/**
 * splitGroupedAnswer's result for the raw body of a 2xx answer, read without JSON.parse; undefined when the
 * body is not in the plain shape Prometheus writes (then parse it and call splitGroupedAnswer).
 */
export function scanGroupedAnswer(text: string, group: GroupUnit, baseUrl: string): GroupedAnswer | undefined {
  const scanned = scanSeries(text, group.label);
  if (scanned === undefined) return undefined;
  const members = new Map<string, MemberOutcome>();
  for (const member of group.members) {
    const several = scanned.several.get(member.value);
    const index = scanned.byValue.get(member.value);
    if (several !== undefined) {
      members.set(member.promql, { kind: 'own_query', reason: `${several} series for ${group.label}="${member.value}"` });
    } else if (index === undefined) {
      const sample = group.absentValue !== undefined ? { kind: 'value' as const, value: group.absentValue } : interpretVector([], { baseUrl, promql: member.promql });
      members.set(member.promql, { kind: 'sample', sample });
    } else {
      members.set(member.promql, { kind: 'sample', sample: sampleOf(text, scanned, index, { baseUrl, promql: member.promql }) });
    }
  }
  return { ok: true, members };
}

/** The sample of series `index`: its number, or interpretValueText's UNKNOWN (with the series' labels). */
function sampleOf(text: string, scanned: ScannedSeries, index: number, ctx: ResponseContext): Sample {
  const valueText = scanned.valueTexts[index] ?? '';
  const value = Number(valueText);
  // interpretValueText's answer for a plain number, without making its message closure.
  if (Number.isFinite(value) && valueText.trim() !== '') return { kind: 'value', value };
  const series = text.slice(scanned.bounds[2 * index], scanned.bounds[2 * index + 1]);
  return interpretValueText(valueText, ctx, () => `vector sample ${formatLabels((JSON.parse(series) as { metric: unknown }).metric)}`);
}
