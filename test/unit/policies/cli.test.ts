// Spawns the real `guardrail` binary (compiled by tsc) on failing and passing inputs.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { policyWith } from './loader-fixture.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');

async function guardrail(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return guardrailWith(process.env, ...args);
}

async function guardrailWith(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [join(ROOT, 'bin/guardrail.js'), ...args], { cwd: ROOT, env });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('guardrail policy (CLI binary)', { timeout: 30_000 }, () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'guardrail-cli-'));
    // The binary runs dist/: compile it. Errors in files other than ours must not stop the emit.
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch(() => undefined);
    expect(existsSync(join(ROOT, 'dist/controller/cli/main.js'))).toBe(true);
  }, 120_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('policy test exits 1 with a readable diff on a mismatch', async () => {
    const file = join(dir, 'wrong.yaml');
    await writeFile(
      file,
      [
        `policy: ${join(ROOT, 'policies/prediction-service.yaml')}`,
        'tests:',
        '  - name: expects the rollback one tick too early',
        '    series:',
        '      reasons.high-error-rate: 0.08x40',
        '    expect:',
        '      - at: 4m45s',
        '        phase: rolled_back',
        '        commands: [rollback high-error-rate automatic]',
        '',
      ].join('\n'),
    );
    const { code, stderr } = await guardrail('policy', 'test', file);
    expect(code).toBe(1);
    expect(stderr).toContain(`FAIL ${file} — expects the rollback one tick too early`);
    expect(stderr).toContain('  at 4m45s: phase\n    expected: rolled_back\n    actual:   pending');
    expect(stderr).toContain('  at 4m45s: commands\n    expected: [rollback high-error-rate automatic]\n    actual:   []');
    expect(stderr).toContain('0 passed, 1 failed');
  });

  it('policy test exits 0 on the shipped scenarios', async () => {
    const { code, stdout } = await guardrail('policy', 'test', 'policies/tests/good-high-error-rate.yaml', 'policies/tests/pause.yaml');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^8 passed, 0 failed$/m);
  });

  it('policy test says how to get promtool and prometheus when a raw-series scenario needs them, and still runs the others', async () => {
    const { code, stdout, stderr } = await guardrailWith(
      { ...process.env, PATH: '/nonexistent-guardrail-path' },
      'policy',
      'test',
      'policies/tests/raw-good-sawtooth.yaml',
      'policies/tests/pause.yaml',
    );
    expect(code).toBe(1);
    expect(stderr).toContain('FAIL policies/tests/raw-good-sawtooth.yaml');
    expect(stderr).toContain('promtool and prometheus not found on PATH');
    expect(stderr).toContain('sudo apt-get install prometheus');
    expect(stderr).toMatch(/^\d+ passed, 1 failed$/m);
    expect(stdout).toBe('');
  });

  it('policy validate exits 1 with file:line:col for every error', async () => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, policyWith({ 27: '    above: 5', 32: '    above: 800' }));
    const { code, stderr } = await guardrail('policy', 'validate', file);
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      `${file}:27:12 ratio threshold 5 is above 1: ratios are fractions (write 0.05 for 5%), or set unit: factor for a multiple such as a burn rate`,
      `${file}:32:12 latency threshold 800 looks like milliseconds: thresholds are in seconds (write 0.8 for 800 ms)`,
    ]);
  });

  it("the README's `npm run policy:validate` exits 0 on the shipped tree (the examples are a set of their own)", { timeout: 180_000 }, async () => {
    const npm = await run('npm', ['run', 'policy:validate'], { cwd: ROOT }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code?: number; stdout?: string; stderr?: string }) => ({ code: error.code ?? -1, stdout: `${error.stdout ?? ''}${error.stderr ?? ''}` }),
    );
    expect(npm.stdout).toContain('1 policy file(s) valid: policies/prediction-service.yaml');
    expect(npm.stdout).toMatch(/3 policy file\(s\) valid: policies\/examples\/burn-rate.yaml, policies\/examples\/demo.yaml, policies\/examples\/warm-standby.yaml/);
    expect(npm.code).toBe(0);
  });

  it('validating the examples together with the shipped policy refuses the clash (one target, one policy)', async () => {
    const { code, stderr } = await guardrail('policy', 'validate', 'policies', 'policies/examples');
    expect(code).toBe(1);
    expect(stderr).toContain('compose service guardrail/api is already claimed by policy "prediction-service"');
  });

  it('policy validate defaults to policies/ and exits 0', async () => {
    const { code, stdout } = await guardrail('policy', 'validate');
    expect(code).toBe(0);
    expect(stdout).toContain('policies/prediction-service.yaml');
  });
});
