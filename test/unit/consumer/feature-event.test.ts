import { describe, expect, it } from 'vitest';
import { MAX_EVENT_ID_LENGTH, eventIdOf, fieldsToRecord, parseEvent } from '../../../service/consumer/feature-event.js';

const FULL = ['price', '100.5', 'midprice', '100.4', 'return_1s', '-0.001', 'return_5s', '2e-3', 'volatility', '0.02'];

describe('parseEvent', () => {
  it('reads flat numeric fields and takes event_id from the field', () => {
    const parsed = parseEvent({ id: '1-0', fields: ['event_id', 'e-7', 'ts', '1700000000', ...FULL] });
    expect(parsed).toEqual({
      ok: true,
      eventId: 'e-7',
      features: { price: 100.5, midprice: 100.4, return_1s: -0.001, return_5s: 0.002, volatility: 0.02 },
      missing: [],
    });
  });

  it('falls back to the stream entry id and lists missing features', () => {
    const parsed = parseEvent({ id: '17-3', fields: ['price', '10', 'volatility', '0.5'] });
    expect(parsed).toMatchObject({ ok: true, eventId: '17-3', missing: ['midprice', 'return_1s', 'return_5s'] });
  });

  it('reads a JSON features field, with null as missing like the API', () => {
    const parsed = parseEvent({ id: '1-0', fields: ['event_id', 'j', 'features', '{"price":5,"midprice":5,"volatility":null}'] });
    expect(parsed).toMatchObject({ ok: true, eventId: 'j', features: { price: 5, midprice: 5 }, missing: ['return_1s', 'return_5s', 'volatility'] });
  });

  it.each([
    [['price', '-1'], 'out_of_range', 'price must be > 0, got -1'],
    [['price', 'abc'], 'wrong_type', 'price must be a number, got the string "abc"'],
    [['price', 'NaN'], 'wrong_type', 'price must be a number'],
    [['price', ''], 'wrong_type', 'price must be a number'],
    [['price', '1e400'], 'not_finite', 'price must be a finite number, got Infinity'],
    [['prise', '10'], 'unknown_field', 'unknown field "prise"'],
    [['event_id', 'x'], 'no_features', 'has none of the fields'],
    [[], 'no_features', 'has none of the fields'],
    [['features', '{"price":'], 'invalid_json', 'features is not valid JSON'],
    [['features', '[1,2]'], 'not_an_object', 'must be a JSON object'],
    [['features', '{"price":1}', 'volatility', '1'], 'unknown_field', 'field "volatility" beside "features"'],
    [['volatility', '-0.1'], 'out_of_range', 'volatility must be >= 0'],
  ])('refuses %j as %s with the validator message', (fields, reason, message) => {
    const parsed = parseEvent({ id: '5-0', fields });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toBe(reason);
    expect(parsed.message).toContain(message);
  });

  it('keeps the event id of a refused event so its dead letter is keyed like its prediction would be', () => {
    expect(parseEvent({ id: '5-0', fields: ['event_id', 'p-1', 'price', '-1'] })).toMatchObject({ ok: false, eventId: 'p-1' });
  });

  it('refuses an over-long event_id and keys it by the entry id instead', () => {
    const parsed = parseEvent({ id: '9-0', fields: ['event_id', 'x'.repeat(MAX_EVENT_ID_LENGTH + 1), ...FULL] });
    expect(parsed).toMatchObject({ ok: false, eventId: '9-0', reason: 'out_of_range' });
  });
});

describe('fieldsToRecord / eventIdOf', () => {
  it('keeps the last value of a repeated field and ignores a dangling field', () => {
    const record = fieldsToRecord(['a', '1', 'a', '2', 'b']);
    expect({ ...record }).toEqual({ a: '2' });
  });

  it('is safe with a __proto__ field', () => {
    const record = fieldsToRecord(['__proto__', 'x']);
    expect(record['__proto__']).toBe('x');
    expect(parseEvent({ id: '1-0', fields: ['__proto__', '1'] })).toMatchObject({ ok: false, reason: 'unknown_field' });
  });

  it('uses the stream id when event_id is empty', () => {
    expect(eventIdOf('3-1', { event_id: '' })).toBe('3-1');
  });
});
