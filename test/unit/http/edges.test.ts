// The API's edges (issue: hardened edges): error bodies stay small whatever the request, unknown keys are
// named and never echoed whole, 128-character target names reach the schema, the query string never
// reaches a log line or an error body, and every problem type resolves.
import { beforeEach, describe, expect, it } from 'vitest';
import { MAX_DETAIL_ITEMS } from '../../../controller/http/errors.js';
import { AUTH, WEBHOOK_AUTH, alertmanagerPayload, makeApi, problem, resetFixture } from './api-fixtures.js';

const fixture = makeApi();
const { app, controller } = fixture;
beforeEach(() => resetFixture(fixture));

const json = { 'content-type': 'application/json' };

describe('error bodies are capped', () => {
  it('1000 invalid alerts: one 400 of a few KB naming the first problem and counting the rest', async () => {
    const payload = alertmanagerPayload(Array.from({ length: 1000 }, (_, i) => ({ fingerprint: `fp-${i}`, startsAt: 'not-a-date' })));
    const res = await app.inject({ method: 'POST', url: '/api/v1/webhooks/alertmanager', headers: { ...WEBHOOK_AUTH, ...json }, payload: JSON.stringify(payload) });
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(4_096);
    const body = res.json<{ code: string; detail: string; details: unknown[] }>();
    expect(body.code).toBe('GR_ERR_VALIDATION');
    expect(body.detail).toBe('body/alerts/0/startsAt must match format "date-time" (and 999 more problems)');
    expect(body.details).toHaveLength(MAX_DETAIL_ITEMS);
    expect(controller.calls).toEqual([]);
  });

  it('an unknown 60 KB key is named (capped, escaped), not echoed', async () => {
    const key = `${'k'.repeat(60_000)}`;
    const res = await app.inject({ method: 'POST', url: '/api/v1/targets/prediction-service/rollback', headers: { ...AUTH, ...json }, payload: JSON.stringify({ reason: 'x', [key]: 1 }) });
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(1_024);
    const body = res.json<{ detail: string; details: { path: string; message: string }[] }>();
    expect(body.detail).toBe(`body unknown field "${'k'.repeat(64)}… (60000 characters)"`);
    expect(body.details).toEqual([{ path: 'body', message: `unknown field "${'k'.repeat(64)}… (60000 characters)"` }]);
  });

  it('control and bidi characters in an unknown key are escaped in the answer', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/targets/prediction-service/rollback', headers: { ...AUTH, ...json }, payload: JSON.stringify({ reason: 'x', 'a\u001b[2Jb\u202ec': 1 }) });
    expect(res.json<{ detail: string }>().detail).toBe('body unknown field "a\\x1b[2Jb\\u202ec"');
  });
});

describe('path parameters', () => {
  it('a 128-character target name reaches the schema and the controller (was: 404 from the router at 101)', async () => {
    const name = `t${'x'.repeat(127)}`;
    const res = await app.inject({ method: 'POST', url: `/api/v1/targets/${name}/rollback`, headers: { ...AUTH, ...json }, payload: { reason: 'x' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual(problem('GR_ERR_UNKNOWN_TARGET', `no policy has target "${name}"`));
    expect(controller.calls.map((c) => c.method)).toEqual(['submit']);
  });

  it('129 characters: 400 from the schema, naming the parameter', async () => {
    const res = await app.inject({ method: 'POST', url: `/api/v1/targets/t${'x'.repeat(128)}/rollback`, headers: { ...AUTH, ...json }, payload: { reason: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'GR_ERR_VALIDATION', details: [{ path: 'params/target' }] });
    expect(controller.calls).toEqual([]);
  });
});

describe('the query string stays out of logs and answers', () => {
  it('a token in the query string is logged as ?[redacted]', async () => {
    const secret = 'query-token-0123456789abcdef';
    const res = await app.inject({ method: 'GET', url: `/api/v1/status?token=${secret}` });
    expect(res.statusCode).toBe(200);
    const logs = fixture.logs.join('');
    expect(logs).not.toContain(secret);
    const line = fixture.logs.map((l) => JSON.parse(l) as { msg: string; req?: { url: string } }).find((l) => l.msg === 'incoming request');
    expect(line?.req?.url).toBe('/api/v1/status?[redacted]');
  });

  it('a 404 names the path only', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/nope?token=query-token-0123456789abcdef' });
    expect(res.json()).toEqual(problem('GR_ERR_NOT_FOUND', 'no route GET /api/v1/nope'));
    expect(fixture.logs.join('')).not.toContain('query-token');
  });
});

describe('problem types', () => {
  it('every error body names its type, which the API serves', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/targets/prediction-service/rollback', headers: json, payload: { reason: 'x' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const { type } = res.json<{ type: string }>();
    const doc = await app.inject({ method: 'GET', url: type });
    expect(doc.statusCode).toBe(200);
    expect(doc.json()).toEqual({ type, code: 'GR_ERR_UNAUTHORIZED', status: 401, title: 'a valid bearer token is required' });
  });

  it('an unknown problem type is a 404 problem', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/problems/GR_ERR_NOPE' });
    expect(res.json()).toEqual(problem('GR_ERR_NOT_FOUND', 'no such problem type'));
  });
});
