import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPolicyError } from '../../../controller/ports/policy-source.js';
import { loadPolicies, parsePolicyText } from '../../../controller/adapters/policy/loader.js';
import { TOP_LATENCY_BUCKET_SECONDS } from '../../../controller/adapters/policy/normalize.js';
import { HTTP_DURATION_BUCKETS } from '../../../service/metrics.js';
import { policyWith } from './loader-fixture.js';

function errorsOf(text: string): string[] {
  const result = parsePolicyText(text, 'p.yaml');
  return result.ok ? [] : result.errors.map(formatPolicyError);
}

describe('parsePolicyText', () => {
  it('accepts the base fixture and normalises it', () => {
    const result = parsePolicyText(policyWith(), 'p.yaml');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { policy } = result.loaded;
    expect(policy.evaluation.intervalMs).toBe(15_000);
    expect(policy.reasons[0]?.conditions[0]).toMatchObject({ id: 'reasons.errors', unit: 'ratio', threshold: 0.05, forMs: 300_000, window: '1m' });
    expect(policy.reasons[1]?.conditions[0]).toMatchObject({ id: 'reasons.latency', unit: 'seconds', comparison: 'above' });
    expect(policy.limits).toEqual({ cooldownMs: 1_800_000, maxRollbacksPerHour: 2, onMissingData: 'reset' });
    expect(policy.warnAfterMs).toBe(3_600_000);
    expect(policy.warnEveryMs).toBe(3_600_000);
    // Webhook alerts are corroborated against Prometheus unless the trigger says otherwise.
    expect(policy.triggers.alertmanager).toEqual([{ matchers: { alertname: 'HighErrors' }, reason: 'errors', corroborate: true }]);
  });

  it('a trigger may turn corroboration off', () => {
    const result = parsePolicyText(policyWith({ 37: '      reason: errors\n      corroborate: false' }), 'p.yaml');
    expect(result.ok && result.loaded.policy.triggers.alertmanager[0]?.corroborate).toBe(false);
  });

  // One test per rejection, asserting the exact file:line:col and message.
  const cases: [string, Record<number, string>, string[]][] = [
    [
      'unknown key (points at the key)',
      { 7: '  strategy: recreate\n  colour: red' },
      ['p.yaml:8:3 unknown key "colour" in target (allowed: name, compose, containers, swarm, variable, normalValue, rollbackValue, strategy, stopSignal, settle, warmStandby, parallelism, verify)'],
    ],
    [
      'an interval that does not divide a minute (it would be bent at the clock grid: 90 s ran every 2 min)',
      { 15: '  interval: 90s' },
      ['p.yaml:15:13 evaluation.interval 90s: 90s is not a number of minutes that divides an hour: use one of 1m, 2m, 3m, 4m, 5m, 6m, 10m, 12m, 15m, 20m, 30m, 60m'],
    ],
    [
      'a seconds interval that does not divide a minute',
      { 15: '  interval: 7s' },
      ['p.yaml:15:13 evaluation.interval 7s: 7s does not divide a minute, so it cannot run exactly on the clock: use one of 1s, 2s, 3s, 4s, 5s, 6s, 10s, 12s, 15s, 20s, 30s, 60s, or whole minutes'],
    ],
    ['a fractional interval', { 15: '  interval: 1500ms' }, ['p.yaml:15:13 evaluation.interval 1500ms: must be a whole number of seconds (use one of 1s, 2s, 3s, 4s, 5s, 6s, 10s, 12s, 15s, 20s, 30s, 60s)']],
    ['wrong type', { 18: '    min: many' }, ['p.yaml:18:10 evaluation.minRequests.min: expected number, got string "many"']],
    ['bad duration', { 28: '    for: 5 minutes' }, ['p.yaml:28:10 reasons[0].for: bad duration "5 minutes" (write e.g. 30s, 5m, 1h, 1h30m)']],
    [
      'ratio threshold above 1 (5 written for 0.05)',
      { 27: '    above: 5' },
      ['p.yaml:27:12 ratio threshold 5 is above 1: ratios are fractions (write 0.05 for 5%), or set unit: factor for a multiple such as a burn rate'],
    ],
    [
      'latency threshold in milliseconds',
      { 32: '    above: 800' },
      ['p.yaml:32:12 latency threshold 800 looks like milliseconds: thresholds are in seconds (write 0.8 for 800 ms)'],
    ],
    [
      'latency threshold at the top histogram bucket',
      { 32: `    above: ${TOP_LATENCY_BUCKET_SECONDS}` },
      [`p.yaml:32:12 latency threshold ${TOP_LATENCY_BUCKET_SECONDS} s is at or above the top histogram bucket (${TOP_LATENCY_BUCKET_SECONDS} s): histogram_quantile caps there, so it can never breach`],
    ],
    [
      'PromQL that does not parse (position of the error inside the query)',
      { 26: '    query: sum(rate(http_requests_total[1m])' },
      ['p.yaml:26:45 PromQL syntax error: unexpected end of query (unclosed bracket or missing operand?)'],
    ],
    [
      'PromQL error inside a block scalar',
      { 26: '    query: |\n      sum(rate(http_requests_total[1m]))\n      / sum(rate(http_requests_total[1m]) by )' },
      ['p.yaml:28:43 PromQL syntax error near "by )"'],
    ],
    ['unknown reason reference', { 37: '      reason: error' }, ['p.yaml:37:15 trigger refers to unknown reason "error"']],
    ['corroborate that is not a boolean', { 37: '      reason: errors\n      corroborate: no-thanks' }, ['p.yaml:38:20 triggers.alertmanager[0].corroborate: expected boolean, got string "no-thanks"']],
    ['duplicate reason names', { 29: '  - name: errors' }, ['p.yaml:29:11 duplicate reason name "errors"']],
    [
      'a reason sustained for less than one interval (acting on one scrape)',
      { 28: '    for: 10s' },
      ['p.yaml:28:10 reasons.errors: for 10s is shorter than evaluation.interval 15s: a reason must be sustained over at least two scrapes (never act on one)'],
    ],
    ['both above and below', { 27: '    above: 0.05\n    below: 0.01' }, ['p.yaml:24:5 reasons.errors: give exactly one of "above" or "below"']],
    ['ratio SLO written as a percentage', { 22: '  errorRatio: 5' }, ['p.yaml:22:15 errorRatio 5 is above 1: write 0.05 for 5%']],
    ['YAML syntax error (first one only)', { 25: '    severity: [critical' }, ['p.yaml:26:5 YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['threshold of the wrong type', { 27: '    above: high' }, ['p.yaml:27:12 reasons[0].above: expected a number or slo.p95LatencySeconds / slo.errorRatio, got string "high"']],
    [
      'veto applying to an unknown reason',
      { 33: '    for: 10m\nvetoes:\n  - name: deploy\n    query: count(model_info)\n    above: 1\n    message: deploying\n    appliesTo: [errors, latancy]' },
      ['p.yaml:39:25 veto "deploy" applies to unknown reason "latancy"'],
    ],
    ['duplicate YAML key', { 28: '    for: 5m\n    for: 6m' }, ['p.yaml:29:5 YAML: Map keys must be unique']],
    [
      'minRequests query that does not count over its window',
      { 17: '    query: sum(increase(http_requests_total[1m]))' },
      ['p.yaml:17:12 minRequests.query must count requests over its window [5m] (found [1m])'],
    ],
  ];
  for (const [name, replacements, expected] of cases) {
    it(`rejects: ${name}`, () => {
      expect(errorsOf(policyWith(replacements))).toEqual(expected);
    });
  }

  it('reports every error of a file, not just the first', () => {
    expect(errorsOf(policyWith({ 27: '    above: 5', 32: '    above: 800', 37: '      reason: nope' }))).toHaveLength(3);
  });

  it('the top-bucket constant matches the service histogram', () => {
    expect(TOP_LATENCY_BUCKET_SECONDS).toBe(HTTP_DURATION_BUCKETS[HTTP_DURATION_BUCKETS.length - 1]);
  });
});

describe('loadPolicies (directories, all-or-nothing) ', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-policies-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function folder(name: string, files: Record<string, string>): Promise<string> {
    const path = join(dir, name);
    await mkdir(path);
    for (const [file, text] of Object.entries(files)) await writeFile(join(path, file), text);
    return path;
  }

  it('rejects two policies claiming the same target', async () => {
    const path = await folder('same-target', {
      'a.yaml': policyWith({ 1: 'name: a' }),
      'b.yaml': policyWith({ 1: 'name: b', 3: '  name: other', 4: '  containers: [worker, api]' }),
    });
    const result = await loadPolicies(path);
    expect(result.ok ? [] : result.errors.map(formatPolicyError)).toEqual([
      `${join(path, 'b.yaml')}:3:3 container api is already claimed by policy "a" (${join(path, 'a.yaml')}): one target, one policy`,
    ]);
  });

  it('rejects duplicate policy names across files', async () => {
    const path = await folder('same-name', { 'a.yaml': policyWith(), 'b.yaml': policyWith({ 3: '  name: u', 4: '  containers: [b]' }) });
    const result = await loadPolicies(path);
    expect(result.ok ? [] : result.errors.map(formatPolicyError)).toEqual([
      `${join(path, 'b.yaml')}:1:7 duplicate policy name "t" (also in ${join(path, 'a.yaml')})`,
    ]);
  });

  it('a directory with one bad file loads nothing and reports every error', async () => {
    const path = await folder('one-bad', {
      'a.yaml': policyWith({ 1: 'name: a', 3: '  name: a', 4: '  containers: [a]' }),
      'b.yaml': policyWith({ 1: 'name: b', 3: '  name: b', 4: '  containers: [b]', 27: '    above: 5', 28: '    for: soon' }),
    });
    const result = await loadPolicies(path);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.map((e) => `${e.line}:${e.col}`)).toEqual(['28:10']);
  });

  it('an empty directory is an error, not an empty policy set', async () => {
    const path = await folder('empty', {});
    const result = await loadPolicies(path);
    expect(result.ok ? [] : result.errors.map((e) => e.message)).toEqual(['no policy files (*.yaml) found']);
  });
});
