// Property: whatever a client sends, the service never answers 5xx (no crash on input), and every 4xx
// has the documented error shape. Both variants, both prediction routes.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_FIELDS, MODEL_VARIANTS, type ModelVariant } from '../../../service/contract.js';
import type { Scorer } from '../../../service/scorers/scorer.js';
import { isErrorBody, scorerFor, testApp, type TestApp } from './app-fixtures.js';

const ROUTES = ['/predict', '/predict/batch'] as const;

/** Values a feature field might plausibly (or implausibly) hold. */
const fieldValue = fc.oneof(
  fc.double(),
  fc.integer(),
  fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, null, 'NaN', 'Infinity', '1.5', true, [], {}),
  fc.string(),
);
/** Objects built around the real field names, with a chance of extra keys. */
const featureObject = fc.record(Object.fromEntries(API_FIELDS.map((f) => [f, fieldValue])), { requiredKeys: [] });
const nearMiss = fc.dictionary(fc.constantFrom(...API_FIELDS, 'volatilty', 'prize', '__proto__', 'constructor', 'instances'), fieldValue);

/** JSON texts: arbitrary values, feature-shaped objects, and batches of them. */
const jsonBody = fc.oneof(
  fc.anything().map((v) => JSON.stringify(v) ?? 'undefined'),
  fc.json(),
  featureObject.map((o) => JSON.stringify(o)),
  nearMiss.map((o) => JSON.stringify(o)),
  fc.array(fc.oneof(featureObject, nearMiss, fc.anything()), { maxLength: 5 }).map((instances) => JSON.stringify({ instances })),
  fc.object().map((o) => JSON.stringify({ instances: o })),
);
/** Raw texts that are mostly not JSON, with assorted content types. */
const rawBody = fc.record({
  payload: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constantFrom('{', '{"price":1e400}', '[', '\u0000', '{"price": 1}}')),
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/octet-stream'),
});

describe.each(MODEL_VARIANTS)('fuzzed requests on the %s variant', (variant: ModelVariant) => {
  let scorer: Scorer;
  let t: TestApp;
  beforeAll(async () => {
    scorer = await scorerFor(variant);
    t = testApp(scorer);
  });
  afterAll(async () => {
    await t.app.close();
    await scorer.close();
  });

  async function assertSane(url: string, payload: string, contentType: string): Promise<void> {
    const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': contentType }, payload });
    expect(res.statusCode, `${url} ${contentType} ${payload.slice(0, 200)}`).toBeLessThan(500);
    if (res.statusCode >= 400) {
      const body: unknown = res.json();
      expect(isErrorBody(body), res.body).toBe(true);
    } else {
      expect(res.statusCode).toBe(200);
    }
  }

  it('JSON bodies never give 5xx; every 4xx has the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), jsonBody, (url, payload) => assertSane(url, payload, 'application/json')),
      { numRuns: 400 },
    );
  });

  it('raw strings and odd content types never give 5xx; every 4xx has the error shape', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ROUTES), rawBody, (url, { payload, contentType }) => assertSane(url, payload, contentType)),
      { numRuns: 300 },
    );
  });

  it('valid-looking feature objects are either scored (200) or refused with a named field', async () => {
    await fc.assert(
      fc.asyncProperty(featureObject, async (o) => {
        const res = await t.app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(o) });
        if (res.statusCode === 200) {
          const body = res.json<{ probability: number; prediction: number }>();
          expect(body.probability).toBeGreaterThanOrEqual(0);
          expect(body.probability).toBeLessThanOrEqual(1);
          expect([0, 1]).toContain(body.prediction);
        } else {
          expect(res.statusCode).toBe(400);
          const body = res.json<{ error: { code: string; field?: string } }>();
          if (body.error.code !== 'NO_FEATURES') expect(API_FIELDS as readonly string[]).toContain(body.error.field);
        }
      }),
      { numRuns: 400 },
    );
  });
});
