// Every kind of bad input gets a 4xx with {error: {code, message, field?}} naming the field and the
// problem, and moves prediction_invalid_input_total{reason} by exactly one, on both variants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_INPUT_REASONS, METRIC, MODEL_VARIANTS, type InvalidInputReason, type ModelVariant } from '../../../service/contract.js';
import type { Scorer } from '../../../service/scorers/scorer.js';
import { GOOD_INSTANCE, isErrorBody, metricValue, scorerFor, testApp } from './app-fixtures.js';

interface BadCase {
  readonly name: string;
  readonly url: '/predict' | '/predict/batch';
  /** Raw body text, sent as is. */
  readonly payload: string;
  readonly contentType?: string;
  readonly status: number;
  readonly reason: InvalidInputReason;
  readonly field?: string;
  /** A fragment the message must contain, so it says what is wrong. */
  readonly says: string;
}

const good = JSON.stringify(GOOD_INSTANCE);
const instances = (n: number): string => JSON.stringify({ instances: Array.from({ length: n }, () => GOOD_INSTANCE) });

const CASES: readonly BadCase[] = [
  { name: 'non-JSON', url: '/predict', payload: '{"price": 1,', status: 400, reason: 'invalid_json', says: 'not valid JSON' },
  { name: 'empty body', url: '/predict', payload: '', status: 400, reason: 'invalid_json', says: 'empty' },
  { name: 'NaN literal (not JSON)', url: '/predict', payload: '{"price": NaN}', status: 400, reason: 'invalid_json', says: 'not valid JSON' },
  { name: 'array body', url: '/predict', payload: '[1, 2]', status: 400, reason: 'not_an_object', says: 'an array' },
  { name: 'string body', url: '/predict', payload: '"hello"', status: 400, reason: 'not_an_object', says: 'string' },
  { name: 'null body', url: '/predict', payload: 'null', status: 400, reason: 'not_an_object', says: 'null' },
  { name: 'number body', url: '/predict', payload: '42', status: 400, reason: 'not_an_object', says: 'number' },
  { name: 'price as a string', url: '/predict', payload: '{"price": "50000"}', status: 400, reason: 'wrong_type', field: 'price', says: 'must be a number' },
  { name: 'volatility "NaN"', url: '/predict', payload: '{"price": 1, "volatility": "NaN"}', status: 400, reason: 'wrong_type', field: 'volatility', says: '"NaN"' },
  { name: 'boolean return', url: '/predict', payload: '{"return_1s": true}', status: 400, reason: 'wrong_type', field: 'return_1s', says: 'boolean' },
  { name: 'object midprice', url: '/predict', payload: '{"midprice": {}}', status: 400, reason: 'wrong_type', field: 'midprice', says: 'must be a number' },
  { name: '1e400 price', url: '/predict', payload: '{"price": 1e400}', status: 400, reason: 'not_finite', field: 'price', says: 'Infinity' },
  { name: '-1e400 return_5s', url: '/predict', payload: '{"price": 1, "return_5s": -1e400}', status: 400, reason: 'not_finite', field: 'return_5s', says: 'finite' },
  { name: 'zero price', url: '/predict', payload: '{"price": 0, "midprice": 1}', status: 400, reason: 'out_of_range', field: 'price', says: '> 0' },
  { name: 'negative price', url: '/predict', payload: '{"price": -5}', status: 400, reason: 'out_of_range', field: 'price', says: '> 0' },
  { name: 'zero midprice', url: '/predict', payload: '{"price": 1, "midprice": 0}', status: 400, reason: 'out_of_range', field: 'midprice', says: '> 0' },
  { name: 'negative volatility', url: '/predict', payload: '{"volatility": -0.1}', status: 400, reason: 'out_of_range', field: 'volatility', says: '>= 0' },
  { name: 'misspelt feature', url: '/predict', payload: '{"price": 1, "volatilty": 0.1}', status: 400, reason: 'unknown_field', field: 'volatilty', says: 'unknown field' },
  { name: '__proto__ key', url: '/predict', payload: '{"__proto__": {"price": 1}, "price": 1}', status: 400, reason: 'unknown_field', field: '__proto__', says: 'unknown field' },
  { name: 'empty object', url: '/predict', payload: '{}', status: 400, reason: 'no_features', says: 'none of the fields' },
  { name: 'all fields null', url: '/predict', payload: '{"price": null, "volatility": null}', status: 400, reason: 'no_features', says: 'none of the fields' },
  { name: 'text/plain', url: '/predict', payload: good, contentType: 'text/plain', status: 415, reason: 'unsupported_media_type', says: 'application/json' },
  { name: 'oversized body', url: '/predict', payload: `{"price": 1, "pad": "${'x'.repeat(600 * 1024)}"}`, status: 413, reason: 'body_too_large', says: 'too large' },
  { name: 'batch: body is an array', url: '/predict/batch', payload: `[${good}]`, status: 400, reason: 'not_an_object', says: 'instances' },
  { name: 'batch: no instances', url: '/predict/batch', payload: '{}', status: 400, reason: 'wrong_type', field: 'instances', says: 'must be an array' },
  { name: 'batch: instances an object', url: '/predict/batch', payload: `{"instances": ${good}}`, status: 400, reason: 'wrong_type', field: 'instances', says: 'must be an array' },
  { name: 'batch: empty', url: '/predict/batch', payload: '{"instances": []}', status: 400, reason: 'batch_size', field: 'instances', says: 'got 0' },
  { name: 'batch: 1001 instances', url: '/predict/batch', payload: instances(1001), status: 400, reason: 'batch_size', field: 'instances', says: 'got 1001' },
  { name: 'batch: extra top-level field', url: '/predict/batch', payload: `{"instances": [${good}], "model": "x"}`, status: 400, reason: 'unknown_field', field: 'model', says: 'unknown field' },
  { name: 'batch: bad instance at index 2', url: '/predict/batch', payload: `{"instances": [${good}, ${good}, {"price": -1}]}`, status: 400, reason: 'out_of_range', field: 'instances[2].price', says: 'instances[2].price' },
  { name: 'batch: null instance at index 1', url: '/predict/batch', payload: `{"instances": [${good}, null]}`, status: 400, reason: 'not_an_object', field: 'instances[1]', says: 'instances[1]' },
  { name: 'batch: misspelt field at index 0', url: '/predict/batch', payload: '{"instances": [{"prize": 1}]}', status: 400, reason: 'unknown_field', field: 'instances[0].prize', says: 'unknown field' },
];

describe.each(MODEL_VARIANTS)('bad input on the %s variant', (variant: ModelVariant) => {
  let scorer: Scorer;
  beforeAll(async () => {
    scorer = await scorerFor(variant);
  });
  afterAll(async () => {
    await scorer.close();
  });

  it.each(CASES)('$name → $status $reason', async (c) => {
    const { app, registry } = testApp(scorer);
    const before = Object.fromEntries(
      await Promise.all(INVALID_INPUT_REASONS.map(async (r) => [r, await metricValue(registry, METRIC.invalidInput, { reason: r })] as const)),
    );
    const res = await app.inject({
      method: 'POST',
      url: c.url,
      headers: { 'content-type': c.contentType ?? 'application/json' },
      payload: c.payload,
    });
    expect(res.statusCode).toBe(c.status);
    const body: unknown = res.json();
    expect(isErrorBody(body)).toBe(true);
    if (!isErrorBody(body)) return;
    expect(body.error.code).toBe(c.reason.toUpperCase());
    expect(body.error.field).toBe(c.field);
    expect(body.error.message).toContain(c.says);
    for (const r of INVALID_INPUT_REASONS) {
      const after = await metricValue(registry, METRIC.invalidInput, { reason: r });
      expect(after - (before[r] ?? 0), `prediction_invalid_input_total{reason="${r}"}`).toBe(r === c.reason ? 1 : 0);
    }
    // Counted as a 4xx of the route pattern, not a 5xx.
    expect(await metricValue(registry, METRIC.httpRequests, { method: 'POST', route: c.url, status_code: String(c.status) })).toBe(1);
    await app.close();
  });
});

describe('error bodies stay small and printable', () => {
  let scorer: Scorer;
  beforeAll(async () => {
    scorer = await scorerFor('baseline');
  });
  afterAll(async () => {
    await scorer.close();
  });

  it('an unknown 100 KB key is named with its first 64 characters, once, not echoed twice', async () => {
    const { app } = testApp(scorer);
    const key = 'k'.repeat(100_000);
    const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ price: 1, [key]: 1 }) });
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(600);
    expect(res.json()).toEqual({
      error: {
        code: 'UNKNOWN_FIELD',
        message: `unknown field "${'k'.repeat(64)}… (100000 characters)" in request body; allowed fields: price, midprice, return_1s, return_5s, volatility`,
        field: 'k'.repeat(64),
      },
    });
    await app.close();
  });

  it('control and bidi characters in a key are escaped in message and field', async () => {
    const { app } = testApp(scorer);
    const res = await app.inject({ method: 'POST', url: '/predict', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ 'a\u001b[2J\u202eb': 1 }) });
    const body = res.json<{ error: { message: string; field: string } }>();
    expect(body.error.field).toBe('a\\u001b[2J\\u202eb');
    expect(body.error.message).toContain('"a\\u001b[2J\\u202eb"');
    await app.close();
  });

  it('a 404 names the path, never the query string', async () => {
    const { app } = testApp(scorer);
    const res = await app.inject({ method: 'GET', url: '/nope?token=secret-0123456789' });
    expect(res.json()).toEqual({ error: { code: 'NOT_FOUND', message: 'no route GET /nope?[redacted]' } });
    await app.close();
  });
});
