// Every route that needs a token refuses a missing, wrong or wrong-scheme one with 401 (and a webhook-only
// token with 403) before the port is touched; tokens are compared in constant time and never logged.
import { Registry } from 'prom-client';
import pino from 'pino';
import { beforeEach, describe, expect, it } from 'vitest';
import { authenticate, bearerToken, tokensEqual } from '../../../controller/http/auth.js';
import { buildApi } from '../../../controller/http/build-api.js';
import { ApiError } from '../../../controller/http/errors.js';
import { AUTH, TOKEN, WEBHOOK_AUTH, WEBHOOK_TOKEN, alertmanagerPayload, makeApi, resetFixture } from './api-fixtures.js';
import { createRecordingController } from './recording-controller.js';

const TARGET = '/api/v1/targets/prediction-service';
const MUTATING = [
  { url: `${TARGET}/rollback`, payload: { reason: 'manual test' } },
  { url: `${TARGET}/rollforward`, payload: { reason: 'fixed' } },
  { url: `${TARGET}/pause`, payload: { duration: '30m', reason: 'maintenance' } },
  { url: `${TARGET}/resume`, payload: {} },
  { url: '/api/v1/webhooks/alertmanager', payload: alertmanagerPayload([{}]) },
] as const;
const READS = ['/api/v1/status', '/api/v1/history', '/api/v1/policies', '/api/v1/operations/op-1'] as const;

const BAD_HEADERS = [
  { name: 'missing', headers: {} },
  { name: 'empty', headers: { authorization: '' } },
  { name: 'wrong token', headers: { authorization: `Bearer ${TOKEN}x` } },
  { name: 'wrong token, same length', headers: { authorization: `Bearer ${TOKEN.slice(0, -1)}X` } },
  { name: 'wrong scheme (Basic)', headers: { authorization: `Basic ${Buffer.from(`guardrail:${TOKEN}`).toString('base64')}` } },
  { name: 'token without scheme', headers: { authorization: TOKEN } },
  { name: 'Bearer without token', headers: { authorization: 'Bearer ' } },
] as const;

describe('mutating routes and the webhook require a token', () => {
  const shared = makeApi();
  beforeEach(() => resetFixture(shared));

  for (const route of MUTATING) {
    for (const bad of BAD_HEADERS) {
      it(`${route.url}: ${bad.name} -> 401, nothing changes`, async () => {
        const { app, controller } = shared;
        const res = await app.inject({ method: 'POST', url: route.url, headers: bad.headers, payload: route.payload });
        expect(res.statusCode).toBe(401);
        expect(res.json()).toMatchObject({ code: 'GR_ERR_UNAUTHORIZED' });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="guardrail"');
        expect(controller.calls).toEqual([]);
      });
    }
  }

  it('a 401 is answered before the body is read: an invalid body still gets 401, not 400', async () => {
    const { app, controller } = makeApi();
    const res = await app.inject({ method: 'POST', url: `${TARGET}/rollback`, headers: { 'content-type': 'application/json' }, payload: '{not json' });
    expect(res.statusCode).toBe(401);
    expect(controller.calls).toEqual([]);
  });

  it('the webhook token may post alerts but not override a target (403) or read protected state (403)', async () => {
    const { app, controller } = makeApi({ protectReads: true });
    for (const route of MUTATING.slice(0, 4)) {
      const res = await app.inject({ method: 'POST', url: route.url, headers: WEBHOOK_AUTH, payload: route.payload });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'GR_ERR_FORBIDDEN' });
    }
    for (const url of READS) {
      const res = await app.inject({ method: 'GET', url, headers: WEBHOOK_AUTH });
      expect(res.statusCode).toBe(403);
    }
    expect(controller.calls).toEqual([]);
    const webhook = await app.inject({ method: 'POST', url: '/api/v1/webhooks/alertmanager', headers: WEBHOOK_AUTH, payload: alertmanagerPayload([{}]) });
    expect(webhook.statusCode).toBe(200);
    expect(controller.calls.map((c) => c.method)).toEqual(['alertmanagerWebhook']);
  });

  it('the operator token also works on the webhook; without a webhook token configured only it does', async () => {
    const { app, controller } = makeApi({ webhookToken: null });
    const asOperator = await app.inject({ method: 'POST', url: '/api/v1/webhooks/alertmanager', headers: AUTH, payload: alertmanagerPayload([{}]) });
    expect(asOperator.statusCode).toBe(200);
    const oldWebhookToken = await app.inject({ method: 'POST', url: '/api/v1/webhooks/alertmanager', headers: WEBHOOK_AUTH, payload: alertmanagerPayload([{ fingerprint: 'other' }]) });
    expect(oldWebhookToken.statusCode).toBe(401);
    expect(controller.calls).toHaveLength(1);
  });

  it('the scheme is case-insensitive as RFC 9110 says ("bearer" works)', async () => {
    const { app } = makeApi();
    const res = await app.inject({ method: 'POST', url: `${TARGET}/rollback`, headers: { authorization: `bearer ${TOKEN}` }, payload: { reason: 'r' } });
    expect(res.statusCode).toBe(202);
  });
});

describe('reads', () => {
  it('are open when protectReads is false', async () => {
    const { app } = makeApi({ protectReads: false });
    for (const url of READS.slice(0, 3)) expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
  });

  it('need the operator token when protectReads is true', async () => {
    const { app, controller } = makeApi({ protectReads: true });
    for (const url of READS) {
      for (const bad of BAD_HEADERS) {
        const res = await app.inject({ method: 'GET', url, headers: bad.headers });
        expect(res.statusCode, `${url} ${bad.name}`).toBe(401);
      }
    }
    expect(controller.calls).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/v1/status', headers: AUTH })).statusCode).toBe(200);
  });

  it('health, readiness and metrics never need a token (Docker and Prometheus carry none)', async () => {
    const { app } = makeApi({ protectReads: true });
    for (const url of ['/healthz', '/readyz', '/metrics']) expect((await app.inject({ method: 'GET', url })).statusCode).toBe(200);
  });
});

describe('token handling', () => {
  it('compares tokens by digest, so different lengths are just unequal', () => {
    expect(tokensEqual(TOKEN, TOKEN)).toBe(true);
    expect(tokensEqual('a', TOKEN)).toBe(false);
    expect(tokensEqual(`${TOKEN}${TOKEN}`, TOKEN)).toBe(false);
    expect(tokensEqual('', TOKEN)).toBe(false);
  });

  it('parses only the Bearer scheme', () => {
    expect(bearerToken(`Bearer ${TOKEN}`)).toBe(TOKEN);
    expect(bearerToken(`Bearer  ${TOKEN} `)).toBe(TOKEN);
    expect(bearerToken(`Basic ${TOKEN}`)).toBeUndefined();
    expect(bearerToken(`Bearer a b`)).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });

  it('authenticate names the identity', () => {
    const auth = { token: TOKEN, webhookToken: WEBHOOK_TOKEN, protectReads: false };
    expect(authenticate(auth, `Bearer ${TOKEN}`, 'operator')).toBe('api-token');
    expect(authenticate(auth, `Bearer ${WEBHOOK_TOKEN}`, 'webhook')).toBe('webhook-token');
    expect(() => authenticate(auth, `Bearer ${WEBHOOK_TOKEN}`, 'operator')).toThrow(ApiError);
  });

  it('buildApi refuses a short token, a short webhook token and a webhook token equal to the main one', () => {
    const base = { controller: createRecordingController(), registry: new Registry(), logger: pino({ level: 'silent' }) };
    expect(() => buildApi({ ...base, auth: { token: '', protectReads: false } })).toThrow(/at least 16/);
    expect(() => buildApi({ ...base, auth: { token: 'short', protectReads: false } })).toThrow(/at least 16/);
    expect(() => buildApi({ ...base, auth: { token: TOKEN, webhookToken: 'short', protectReads: false } })).toThrow(/webhook token/);
    expect(() => buildApi({ ...base, auth: { token: TOKEN, webhookToken: TOKEN, protectReads: false } })).toThrow(/differ/);
  });

  it('never logs a token, neither accepted nor refused ones', async () => {
    const { app, logs } = makeApi({ protectReads: true });
    await app.inject({ method: 'POST', url: `${TARGET}/rollback`, headers: AUTH, payload: { reason: 'r' } });
    await app.inject({ method: 'POST', url: `${TARGET}/rollback`, headers: { authorization: 'Bearer wrong-token-value-123456' }, payload: { reason: 'r' } });
    await app.inject({ method: 'POST', url: '/api/v1/webhooks/alertmanager', headers: WEBHOOK_AUTH, payload: alertmanagerPayload([{}]) });
    await app.inject({ method: 'GET', url: '/api/v1/status', headers: WEBHOOK_AUTH });
    const text = logs.join('');
    expect(text).toContain('refused request');
    expect(text).toContain('manual operation accepted');
    for (const secret of [TOKEN, WEBHOOK_TOKEN, 'wrong-token-value-123456']) expect(text).not.toContain(secret);
  });

  it('the exported redact paths censor an authorization header if one is ever logged', () => {
    const lines: string[] = [];
    const logger = pino({ redact: { paths: ['req.headers.authorization'], censor: '[redacted]' } }, { write: (s: string) => lines.push(s) });
    logger.info({ req: { headers: { authorization: `Bearer ${TOKEN}` } } }, 'x');
    expect(lines.join('')).not.toContain(TOKEN);
  });
});
