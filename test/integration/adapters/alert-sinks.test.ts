import axios from 'axios';
import pino from 'pino';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertmanagerSink } from '../../../controller/adapters/alerts/alertmanager-sink.js';
import { LogSink } from '../../../controller/adapters/alerts/log-sink.js';
import { WebhookSink } from '../../../controller/adapters/alerts/webhook-sink.js';
import type { Alert } from '../../../controller/core/alert.js';
import { AlertDeliveryError } from '../../../controller/ports/alert-sink.js';
import { freePort } from '../../helpers/free-port.js';
import { startHttpRecorder, type HttpRecorder } from '../../helpers/http-recorder.js';
import { startAlertmanager, type RealAlertmanager } from '../../helpers/real-alertmanager.js';

// Alert sinks against real receivers: a real Alertmanager (which routes to a recording webhook), and a
// recording HTTP server for the generic webhook.

function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    dedupKey: 'rollback-active:api:rb-7',
    name: 'GuardrailRollbackActive',
    severity: 'warning',
    target: 'api',
    summary: 'Rollback active for 1h',
    description: 'api runs the baseline model since 08:00; error ratio was 0.12 > 0.05',
    labels: { policy: 'api-errors', rollback_id: 'rb-7' },
    startsAtMs: Date.now() - 1_000,
    ...overrides,
  };
}

interface WebhookMessage {
  status: string;
  alerts: { status: string; labels: Record<string, string> }[];
}

describe('AlertmanagerSink against a real Alertmanager', () => {
  let recorder: HttpRecorder;
  let alertmanager: RealAlertmanager;
  let offsetMs = 0;
  let posts = 0;
  const now = (): number => Date.now() + offsetMs;
  let sink: AlertmanagerSink;

  beforeAll(async () => {
    recorder = await startHttpRecorder();
    alertmanager = await startAlertmanager({ webhookUrl: `${recorder.url}/am`, groupWait: '0s', groupInterval: '1s' });
    const http = axios.create();
    http.interceptors.request.use((config) => {
      posts++;
      return config;
    });
    sink = new AlertmanagerSink({ baseUrl: alertmanager.url, http, now, resendIntervalMs: 60_000, generatorURL: 'http://guardrail.test/status' });
  });
  afterAll(async () => {
    await alertmanager?.stop();
    await recorder?.stop();
  });

  const findListed = async (dedupKey: string) => (await alertmanager.alerts()).find((a) => a.labels['guardrail_dedup_key'] === dedupKey);

  it('posts a firing alert that Alertmanager lists with our labels and routes to its webhook', async () => {
    const alert = makeAlert();
    const before = now();
    await sink.send(alert);

    const listed = await findListed(alert.dedupKey);
    expect(listed?.labels).toEqual({
      alertname: 'GuardrailRollbackActive',
      severity: 'warning',
      target: 'api',
      guardrail_dedup_key: 'rollback-active:api:rb-7',
      policy: 'api-errors',
      rollback_id: 'rb-7',
    });
    expect(listed?.annotations).toEqual({ summary: alert.summary, description: alert.description });
    expect(listed?.status.state).toBe('active');
    expect(listed?.generatorURL).toBe('http://guardrail.test/status');
    // endsAt = now + 4 x resend interval (240 s), so a lost re-post or two do not resolve it.
    const endsAt = Date.parse(listed?.endsAt ?? '');
    expect(endsAt - before).toBeGreaterThanOrEqual(240_000 - 1_000);
    expect(endsAt - before).toBeLessThanOrEqual(240_000 + 1_000);

    const delivered = await recorder.waitFor((r) => (r.json as WebhookMessage | undefined)?.alerts?.[0]?.labels['guardrail_dedup_key'] === alert.dedupKey);
    expect((delivered.json as WebhookMessage).status).toBe('firing');
    expect(sink.activeAlerts().map((a) => a.dedupKey)).toEqual([alert.dedupKey]);
  });

  it('re-posts an active alert only when due, extending endsAt', async () => {
    const key = 'rollback-active:api:rb-7';
    const firstEnds = Date.parse((await findListed(key))?.endsAt ?? '');

    posts = 0;
    offsetMs = 30_000; // half a resend interval: not due
    await sink.resend(now());
    expect(posts).toBe(0);
    expect(Date.parse((await findListed(key))?.endsAt ?? '')).toBe(firstEnds);

    offsetMs = 61_000; // past the resend interval: due
    await sink.resend(now());
    expect(posts).toBe(1);
    const extended = Date.parse((await findListed(key))?.endsAt ?? '');
    expect(extended - firstEnds).toBeGreaterThanOrEqual(60_000);
    expect(extended - firstEnds).toBeLessThanOrEqual(62_500);

    posts = 0;
    await sink.resend(now()); // just re-posted: not due again
    expect(posts).toBe(0);
  });

  it('posts a resolved alert with endsAt = resolvedAt, which Alertmanager stops listing and reports resolved', async () => {
    offsetMs = 0;
    const alert = makeAlert({ resolvedAtMs: Date.now() });
    await sink.send(alert);

    expect(await findListed(alert.dedupKey)).toBeUndefined();
    expect(sink.activeAlerts()).toHaveLength(0);
    const resolved = await recorder.waitFor((r) => {
      const body = r.json as WebhookMessage | undefined;
      return body?.status === 'resolved' && body.alerts[0]?.labels['guardrail_dedup_key'] === alert.dedupKey;
    });
    expect((resolved.json as WebhookMessage).alerts[0]?.status).toBe('resolved');

    posts = 0;
    offsetMs = 600_000;
    await sink.resend(now()); // nothing left to keep alive
    expect(posts).toBe(0);
    offsetMs = 0;
  });

  it('re-posts several due alerts in one request', async () => {
    const a = makeAlert({ dedupKey: 'blind:api', name: 'GuardrailBlind', severity: 'critical' });
    const b = makeAlert({ dedupKey: 'blind:web', name: 'GuardrailBlind', severity: 'critical', target: 'web' });
    await sink.send(a);
    await sink.send(b);
    posts = 0;
    offsetMs = 120_000;
    await sink.resend(now());
    expect(posts).toBe(1);
    const keys = (await alertmanager.alerts()).map((x) => x.labels['guardrail_dedup_key']);
    expect(keys).toEqual(expect.arrayContaining(['blind:api', 'blind:web']));
    offsetMs = 0;
    await sink.send({ ...a, resolvedAtMs: Date.now() });
    await sink.send({ ...b, resolvedAtMs: Date.now() });
    expect(sink.activeAlerts()).toHaveLength(0);
  });

  it('throws a clear AlertDeliveryError when Alertmanager is unreachable, and keeps the alert due', async () => {
    const port = await freePort();
    const down = new AlertmanagerSink({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 1_000 });
    const alert = makeAlert({ dedupKey: 'down:api' });
    const error = await down.send(alert).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).message).toContain(`could not reach Alertmanager at http://127.0.0.1:${port}`);
    expect((error as AlertDeliveryError).message).toContain('down:api');
    expect((error as AlertDeliveryError).retryable).toBe(true);
    // Still active, and due at once (it never arrived).
    expect(down.activeAlerts().map((a) => a.dedupKey)).toEqual(['down:api']);
    await expect(down.resend(Date.now())).rejects.toBeInstanceOf(AlertDeliveryError);
  });
});

describe('AlertmanagerSink against an Alertmanager behind basic auth (--web.config.file, as in the stack)', () => {
  let alertmanager: RealAlertmanager;
  beforeAll(async () => {
    alertmanager = await startAlertmanager({ basicAuthUsers: { operator: 'operator-password-0123', controller: 'controller-password-0123' } });
  });
  afterAll(async () => alertmanager?.stop());

  it('refuses an unauthenticated or wrongly authenticated post (401, not retried) and accepts the controller\'s credentials', async () => {
    const anonymous = await fetch(`${alertmanager.url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ labels: { alertname: 'Forged' } }]) });
    expect(anonymous.status).toBe(401);

    const wrong = new AlertmanagerSink({ baseUrl: alertmanager.url, basicAuth: { username: 'controller', password: 'guessed-password' } });
    const error = await wrong.send(makeAlert({ dedupKey: 'auth:wrong' })).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(AlertDeliveryError);
    expect((error as AlertDeliveryError).message).toContain('answered HTTP 401');
    expect((error as AlertDeliveryError).retryable).toBe(false);

    const sink = new AlertmanagerSink({ baseUrl: alertmanager.url, basicAuth: { username: 'controller', password: 'controller-password-0123' } });
    await sink.send(makeAlert({ dedupKey: 'auth:ok' }));
    const listed = await alertmanager.alerts();
    expect(listed.map((a) => a.labels['guardrail_dedup_key'])).toEqual(['auth:ok']);
  });
});

describe('WebhookSink against a recording HTTP server', () => {
  let recorder: HttpRecorder;
  beforeAll(async () => {
    recorder = await startHttpRecorder();
  });
  afterAll(async () => {
    await recorder?.stop();
  });

  it('POSTs the alert as JSON with a Slack-compatible text and the bearer token', async () => {
    const sink = new WebhookSink({ url: `${recorder.url}/hooks/guardrail`, bearerToken: 's3cret' });
    const alert = makeAlert({ startsAtMs: Date.UTC(2026, 10, 27, 8, 0, 0) });
    await sink.send(alert);
    const request = await recorder.waitFor((r) => r.path === '/hooks/guardrail');
    expect(request.method).toBe('POST');
    expect(request.headers.authorization).toBe('Bearer s3cret');
    expect(request.headers['content-type']).toContain('application/json');
    expect(request.json).toEqual({
      text: '[WARNING] api: Rollback active for 1h',
      source: 'guardrail',
      status: 'firing',
      dedupKey: 'rollback-active:api:rb-7',
      name: 'GuardrailRollbackActive',
      severity: 'warning',
      target: 'api',
      summary: 'Rollback active for 1h',
      description: alert.description,
      labels: { policy: 'api-errors', rollback_id: 'rb-7' },
      startsAt: '2026-11-27T08:00:00.000Z',
    });
  });

  it('sends custom headers and marks resolved alerts', async () => {
    recorder.clear();
    const sink = new WebhookSink({ url: `${recorder.url}/x`, headers: { 'X-Api-Key': 'k1' } });
    await sink.send(makeAlert({ resolvedAtMs: Date.UTC(2026, 10, 27, 9, 0, 0) }));
    const request = await recorder.waitFor(() => true);
    expect(request.headers['x-api-key']).toBe('k1');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.json).toMatchObject({ status: 'resolved', resolvedAt: '2026-11-27T09:00:00.000Z', text: '[RESOLVED WARNING] api: Rollback active for 1h' });
  });

  it('throws a non-retryable error on 400 and a retryable one on 503, naming the status', async () => {
    const sink = new WebhookSink({ url: `${recorder.url}/x?token=never-logged` });
    recorder.respondWith(400, '{"error":"bad payload"}');
    const bad = (await sink.send(makeAlert()).catch((e: unknown) => e)) as AlertDeliveryError;
    expect(bad).toBeInstanceOf(AlertDeliveryError);
    expect(bad.message).toBe(`webhook: webhook at http://127.0.0.1:${recorder.port} answered HTTP 400 to alert rollback-active:api:rb-7: {"error":"bad payload"}`);
    expect(bad.message).not.toContain('never-logged');
    expect(bad.retryable).toBe(false);

    recorder.respondWith(503, 'busy');
    const busy = (await sink.send(makeAlert()).catch((e: unknown) => e)) as AlertDeliveryError;
    expect(busy.message).toContain('HTTP 503');
    expect(busy.retryable).toBe(true);
    recorder.respondWith(200, '{}');
  });
});

describe('LogSink with an in-memory pino destination', () => {
  it('logs at info/warn/error by severity and resolved alerts at info', async () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, callback) {
        for (const line of chunk.toString('utf8').split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
        callback();
      },
    });
    const sink = new LogSink(pino({ level: 'info' }, destination));
    await sink.send(makeAlert({ severity: 'info', summary: 'dry run would roll back' }));
    await sink.send(makeAlert({ severity: 'warning' }));
    await sink.send(makeAlert({ severity: 'critical', summary: 'guardrail blind' }));
    await sink.send(makeAlert({ severity: 'critical', summary: 'guardrail blind', resolvedAtMs: Date.now() }));

    // pino levels: 30 info, 40 warn, 50 error.
    expect(lines.map((l) => l['level'])).toEqual([30, 40, 50, 30]);
    expect(lines.map((l) => l['msg'])).toEqual([
      '[INFO] api: dry run would roll back',
      '[WARNING] api: Rollback active for 1h',
      '[CRITICAL] api: guardrail blind',
      '[RESOLVED CRITICAL] api: guardrail blind',
    ]);
    expect(lines[1]?.['alert']).toMatchObject({ status: 'firing', dedupKey: 'rollback-active:api:rb-7', target: 'api', labels: { policy: 'api-errors' } });
    expect(lines[3]?.['alert']).toMatchObject({ status: 'resolved' });
  });
});
