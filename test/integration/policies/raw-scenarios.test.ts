// The shipped raw-series scenarios (policies/tests/*.yaml with input_series), through exactly the README's
// `npm run policy:test`: each test's series are backfilled into a throwaway real Prometheus (promtool +
// prometheus from PATH) and every query of the policy is evaluated there at each tick. Also shows what that buys: a policy whose error query has a
// wrong label passes the per-condition scenarios (they never run the PromQL) and fails here.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../../controller/cli/policy-scenario-format.js';
import { runScenarioFile } from '../../../controller/cli/policy-scenario-run.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
const DIR = join(ROOT, 'policies/tests');
const isRaw = (file: string): boolean => parseScenario(readFileSync(join(DIR, file), 'utf8'), file).tests.some((t) => t.inputSeries !== undefined);
const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.yaml'))
  .sort()
  .filter(isRaw);

function failuresOf(results: Awaited<ReturnType<typeof runScenarioFile>>): string {
  return results
    .filter((r) => r.failures.length > 0)
    .map((r) => `${r.name}\n${r.failures.join('\n')}`)
    .join('\n\n');
}

describe('raw-series policy scenarios, evaluated by Prometheus', () => {
  it('ships raw-series scenarios for every good reason, the burn rates, the veto, data quality and quiet nights', () => {
    expect(files).toEqual([
      'raw-bad-quiet-night.yaml',
      'raw-bad-spike-flapping.yaml',
      'raw-data-quality.yaml',
      'raw-good-error-rate.yaml',
      'raw-good-latency-backlog.yaml',
      'raw-good-model.yaml',
      'raw-good-sawtooth.yaml',
      'raw-veto-deploy.yaml',
    ]);
  });

  it("the README's `npm run policy:test` passes every scenario, raw and per condition", { timeout: 600_000 }, async () => {
    const expected = readdirSync(DIR)
      .filter((f) => f.endsWith('.yaml'))
      .reduce((n, f) => n + parseScenario(readFileSync(join(DIR, f), 'utf8'), f).tests.length, 0);
    const result = await run('npm', ['run', 'policy:test'], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }).then(
      ({ stdout }) => ({ code: 0, out: stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, out: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(result.out.split('\n').filter((l) => l.startsWith('FAIL') || l.startsWith('  '))).toEqual([]);
    expect(result.out).toMatch(new RegExp(`^${expected} passed, 0 failed$`, 'm'));
    expect(result.code).toBe(0);
  });
});

describe('what running the PromQL catches', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-raw-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a wrong label in the error queries passes per-condition scenarios and fails on raw series', { timeout: 120_000 }, async () => {
    const shipped = readFileSync(join(ROOT, 'policies/prediction-service.yaml'), 'utf8');
    // `status=~"5.."` instead of `status_code=~"5.."`: valid PromQL, and it matches nothing.
    const broken = shipped.replaceAll('status_code=~"5.."', 'status=~"5.."');
    expect(broken).not.toBe(shipped);
    await writeFile(join(dir, 'prediction-service.yaml'), broken);
    const scenario = (source: string) => readFileSync(join(DIR, source), 'utf8').replace('policy: ../prediction-service.yaml', `policy: ${resolve(dir, 'prediction-service.yaml')}`);
    await writeFile(join(dir, 'per-condition.yaml'), scenario('good-error-budget-burn.yaml'));
    const raw = scenario('raw-good-error-rate.yaml');
    // Only the first test (the total outage; it defines the YAML anchors the others reuse).
    await writeFile(join(dir, 'raw.yaml'), raw.slice(0, raw.indexOf('\n  - name:', raw.indexOf('  - name:') + 1) + 1));

    expect(failuresOf(await runScenarioFile(join(dir, 'per-condition.yaml')))).toBe('');
    const results = await runScenarioFile(join(dir, 'raw.yaml'));
    expect(results).toHaveLength(1);
    const outage = results.find((r) => r.name.startsWith('a total outage'));
    expect(outage?.failures.join('\n')).toContain('expected: [rollback error-budget-fast-burn automatic, notify info GuardrailRollbackStarted]');
  });
});
