// A hand-built policy for pure engine tests (no loader, no files) and helpers to build ticks.
import type { Condition, Policy, Sample, ShadowGate, TickEvent } from '../../../controller/core/index.js';

export const T0 = Date.UTC(2026, 0, 1);
export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;

const errors: Condition = {
  id: 'reasons.errors',
  query: 'sum(rate(errors[1m])) / sum(rate(requests[1m]))',
  comparison: 'above',
  threshold: 0.05,
  unit: 'ratio',
  forMs: MIN,
  window: '1m',
  needsTraffic: true,
};
const down: Condition = { id: 'reasons.down', query: 'max(up)', comparison: 'below', threshold: 1, unit: 'count', forMs: 30 * SEC, needsTraffic: false };

export function testPolicy(overrides: Partial<Policy> = {}): Policy {
  return {
    name: 'svc',
    description: 'test policy',
    target: {
      name: 'svc',
      containers: ['api'],
      variable: 'MODEL_VARIANT',
      normalValue: null,
      rollbackValue: 'baseline',
      strategy: 'recreate',
      verify: { port: 8000, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs: 30_000 },
    },
    evaluation: { intervalMs: 15 * SEC, blindAfter: 3, minRequests: { id: 'evaluation.minRequests', query: 'sum(increase(requests[5m]))', min: 10, window: '5m' } },
    slo: { p95LatencySeconds: 0.8, errorRatio: 0.05 },
    reasons: [
      { name: 'errors', severity: 'critical', conditions: [errors], labels: {}, annotations: {} },
      { name: 'down', severity: 'critical', conditions: [down], labels: {}, annotations: {} },
      { name: 'maintenance', severity: 'warning', conditions: [], labels: {}, annotations: {} },
    ],
    vetoes: [
      {
        name: 'deploy',
        condition: { id: 'vetoes.deploy', query: 'count(model_info)', comparison: 'above', threshold: 1, unit: 'count', forMs: 0, needsTraffic: false },
        message: 'a deploy is rolling',
        appliesTo: ['errors'],
        onUnknown: 'ignore',
      },
    ],
    alerts: [
      {
        name: 'Drift',
        severity: 'info',
        condition: { id: 'alerts.Drift', query: 'drift', comparison: 'above', threshold: 0.1, unit: 'ratio', forMs: 0, needsTraffic: true },
        activeIn: [],
        summary: 'drift: retrain',
        description: '',
        labels: {},
      },
    ],
    limits: { cooldownMs: 10 * MIN, maxRollbacksPerHour: 2, onMissingData: 'reset' },
    rollforward: { mode: 'manual', afterMs: 0 },
    warnAfterMs: HOUR,
    warnEveryMs: HOUR,
    triggers: { alertmanager: [{ matchers: { alertname: 'Down' }, reason: 'down', corroborate: true }] },
    ...overrides,
  };
}

export const v = (value: number): Sample => ({ kind: 'value', value });

/** A tick where everything is healthy unless overridden. */
export function tick(over: Record<string, Sample> = {}): TickEvent {
  return {
    type: 'tick',
    samples: { 'evaluation.minRequests': v(100), 'reasons.errors': v(0.01), 'reasons.down': v(1), 'vetoes.deploy': v(1), 'alerts.Drift': v(0), ...over },
  };
}

const gateBound = (id: string, comparison: 'above' | 'below', threshold: number, unit: 'ratio' | 'seconds'): Condition => ({
  id: `rollforward.gate.${id}`,
  query: `shadow_${id}[5m]`,
  comparison,
  threshold,
  unit,
  forMs: 0,
  window: '5m',
  needsTraffic: true,
});

/** The gate: 10 minutes of evidence, 500 mirrored requests per 5m window. */
export const GATE: ShadowGate = {
  forMs: 10 * MIN,
  traffic: { id: 'rollforward.gate.requests', query: 'sum(increase(shadow_requests_total[5m]))', min: 500, window: '5m' },
  conditions: [gateBound('errorRatio', 'above', 0.01, 'ratio'), gateBound('p95Seconds', 'above', 0.8, 'seconds'), gateBound('agreement', 'below', 0.9, 'ratio')],
};

/** The test policy with a shadow and its gate; automatic roll-forward unless told otherwise. */
export function shadowPolicy(mode: 'manual' | 'automatic' = 'automatic'): Policy {
  const base = testPolicy();
  return { ...base, target: { ...base.target, shadow: { share: 1, timeoutMs: 1000 } }, rollforward: { mode, afterMs: 0, gate: GATE } };
}

/** The gate's samples of a good candidate: 600 requests, 0.5% errors, P95 0.2 s, 95% agreement. */
export function gateOk(over: Record<string, Sample> = {}): Record<string, Sample> {
  return {
    'rollforward.gate.requests': v(600),
    'rollforward.gate.errorRatio': v(0.005),
    'rollforward.gate.p95Seconds': v(0.2),
    'rollforward.gate.agreement': v(0.95),
    ...over,
  };
}
