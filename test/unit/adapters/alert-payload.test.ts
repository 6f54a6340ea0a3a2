import { describe, expect, it } from 'vitest';
import { sanitizeLabelName, toPostableAlert } from '../../../controller/adapters/alerts/alertmanager-payload.js';
import { alertText } from '../../../controller/adapters/alerts/format.js';
import { toWebhookBody } from '../../../controller/adapters/alerts/webhook-sink.js';
import type { Alert } from '../../../controller/core/alert.js';

const T0 = Date.UTC(2026, 10, 27, 9, 0, 0);
const alert: Alert = {
  dedupKey: 'rollback-active:api:rb-1',
  name: 'GuardrailRollbackActive',
  severity: 'warning',
  target: 'api',
  summary: 'Rollback active for 1h',
  description: 'api has run the baseline model for 1h; error ratio was 0.12 > 0.05',
  labels: { policy: 'api-errors', 'rollback.id': 'rb-1', severity: 'info', empty: '' },
  startsAtMs: T0,
};

describe('toPostableAlert', () => {
  it('maps the alert to Alertmanager labels, annotations and times', () => {
    expect(toPostableAlert(alert, T0 + 240_000, 'http://guardrail/status')).toEqual({
      labels: {
        alertname: 'GuardrailRollbackActive',
        severity: 'warning',
        target: 'api',
        guardrail_dedup_key: 'rollback-active:api:rb-1',
        policy: 'api-errors',
        rollback_id: 'rb-1',
      },
      annotations: { summary: 'Rollback active for 1h', description: 'api has run the baseline model for 1h; error ratio was 0.12 > 0.05' },
      startsAt: '2026-11-27T09:00:00.000Z',
      endsAt: '2026-11-27T09:04:00.000Z',
      generatorURL: 'http://guardrail/status',
    });
  });

  it('never sends endsAt before startsAt', () => {
    expect(toPostableAlert(alert, T0 - 5).endsAt).toBe('2026-11-27T09:00:00.000Z');
  });

  it('omits generatorURL when not configured', () => {
    expect('generatorURL' in toPostableAlert(alert, T0)).toBe(false);
  });
});

describe('sanitizeLabelName', () => {
  it.each([
    ['ok_name', 'ok_name'],
    ['rollback.id', 'rollback_id'],
    ['9lives', '_9lives'],
    ['a-b c', 'a_b_c'],
  ])('%s -> %s', (input, output) => {
    expect(sanitizeLabelName(input)).toBe(output);
  });
});

describe('alertText and the webhook body', () => {
  it('renders a Slack-style line', () => {
    expect(alertText(alert)).toBe('[WARNING] api: Rollback active for 1h');
    expect(alertText({ ...alert, resolvedAtMs: T0 + 1 })).toBe('[RESOLVED WARNING] api: Rollback active for 1h');
  });

  it('carries every field and the status', () => {
    const body = toWebhookBody({ ...alert, resolvedAtMs: T0 + 60_000 });
    expect(body).toMatchObject({
      text: '[RESOLVED WARNING] api: Rollback active for 1h',
      source: 'guardrail',
      status: 'resolved',
      dedupKey: alert.dedupKey,
      severity: 'warning',
      startsAt: '2026-11-27T09:00:00.000Z',
      resolvedAt: '2026-11-27T09:01:00.000Z',
      labels: alert.labels,
    });
    expect('resolvedAt' in toWebhookBody(alert)).toBe(false);
  });
});
