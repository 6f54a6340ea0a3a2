// The pieces of raw-series scenarios that need no Prometheus: promtool's value notation, series selectors,
// the OpenMetrics text handed to `promtool tsdb create-blocks-from openmetrics`, the scenario format's
// checks, and the message when promtool/prometheus are missing.
import { describe, expect, it } from 'vitest';
import { findReplayTools, renderOpenMetrics } from '../../../controller/adapters/prometheus-replay/index.js';
import { parseScenario } from '../../../controller/cli/policy-scenario-format.js';
import { replayInput } from '../../../controller/cli/policy-scenario-raw.js';
import { expandInputValues, parseSeriesSelector } from '../../../controller/cli/policy-series.js';
import { ReplayUnavailableError } from '../../../controller/ports/series-replay.js';

describe('expandInputValues (promtool notation)', () => {
  it.each([
    ['0+600x3', [0, 600, 1200, 1800]],
    ['-2+4x3', [-2, 2, 6, 10]],
    ['1-2x4', [1, -1, -3, -5, -7]],
    ['1x4', [1, 1, 1, 1, 1]],
    ['1 _x3 stale', [1, null, null, null, null]],
    ['0x8 900+900x2', [0, 0, 0, 0, 0, 0, 0, 0, 0, 900, 1800, 2700]],
    ['1e-5 nan Inf -inf', [1e-5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
    ['187.5+7.5x1', [187.5, 195]],
  ] as const)('%s', (text, expected) => {
    expect(expandInputValues(text)).toEqual(expected);
  });
  it('names a typo', () => {
    expect(() => expandInputValues('1 2 3z')).toThrow('value "3z" is not a number, a+bxn, axn, _ or _xn');
  });
});

describe('parseSeriesSelector', () => {
  it('reads a metric name and labels', () => {
    expect(parseSeriesSelector('http_requests_total{job="prediction-service",route="/predict",status_code="500"}')).toEqual({
      name: 'http_requests_total',
      labels: { job: 'prediction-service', route: '/predict', status_code: '500' },
    });
  });
  it('reads __name__, spaces and escapes', () => {
    expect(parseSeriesSelector('{ __name__="up", a = "x\\"y" }')).toEqual({ name: 'up', labels: { a: 'x"y' } });
    expect(parseSeriesSelector('up')).toEqual({ name: 'up', labels: {} });
  });
  it.each([
    ['{job="x"}', 'has no metric name'],
    ['up{job=~"x"}', 'only "=" matchers'],
    ['up{job="x",job="y"}', 'label "job" is given twice'],
    ['up{job=x}', 'cannot read the labels'],
  ])('refuses %s', (text, message) => {
    expect(() => parseSeriesSelector(text)).toThrow(message);
  });
});

describe('renderOpenMetrics', () => {
  it('writes each family together, samples in time order, seconds, no sample for null, and # EOF', () => {
    const { text, samples } = renderOpenMetrics({
      startMs: 1_767_225_600_000,
      stepMs: 15_000,
      series: [
        { name: 'up', labels: { job: 'a' }, values: [1, null, 0] },
        { name: 'x_total', labels: { b: '2', a: 'q"' }, values: [Number.NaN, Number.POSITIVE_INFINITY] },
        { name: 'up', labels: { job: 'b' }, values: [1] },
      ],
    });
    expect(samples).toBe(5);
    expect(text).toBe(
      [
        'up{job="a"} 1 1767225600',
        'up{job="a"} 0 1767225630',
        'up{job="b"} 1 1767225600',
        'x_total{a="q\\"",b="2"} NaN 1767225600',
        'x_total{a="q\\"",b="2"} +Inf 1767225615',
        '# EOF',
        '',
      ].join('\n'),
    );
  });
});

describe('scenario format: raw series', () => {
  const file = (test: string) => `policy: p.yaml\ntests:\n  - name: t\n${test}    expect:\n      - at: 1m\n        phase: watching\n`;
  it('reads input_series and input_interval', () => {
    const parsed = parseScenario(file(`    input_interval: 5s\n    input_series:\n      - series: 'up{job="a"}'\n        values: '1x10'\n`), 'f.yaml');
    expect(parsed.tests[0]).toMatchObject({ inputIntervalMs: 5_000, inputSeries: [{ series: 'up{job="a"}', values: '1x10' }] });
  });
  it.each([
    [`    series: { reasons.x: 1 }\n    input_series:\n      - { series: up, values: '1' }\n`, 'give either series'],
    [`    others: no_data\n    input_series:\n      - { series: up, values: '1' }\n`, 'others does not apply to input_series'],
    [`    input_interval: 5s\n`, 'input_interval needs input_series'],
    [`    input_series: []\n`, 'must be a non-empty list'],
    [`    input_series:\n      - { series: up, value: '1' }\n`, 'unknown key(s) value'],
  ])('refuses %j', (test, message) => {
    expect(() => parseScenario(file(test), 'f.yaml')).toThrow(message);
  });
  it('names the entry with a bad series, and a series given twice', () => {
    const twice = parseScenario(file(`    input_series:\n      - { series: 'up{a="1"}', values: '1' }\n      - { series: 'up{ a = "1" }', values: '2' }\n`), 'f.yaml');
    expect(() => replayInput(twice.tests[0]!, 15_000)).toThrow('input_series[1]: series "up{ a = "1" }" is given twice');
    const typo = parseScenario(file(`    input_series:\n      - { series: 'up', values: '1 x' }\n`), 'f.yaml');
    expect(() => replayInput(typo.tests[0]!, 15_000)).toThrow('input_series[0]: value "x"');
  });
  it('steps the series at input_interval, or at the tick interval when it is not given', () => {
    const parsed = parseScenario(file(`    input_series:\n      - { series: 'up', values: '1 _ 0' }\n`), 'f.yaml');
    expect(replayInput(parsed.tests[0]!, 15_000)).toEqual({ startMs: Date.parse('2026-01-01T00:00:00Z'), stepMs: 15_000, series: [{ name: 'up', labels: {}, values: [1, null, 0] }] });
  });
});

describe('finding promtool and prometheus', () => {
  it('says which are missing and how to get them', async () => {
    const error = await findReplayTools('/nonexistent-dir').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReplayUnavailableError);
    expect((error as Error).message).toMatch(/^promtool and prometheus not found on PATH\. .*apt-get install prometheus/);
  });
});
