import { describe, expect, it } from 'vitest';
import { formatLabels, interpretQueryJson, parseQueryBody } from '../../../controller/adapters/prometheus/response.js';
import { classifyTransportFailure, isTransientStatus } from '../../../controller/adapters/prometheus/failure.js';

const ctx = { baseUrl: 'http://prom.test:9090', promql: 'sum(rate(x[5m]))' };
const vector = (result: unknown): unknown => ({ status: 'success', data: { resultType: 'vector', result } });

describe('interpretQueryJson', () => {
  it('reads one vector sample as its value', () => {
    expect(interpretQueryJson(vector([{ metric: {}, value: [1700000000, '0.125'] }]), ctx)).toEqual({ kind: 'value', value: 0.125 });
  });

  it('accepts a scalar result', () => {
    expect(interpretQueryJson({ status: 'success', data: { resultType: 'scalar', result: [1, '-3e2'] } }, ctx)).toEqual({ kind: 'value', value: -300 });
  });

  it('calls an empty vector no_data, never 0', () => {
    const sample = interpretQueryJson(vector([]), ctx);
    expect(sample).toMatchObject({ kind: 'unknown', cause: 'no_data' });
    expect(sample.kind === 'unknown' && sample.detail).toContain('sum(rate(x[5m]))');
  });

  it.each(['NaN', '+Inf', '-Inf'])('calls %s not_finite', (text) => {
    const sample = interpretQueryJson(vector([{ metric: {}, value: [1, text] }]), ctx);
    expect(sample).toMatchObject({ kind: 'unknown', cause: 'not_finite' });
    expect(sample.kind === 'unknown' && sample.detail).toContain(text);
  });

  it('refuses several series and lists their label sets', () => {
    const sample = interpretQueryJson(
      vector([
        { metric: { job: 'api', instance: 'b' }, value: [1, '1'] },
        { metric: { job: 'api', instance: 'a' }, value: [1, '2'] },
      ]),
      ctx,
    );
    expect(sample).toMatchObject({ kind: 'unknown', cause: 'several_series' });
    expect(sample.kind === 'unknown' && sample.detail).toContain('2 series');
    expect(sample.kind === 'unknown' && sample.detail).toContain('{instance="b", job="api"}');
    expect(sample.kind === 'unknown' && sample.detail).toContain('{instance="a", job="api"}');
  });

  it('lists at most five label sets of many series', () => {
    const many = Array.from({ length: 8 }, (_, i) => ({ metric: { i: String(i) }, value: [1, '1'] }));
    const sample = interpretQueryJson(vector(many), ctx);
    expect(sample.kind === 'unknown' && sample.detail).toContain('and 3 more');
    expect(sample.kind === 'unknown' && sample.detail).not.toContain('i="5"');
  });

  it('reports status:error as query_error with errorType and text', () => {
    const sample = interpretQueryJson({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' }, ctx);
    expect(sample).toEqual({
      kind: 'unknown',
      cause: 'query_error',
      detail: 'Prometheus at http://prom.test:9090 rejected query "sum(rate(x[5m]))": bad_data: parse error at char 5',
    });
  });

  it.each([
    ['matrix', { status: 'success', data: { resultType: 'matrix', result: [] } }],
    ['string', { status: 'success', data: { resultType: 'string', result: [1, 'x'] } }],
    ['no status', { data: {} }],
    ['no data', { status: 'success' }],
    ['an array', []],
    ['a value that is not a number', vector([{ metric: {}, value: [1, 'twelve'] }])],
    ['a value that is not a string', vector([{ metric: {}, value: [1, 12] }])],
    ['an empty value string', vector([{ metric: {}, value: [1, ''] }])],
    ['a result that is not a list', { status: 'success', data: { resultType: 'vector', result: {} } }],
  ])('calls %s bad_response', (_name, body) => {
    expect(interpretQueryJson(body, ctx)).toMatchObject({ kind: 'unknown', cause: 'bad_response' });
  });

  it('names the resultType it got instead of a vector', () => {
    const sample = interpretQueryJson({ status: 'success', data: { resultType: 'matrix', result: [] } }, ctx);
    expect(sample.kind === 'unknown' && sample.detail).toContain('returned a matrix');
  });
});

describe('parseQueryBody', () => {
  it('calls a body that is not JSON bad_response and quotes its start', () => {
    const sample = parseQueryBody('<html>502 Bad Gateway</html>', ctx);
    expect(sample).toMatchObject({ kind: 'unknown', cause: 'bad_response' });
    expect(sample.kind === 'unknown' && sample.detail).toContain('<html>502 Bad Gateway</html>');
  });

  it('says when the body is empty', () => {
    const sample = parseQueryBody('', ctx);
    expect(sample.kind === 'unknown' && sample.detail).toContain('(empty body)');
  });
});

describe('formatLabels', () => {
  it('sorts labels and escapes values', () => {
    expect(formatLabels({ z: '1', a: 'say "hi"' })).toBe('{a="say \\"hi\\"", z="1"}');
    expect(formatLabels(undefined)).toBe('{}');
  });
});

describe('classifyTransportFailure', () => {
  const base = { baseUrl: 'http://prom.test:9090', timeoutMs: 1500, callerAborted: false, deadlineFired: false };
  const withCode = (code: string): Error => Object.assign(new Error(`connect ${code}`), { code });

  it('treats refused and reset connections as transient unreachable', () => {
    expect(classifyTransportFailure(withCode('ECONNREFUSED'), base)).toMatchObject({ cause: 'unreachable', transient: true });
    expect(classifyTransportFailure(withCode('ECONNRESET'), base)).toMatchObject({ cause: 'unreachable', transient: true });
  });

  it('treats our deadline as a transient timeout that names the budget', () => {
    const failure = classifyTransportFailure(withCode('ERR_CANCELED'), { ...base, deadlineFired: true });
    expect(failure).toEqual({ cause: 'timeout', transient: true, reason: 'Prometheus at http://prom.test:9090 did not answer within 1500 ms' });
  });

  it('does not retry when the caller cancelled', () => {
    expect(classifyTransportFailure(withCode('ERR_CANCELED'), { ...base, callerAborted: true })).toMatchObject({ cause: 'timeout', transient: false });
  });

  it('does not retry errors that will not heal', () => {
    expect(classifyTransportFailure(withCode('ERR_INVALID_URL'), base)).toMatchObject({ cause: 'unreachable', transient: false });
  });
});

describe('isTransientStatus', () => {
  it('retries 429 and 5xx only', () => {
    expect([200, 400, 404, 422, 429, 500, 503].map(isTransientStatus)).toEqual([false, false, false, false, true, true, true]);
  });
});
