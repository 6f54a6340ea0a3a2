// The Alertmanager receiver: valid v4 payloads (with Alertmanager's extra fields) go to the port with
// only the validated fields; resolved alerts and replays do nothing new; unmatched alerts get 200 and a
// log line; malformed payloads get 400 and never reach the port.
import { beforeEach, describe, expect, it } from 'vitest';
import { WEBHOOK_AUTH, alertmanagerPayload, makeApi, resetFixture } from './api-fixtures.js';

const URL = '/api/v1/webhooks/alertmanager';
const fixture = makeApi();
const { app, controller } = fixture;
beforeEach(() => resetFixture(fixture));

const send = (payload: unknown) => app.inject({ method: 'POST', url: URL, headers: { ...WEBHOOK_AUTH, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });

describe('valid payloads', () => {
  it('a firing alert that matches: 200, one operation queued, only validated fields passed on', async () => {
    const res = await send(alertmanagerPayload([{ fingerprint: 'fp-match-1' }]));
    expect(res.statusCode).toBe(200);
    const body = res.json<{ received: number; queued: number; operations: { kind: string }[] }>();
    expect(body).toMatchObject({ received: 1, queued: 1, duplicates: 0, resolvedIgnored: 0, unmatched: 0 });
    expect(body.operations[0]?.kind).toBe('webhook');
    expect(controller.calls).toEqual([
      {
        method: 'alertmanagerWebhook',
        alerts: [{ status: 'firing', labels: { alertname: 'PredictionErrorsHigh', service: 'prediction-service', severity: 'critical' }, startsAt: '2026-11-27T08:59:00.123456789Z', fingerprint: 'fp-match-1' }],
      },
    ]);
  });

  it('a replay of the same alert (fingerprint + startsAt) is a duplicate: nothing new queued', async () => {
    await send(alertmanagerPayload([{ fingerprint: 'fp-replay' }]));
    const replay = await send(alertmanagerPayload([{ fingerprint: 'fp-replay' }]));
    expect(replay.statusCode).toBe(200);
    expect(replay.json()).toMatchObject({ queued: 0, duplicates: 1, operations: [] });
  });

  it('resolved alerts are passed through as resolved and never queue anything', async () => {
    const res = await send(alertmanagerPayload([{ status: 'resolved', fingerprint: 'fp-resolved' }]));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ queued: 0, resolvedIgnored: 1 });
    expect(controller.calls[0]).toMatchObject({ method: 'alertmanagerWebhook', alerts: [{ status: 'resolved' }] });
  });

  it('alerts that match nothing: 200 (so Alertmanager does not retry) and a warning naming the alert', async () => {
    const res = await send(alertmanagerPayload([{ alertname: 'DiskAlmostFull', fingerprint: 'fp-unmatched' }]));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ queued: 0, unmatched: 1 });
    const line = fixture.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'webhook alerts matched no policy trigger');
    expect(line).toMatchObject({ level: 40, unmatched: 1, alertnames: ['DiskAlmostFull'] });
  });

  it('tolerates the fields Alertmanager adds (groupKey, truncatedAlerts, externalURL, notification_reason, routeLabels)', async () => {
    const payload = { ...alertmanagerPayload([{ fingerprint: 'fp-extra' }]), notification_reason: 'new_alert', routeLabels: { team: 'ml' }, somethingNew: [1, 2] };
    expect((await send(payload)).statusCode).toBe(200);
  });

  it('an empty alerts list is valid and queues nothing', async () => {
    const res = await send({ ...alertmanagerPayload([]), status: 'resolved' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ received: 0, queued: 0 });
  });
});

describe('malformed payloads -> 400, port not called', () => {
  const good = alertmanagerPayload([{}]);
  const alert = good.alerts[0] as Record<string, unknown>;
  const CASES: readonly [string, unknown][] = [
    ['version 3', { ...good, version: '3' }],
    ['version as a number', { ...good, version: 4 }],
    ['no version', { ...good, version: undefined }],
    ['bad status', { ...good, status: 'pending' }],
    ['alerts not an array', { ...good, alerts: {} }],
    ['alert without fingerprint', { ...good, alerts: [{ ...alert, fingerprint: undefined }] }],
    ['alert with empty fingerprint', { ...good, alerts: [{ ...alert, fingerprint: '' }] }],
    ['alert without labels', { ...good, alerts: [{ ...alert, labels: undefined }] }],
    ['a label that is not a string', { ...good, alerts: [{ ...alert, labels: { alertname: 'X', n: 5 } }] }],
    ['startsAt not a date-time', { ...good, alerts: [{ ...alert, startsAt: 'yesterday' }] }],
    ['alert status unknown', { ...good, alerts: [{ ...alert, status: 'silenced' }] }],
    ['an array body', [good]],
    ['a string body', 'firing'],
    ['too many alerts', { ...good, alerts: Array.from({ length: 1001 }, () => alert) }],
  ];
  for (const [name, payload] of CASES) {
    it(name, async () => {
      const res = await send(payload);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'GR_ERR_VALIDATION' });
      expect(controller.calls).toEqual([]);
    });
  }

  it('bad JSON -> 400 GR_ERR_INVALID_JSON', async () => {
    const res = await app.inject({ method: 'POST', url: URL, headers: { ...WEBHOOK_AUTH, 'content-type': 'application/json' }, payload: '{"version":"4",' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'GR_ERR_INVALID_JSON' });
    expect(controller.calls).toEqual([]);
  });

  it('a body over 1 MiB -> 413 GR_ERR_BODY_TOO_LARGE', async () => {
    const res = await send({ ...good, commonAnnotations: { blob: 'x'.repeat(1024 * 1024) } });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'GR_ERR_BODY_TOO_LARGE' });
    expect(controller.calls).toEqual([]);
  });
});
