import { describe, expect, it } from 'vitest';
import { splitGroupedAnswer } from '../../../controller/adapters/prometheus/grouped-answer.js';
import { analyzeForLabel, candidateLabels, decodeString, escapeRegex, groupedQueryText } from '../../../controller/adapters/prometheus/grouping.js';
import { QueryPlanner, type GroupUnit } from '../../../controller/adapters/prometheus/query-plan.js';

// The PromQL grouping rewrite: which queries become one `by (service)` query, the exact text, and every
// reason to refuse. The equivalence of the rewritten queries on real data is checked against a real
// Prometheus in test/integration/grouping/.

/** The grouped text for the query as written for svc-1, asking for svc-1 and svc-2; or the refusal. */
function rewrite(query: (svc: string) => string, label = 'service'): string {
  const analysis = analyzeForLabel(query('svc-1'), label);
  if (!analysis.ok) return `REFUSED: ${analysis.reason}`;
  return groupedQueryText(analysis.query, ['svc-2', analysis.query.value]);
}

const sel = (s: string): string => `service="${s}",route=~"/predict.*"`;

describe('grouping rewrite: accepted shapes', () => {
  const cases: readonly [string, (s: string) => string, string][] = [
    ['plain selector', (s) => `up{service="${s}"}`, 'up{service=~"svc-1|svc-2"}'],
    ['sum without by gets by (L)', (s) => `sum(increase(http_requests_total{${sel(s)}}[5m]))`, 'sum by (service)(increase(http_requests_total{service=~"svc-1|svc-2",route=~"/predict.*"}[5m]))'],
    [
      'by (le) gets L appended',
      (s) => `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{${sel(s)}}[1m])))`,
      'histogram_quantile(0.95, sum by (le, service) (rate(http_request_duration_seconds_bucket{service=~"svc-1|svc-2",route=~"/predict.*"}[1m])))',
    ],
    ['trailing by clause', (s) => `sum(x{service="${s}"}) by (le)`, 'sum(x{service=~"svc-1|svc-2"}) by (le, service)'],
    ['by (L) already there', (s) => `sum by (service) (x{service="${s}"})`, 'sum by (service) (x{service=~"svc-1|svc-2"})'],
    ['empty by ()', (s) => `sum by () (x{service="${s}"})`, 'sum by (service) (x{service=~"svc-1|svc-2"})'],
    ['without() not listing L', (s) => `sum without (instance) (x{service="${s}"})`, 'sum without (instance) (x{service=~"svc-1|svc-2"})'],
    [
      'nested count by (version)',
      (s) => `count(count by (version) (model_info{service="${s}",variant="ml"}))`,
      'count by (service)(count by (version, service) (model_info{service=~"svc-1|svc-2",variant="ml"}))',
    ],
    [
      'ratio of two sums',
      (s) => `sum(rate(prediction_invalid_input_total{service="${s}"}[5m])) / sum(rate(http_requests_total{${sel(s)}}[5m]))`,
      'sum by (service)(rate(prediction_invalid_input_total{service=~"svc-1|svc-2"}[5m])) / sum by (service)(rate(http_requests_total{service=~"svc-1|svc-2",route=~"/predict.*"}[5m]))',
    ],
    [
      'the groupable error-ratio form (or 0 * total)',
      (s) => `sum(rate(http_requests_total{${sel(s)},status_code=~"5.."}[1m]) or 0 * rate(http_requests_total{${sel(s)}}[1m])) / sum(rate(http_requests_total{${sel(s)}}[1m]))`,
      'sum by (service)(rate(http_requests_total{service=~"svc-1|svc-2",route=~"/predict.*",status_code=~"5.."}[1m]) or 0 * rate(http_requests_total{service=~"svc-1|svc-2",route=~"/predict.*"}[1m])) / sum by (service)(rate(http_requests_total{service=~"svc-1|svc-2",route=~"/predict.*"}[1m]))',
    ],
    ['on() gets L', (s) => `a{service="${s}"} / on() group_left b{service="${s}"}`, 'a{service=~"svc-1|svc-2"} / on(service) group_left b{service=~"svc-1|svc-2"}'],
    ['on(x) gets L appended', (s) => `a{service="${s}"} * on(x) b{service="${s}"}`, 'a{service=~"svc-1|svc-2"} * on(x, service) b{service=~"svc-1|svc-2"}'],
    ['ignoring(x) kept', (s) => `a{service="${s}"} - ignoring(x) b{service="${s}"}`, 'a{service=~"svc-1|svc-2"} - ignoring(x) b{service=~"svc-1|svc-2"}'],
    ['comparison with a number and bool', (s) => `max(x{service="${s}"}) > bool 3`, 'max by (service)(x{service=~"svc-1|svc-2"}) > bool 3'],
    ['offset and subquery', (s) => `max_over_time(rate(x{service="${s}"}[1m])[5m:30s] offset 1m)`, 'max_over_time(rate(x{service=~"svc-1|svc-2"}[1m])[5m:30s] offset 1m)'],
    ['topk gets by (L)', (s) => `topk(1, x{service="${s}"})`, 'topk by (service)(1, x{service=~"svc-1|svc-2"})'],
    ['quoted label name', (s) => `x{"service"="${s}"}`, 'x{"service"=~"svc-1|svc-2"}'],
    ['single-quoted value', (s) => `x{service='${s}'}`, 'x{service=~"svc-1|svc-2"}'],
    ['top-level or on() vector(0): X grouped', (s) => `count(model_info{service="${s}",variant="ml"}) or on() vector(0)`, 'count by (service)(model_info{service=~"svc-1|svc-2",variant="ml"})'],
    ['top-level labelless X or vector(1)', (s) => `sum(x{service="${s}"}) or vector(1)`, 'sum by (service)(x{service=~"svc-1|svc-2"})'],
  ];
  it.each(cases)('%s', (_name, query, expected) => {
    expect(rewrite(query)).toBe(expected);
  });

  it('a top-level or-vector member records the value a missing member reads', () => {
    const a = analyzeForLabel('count(model_info{service="a"}) or on() vector(0)', 'service');
    expect(a.ok && a.query.absentValue).toBe(0);
    const b = analyzeForLabel('sum(x{service="a"}) or vector(-1.5)', 'service');
    expect(b.ok).toBe(false); // -1.5 is a unary minus, not a plain literal: refused rather than guessed
    const c = analyzeForLabel('sum(x{service="a"}) or vector(2.5)', 'service');
    expect(c.ok && c.query.absentValue).toBe(2.5);
  });
});

describe('grouping rewrite: refusals', () => {
  const cases: readonly [string, string, string][] = [
    ['a selector without the L matcher', 'sum(rate(x{service="svc-1"}[1m])) / sum(rate(y[1m]))', 'has no service="..." matcher'],
    ['different values in one query', 'x{service="svc-1"} / y{service="svc-2"}', 'different service values'],
    ['L matched by regex', 'x{service="svc-1"} / y{service=~"svc-.*"}', 'other than ='],
    ['L matched twice in one selector', 'x{service="svc-1",service="svc-1"}', 'more than once'],
    ['nested or on() vector(0) (the shipped high-error-rate form)', '(sum(rate(x{service="svc-1",code=~"5.."}[1m])) or on() vector(0)) / sum(rate(x{service="svc-1"}[1m]))', 'vector() drops, invents'],
    ['vector() elsewhere', 'x{service="svc-1"} + on() vector(1)', 'vector() drops, invents'],
    ['scalar()', 'x{service="svc-1"} / scalar(y{service="svc-1"})', 'scalar() drops, invents'],
    ['absent()', 'absent(x{service="svc-1"})', 'absent() drops, invents'],
    ['absent_over_time()', 'absent_over_time(x{service="svc-1"}[5m])', 'absent_over_time() drops, invents'],
    ['time()', 'time() - x{service="svc-1"}', 'time() drops, invents'],
    ['label_replace()', 'label_replace(x{service="svc-1"}, "service", "z", "", "")', 'label_replace() drops, invents'],
    ['label_join()', 'label_join(x{service="svc-1"}, "y", ",", "service")', 'label_join() drops, invents'],
    ['without(L)', 'sum without (service) (x{service="svc-1"})', 'without(...) drops service'],
    ['ignoring(L)', 'a{service="svc-1"} / ignoring(service) b{service="svc-1"}', 'ignoring(...) lists service'],
    ['group_left(L)', 'a{service="svc-1"} * on(x) group_left(service) b{service="svc-1"}', 'copies service'],
    ['count_values', 'count_values("v", x{service="svc-1"})', 'aggregation count_values'],
    ['X or vector(c) where X keeps labels', 'x{service="svc-1"} or vector(0)', 'X keeps labels'],
    ['parenthesised top-level or vector', '(count(x{service="svc-1"}) or on() vector(0))', 'parenthesised'],
    ['or on(x) vector(c)', 'count(x{service="svc-1"}) or on(x) vector(0)', 'only grouped with on()'],
    ['an empty value', 'x{service=""}', 'also matches series without'],
    ['an escape sequence in the value', 'x{service="svc\\n1"}', 'escape sequence'],
    ['a syntax error', 'sum(x{service="svc-1"}', 'does not parse'],
    ['an operator the analysis does not know (histogram trim)', 'x{service="svc-1"} </ 0.5', 'not understood by the grouping analysis'],
    ['no selector at all', '1 + 2', 'no selector has'],
    ['the metric name as label', 'x{service="svc-1"}', 'cannot be a grouping label'],
  ];
  it.each(cases)('%s', (_name, query, reason) => {
    const label = _name === 'the metric name as label' ? '__name__' : 'service';
    const analysis = analyzeForLabel(query, label);
    expect(analysis.ok).toBe(false);
    if (!analysis.ok) expect(analysis.reason).toContain(reason);
  });
});

describe('escaping', () => {
  it('regex metacharacters are escaped, then the regex is written as a PromQL string', () => {
    expect(escapeRegex('a.b+c*(d)|[e]{f}^$?\\')).toBe('a\\.b\\+c\\*\\(d\\)\\|\\[e\\]\\{f\\}\\^\\$\\?\\\\');
    const analysis = analyzeForLabel('x{service="a.b"}', 'service');
    if (!analysis.ok) throw new Error(analysis.reason);
    // a.b → regex a\.b → PromQL "a\\.b"; a quote in a value is escaped for the string only.
    expect(groupedQueryText(analysis.query, ['a.b', 'q"x'])).toBe('x{service=~"a\\\\.b|q\\"x"}');
  });

  it('decodes the literal forms PromQL allows, and refuses escapes it would have to interpret', () => {
    expect(decodeString('"a\\"b\\\\c"')).toBe('a"b\\c');
    expect(decodeString("'it\\'s'")).toBe("it's");
    expect(decodeString('`raw\\n`')).toBe('raw\\n');
    expect(decodeString('"tab\\t"')).toBeUndefined();
  });

  it('candidate labels are those with an equality matcher', () => {
    expect(candidateLabels('sum(x{service="a",route=~"/p.*",variant="ml"}) / y{service="a"}')).toEqual(['service', 'variant']);
  });
});

describe('QueryPlanner', () => {
  const traffic = (s: string): string => `sum(increase(http_requests_total{${sel(s)}}[5m]))`;
  const nested = (s: string): string => `(sum(rate(x{service="${s}",code=~"5.."}[1m])) or on() vector(0)) / sum(rate(x{service="${s}"}[1m]))`;

  it('groups same-shape queries, leaves refused and lone ones as they are, and asks a repeated text once', () => {
    const planner = new QueryPlanner();
    const units = planner.plan([traffic('a'), nested('a'), traffic('b'), nested('b'), traffic('c'), 'up', traffic('a')]);
    const groups = units.filter((u): u is GroupUnit => u.kind === 'group');
    expect(groups).toHaveLength(1);
    expect(groups[0]?.promql).toBe('sum by (service)(increase(http_requests_total{service=~"a|b|c",route=~"/predict.*"}[5m]))');
    expect(groups[0]?.members.map((m) => m.value)).toEqual(['a', 'b', 'c']);
    expect(units.filter((u) => u.kind === 'single').map((u) => u.promql)).toEqual([nested('a'), nested('b'), 'up']);
  });

  it('a group of one is the original query text, unchanged', () => {
    expect(new QueryPlanner().plan([traffic('a'), nested('a')])).toEqual([
      { kind: 'single', promql: traffic('a') },
      { kind: 'single', promql: nested('a') },
    ]);
  });

  it('splits large groups; a last member alone goes as it is', () => {
    const units = new QueryPlanner(2).plan(['a', 'b', 'c'].map((s) => `up{service="${s}"}`));
    expect(units.map((u) => u.promql)).toEqual(['up{service=~"a|b"}', 'up{service="c"}']);
  });

  it('queries that could group on two labels join the larger group', () => {
    const q = (svc: string, variant: string): string => `count(model_info{service="${svc}",variant="${variant}"})`;
    const units = new QueryPlanner().plan([q('a', 'ml'), q('b', 'ml'), q('c', 'ml'), q('a', 'baseline')]);
    expect(units.map((u) => [u.kind, u.kind === 'group' ? u.label : '', u.promql])).toEqual([
      ['group', 'service', 'count by (service)(model_info{service=~"a|b|c",variant="ml"})'],
      ['single', '', q('a', 'baseline')],
    ]);
  });

  it('the next tick of the same query list reuses its plan; any other list is planned afresh', () => {
    const planner = new QueryPlanner();
    const list = [traffic('a'), traffic('b'), 'up'];
    const first = planner.plan(list);
    expect(planner.plan([...list])).toBe(first);
    const shorter = planner.plan([traffic('a'), 'up']);
    expect(shorter).not.toBe(first);
    expect(shorter.map((u) => u.promql)).toEqual([traffic('a'), 'up']);
    const reordered = planner.plan([traffic('b'), traffic('a'), 'up']);
    expect(reordered).not.toBe(first);
    expect(planner.plan(list)).toBe(first);
  });
});

describe('splitGroupedAnswer', () => {
  const group: GroupUnit = {
    kind: 'group',
    promql: 'count by (service)(x{service=~"a|b|c"})',
    label: 'service',
    members: ['a', 'b', 'c'].map((v) => ({ promql: `count(x{service="${v}"})`, value: v })),
  };
  const vector = (result: unknown[]): unknown => ({ status: 'success', data: { resultType: 'vector', result } });
  const series = (service: string, value: string, extra: Record<string, string> = {}): unknown => ({ metric: { service, ...extra }, value: [1, value] });

  it('each member reads its series; a missing one reads no_data exactly as its own query would; NaN stays UNKNOWN', () => {
    const split = splitGroupedAnswer(vector([series('a', '3'), series('b', 'NaN')]), group, 'http://p');
    if (!split.ok) throw new Error(split.reason);
    expect(split.members.get('count(x{service="a"})')).toEqual({ kind: 'sample', sample: { kind: 'value', value: 3 } });
    expect(split.members.get('count(x{service="b"})')).toMatchObject({ kind: 'sample', sample: { kind: 'unknown', cause: 'not_finite' } });
    expect(split.members.get('count(x{service="c"})')).toEqual({
      kind: 'sample',
      sample: { kind: 'unknown', cause: 'no_data', detail: 'query "count(x{service=\\"c\\"})" returned no series (empty vector): no matching data, which is not the same as 0' },
    });
  });

  it('with an or-vector value, a missing member reads c, a present NaN is still not_finite', () => {
    const split = splitGroupedAnswer(vector([series('b', 'NaN')]), { ...group, absentValue: 0 }, 'http://p');
    if (!split.ok) throw new Error(split.reason);
    expect(split.members.get('count(x{service="a"})')).toEqual({ kind: 'sample', sample: { kind: 'value', value: 0 } });
    expect(split.members.get('count(x{service="b"})')).toMatchObject({ kind: 'sample', sample: { kind: 'unknown', cause: 'not_finite' } });
  });

  it('two series for one member send that member to its own query', () => {
    const split = splitGroupedAnswer(vector([series('a', '1', { le: '1' }), series('a', '2', { le: '2' }), series('b', '1')]), group, 'http://p');
    if (!split.ok) throw new Error(split.reason);
    expect(split.members.get('count(x{service="a"})')).toMatchObject({ kind: 'own_query' });
    expect(split.members.get('count(x{service="b"})')).toEqual({ kind: 'sample', sample: { kind: 'value', value: 1 } });
  });

  it('an answer it cannot split safely is refused as a whole', () => {
    expect(splitGroupedAnswer({ status: 'error', error: 'bad' }, group, 'http://p').ok).toBe(false);
    expect(splitGroupedAnswer({ status: 'success', data: { resultType: 'scalar', result: [1, '1'] } }, group, 'http://p').ok).toBe(false);
    expect(splitGroupedAnswer(vector([{ metric: {}, value: [1, '1'] }]), group, 'http://p').ok).toBe(false);
  });
});
