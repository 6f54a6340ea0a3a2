import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitGroupedAnswer } from '../../../controller/adapters/prometheus/grouped-answer.js';
import { scanGroupedAnswer } from '../../../controller/adapters/prometheus/grouped-scan.js';
import type { GroupUnit } from '../../../controller/adapters/prometheus/query-plan.js';

// scanGroupedAnswer reads Prometheus's plain vector answer without JSON.parse. Whenever it answers, its
// answer must be exactly what JSON.parse + splitGroupedAnswer gives; when the body is anything else it must
// step aside (undefined), never guess.

const VALUES = ['a', 'b', 'c', 'svc-1', 'é', 'x"y', 'back\\slash', 'new\nline', ''] as const;
const group = (absentValue?: number): GroupUnit => ({
  kind: 'group',
  promql: 'sum by (service)(x{service=~"a|b|c|svc-1|é"})',
  label: 'service',
  members: ['a', 'b', 'c', 'svc-1', 'é', 'x"y', ''].map((v) => ({ promql: `sum(x{service=${JSON.stringify(v)}})`, value: v })),
  ...(absentValue === undefined ? {} : { absentValue }),
});

const valueText = fc.oneof(
  fc.constantFrom('1', '0', '-0', '0.25', '1e3', 'NaN', '+Inf', '-Inf', 'Inf', '', ' ', 'abc', '0x10', '1 ', 'Infinity'),
  fc.double().map(String),
);
const time = fc.oneof(fc.constantFrom(1796330573.164, 0, -1, 1e21, 1.5e-7), fc.double({ noNaN: true, noDefaultInfinity: true }));
const labels = fc.record(
  {
    __name__: fc.constantFrom('up', 'x'),
    service: fc.constantFrom(...VALUES),
    le: fc.constantFrom('0.1', '+Inf'),
    zone: fc.constantFrom(...VALUES),
  },
  { requiredKeys: [] },
);
const series = fc.record({ metric: labels, value: fc.tuple(time, valueText) });
const answer = fc.array(series, { maxLength: 8 }).map((result) => ({ status: 'success', data: { resultType: 'vector', result } }));

/** Damage Prometheus never does, so that the scan meets bodies it must refuse (or read exactly as JSON.parse would). */
const damaged = fc.tuple(fc.nat(), fc.constantFrom('', ' ', ',', '"', '\\', '}', ']', '0', '\u0001', 'x')).map(([at, insert]) => (text: string): string => {
  const i = at % (text.length + 1);
  return text.slice(0, i) + insert + text.slice(i + (insert === '' ? 1 : 0));
});

function bothWays(text: string, unit: GroupUnit): { scanned: ReturnType<typeof scanGroupedAnswer>; parsed: ReturnType<typeof splitGroupedAnswer> | 'not JSON' } {
  const scanned = scanGroupedAnswer(text, unit, 'http://p');
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    return { scanned, parsed: 'not JSON' };
  }
  return { scanned, parsed: splitGroupedAnswer(body, unit, 'http://p') };
}

describe('scanGroupedAnswer: the same answer as JSON.parse + splitGroupedAnswer, or none', () => {
  it('on random answers as Prometheus writes them, and on damaged ones', () => {
    let read = 0;
    fc.assert(
      fc.property(answer, fc.option(damaged), fc.option(fc.constantFrom(0, 1)), (body, damage, absent) => {
        const plain = JSON.stringify(body);
        const text = damage === null ? plain : damage(plain);
        const unit = group(absent ?? undefined);
        const { scanned, parsed } = bothWays(text, unit);
        if (scanned === undefined) return;
        read += 1;
        expect(parsed).not.toBe('not JSON');
        expect(scanned).toEqual(parsed);
      }),
      { numRuns: 3000 },
    );
    // Not vacuous: the scan reads a good share of them (every plain one: the next test).
    expect(read).toBeGreaterThan(100);
  });

  it('reads every plain answer (no escapes, the label on every series)', () => {
    const plainValue = fc.constantFrom('a', 'b', 'c', 'svc-1', 'é', '');
    const plainSeries = fc.record({ metric: fc.record({ __name__: fc.constantFrom('up'), service: plainValue, le: fc.constantFrom('0.1') }, { requiredKeys: ['service'] }), value: fc.tuple(time, valueText) });
    fc.assert(
      fc.property(fc.array(plainSeries, { maxLength: 8 }), (result) => {
        const text = JSON.stringify({ status: 'success', data: { resultType: 'vector', result } });
        const { scanned, parsed } = bothWays(text, group());
        expect(scanned).toBeDefined();
        expect(scanned).toEqual(parsed);
      }),
      { numRuns: 1000 },
    );
  });

  it('every single-character deletion, insertion or replacement of a plain body: the same answer or none', () => {
    const body = JSON.stringify({
      status: 'success',
      data: { resultType: 'vector', result: [{ metric: { __name__: 'x', service: 'a', zone: 'z' }, value: [1.5, '2'] }, { metric: { service: 'b' }, value: [-1e3, 'NaN'] }] },
    });
    const edits = ['', ' ', ',', '"', ':', '{', '}', '[', ']', '0', '-', 'e', '.', 'a', '\\'];
    let read = 0;
    for (let at = 0; at < body.length; at++) {
      for (const edit of edits) {
        for (const text of [body.slice(0, at) + edit + body.slice(at + 1), body.slice(0, at) + edit + body.slice(at)]) {
          const { scanned, parsed } = bothWays(text, group());
          if (scanned === undefined) continue;
          read += 1;
          expect(parsed, text).not.toBe('not JSON');
          expect(scanned, text).toEqual(parsed);
        }
      }
    }
    expect(read).toBeGreaterThan(0);
  });

  it('steps aside for anything but the plain shape', () => {
    const ok = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"service":"a"},"value":[1,"2"]}]}}';
    expect(scanGroupedAnswer(ok, group(), 'http://p')?.ok).toBe(true);
    for (const text of [
      ok.replace(']}}', '],"warnings":["w"]}}').replace(']}}', ']}}'),
      '{"status":"success","data":{"resultType":"vector","result":[]},"warnings":["w"]}',
      ok.replace('"a"', '"\\u0061"'),
      ok.replace('{"service":"a"}', '{"service":"a","service":"b"}'),
      ok.replace('{"service":"a"}', '{"zone":"a"}'),
      ok.replace('{"service":"a"}', '{"zone":"z""service":"a"}'),
      ok.replace('{"service":"a"}', '{"zone":"z",,"service":"a"}'),
      ok.replace('[1,', '[01,'),
      ok.replace('[1,', '["1",'),
      ok.replace(',"value"', ', "value"'),
      ok.replace('"value":[1,"2"]', '"histogram":[1,{}]'),
      ok.slice(0, -1),
      '{"status":"error","errorType":"bad_data","error":"x"}',
      '{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}',
    ]) {
      expect(scanGroupedAnswer(text, group(), 'http://p'), text).toBeUndefined();
    }
  });

  it('words a NaN member exactly as the parsed path does, labels included', () => {
    const text = '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"service":"a","zone":"z1"},"value":[1,"NaN"]}]}}';
    const { scanned, parsed } = bothWays(text, group());
    expect(scanned).toEqual(parsed);
    const member = scanned?.ok === true ? scanned.members.get('sum(x{service="a"})') : undefined;
    expect(member).toMatchObject({ kind: 'sample', sample: { kind: 'unknown', cause: 'not_finite' } });
    expect(JSON.stringify(member)).toContain('vector sample {service=\\"a\\", zone=\\"z1\\"}');
  });
});
