// rollforward: manual or automatic, and the shadow the ML candidate runs in while rolled back with the gate
// it must pass (docs/policies/reasons-and-reference.md, `rollforward`): defaults, derived PromQL, and every mistake refused at its
// position with the reason.
import { describe, expect, it } from 'vitest';
import { servicesOf } from '../../../controller/core/index.js';
import { formatPolicyError } from '../../../controller/ports/policy-source.js';
import { parsePolicyText } from '../../../controller/adapters/policy/loader.js';
import { policyWith } from './loader-fixture.js';

/** The base policy with a `rollforward` block from line 38 on (line 37 is the last trigger line). */
function withRollforward(...lines: string[]): string {
  return policyWith({ 37: ['      reason: errors', 'rollforward:', ...lines].join('\n') });
}

function parsed(text: string) {
  const result = parsePolicyText(text, 'p.yaml');
  if (!result.ok) throw new Error(result.errors.map(formatPolicyError).join('\n'));
  return result.loaded.policy;
}

function errors(text: string): string[] {
  const result = parsePolicyText(text, 'p.yaml');
  return result.ok ? [] : result.errors.map(formatPolicyError);
}

describe('rollforward with a shadow gate', () => {
  it('`mode: auto` with an empty gate: the defaults (10m over 500 requests per 5m, 1% errors, the SLO P95, 90% agreement)', () => {
    const policy = parsed(withRollforward('  mode: auto', '  gate: {}'));
    expect(policy.rollforward.mode).toBe('automatic');
    const gate = policy.rollforward.gate;
    expect(gate?.forMs).toBe(600_000);
    expect(gate?.traffic).toEqual({ id: 'rollforward.gate.requests', query: 'sum(increase(shadow_requests_total[5m]))', min: 500, window: '5m' });
    expect(gate?.conditions.map((c) => [c.id, c.comparison, c.threshold, c.unit, c.forMs, c.needsTraffic])).toEqual([
      ['rollforward.gate.errorRatio', 'above', 0.01, 'ratio', 0, true],
      ['rollforward.gate.p95Seconds', 'above', 0.8, 'seconds', 0, true],
      ['rollforward.gate.agreement', 'below', 0.9, 'ratio', 0, true],
    ]);
    expect(policy.target.shadow).toEqual({ share: 1, timeoutMs: 1000 });
    expect(servicesOf(policy.target).map((s) => s.shadow)).toEqual([{ value: null, share: 1, timeoutMs: 1000 }]);
  });

  it('derives its PromQL from the shadow metrics, narrowed by the selector, over the window', () => {
    const gate = parsed(withRollforward('  mode: manual', '  gate:', '    window: 2m', '    selector: job="api"')).rollforward.gate;
    expect(gate?.traffic.query).toBe('sum(increase(shadow_requests_total{job="api"}[2m]))');
    expect(gate?.conditions.map((c) => c.query)).toEqual([
      '(sum(rate(shadow_requests_total{job="api",outcome!="ok"}[2m])) or on() vector(0)) / sum(rate(shadow_requests_total{job="api"}[2m]))',
      'histogram_quantile(0.95, sum by (le) (rate(shadow_request_duration_seconds_bucket{job="api"}[2m])))',
      'sum(rate(shadow_predictions_total{job="api",agreement="agree"}[2m])) / sum(rate(shadow_predictions_total{job="api"}[2m]))',
    ]);
  });

  it('takes explicit queries, bounds and shadow settings', () => {
    const policy = parsed(
      withRollforward(
        '  mode: automatic',
        '  shadow: { share: 0.25, timeout: 2s }',
        '  gate:',
        '    for: 30m',
        '    minRequests: 50',
        '    maxErrorRatio: 0.02',
        '    maxP95Seconds: 1.5',
        '    minAgreement: 0.8',
        '    queries: { agreement: max(my_agreement) }',
      ),
    );
    expect(policy.target.shadow).toEqual({ share: 0.25, timeoutMs: 2000 });
    expect(policy.rollforward.gate?.forMs).toBe(1_800_000);
    expect(policy.rollforward.gate?.traffic.min).toBe(50);
    expect(policy.rollforward.gate?.conditions.map((c) => [c.threshold, c.query.startsWith('max(') ? 'given' : 'derived'])).toEqual([
      [0.02, 'derived'],
      [1.5, 'derived'],
      [0.8, 'given'],
    ]);
  });

  it('a shadow alone implies the default gate; manual stays the default mode', () => {
    const policy = parsed(withRollforward('  mode: manual', '  shadow: { share: 0.5 }'));
    expect(policy.rollforward).toMatchObject({ mode: 'manual', gate: { forMs: 600_000 } });
    expect(policy.target.shadow).toEqual({ share: 0.5, timeoutMs: 1000 });
  });

  it('without shadow or gate there is no shadow, and the queries are the policy\'s own', () => {
    const policy = parsed(policyWith());
    expect(policy.rollforward).toEqual({ mode: 'manual', afterMs: 0 });
    expect('shadow' in policy.target).toBe(false);
  });

  it('shadow.services names the services that get a candidate', () => {
    const text = policyWith({
      4: '  compose: { project: p, services: [api, prediction-consumer] }',
      7: '  strategy: start-first',
      37: ['      reason: errors', 'rollforward:', '  mode: automatic', '  shadow: { services: [api] }'].join('\n'),
    });
    const policy = parsed(text);
    expect(servicesOf(policy.target).map((s) => [s.name, s.shadow === undefined ? 'no' : 'shadow'])).toEqual([
      ['t/api', 'shadow'],
      ['t/prediction-consumer', 'no'],
    ]);
  });
});

describe('rollforward: what is refused', () => {
  it('automatic with neither `after` nor a gate', () => {
    expect(errors(withRollforward('  mode: automatic'))).toEqual(['p.yaml:39:3 rollforward.mode automatic needs "after" (how long every reason must be OK), or a shadow gate ("gate")']);
  });

  it('`after` beside a gate: the gate decides', () => {
    expect(errors(withRollforward('  mode: automatic', '  after: 30m', '  gate: {}'))).toEqual([
      'p.yaml:40:3 rollforward.after is for a roll-forward without a shadow: with a shadow, the gate decides (gate.for)',
    ]);
  });

  it('a gate `for` shorter than the tick interval', () => {
    expect(errors(withRollforward('  mode: automatic', '  gate:', '    for: 5s'))).toEqual([
      'p.yaml:41:10 rollforward.gate.for 5s is shorter than evaluation.interval 15s: the evidence must hold over at least two ticks',
    ]);
  });

  it('a P95 bound at or above the shadow timeout could never breach', () => {
    expect(errors(withRollforward('  mode: automatic', '  shadow: { timeout: 500ms }', '  gate:', '    maxP95Seconds: 0.5'))).toEqual([
      'p.yaml:42:20 maxP95Seconds 0.5 s is not below shadow.timeout 500ms: a candidate slower than the timeout is counted as a timeout (an error), never in its latency, so this bound could never breach',
    ]);
  });

  it('a P95 bound written in milliseconds', () => {
    expect(errors(withRollforward('  mode: automatic', '  gate:', '    maxP95Seconds: 800'))).toEqual(['p.yaml:41:20 maxP95Seconds 800 looks like milliseconds: write 0.8 for 800 ms']);
  });

  it('a selector that does not parse, once, at the selector', () => {
    const messages = errors(withRollforward('  mode: automatic', '  gate:', '    selector: job=="api"'));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^p\.yaml:41:15 selector: PromQL syntax error near .* in sum\(increase\(shadow_requests_total\{job=="api"\}\[5m\]\)\)$/);
  });

  it('an explicit requests query that does not count over the window', () => {
    expect(errors(withRollforward('  mode: automatic', '  gate:', '    queries: { requests: sum(shadow_requests_total) }'))).toEqual([
      "p.yaml:41:14 gate requests query must count mirrored requests over the gate's window [5m] (found no range)",
    ]);
  });

  it('shadow.services: an unknown name, a repeat, an empty list', () => {
    expect(errors(withRollforward('  mode: manual', '  shadow: { services: [api, web, api] }'))).toEqual([
      'p.yaml:40:29 shadow.services: "web" is not one of the target\'s services (api)',
      'p.yaml:40:34 shadow.services: "api" is listed twice',
    ]);
    expect(errors(withRollforward('  mode: manual', '  shadow: { services: [] }'))).toEqual([
      'p.yaml:40:23 shadow.services: an empty list; leave it out for every service, or name the services that get a candidate',
    ]);
  });

  it('a shadow on a swarm target', () => {
    const text = policyWith({ 4: '  swarm: { stack: s, services: [api] }', 7: '  strategy: start-first', 37: ['      reason: errors', 'rollforward:', '  mode: automatic', '  gate: {}'].join('\n') });
    expect(errors(text)).toEqual(['p.yaml:40:3 a roll-forward shadow is not supported for swarm targets: Swarm owns the tasks of a service, so no candidate can run beside them']);
  });

  it('out-of-range numbers are refused by the schema', () => {
    expect(errors(withRollforward('  mode: manual', '  shadow: { share: 0 }')).join('\n')).toMatch(/share/);
    expect(errors(withRollforward('  mode: manual', '  gate: { minAgreement: 1.5 }')).join('\n')).toMatch(/minAgreement/);
    expect(errors(withRollforward('  mode: manual', '  gate: { colour: red }')).join('\n')).toMatch(/unknown key "colour"/);
  });
});

describe('rollforward.candidates: the allow-list of candidates an operator may set', () => {
  it('image patterns and per-variable value patterns, as written', () => {
    const policy = parsed(withRollforward('  mode: automatic', '  gate: {}', '  candidates:', '    images: ["registry.example.com/team/prediction-service:1.4.*", "registry.example.com/team/prediction-service@sha256:*"]', '    env: { MODEL_DIR: [/models/prediction/*], ONNX_THREADS: ["[1-4]"] }'));
    expect(policy.rollforward.candidates).toEqual({
      images: ['registry.example.com/team/prediction-service:1.4.*', 'registry.example.com/team/prediction-service@sha256:*'],
      env: { MODEL_DIR: ['/models/prediction/*'], ONNX_THREADS: ['[1-4]'] },
    });
  });

  it('absent: no allow-list (no candidate can be set)', () => {
    expect(parsed(withRollforward('  mode: automatic', '  gate: {}')).rollforward.candidates).toBeUndefined();
  });

  it('refused: a repository left open, the variant variable, SHADOW_*, a variable without patterns, one allowing nothing, one without a shadow', () => {
    expect(errors(withRollforward('  mode: automatic', '  gate: {}', '  candidates:', '    images: ["registry.example.com/team/*:1.4", "*", "ok.example/x:1"]'))).toEqual([
      'p.yaml:42:14 rollforward.candidates.images: "registry.example.com/team/*:1.4" leaves the repository open ("registry.example.com/team/*"): write the repository out, only the tag or digest may be a pattern, e.g. registry.example.com/team/prediction-service:1.4.*',
      'p.yaml:42:49 rollforward.candidates.images: "*" leaves the repository open ("*"): write the repository out, only the tag or digest may be a pattern, e.g. registry.example.com/team/prediction-service:1.4.*',
    ]);
    expect(errors(withRollforward('  mode: automatic', '  gate: {}', '  candidates:', '    env: { MODEL_VARIANT: [ml], SHADOW_URL: ["http://*"], MODEL_DIR: [] }'))).toEqual([
      "p.yaml:42:12 rollforward.candidates.env: MODEL_VARIANT chooses the variant and is Guardrail's alone: a candidate always runs the target's normal value",
      'p.yaml:42:33 rollforward.candidates.env: SHADOW_URL wires the shadow mirroring and is set by Guardrail, never by a candidate',
      'p.yaml:42:70 rollforward.candidates.env: MODEL_DIR has no pattern: list the values a candidate may give it, or leave it out',
    ]);
    expect(errors(withRollforward('  mode: automatic', '  gate: {}', '  candidates: {}'))).toEqual([
      'p.yaml:41:3 rollforward.candidates allows nothing: list image patterns (images) or variables with value patterns (env), or leave it out',
    ]);
    expect(errors(withRollforward('  mode: manual', '  candidates: { images: ["r.example/svc:*"] }'))).toEqual([
      'p.yaml:40:3 rollforward.candidates needs a shadow (rollforward.shadow or gate): a candidate is shadowed and gated before it serves',
    ]);
  });

  it('the schema refuses a variable name that is not one, and unknown keys', () => {
    expect(errors(withRollforward('  mode: automatic', '  gate: {}', '  candidates: { env: { model_dir: [x] } }')).join('\n')).toMatch(/model_dir/);
    expect(errors(withRollforward('  mode: automatic', '  gate: {}', '  candidates: { volumes: [x] }')).join('\n')).toMatch(/unknown key "volumes"/);
  });
});
