// Semantic checks and normalisation of a policy's `rollforward`: manual or automatic, and the shadow the
// ML candidate runs in while the target is rolled back, with the gate it must pass before it serves
// (docs/policies/reasons-and-reference.md, `rollforward`). The gate's PromQL is derived from the shadow metrics the serving
// baseline exports (shadow_requests_total, shadow_request_duration_seconds, shadow_predictions_total),
// narrowed by `selector`, over `window`; any of the four queries can be given explicitly instead.
import type { Condition, Policy, ShadowGate } from '../../core/policy.js';
import type { ShadowSpec } from '../../core/target.js';
import { formatDuration } from '../../core/duration.js';
import { candidatesOf } from './candidates.js';
import type { Checker } from './checker.js';
import type { YamlPath } from './positions.js';
import { promqlProblems, rangeWindows } from './promql.js';
import type { GateBoundName, RawPolicy, RawRollforward } from './raw.js';

/** Defaults, after the issue's example gate: 10 minutes of evidence over 500 mirrored requests. */
export const GATE_DEFAULTS = { forMs: 600_000, window: '5m', minRequests: 500, maxErrorRatio: 0.01, minAgreement: 0.9 } as const;
export const SHADOW_DEFAULTS = { share: 1, timeoutMs: 1_000 } as const;
/** The prediction service accepts SHADOW_TIMEOUT_MS up to a minute. */
const MAX_SHADOW_TIMEOUT_MS = 60_000;
/** A latency bound this large was almost surely written in milliseconds (as in normalize.ts). */
const MILLISECONDS_HINT = 100;

type RawGate = NonNullable<RawRollforward['gate']>;

/** `{a="b",c!="d"}` from the gate's selector and a bound's own matchers. */
function matchers(selector: string | undefined, ...extra: string[]): string {
  const parts = [selector?.trim() ?? '', ...extra].filter((p) => p !== '');
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** The PromQL each bound reads unless the policy gives its own (gate.queries). */
export function derivedGateQueries(selector: string | undefined, window: string): Readonly<Record<GateBoundName, string>> {
  const all = matchers(selector);
  return {
    requests: `sum(increase(shadow_requests_total${all}[${window}]))`,
    errorRatio: `(sum(rate(shadow_requests_total${matchers(selector, 'outcome!="ok"')}[${window}])) or on() vector(0)) / sum(rate(shadow_requests_total${all}[${window}]))`,
    p95Seconds: `histogram_quantile(0.95, sum by (le) (rate(shadow_request_duration_seconds_bucket${all}[${window}])))`,
    agreement: `sum(rate(shadow_predictions_total${matchers(selector, 'agreement="agree"')}[${window}])) / sum(rate(shadow_predictions_total${all}[${window}]))`,
  };
}

function queriesOf(c: Checker, gate: RawGate, window: string): Record<GateBoundName, string> {
  const derived = derivedGateQueries(gate.selector, window);
  const out = { ...derived };
  for (const bound of Object.keys(derived) as GateBoundName[]) {
    const given = gate.queries?.[bound];
    if (given !== undefined) {
      out[bound] = given;
      c.promql(['rollforward', 'gate', 'queries', bound], given);
    } else if (gate.selector !== undefined) {
      // A bad selector shows in every derived query: report it once, at the selector.
      if (bound === 'requests') for (const problem of promqlProblems(derived[bound])) c.fail(['rollforward', 'gate', 'selector'], `selector: ${problem.message} in ${derived[bound]}`);
    }
  }
  const windows = rangeWindows(out.requests);
  if (!windows.includes(window)) {
    c.fail(['rollforward', 'gate', gate.queries?.requests === undefined ? 'window' : 'queries'], `gate requests query must count mirrored requests over the gate's window [${window}] (found ${windows.length === 0 ? 'no range' : windows.map((w) => `[${w}]`).join(', ')})`);
  }
  return out;
}

function bound(id: string, query: string, comparison: Condition['comparison'], threshold: number, unit: Condition['unit'], window: string): Condition {
  return { id: `rollforward.gate.${id}`, query, comparison, threshold, unit, forMs: 0, window, needsTraffic: true };
}

function gateOf(c: Checker, raw: RawPolicy, gate: RawGate, intervalMs: number, timeoutMs: number): ShadowGate {
  const path: YamlPath = ['rollforward', 'gate'];
  const forMs = c.duration([...path, 'for'], gate.for, GATE_DEFAULTS.forMs);
  if (forMs < intervalMs) {
    c.fail([...path, 'for'], `rollforward.gate.for ${formatDuration(forMs)} is shorter than evaluation.interval ${formatDuration(intervalMs)}: the evidence must hold over at least two ticks`);
  }
  const window = gate.window ?? GATE_DEFAULTS.window;
  c.duration([...path, 'window'], window, 0);
  const p95 = gate.maxP95Seconds === 'slo.p95LatencySeconds' || gate.maxP95Seconds === undefined ? raw.slo.p95LatencySeconds : gate.maxP95Seconds;
  if (p95 >= MILLISECONDS_HINT) {
    c.fail([...path, 'maxP95Seconds'], `maxP95Seconds ${p95} looks like milliseconds: write ${p95 / 1000} for ${p95} ms`);
  } else if (p95 * 1000 >= timeoutMs) {
    c.fail(
      [...path, 'maxP95Seconds'],
      `maxP95Seconds ${p95} s is not below shadow.timeout ${formatDuration(timeoutMs)}: a candidate slower than the timeout is counted as a timeout (an error), never in its latency, so this bound could never breach`,
    );
  }
  const q = queriesOf(c, gate, window);
  return {
    forMs,
    traffic: { id: 'rollforward.gate.requests', query: q.requests, min: gate.minRequests ?? GATE_DEFAULTS.minRequests, window },
    conditions: [
      bound('errorRatio', q.errorRatio, 'above', gate.maxErrorRatio ?? GATE_DEFAULTS.maxErrorRatio, 'ratio', window),
      bound('p95Seconds', q.p95Seconds, 'above', p95, 'seconds', window),
      bound('agreement', q.agreement, 'below', gate.minAgreement ?? GATE_DEFAULTS.minAgreement, 'ratio', window),
    ],
  };
}

/** shadow.services: names of the target's services (compose services or containers), each once; absent = all. */
function shadowServices(c: Checker, raw: RawPolicy, listed: readonly string[] | undefined): readonly string[] | undefined {
  if (listed === undefined) return undefined;
  const services = [...(raw.target.compose?.services ?? []), ...(raw.target.containers ?? [])];
  if (listed.length === 0) c.fail(['rollforward', 'shadow', 'services'], 'shadow.services: an empty list; leave it out for every service, or name the services that get a candidate');
  listed.forEach((name, i) => {
    if (!services.includes(name)) c.fail(['rollforward', 'shadow', 'services', i], `shadow.services: "${name}" is not one of the target's services (${services.join(', ')})`);
    else if (listed.indexOf(name) !== i) c.fail(['rollforward', 'shadow', 'services', i], `shadow.services: "${name}" is listed twice`);
  });
  return listed;
}

function shadowOf(c: Checker, raw: RawPolicy, rf: RawRollforward, intervalMs: number): { spec: ShadowSpec; gate: ShadowGate } | undefined {
  if (rf.shadow === undefined && rf.gate === undefined) return undefined;
  if (raw.target.swarm !== undefined) {
    c.fail(['rollforward', rf.gate === undefined ? 'shadow' : 'gate'], 'a roll-forward shadow is not supported for swarm targets: Swarm owns the tasks of a service, so no candidate can run beside them', 'key');
  }
  const timeoutMs = c.duration(['rollforward', 'shadow', 'timeout'], rf.shadow?.timeout, SHADOW_DEFAULTS.timeoutMs);
  if (timeoutMs <= 0 || timeoutMs > MAX_SHADOW_TIMEOUT_MS) {
    c.fail(['rollforward', 'shadow', 'timeout'], `shadow.timeout must be more than 0s and at most ${formatDuration(MAX_SHADOW_TIMEOUT_MS)} (the service's SHADOW_TIMEOUT_MS range)`);
  }
  const services = shadowServices(c, raw, rf.shadow?.services);
  const spec: ShadowSpec = { share: rf.shadow?.share ?? SHADOW_DEFAULTS.share, timeoutMs, ...(services === undefined ? {} : { services }) };
  return { spec, gate: gateOf(c, raw, rf.gate ?? {}, intervalMs, timeoutMs) };
}

/**
 * `rollforward`, checked: manual by default; automatic on `after` without a shadow, on the gate with one. The
 * shadow's actuation (which services, share, timeout) goes to the target (TargetSpec.shadow), its gate here.
 */
export function rollforward(c: Checker, raw: RawPolicy, intervalMs: number): { rollforward: Policy['rollforward']; shadow?: ShadowSpec } {
  const rf = raw.rollforward ?? { mode: 'manual' };
  const mode = rf.mode === 'auto' ? 'automatic' : rf.mode;
  const shadow = shadowOf(c, raw, rf, intervalMs);
  if (mode === 'automatic' && shadow === undefined && rf.after === undefined) {
    c.fail(['rollforward'], 'rollforward.mode automatic needs "after" (how long every reason must be OK), or a shadow gate ("gate")');
  }
  if (shadow !== undefined && rf.after !== undefined) {
    c.fail(['rollforward', 'after'], 'rollforward.after is for a roll-forward without a shadow: with a shadow, the gate decides (gate.for)', 'key');
  }
  const afterMs = c.duration(['rollforward', 'after'], rf.after, 0);
  const candidates = candidatesOf(c, raw, rf, shadow !== undefined);
  if (shadow === undefined) return { rollforward: { mode, afterMs } };
  return { rollforward: { mode, afterMs, gate: shadow.gate, ...(candidates === undefined ? {} : { candidates }) }, shadow: shadow.spec };
}
