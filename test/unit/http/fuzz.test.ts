// fast-check: whatever arrives at the override routes and the webhook, the API never answers 5xx, always
// answers in the catalogue's shape, and an invalid body never reaches submit()/alertmanagerWebhook().
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isApiErrorCode } from '../../../controller/http/errors.js';
import { AUTH, WEBHOOK_AUTH, alertmanagerPayload, makeApi } from './api-fixtures.js';

const fixture = makeApi();
const { app, controller } = fixture;
const RUNS = 150;

/** A JSON value that mixes plausible field names and values with garbage. */
const field = fc.constantFrom('version', 'status', 'alerts', 'labels', 'startsAt', 'fingerprint', 'reason', 'duration', 'until', 'groupKey', '__proto__', 'constructor');
const leaf = fc.oneof(
  fc.constantFrom('4', 'firing', 'resolved', '30m', '8d', '', '2026-11-27T10:00:00Z', 'not-a-date', null, true, 0, -1, Number.MAX_VALUE),
  fc.string({ maxLength: 40 }),
  fc.double(),
  fc.integer(),
);
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(field, tie('value'), { maxKeys: 6 })),
})).value;

async function expectWellFormed(res: { statusCode: number; headers: Record<string, unknown>; json: <T>() => T }): Promise<void> {
  expect(res.statusCode).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const body = res.json<{ code: string; type: string; status: number; detail: string }>();
    expect(isApiErrorCode(body.code)).toBe(true);
    expect(body).toMatchObject({ type: `/api/v1/problems/${body.code}`, status: res.statusCode });
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
}

describe('fuzz', () => {
  it('override bodies: never 5xx; a refused body never reaches submit()', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('rollback', 'rollforward', 'pause', 'resume'), jsonish, async (action, body) => {
        controller.calls.length = 0;
        const res = await app.inject({ method: 'POST', url: `/api/v1/targets/prediction-service/${action}`, headers: { ...AUTH, 'content-type': 'application/json' }, payload: JSON.stringify(body) ?? '' });
        await expectWellFormed(res);
        if (res.statusCode !== 202) expect(controller.calls).toEqual([]);
        else expect(controller.calls.map((c) => c.method)).toEqual(['submit']);
      }),
      { numRuns: RUNS },
    );
  });

  it('raw bytes as an override body: never 5xx, never an action', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 200 }), async (text) => {
        controller.calls.length = 0;
        const res = await app.inject({ method: 'POST', url: '/api/v1/targets/prediction-service/rollback', headers: { ...AUTH, 'content-type': 'application/json' }, payload: text });
        await expectWellFormed(res);
        if (res.statusCode !== 202) expect(controller.calls).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('webhook payloads: never 5xx; a refused payload never reaches alertmanagerWebhook()', async () => {
    await fc.assert(
      fc.asyncProperty(jsonish, async (body) => {
        controller.calls.length = 0;
        const res = await app.inject({ method: 'POST', url: '/api/v1/webhooks/alertmanager', headers: { ...WEBHOOK_AUTH, 'content-type': 'application/json' }, payload: JSON.stringify(body) ?? '' });
        await expectWellFormed(res);
        if (res.statusCode !== 200) expect(controller.calls).toEqual([]);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutations of a valid webhook payload: 200 only when still valid, otherwise 400 and no call', async () => {
    const base = alertmanagerPayload([{}, { status: 'resolved', fingerprint: 'fp2' }]);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('version', 'status', 'alerts', 'receiver', 'groupKey'), leaf, fc.nat(1), fc.constantFrom('status', 'labels', 'startsAt', 'fingerprint', 'annotations'), jsonish, async (topKey, topValue, index, alertKey, alertValue) => {
        controller.calls.length = 0;
        const mutated = JSON.parse(JSON.stringify(base)) as Record<string, unknown> & { alerts: Record<string, unknown>[] };
        if (topKey === 'alerts') (mutated.alerts[index] as Record<string, unknown>)[alertKey] = alertValue;
        else mutated[topKey] = topValue;
        const res = await app.inject({ method: 'POST', url: '/api/v1/webhooks/alertmanager', headers: WEBHOOK_AUTH, payload: mutated });
        await expectWellFormed(res);
        expect([200, 400]).toContain(res.statusCode);
        expect(controller.calls.length).toBe(res.statusCode === 200 ? 1 : 0);
      }),
      { numRuns: RUNS },
    );
  });
});
