// Semantic checks and normalisation of a schema-valid policy: resolves threshold references, infers
// units, parses PromQL and durations, and catches the mistakes a schema cannot (5 for 0.05, 800 for
// 0.8 s, a latency threshold histogram_quantile can never reach, unknown references, duplicates).

import type { AlertRule, Condition, Policy, Reason, ThresholdUnit, Veto } from '../../core/policy.js';
import { formatDuration, parseDuration } from '../../core/duration.js';
import { Checker, type LocatedError } from './checker.js';
import { scheduleFor } from '../../core/schedule.js';
import type { Locator } from './locator.js';
import type { YamlPath } from './positions.js';
import { rollforward } from './rollforward.js';
import { target } from './target.js';
import { isTopLevelDivision, rangeWindows, usesHistogramQuantile } from './promql.js';
import type { RawConditionFields, RawPolicy, RawThreshold } from './raw.js';

/**
 * Highest finite bucket of http_request_duration_seconds (service/metrics.ts HTTP_DURATION_BUCKETS).
 * histogram_quantile never returns more than this, so `above` at or over it can never breach.
 * test/unit/policies checks that this matches the service.
 */
export const TOP_LATENCY_BUCKET_SECONDS = 30;
/** A latency threshold this large was almost surely written in milliseconds. */
const MILLISECONDS_HINT = 100;

function resolveThreshold(raw: RawPolicy, value: RawThreshold): number {
  if (value === 'slo.p95LatencySeconds') return raw.slo.p95LatencySeconds;
  if (value === 'slo.errorRatio') return raw.slo.errorRatio;
  return value;
}

function inferUnit(fields: RawConditionFields, query: string): ThresholdUnit {
  if (fields.unit !== undefined) return fields.unit;
  const ref = fields.above ?? fields.below;
  if (ref === 'slo.p95LatencySeconds' || usesHistogramQuantile(query)) return 'seconds';
  if (ref === 'slo.errorRatio' || isTopLevelDivision(query)) return 'ratio';
  return 'count';
}

function checkThreshold(c: Checker, path: YamlPath, unit: ThresholdUnit, comparison: 'above' | 'below', value: number): void {
  const at = [...path, comparison];
  if (unit === 'ratio' && value > 1) {
    c.fail(at, `ratio threshold ${value} is above 1: ratios are fractions (write 0.05 for 5%), or set unit: factor for a multiple such as a burn rate`);
  }
  if (unit === 'ratio' && value < 0) c.fail(at, `ratio threshold ${value} is negative`);
  if (unit === 'seconds' && value >= MILLISECONDS_HINT) {
    c.fail(at, `latency threshold ${value} looks like milliseconds: thresholds are in seconds (write ${value / 1000} for ${value} ms)`);
  } else if (unit === 'seconds' && comparison === 'above' && value >= TOP_LATENCY_BUCKET_SECONDS) {
    c.fail(
      at,
      `latency threshold ${value} s is at or above the top histogram bucket (${TOP_LATENCY_BUCKET_SECONDS} s): histogram_quantile caps there, so it can never breach`,
    );
  }
}

interface ConditionInput {
  readonly id: string;
  readonly path: YamlPath;
  readonly fields: RawConditionFields;
  readonly query: string;
  readonly minForMs?: number;
}

function condition(c: Checker, raw: RawPolicy, input: ConditionInput): Condition {
  const { fields, path, query } = input;
  c.promql([...path, 'query'], query);
  const has = { above: fields.above !== undefined, below: fields.below !== undefined };
  if (has.above === has.below) {
    c.fail(path, `${input.id}: give exactly one of "above" or "below"`);
  }
  const comparison = has.below && !has.above ? 'below' : 'above';
  const threshold = resolveThreshold(raw, (comparison === 'above' ? fields.above : fields.below) ?? 0);
  const unit = inferUnit(fields, query);
  checkThreshold(c, path, unit, comparison, threshold);
  const forMs = c.duration([...path, 'for'], fields.for, 0);
  if (input.minForMs !== undefined && forMs < input.minForMs) {
    c.fail(
      fields.for === undefined ? path : [...path, 'for'],
      `${input.id}: for ${formatDuration(forMs)} is shorter than evaluation.interval ${formatDuration(input.minForMs)}: ` +
        'a reason must be sustained over at least two scrapes (never act on one)',
    );
  }
  const windows = rangeWindows(query)
    .map((w) => ({ w, ms: parseDuration(w) ?? 0 }))
    .sort((a, b) => b.ms - a.ms);
  const base = { id: input.id, query, comparison, threshold, unit, forMs, needsTraffic: fields.needsTraffic ?? true } as const;
  return windows[0] === undefined ? base : { ...base, window: windows[0].w };
}

function duplicates(c: Checker, items: readonly { name: string }[], path: YamlPath, what: string): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) c.fail([...path, i, 'name'], `duplicate ${what} name "${item.name}"`);
    seen.add(item.name);
  });
}

function reasons(c: Checker, raw: RawPolicy, intervalMs: number): Reason[] {
  duplicates(c, raw.reasons, ['reasons'], 'reason');
  return raw.reasons.map((r, i): Reason => {
    const path: YamlPath = ['reasons', i];
    const shapes = [r.manual === true, r.query !== undefined, r.allOf !== undefined].filter(Boolean).length;
    if (shapes !== 1) c.fail(path, `reason "${r.name}": give exactly one of query (with above/below), allOf, or manual: true`);
    const common = { name: r.name, severity: r.severity, labels: r.labels ?? {}, annotations: r.annotations ?? {} };
    if (r.allOf !== undefined) {
      duplicates(c, r.allOf, [...path, 'allOf'], 'condition');
      const conditions = r.allOf.map((cond, j) =>
        condition(c, raw, { id: `reasons.${r.name}.${cond.name}`, path: [...path, 'allOf', j], fields: cond, query: cond.query, minForMs: intervalMs }),
      );
      return { ...common, conditions };
    }
    if (r.query !== undefined) {
      return { ...common, conditions: [condition(c, raw, { id: `reasons.${r.name}`, path, fields: r, query: r.query, minForMs: intervalMs })] };
    }
    return { ...common, conditions: [] };
  });
}

function vetoes(c: Checker, raw: RawPolicy, reasonNames: ReadonlySet<string>): Veto[] {
  const list = raw.vetoes ?? [];
  duplicates(c, list, ['vetoes'], 'veto');
  return list.map((v, i) => {
    const path: YamlPath = ['vetoes', i];
    (v.appliesTo ?? []).forEach((name, j) => {
      if (!reasonNames.has(name)) c.fail([...path, 'appliesTo', j], `veto "${v.name}" applies to unknown reason "${name}"`);
    });
    return {
      name: v.name,
      condition: condition(c, raw, { id: `vetoes.${v.name}`, path, fields: v, query: v.query }),
      message: v.message,
      appliesTo: v.appliesTo ?? [],
      onUnknown: v.onUnknown ?? 'ignore',
    };
  });
}

function alertRules(c: Checker, raw: RawPolicy): AlertRule[] {
  const list = raw.alerts ?? [];
  duplicates(c, list, ['alerts'], 'alert');
  return list.map((a, i) => ({
    name: a.name,
    severity: a.severity,
    condition: condition(c, raw, { id: `alerts.${a.name}`, path: ['alerts', i], fields: a, query: a.query }),
    activeIn: a.activeIn ?? [],
    summary: a.summary,
    description: a.description ?? '',
    labels: a.labels ?? {},
  }));
}

function sloChecks(c: Checker, raw: RawPolicy): void {
  if (raw.slo.errorRatio > 1) c.fail(['slo', 'errorRatio'], `errorRatio ${raw.slo.errorRatio} is above 1: write 0.05 for 5%`);
  const p95 = raw.slo.p95LatencySeconds;
  if (p95 >= MILLISECONDS_HINT) {
    c.fail(['slo', 'p95LatencySeconds'], `p95LatencySeconds ${p95} looks like milliseconds: write ${p95 / 1000} for ${p95} ms`);
  } else if (p95 >= TOP_LATENCY_BUCKET_SECONDS) {
    c.fail(['slo', 'p95LatencySeconds'], `p95LatencySeconds ${p95} is at or above the top histogram bucket (${TOP_LATENCY_BUCKET_SECONDS} s)`);
  }
}

function trafficGuard(c: Checker, raw: RawPolicy): Policy['evaluation']['minRequests'] {
  const g = raw.evaluation.minRequests;
  if (g === undefined) return undefined;
  const path: YamlPath = ['evaluation', 'minRequests'];
  c.promql([...path, 'query'], g.query);
  c.duration([...path, 'window'], g.window, 0);
  const windows = rangeWindows(g.query);
  if (!windows.includes(g.window)) {
    c.fail([...path, 'query'], `minRequests.query must count requests over its window [${g.window}] (found ${windows.length === 0 ? 'no range' : windows.map((w) => `[${w}]`).join(', ')})`);
  }
  return { id: 'evaluation.minRequests', query: g.query, min: g.min, window: g.window };
}

/** Checks and normalises one schema-valid policy. `policy` is undefined when any error was found. */
export function normalizePolicy(raw: RawPolicy, locate: Locator): { policy?: Policy; errors: LocatedError[] } {
  const c = new Checker(locate);
  const intervalMs = c.duration(['evaluation', 'interval'], raw.evaluation.interval, 15_000);
  const schedule = scheduleFor(intervalMs);
  if ('problem' in schedule) c.fail(['evaluation', 'interval'], `evaluation.interval ${raw.evaluation.interval ?? ''}: ${schedule.problem}`);
  sloChecks(c, raw);
  const minRequests = trafficGuard(c, raw);
  const reasonList = reasons(c, raw, intervalMs);
  const reasonNames = new Set(reasonList.map((r) => r.name));
  const vetoList = vetoes(c, raw, reasonNames);
  const alertList = alertRules(c, raw);
  const triggers = (raw.triggers?.alertmanager ?? []).map((t, i) => {
    if (!reasonNames.has(t.reason)) c.fail(['triggers', 'alertmanager', i, 'reason'], `trigger refers to unknown reason "${t.reason}"`);
    return { matchers: t.matchers, reason: t.reason, corroborate: t.corroborate ?? true };
  });
  const forward = rollforward(c, raw, intervalMs);
  const warnAfterMs = c.duration(['warnAfter'], raw.warnAfter, 3_600_000);
  const warnEveryMs = c.duration(['warnEvery'], raw.warnEvery, warnAfterMs);
  if (warnEveryMs <= 0) c.fail([raw.warnEvery === undefined ? 'warnAfter' : 'warnEvery'], 'the rollback warning must repeat after more than 0s');
  const policy: Policy = {
    name: raw.name,
    description: raw.description ?? '',
    target: forward.shadow === undefined ? target(c, raw) : { ...target(c, raw), shadow: forward.shadow },
    evaluation: { intervalMs, blindAfter: raw.evaluation.blindAfter ?? 4, ...(minRequests === undefined ? {} : { minRequests }) },
    slo: raw.slo,
    reasons: reasonList,
    vetoes: vetoList,
    alerts: alertList,
    limits: {
      cooldownMs: c.duration(['limits', 'cooldown'], raw.limits?.cooldown, 1_800_000),
      maxRollbacksPerHour: raw.limits?.maxRollbacksPerHour ?? 2,
      onMissingData: raw.limits?.onMissingData ?? 'reset',
    },
    rollforward: forward.rollforward,
    warnAfterMs,
    warnEveryMs,
    triggers: { alertmanager: triggers },
  };
  return c.errors.length === 0 ? { policy, errors: [] } : { errors: c.errors };
}
