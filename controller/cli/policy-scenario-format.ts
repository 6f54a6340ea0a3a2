// The scenario file format of `guardrail policy test` (documented in docs/policies/loader-and-tests.md): a policy file,
// value series per query id in promtool notation, scripted events, and expectations at given times.

import { parse } from 'yaml';
import { parseDuration } from '../core/duration.js';

export type ScenarioEvent =
  | { readonly atMs: number; readonly type: 'manual_rollback'; readonly actor: string; readonly reason: string; readonly policyReason?: string }
  | { readonly atMs: number; readonly type: 'manual_rollforward'; readonly actor: string; readonly reason: string }
  | { readonly atMs: number; readonly type: 'pause'; readonly actor: string; readonly reason: string; readonly forMs: number }
  | { readonly atMs: number; readonly type: 'resume'; readonly actor: string; readonly reason: string }
  | { readonly atMs: number; readonly type: 'webhook'; readonly alertname: string; readonly reason: string; readonly labels: Readonly<Record<string, string>> }
  | { readonly atMs: number; readonly type: 'actuation_succeeded' }
  | { readonly atMs: number; readonly type: 'actuation_failed'; readonly error: string };

export interface Expectation {
  readonly atMs: number;
  readonly phase?: string;
  /** Exact list of commands produced at this time, in compact form (see formatCommand). */
  readonly commands?: readonly string[];
  /** Exact list of the notify commands only. */
  readonly alerts?: readonly string[];
  /** A refusal at this time whose reason contains this text. */
  readonly refused?: string;
}

export interface ScenarioTest {
  readonly name: string;
  /** Tick interval; default: the policy's evaluation.interval. */
  readonly intervalMs?: number;
  readonly startMs: number;
  /** Queries not listed in `series`: `healthy` (read their threshold, i.e. OK) or `no_data`. */
  readonly others: 'healthy' | 'no_data';
  /** How the simulated actuator answers rollback/rollforward commands. */
  readonly actuator: { readonly result: 'succeed' | 'fail' | 'none'; readonly afterMs: number };
  readonly series: Readonly<Record<string, string>>;
  /**
   * Raw series in promtool's notation instead of `series`: every query of the policy is then evaluated on
   * them by a real Prometheus at each tick's time.
   */
  readonly inputSeries?: readonly InputSeries[];
  /** The step of `inputSeries` (promtool's `interval`); default: the tick interval. */
  readonly inputIntervalMs?: number;
  readonly events: readonly ScenarioEvent[];
  readonly expect: readonly Expectation[];
}

/** One promtool `input_series` entry: `series: 'metric{label="v"}'`, `values: '0+10x40'`. */
export interface InputSeries {
  readonly series: string;
  readonly values: string;
}

export interface ScenarioFile {
  readonly file: string;
  /** Path of the policy file, resolved against the scenario file's folder. */
  readonly policy: string;
  readonly tests: readonly ScenarioTest[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(o: Obj, key: string, where: string, fallback?: string): string {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (v === undefined && fallback !== undefined) return fallback;
  throw new Error(`${where}: "${key}" must be a string`);
}

function ms(o: Obj, key: string, where: string, fallback?: number): number {
  const v = o[key];
  if (v === undefined && fallback !== undefined) return fallback;
  const parsed = v === '0' ? 0 : typeof v === 'string' ? parseDuration(v) : undefined;
  if (parsed === undefined) throw new Error(`${where}: "${key}" must be a duration such as 30s, 5m, 1h`);
  return parsed;
}

function strings(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new Error(`${where}: must be a list of strings`);
  return v as string[];
}

function checkKeys(o: Obj, allowed: readonly string[], where: string): void {
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) throw new Error(`${where}: unknown key(s) ${unknown.join(', ')} (allowed: ${allowed.join(', ')})`);
}

function event(raw: unknown, where: string): ScenarioEvent {
  if (!isObj(raw)) throw new Error(`${where}: must be a mapping`);
  const atMs = ms(raw, 'at', where);
  const type = str(raw, 'type', where);
  const actor = (): { actor: string; reason: string } => ({ actor: str(raw, 'actor', where, 'sre'), reason: str(raw, 'reason', where, 'scenario') });
  switch (type) {
    case 'manual_rollback': {
      const policyReason = raw['policyReason'];
      return typeof policyReason === 'string' ? { atMs, type, ...actor(), policyReason } : { atMs, type, ...actor() };
    }
    case 'manual_rollforward':
    case 'resume':
      return { atMs, type, ...actor() };
    case 'pause':
      return { atMs, type, ...actor(), forMs: ms(raw, 'for', where) };
    case 'webhook': {
      const labels = isObj(raw['labels']) ? (raw['labels'] as Record<string, string>) : {};
      return { atMs, type, alertname: str(raw, 'alertname', where), reason: str(raw, 'reason', where), labels };
    }
    case 'actuation_succeeded':
      return { atMs, type };
    case 'actuation_failed':
      return { atMs, type, error: str(raw, 'error', where, 'scenario failure') };
    default:
      throw new Error(`${where}: unknown event type "${type}"`);
  }
}

function expectation(raw: unknown, where: string): Expectation {
  if (!isObj(raw)) throw new Error(`${where}: must be a mapping`);
  checkKeys(raw, ['at', 'phase', 'commands', 'alerts', 'refused'], where);
  const out: { -readonly [K in keyof Expectation]: Expectation[K] } = { atMs: ms(raw, 'at', where) };
  if (raw['phase'] !== undefined) out.phase = str(raw, 'phase', where);
  if (raw['commands'] !== undefined) out.commands = strings(raw['commands'], `${where}.commands`);
  if (raw['alerts'] !== undefined) out.alerts = strings(raw['alerts'], `${where}.alerts`);
  if (raw['refused'] !== undefined) out.refused = str(raw, 'refused', where);
  return out;
}

function inputSeries(raw: unknown, where: string): InputSeries[] {
  if (!Array.isArray(raw) || raw.length === 0) throw new Error(`${where}: must be a non-empty list of {series, values}`);
  return raw.map((item: unknown, i) => {
    const at = `${where}[${i}]`;
    if (!isObj(item)) throw new Error(`${at}: must be a mapping with series: and values:`);
    checkKeys(item, ['series', 'values'], at);
    return { series: str(item, 'series', at), values: str(item, 'values', at) };
  });
}

/** Raw mode: `input_series` (+ `input_interval`); per-condition `series` and `others` do not apply then. */
function rawPart(raw: Obj, at: string): Pick<ScenarioTest, 'inputSeries' | 'inputIntervalMs'> {
  if (raw['input_series'] === undefined) {
    if (raw['input_interval'] !== undefined) throw new Error(`${at}: input_interval needs input_series`);
    return {};
  }
  if (raw['series'] !== undefined) throw new Error(`${at}: give either series (one value per query id) or input_series (raw series for Prometheus), not both`);
  if (raw['others'] !== undefined) throw new Error(`${at}: others does not apply to input_series: every query is evaluated by Prometheus`);
  const series = inputSeries(raw['input_series'], `${at}.input_series`);
  return raw['input_interval'] === undefined ? { inputSeries: series } : { inputSeries: series, inputIntervalMs: ms(raw, 'input_interval', at) };
}

function test(raw: unknown, where: string): ScenarioTest {
  if (!isObj(raw)) throw new Error(`${where}: must be a mapping`);
  checkKeys(raw, ['name', 'interval', 'start', 'others', 'actuator', 'series', 'input_series', 'input_interval', 'events', 'expect'], where);
  const name = str(raw, 'name', where);
  const at = `${where} (${name})`;
  const series = raw['series'] ?? {};
  if (!isObj(series)) throw new Error(`${at}: series must map query ids to series strings`);
  const seriesText: Record<string, string> = {};
  for (const [id, value] of Object.entries(series)) seriesText[id] = typeof value === 'number' ? String(value) : str(series, id, `${at}.series`);
  const others = str(raw, 'others', at, 'healthy');
  if (others !== 'healthy' && others !== 'no_data') throw new Error(`${at}: others must be healthy or no_data`);
  const act = isObj(raw['actuator']) ? raw['actuator'] : { result: raw['actuator'] ?? 'succeed' };
  const result = str(act, 'result', `${at}.actuator`, 'succeed');
  if (result !== 'succeed' && result !== 'fail' && result !== 'none') throw new Error(`${at}: actuator must be succeed, fail or none`);
  const start = raw['start'] === undefined ? Date.parse('2026-01-01T00:00:00Z') : Date.parse(str(raw, 'start', at));
  if (Number.isNaN(start)) throw new Error(`${at}: start must be an ISO time`);
  const events = (Array.isArray(raw['events']) ? raw['events'] : []).map((e, i) => event(e, `${at}.events[${i}]`));
  const expect = (Array.isArray(raw['expect']) ? raw['expect'] : []).map((e, i) => expectation(e, `${at}.expect[${i}]`));
  if (expect.length === 0) throw new Error(`${at}: a test needs at least one expectation`);
  const base = {
    name,
    startMs: start,
    others,
    actuator: { result, afterMs: ms(act, 'after', `${at}.actuator`, 0) },
    series: seriesText,
    ...rawPart(raw, at),
    events,
    expect,
  } as const;
  return raw['interval'] === undefined ? base : { ...base, intervalMs: ms(raw, 'interval', at) };
}

/** Parses a scenario file's text; throws an Error naming the place of the first problem. */
export function parseScenario(text: string, file: string): ScenarioFile {
  // failsafe: every scalar stays a string, so `0x10` is the series "0 ten more times", not hex 16.
  const raw: unknown = parse(text, { schema: 'failsafe' });
  if (!isObj(raw)) throw new Error(`${file}: must be a mapping with policy: and tests:`);
  checkKeys(raw, ['policy', 'tests'], file);
  const tests = raw['tests'];
  if (!Array.isArray(tests) || tests.length === 0) throw new Error(`${file}: tests must be a non-empty list`);
  return { file, policy: str(raw, 'policy', file), tests: tests.map((t, i) => test(t, `${file}: tests[${i}]`)) };
}
