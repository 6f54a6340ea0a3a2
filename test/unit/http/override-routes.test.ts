// Manual overrides through the port: 202 with an operation id, 404 unknown target, 409 naming the
// operation in flight, 400 for every invalid body (and then the port is not called).
import { beforeEach, describe, expect, it } from 'vitest';
import { AUTH, makeApi, problem, resetFixture } from './api-fixtures.js';
import { T0 } from './recording-controller.js';

const URL = '/api/v1/targets/prediction-service';
const fixture = makeApi();
const { app, controller } = fixture;
beforeEach(() => resetFixture(fixture));

async function post(path: string, payload?: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: `${URL}/${path}`, headers: { ...AUTH, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

describe('accepted operations', () => {
  it('rollback: 202 with the operation, which GET /operations/:id shows', async () => {
    const res = await post('rollback', { reason: 'users report bad predictions' });
    expect(res.statusCode).toBe(202);
    const { operation } = res.json<{ operation: { id: string; kind: string; target: string } }>();
    expect(operation).toMatchObject({ kind: 'rollback', target: 'prediction-service', status: 'queued' });
    expect(controller.calls).toEqual([{ method: 'submit', target: 'prediction-service', request: { kind: 'rollback', actor: 'api-token', reason: 'users report bad predictions' } }]);
    const shown = await app.inject({ method: 'GET', url: `/api/v1/operations/${operation.id}` });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toEqual({ operation: res.json<{ operation: unknown }>().operation });
  });

  it('rollforward and resume take an optional reason, even a bare POST without body', async () => {
    expect((await post('rollforward', { reason: 'model fixed' })).statusCode).toBe(202);
    expect((await post('rollforward')).statusCode).toBe(202);
    expect((await post('resume', {})).statusCode).toBe(202);
    expect((await app.inject({ method: 'POST', url: `${URL}/resume`, headers: { ...AUTH, 'content-type': 'application/json' }, payload: '' })).statusCode).toBe(202);
    expect(controller.calls.map((c) => (c.method === 'submit' ? [c.request.kind, c.request.reason] : []))).toEqual([
      ['rollforward', 'model fixed'],
      ['rollforward', 'manual roll-forward'],
      ['resume', 'manual resume'],
      ['resume', 'manual resume'],
    ]);
  });

  it('pause for a duration: untilMs = now + duration', async () => {
    const res = await post('pause', { duration: '1h30m', reason: 'planned maintenance' });
    expect(res.statusCode).toBe(202);
    expect(controller.calls[0]).toEqual({ method: 'submit', target: 'prediction-service', request: { kind: 'pause', actor: 'api-token', reason: 'planned maintenance', untilMs: T0 + 90 * 60_000 } });
  });

  it('pause until an ISO time in the future', async () => {
    const until = new Date(T0 + 2 * 3_600_000).toISOString();
    expect((await post('pause', { until, reason: 'deploy window' })).statusCode).toBe(202);
    expect(controller.calls[0]).toMatchObject({ request: { kind: 'pause', untilMs: T0 + 2 * 3_600_000 } });
  });

  it('the actor is the token identity plus a sanitised X-Guardrail-Actor', async () => {
    await post('rollback', { reason: 'r' }, { 'x-guardrail-actor': 'alice@example.com' });
    await post('rollback', { reason: 'r' }, { 'x-guardrail-actor': 'bob | evil\u0007 <b>x</b>' });
    await post('rollback', { reason: 'r' }, { 'x-guardrail-actor': '   ' });
    await post('rollback', { reason: 'r' }, { 'x-guardrail-actor': 'x'.repeat(300) });
    const actors = controller.calls.map((c) => (c.method === 'submit' ? c.request.actor : ''));
    expect(actors).toEqual(['api-token:alice@example.com', 'api-token:bobevilbxb', 'api-token', `api-token:${'x'.repeat(64)}`]);
  });
});

describe('refused operations', () => {
  it('unknown target -> 404 GR_ERR_UNKNOWN_TARGET', async () => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/targets/no-such-target/rollback', headers: AUTH, payload: { reason: 'r' } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual(problem('GR_ERR_UNKNOWN_TARGET', 'no policy has target "no-such-target"'));
  });

  it('an operation in flight -> 409 GR_ERR_CONFLICT naming it', async () => {
    const busy = { id: 'op-99', kind: 'rollback', target: 'prediction-service', submittedAt: new Date(T0).toISOString(), status: 'running', message: null } as const;
    controller.inFlight.set('prediction-service', busy);
    const res = await post('rollforward', { reason: 'r' });
    expect(res.statusCode).toBe(409);
    const body = res.json<{ code: string; detail: string; details: unknown }>();
    expect(body.code).toBe('GR_ERR_CONFLICT');
    expect(body.detail).toContain('op-99');
    expect(body.details).toEqual({ inFlight: busy });
  });

  it('a conflict reason that already names the operation is not repeated', async () => {
    const busy = { id: 'op-5', kind: 'pause', target: 'prediction-service', submittedAt: new Date(T0).toISOString(), status: 'queued', message: null } as const;
    const original = controller.submit;
    controller.submit = async () => ({ outcome: 'conflict', reason: 'operation op-5 (pause, queued) is in flight for prediction-service', inFlight: busy });
    try {
      const res = await post('rollback', { reason: 'r' });
      expect(res.statusCode).toBe(409);
      expect(res.json<{ detail: string }>().detail).toBe('operation op-5 (pause, queued) is in flight for prediction-service');
    } finally {
      controller.submit = original;
    }
  });

  it('an engine refusal (no operation in flight) -> 409 with the engine reason', async () => {
    const original = controller.submit;
    controller.submit = async () => ({ outcome: 'conflict', reason: 'nothing to roll forward: phase is watching', inFlight: null });
    try {
      const res = await post('rollforward');
      expect(res.statusCode).toBe(409);
      expect(res.json()).toEqual(problem('GR_ERR_CONFLICT', 'nothing to roll forward: phase is watching', { inFlight: null }));
    } finally {
      controller.submit = original;
    }
  });

  it('a target name that is not a policy name pattern (path tricks) -> 400 before the port', async () => {
    for (const target of ['..%2F..%2Fetc', '-x', '%20', 'a'.repeat(200), 'a%00b']) {
      const res = await app.inject({ method: 'POST', url: `/api/v1/targets/${target}/rollback`, headers: AUTH, payload: { reason: 'r' } });
      expect(res.statusCode, target).toBe(400);
      expect(res.json()).toMatchObject({ code: 'GR_ERR_VALIDATION' });
    }
    expect(controller.calls).toEqual([]);
  });

  const INVALID: readonly [string, string, unknown][] = [
    ['rollback', 'no reason', {}],
    ['rollback', 'empty reason', { reason: '' }],
    ['rollback', 'blank reason', { reason: '   ' }],
    ['rollback', 'reason too long', { reason: 'x'.repeat(501) }],
    ['rollback', 'reason not a string', { reason: 5 }],
    ['rollback', 'unknown field', { reason: 'r', container: 'api' }],
    ['rollback', 'array body', ['reason']],
    ['rollback', 'null body', null],
    ['rollforward', 'unknown field', { image: 'x' }],
    ['pause', 'neither duration nor until', { reason: 'r' }],
    ['pause', 'both duration and until', { reason: 'r', duration: '30m', until: '2026-11-27T10:00:00Z' }],
    ['pause', 'no reason', { duration: '30m' }],
    ['pause', 'bad duration', { duration: 'forever', reason: 'r' }],
    ['pause', 'duration with ms', { duration: '500ms', reason: 'r' }],
    ['pause', 'negative duration', { duration: '-5m', reason: 'r' }],
    ['pause', 'duration over 7 days', { duration: '8d', reason: 'r' }],
    ['pause', 'duration under a minute', { duration: '30s', reason: 'r' }],
    ['pause', 'until in the past', { until: '2026-11-27T08:00:00Z', reason: 'r' }],
    ['pause', 'until not a date', { until: 'tomorrow', reason: 'r' }],
    ['pause', 'until too far', { until: '2027-01-01T00:00:00Z', reason: 'r' }],
    ['resume', 'reason too long', { reason: 'y'.repeat(501) }],
  ];
  for (const [path, name, payload] of INVALID) {
    it(`${path}: ${name} -> 400 GR_ERR_VALIDATION, port not called`, async () => {
      const res = await app.inject({ method: 'POST', url: `${URL}/${path}`, headers: { ...AUTH, 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'GR_ERR_VALIDATION' });
      expect(controller.calls).toEqual([]);
    });
  }

  it('bad JSON -> 400 GR_ERR_INVALID_JSON', async () => {
    const res = await app.inject({ method: 'POST', url: `${URL}/rollback`, headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"reason": "x"' });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'GR_ERR_INVALID_JSON' });
    expect(controller.calls).toEqual([]);
  });

  it('prototype poisoning (__proto__ / constructor.prototype keys) -> 400 GR_ERR_INVALID_JSON', async () => {
    for (const payload of ['{"reason":"r","__proto__":{"admin":true}}', '{"reason":"r","constructor":{"prototype":{"admin":true}}}']) {
      const res = await app.inject({ method: 'POST', url: `${URL}/rollback`, headers: { ...AUTH, 'content-type': 'application/json' }, payload });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'GR_ERR_INVALID_JSON' });
    }
    expect(controller.calls).toEqual([]);
  });

  it('a non-JSON Content-Type -> 415 GR_ERR_UNSUPPORTED_MEDIA', async () => {
    const res = await app.inject({ method: 'POST', url: `${URL}/rollback`, headers: { ...AUTH, 'content-type': 'text/plain' }, payload: 'reason=x' });
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual(problem('GR_ERR_UNSUPPORTED_MEDIA', 'Content-Type must be application/json'));
    expect(controller.calls).toEqual([]);
  });

  it('an override body over 64 KiB -> 413 GR_ERR_BODY_TOO_LARGE', async () => {
    const res = await post('rollback', { reason: 'r', pad: 'x'.repeat(70 * 1024) });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'GR_ERR_BODY_TOO_LARGE' });
    expect(controller.calls).toEqual([]);
  });

  it('a failing port -> 500 GR_ERR_INTERNAL without leaking the error, logged', async () => {
    const broken = makeApi();
    broken.controller.submit = async () => {
      throw new Error('journal disk full at /var/lib/guardrail');
    };
    const res = await broken.app.inject({ method: 'POST', url: `${URL}/rollback`, headers: AUTH, payload: { reason: 'r' } });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual(problem('GR_ERR_INTERNAL', 'internal error'));
    expect(broken.logs.join('')).toContain('journal disk full');
  });
});

describe('roll-forward and the shadow gate', () => {
  const shadow = {
    mode: 'automatic',
    state: 'ready',
    candidate: 'api-guardrail-shadow',
    detail: 'serves ml',
    requests: 900,
    errorRatio: 0.3,
    p95Seconds: 0.2,
    agreement: 0.95,
    verdict: 'breach',
    since: new Date(T0).toISOString(),
    passingSeconds: 0,
    forSeconds: 600,
    bounds: [{ bound: 'errorRatio', status: 'breach', value: 0.3, comparison: 'above', threshold: 0.01, cause: null, detail: null }],
    candidateSpec: null,
  } as const;

  it('force: true reaches the port; without it, no force', async () => {
    expect((await post('rollforward', { reason: 'fixed', force: true })).statusCode).toBe(202);
    expect((await post('rollforward', { reason: 'fixed' })).statusCode).toBe(202);
    expect(controller.calls.map((c) => (c.method === 'submit' ? c.request : undefined))).toEqual([
      { kind: 'rollforward', actor: 'api-token', reason: 'fixed', force: true },
      { kind: 'rollforward', actor: 'api-token', reason: 'fixed' },
    ]);
  });

  it('force must be a boolean, and only rollforward takes it', async () => {
    expect((await post('rollforward', { force: 'yes' })).statusCode).toBe(400);
    expect((await post('rollback', { reason: 'r', force: true })).statusCode).toBe(400);
    expect(controller.calls).toEqual([]);
  });

  it('refused on the gate: 409 with the breaching bounds in detail and the evidence in details.shadow', async () => {
    controller.submitAnswer = () => ({ outcome: 'conflict', reason: 'the shadow candidate breaches the roll-forward gate: errorRatio 0.3 > 0.01 BREACH', inFlight: null, shadow });
    const res = await post('rollforward', { reason: 'fixed' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual(problem('GR_ERR_CONFLICT', 'the shadow candidate breaches the roll-forward gate: errorRatio 0.3 > 0.01 BREACH', { inFlight: null, shadow }));
  });

  it('accepted with a warning (UNKNOWN evidence, or forced): 202 carries it', async () => {
    controller.submitAnswer = (_request, operation) => ({ outcome: 'accepted', operation, warning: 'the shadow evidence is UNKNOWN, the candidate is not proven' });
    const res = await post('rollforward', { reason: 'fixed' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ operation: { kind: 'rollforward' }, warning: 'the shadow evidence is UNKNOWN, the candidate is not proven' });
  });
});
