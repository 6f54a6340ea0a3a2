// `guardrail rollforward TARGET --candidate REF` / `--clear-candidate` and the candidate in `guardrail status` (issue #19): the
// built CLI against a real listening API over the recording ControllerPort, like operator-cli.test.ts.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makeApi } from '../http/api-fixtures.js';
import { T0, sampleStatus } from '../http/recording-controller.js';
import { runCli } from './cli-harness.js';
import { listeningCli, resetOperatorFixture } from './listening-cli.js';

// Each run spawns node and loads the CLI's module graph (~1.5 s on this machine, more under load).
vi.setConfig({ testTimeout: 30_000 });

const fixture = makeApi({ protectReads: true });
const { app, controller } = fixture;
const cli = listeningCli(app);
beforeEach(() => resetOperatorFixture(fixture));

const submits = () => controller.calls.filter((c) => c.method === 'submit');

describe('status', () => {
  it('an operator\'s candidate: what it runs, who set it, in shadow or serving', async () => {
    const base = { mode: 'automatic' as const, state: 'ready', candidate: 'api-guardrail-shadow', detail: 'serves ml', requests: null, errorRatio: null, p95Seconds: null, agreement: null, verdict: 'unknown' as const, since: null, passingSeconds: 0, forSeconds: 600, bounds: [] };
    const spec = { image: 'guardrail/service:1.4.2', env: { FAULT_ML_ERROR_RATE: '0' }, setBy: 'api-token:alice', setAt: '2026-11-27T08:50:00.000Z', reason: 'fixed tag', promotedAt: null };
    controller.targets = [{ ...sampleStatus(), shadow: { ...base, candidateSpec: spec } }];
    expect((await runCli(cli.bundle, ['status'], cli.env)).stdout).toContain('  candidate: image guardrail/service:1.4.2, FAULT_ML_ERROR_RATE=0 (set by api-token:alice 2026-11-27 08:50:00Z: fixed tag; in shadow, gated before it serves)\n');
    controller.targets = [{ ...sampleStatus(), shadow: { ...base, candidateSpec: { ...spec, promotedAt: '2026-11-27T08:59:00.000Z' } } }];
    expect((await runCli(cli.bundle, ['status'], cli.env)).stdout).toContain('; promoted 2026-11-27 08:59:00Z, serves)\n');
  });

});

describe('rollforward --candidate', () => {
  it('rollforward --candidate (repeatable): sends the candidate, prints what was set and that it is gated, not rolled forward', async () => {
    const candidate = { image: 'guardrail/service:1.4.2', env: { FAULT_ML_ERROR_RATE: '0' }, setBy: 'api-token', setAt: new Date(T0).toISOString(), reason: 'new candidate', promotedAt: null };
    controller.submitAnswer = (_request, operation) => ({ outcome: 'accepted', operation, candidate });
    const res = await runCli(cli.bundle, ['rollforward', 'prediction-service', '--candidate', 'guardrail/service:1.4.2', '--candidate', 'FAULT_ML_ERROR_RATE=0', '--no-wait'], cli.env);
    expect(res.code).toBe(0);
    expect(submits()).toHaveLength(1);
    expect(submits()[0]).toMatchObject({ target: 'prediction-service', request: { kind: 'candidate', reason: 'new candidate', candidate: { image: 'guardrail/service:1.4.2', env: { FAULT_ML_ERROR_RATE: '0' } } } });
    expect(res.stdout).toContain('Candidate for prediction-service set by api-token: image guardrail/service:1.4.2, FAULT_ML_ERROR_RATE=0.\nIt replaces the shadow and is gated before it serves (not rolled forward); follow it with: guardrail status prediction-service\n');
    expect(res.stdout).toContain('Candidate of prediction-service accepted');
  });

  it('rollforward --candidate --json: one document with the final operation AND the candidate that was set (waiting or --no-wait)', async () => {
    const candidate = { image: 'guardrail/service:1.4.2', env: { FAULT_ML_ERROR_RATE: '0' }, setBy: 'api-token', setAt: new Date(T0).toISOString(), reason: 'new candidate', promotedAt: null };
    controller.submitAnswer = (_request, operation) => ({ outcome: 'accepted', operation, candidate });
    for (const wait of [[], ['--no-wait']]) {
      const res = await runCli(cli.bundle, ['rollforward', 'prediction-service', '--candidate', 'guardrail/service:1.4.2', '--candidate', 'FAULT_ML_ERROR_RATE=0', '--json', ...wait], cli.env);
      expect(res.code).toBe(0);
      const printed = JSON.parse(res.stdout) as { operation: { kind: string; target: string; status: string }; candidate: unknown };
      expect(printed.candidate).toEqual(candidate);
      expect(printed.operation).toMatchObject({ kind: 'candidate', target: 'prediction-service', status: wait.length === 0 ? 'done' : 'queued' });
    }
  });

  it('--candidate words refused before any request (exit 2): two images, an empty word, with --force', async () => {
    const cases: [string[], string][] = [
      [['--candidate', 'a:1', '--candidate', 'b:2'], 'guardrail: --candidate "b:2": an image is given already ("a:1"); at most one image (KEY=VALUE entries are read as environment, with KEY in capitals)\n'],
      [['--candidate', ' '], 'guardrail: --candidate needs a value: an image reference or KEY=VALUE\n'],
      [['--candidate', 'A=1', '--force'], 'guardrail: --force applies to a roll-forward; --candidate does not roll forward (the candidate is shadowed and gated first): give one or the other\n'],
    ];
    for (const [flags, message] of cases) {
      const res = await runCli(cli.bundle, ['rollforward', 'prediction-service', ...flags, '--no-wait'], cli.env);
      expect(res.code).toBe(2);
      expect(res.stderr).toBe(message);
    }
    expect(submits()).toEqual([]);
  });

  it('a candidate the policy refuses -> exit 1 with the server message and GR_ERR_CANDIDATE_NOT_ALLOWED', async () => {
    const reason = 'FAULT_ML_ERROR_RATE="0.5" is not allowed by rollforward.candidates.env.FAULT_ML_ERROR_RATE in policies/prediction-service.yaml (allowed: "0")';
    controller.submitAnswer = () => ({ outcome: 'candidate_refused', why: 'not_allowed', reason, allowed: { images: [], env: { FAULT_ML_ERROR_RATE: ['0'] } } });
    const res = await runCli(cli.bundle, ['rollforward', 'prediction-service', '--candidate', 'FAULT_ML_ERROR_RATE=0.5'], cli.env);
    expect(res.code).toBe(1);
    expect(res.stderr).toBe(`guardrail: ${reason} [GR_ERR_CANDIDATE_NOT_ALLOWED, HTTP 403]\n`);
  });

  it('rollforward --clear-candidate: sends "candidate": null (a clear request), and is refused beside --candidate or --force (exit 2)', async () => {
    const res = await runCli(cli.bundle, ['rollforward', 'prediction-service', '--clear-candidate', '--reason', 'wrong image', '--no-wait'], cli.env);
    expect(res.code).toBe(0);
    expect(submits()).toEqual([{ method: 'submit', target: 'prediction-service', request: { kind: 'clear_candidate', actor: expect.any(String), reason: 'wrong image' } }]);
    expect(res.stdout).toContain('Candidate of prediction-service accepted');
    const cases: [string[], string][] = [
      [['--clear-candidate', '--candidate', 'A=1'], 'guardrail: --clear-candidate forgets the candidate and --candidate sets one: give one or the other\n'],
      [['--clear-candidate', '--force'], 'guardrail: --force applies to a roll-forward; --clear-candidate does not roll forward: give one or the other\n'],
    ];
    for (const [flags, message] of cases) {
      const refused = await runCli(cli.bundle, ['rollforward', 'prediction-service', ...flags, '--no-wait'], cli.env);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(message);
    }
    expect(submits()).toHaveLength(1);
  });
});
