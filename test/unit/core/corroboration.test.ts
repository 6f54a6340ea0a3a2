// Corroboration of a webhook alert (core/corroboration.ts): which queries, and every way the samples can
// back the alert or not. A refusal says what Prometheus showed.
import { describe, expect, it } from 'vitest';
import { ALERTS_QUERY_ID, corroborationQueries, firingAlertsSelector, judgeCorroboration, notCorroboratedAlert } from '../../../controller/core/corroboration.js';
import type { AlertmanagerTrigger, Sample } from '../../../controller/core/index.js';
import { T0, testPolicy, v } from './fixtures.js';

const policy = testPolicy();
const trigger = (reason: string, matchers: Record<string, string> = { alertname: 'HighErrors', service: 'api' }): AlertmanagerTrigger => ({ matchers, reason, corroborate: true });
const noData: Sample = { kind: 'unknown', cause: 'no_data', detail: 'empty vector' };
const down: Sample = { kind: 'unknown', cause: 'unreachable', detail: 'connection refused' };

describe('corroborationQueries', () => {
  it('asks ALERTS by the trigger\'s matchers, then the traffic guard and the reason\'s conditions', () => {
    expect(corroborationQueries(policy, trigger('errors'))).toEqual([
      { id: ALERTS_QUERY_ID, query: 'count(ALERTS{alertstate="firing",alertname="HighErrors",service="api"})' },
      { id: 'evaluation.minRequests', query: 'sum(increase(requests[5m]))' },
      { id: 'reasons.errors', query: 'sum(rate(errors[1m])) / sum(rate(requests[1m]))' },
    ]);
  });

  it('no traffic guard for a reason that needs no traffic; only ALERTS for a reason without conditions', () => {
    expect(corroborationQueries(policy, trigger('down')).map((q) => q.id)).toEqual([ALERTS_QUERY_ID, 'reasons.down']);
    expect(corroborationQueries(policy, trigger('maintenance')).map((q) => q.id)).toEqual([ALERTS_QUERY_ID]);
  });

  it('quotes matcher values as PromQL strings and never lets a matcher override alertstate', () => {
    expect(firingAlertsSelector(trigger('errors', { alertname: 'a"b\\c', alertstate: 'pending' }))).toBe('ALERTS{alertstate="firing",alertname="a\\"b\\\\c"}');
  });
});

describe('judgeCorroboration', () => {
  const errorsSamples = (alerts: Sample, errors: Sample, traffic: Sample = v(100)) => ({ [ALERTS_QUERY_ID]: alerts, 'evaluation.minRequests': traffic, 'reasons.errors': errors });

  it.each([
    ['the rule is firing', errorsSamples(v(1), v(0)), { corroborated: true, by: 'alerts', detail: 'ALERTS{alertstate="firing",alertname="HighErrors",service="api"} is firing' }],
    ['no firing series, the reason breaches now', errorsSamples(noData, v(0.2)), { corroborated: true, by: 'reason', detail: 'reason errors breaches now: reasons.errors 0.2 > 0.05' }],
    [
      'no firing series, the reason is OK: a forged alert',
      errorsSamples(noData, v(0.01)),
      { corroborated: false, blind: false, detail: 'ALERTS{alertstate="firing",alertname="HighErrors",service="api"} has no firing series; reason errors: reasons.errors 0.01 not > 0.05' },
    ],
    [
      'a count of 0 is no firing series too',
      errorsSamples(v(0), v(0.01)),
      { corroborated: false, blind: false, detail: 'ALERTS{alertstate="firing",alertname="HighErrors",service="api"} has no firing series; reason errors: reasons.errors 0.01 not > 0.05' },
    ],
    [
      'low traffic: the reason cannot breach, so no corroboration',
      errorsSamples(noData, v(0.5), v(3)),
      { corroborated: false, blind: false, detail: 'ALERTS{alertstate="firing",alertname="HighErrors",service="api"} has no firing series; reason errors: reasons.errors unknown (low_traffic: 3 requests < minRequests 10)' },
    ],
    [
      'Prometheus unreachable: blind, refused',
      errorsSamples(down, down, down),
      {
        corroborated: false,
        blind: true,
        detail: 'ALERTS{alertstate="firing",alertname="HighErrors",service="api"}: unknown (unreachable: connection refused); reason errors: reasons.errors unknown (unreachable: traffic guard: connection refused)',
      },
    ],
  ])('%s', (_name, samples, expected) => {
    expect(judgeCorroboration(policy, trigger('errors'), samples)).toEqual(expected);
  });

  it('a reason without conditions is corroborated by ALERTS only', () => {
    expect(judgeCorroboration(policy, trigger('maintenance'), { [ALERTS_QUERY_ID]: noData })).toEqual({
      corroborated: false,
      blind: false,
      detail: 'ALERTS{alertstate="firing",alertname="HighErrors",service="api"} has no firing series; reason maintenance has no conditions to check',
    });
    expect(judgeCorroboration(policy, trigger('maintenance'), { [ALERTS_QUERY_ID]: v(2) })).toMatchObject({ corroborated: true, by: 'alerts' });
  });

  it('every condition of a reason must breach', () => {
    const both = testPolicy({
      reasons: [{ name: 'errors', severity: 'critical', conditions: [...(policy.reasons[0]?.conditions ?? []), ...(policy.reasons[1]?.conditions ?? [])], labels: {}, annotations: {} }],
    });
    const samples = { [ALERTS_QUERY_ID]: noData, 'evaluation.minRequests': v(100), 'reasons.errors': v(0.2), 'reasons.down': v(1) };
    expect(judgeCorroboration(both, trigger('errors'), samples)).toMatchObject({ corroborated: false });
    expect(judgeCorroboration(both, trigger('errors'), { ...samples, 'reasons.down': v(0) })).toMatchObject({ corroborated: true, by: 'reason' });
  });
});

describe('notCorroboratedAlert', () => {
  it('is a WARNING that keeps the claimed name out of alertname and caps what the sender wrote', () => {
    const alert = notCorroboratedAlert(policy, { alertname: 'x'.repeat(300), fingerprint: 'fp' }, { corroborated: false, blind: false, detail: 'd' }, T0);
    expect(alert).toMatchObject({ name: 'GuardrailWebhookNotCorroborated', severity: 'warning', target: 'svc', dedupKey: 'webhook-not-corroborated:svc:fp', startsAtMs: T0 });
    expect(alert.labels['claimed_alertname']).toHaveLength(128);
    expect(alert.labels['alertname']).toBeUndefined();
  });
});
