import { describe, expect, it } from 'vitest';
import { compare, evaluateCondition, judgeSample, nextTimer, trafficStatus } from '../../../controller/core/judge.js';
import type { Condition, UnknownCause } from '../../../controller/core/index.js';

const above: Condition = { id: 'c', query: 'q', comparison: 'above', threshold: 0.05, unit: 'ratio', forMs: 60_000, needsTraffic: true };
const below: Condition = { ...above, comparison: 'below', threshold: 1 };
const enough = { kind: 'enough' } as const;

describe('compare: only strictly beyond the threshold breaches', () => {
  it.each([
    ['above', 0.05, 0.049, 'ok'],
    ['above', 0.05, 0.05, 'ok'],
    ['above', 0.05, 0.0501, 'breach'],
    ['below', 1, 1, 'ok'],
    ['below', 1, 0.999, 'breach'],
    ['below', 1, 2, 'ok'],
  ] as const)('%s %d with value %d → %s', (comparison, threshold, value, expected) => {
    expect(compare({ comparison, threshold }, value)).toBe(expected);
  });
});

describe('judgeSample: every UNKNOWN cause stays UNKNOWN', () => {
  const causes: UnknownCause[] = ['unreachable', 'timeout', 'http_error', 'bad_response', 'query_error', 'no_data', 'not_finite', 'several_series', 'low_traffic'];
  it.each(causes)('%s', (cause) => {
    expect(judgeSample(above, { kind: 'unknown', cause, detail: 'x' }, enough)).toEqual({ status: 'unknown', cause, detail: 'x' });
  });
  it('a missing sample is no_data', () => {
    expect(judgeSample(above, undefined, enough)).toMatchObject({ status: 'unknown', cause: 'no_data' });
  });
  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('value %d is not_finite', (value) => {
    expect(judgeSample(above, { kind: 'value', value }, enough)).toMatchObject({ status: 'unknown', cause: 'not_finite' });
  });
  it('low traffic makes traffic-dependent conditions UNKNOWN low_traffic', () => {
    expect(judgeSample(above, { kind: 'value', value: 0.9 }, { kind: 'low', detail: '3 < 10' })).toEqual({ status: 'unknown', cause: 'low_traffic', detail: '3 < 10' });
  });
  it('low traffic does not affect needsTraffic: false (up == 0 needs no traffic)', () => {
    expect(judgeSample({ ...below, needsTraffic: false }, { kind: 'value', value: 0 }, { kind: 'low', detail: '' })).toEqual({ status: 'breach', value: 0 });
  });
  // Traffic first: with too few requests, whatever the condition's own query returned is low_traffic.
  it.each([
    ['NaN (0/0 with no requests)', { kind: 'value', value: Number.NaN }],
    ['+Inf', { kind: 'value', value: Number.POSITIVE_INFINITY }],
    ['an empty result', { kind: 'unknown', cause: 'no_data', detail: 'empty vector' }],
    ['no sample at all', undefined],
    ['a finite value', { kind: 'value', value: 0 }],
  ] as const)('low traffic wins over %s', (_name, sample) => {
    expect(judgeSample(above, sample, { kind: 'low', detail: '0 requests < minRequests 100' })).toEqual({
      status: 'unknown',
      cause: 'low_traffic',
      detail: '0 requests < minRequests 100',
    });
  });
  it('with enough traffic, missing data is no_data (blind), not low traffic', () => {
    expect(judgeSample(above, { kind: 'unknown', cause: 'no_data', detail: 'empty vector' }, enough)).toMatchObject({ status: 'unknown', cause: 'no_data' });
    expect(judgeSample(above, { kind: 'value', value: Number.NaN }, enough)).toMatchObject({ status: 'unknown', cause: 'not_finite' });
  });
  it('needsTraffic: false still reports its own missing data under low traffic', () => {
    expect(judgeSample({ ...below, needsTraffic: false }, undefined, { kind: 'low', detail: '' })).toMatchObject({ status: 'unknown', cause: 'no_data' });
  });
  it('a failed traffic query passes its cause on', () => {
    expect(judgeSample(above, { kind: 'value', value: 0.9 }, { kind: 'unknown', cause: 'timeout', detail: 't' })).toMatchObject({ status: 'unknown', cause: 'timeout' });
  });
});

describe('trafficStatus', () => {
  it.each([
    [undefined, 'low'],
    [{ kind: 'unknown', cause: 'no_data', detail: '' }, 'low'],
    [{ kind: 'value', value: 9 }, 'low'],
    [{ kind: 'value', value: 10 }, 'enough'],
    [{ kind: 'unknown', cause: 'timeout', detail: '' }, 'unknown'],
    [{ kind: 'value', value: Number.NaN }, 'unknown'],
  ] as const)('%j → %s', (sample, kind) => {
    expect(trafficStatus({ min: 10 }, sample).kind).toBe(kind);
  });
  it('no guard means enough traffic', () => {
    expect(trafficStatus(undefined, undefined).kind).toBe('enough');
  });
});

describe('nextTimer (`for`)', () => {
  const running = { sustainedMs: 30_000, lastBreachAtMs: 1000, frozen: false };
  it.each([
    ['ok clears', running, 'ok', 'reset', 2000, undefined],
    ['first breach starts at 0', undefined, 'breach', 'reset', 2000, { sustainedMs: 0, lastBreachAtMs: 2000, frozen: false }],
    ['breach adds the time since the last breach', running, 'breach', 'reset', 16_000, { sustainedMs: 45_000, lastBreachAtMs: 16_000, frozen: false }],
    ['unknown resets (default)', running, 'unknown', 'reset', 16_000, undefined],
    ['unknown freezes (freeze)', running, 'unknown', 'freeze', 16_000, { ...running, frozen: true }],
    ['breach after a freeze does not count the gap', { ...running, frozen: true }, 'breach', 'freeze', 99_000, { sustainedMs: 30_000, lastBreachAtMs: 99_000, frozen: false }],
  ] as const)('%s', (_name, previous, status, mode, now, expected) => {
    expect(nextTimer(previous, status, mode, now)).toEqual(expected);
  });

  it('evaluateCondition: sustained exactly at forMs', () => {
    const first = evaluateCondition(above, { kind: 'value', value: 0.1 }, enough, undefined, 'reset', 0);
    expect(first.verdict).toMatchObject({ status: 'breach', sustained: false, sustainedMs: 0 });
    const almost = evaluateCondition(above, { kind: 'value', value: 0.1 }, enough, first.timer, 'reset', 59_999);
    expect(almost.verdict.sustained).toBe(false);
    const exactly = evaluateCondition(above, { kind: 'value', value: 0.1 }, enough, first.timer, 'reset', 60_000);
    expect(exactly.verdict).toMatchObject({ status: 'breach', sustained: true, sustainedMs: 60_000, value: 0.1 });
  });
});
