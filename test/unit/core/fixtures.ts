// A hand-built policy for pure engine tests (no loader, no files) and helpers to build ticks.
import type { Condition, Policy, Sample, TickEvent } from '../../../controller/core/index.js';

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
