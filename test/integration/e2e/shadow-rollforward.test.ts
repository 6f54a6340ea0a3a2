// Rollback → shadow → gate → roll-forward end to end on real Docker and Prometheus: one compose stack (api
// behind the front door, Prometheus, Alertmanager, the controller container) with the stack policy's shadow
// and gate (e2e timing: 15 s windows, 10 mirrored requests, `for` 10 s), start-first:
//   - a healthy candidate is promoted on its own, taken over under 100 rps through the alias with no failed
//     request (at most the one known listener-close reset);
//   - a faulty candidate (FAULT_ML_ERROR_RATE) is never promoted, and a manual roll-forward gets 409 with the
//     evidence;
//   - an operator's candidate (`rollforward --candidate FAULT_ML_ERROR_RATE=0`, allowed by the stack policy's
//     rollforward.candidates) replaces the faulty shadow, is gated and promoted, and the serving api runs it;
//     a candidate the policy does not allow is refused (403) and nothing changes;
//   - a candidate that cannot load its model is reported (status, GuardrailShadowCandidateFailed) and never
//     promoted.
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImagesOnce, E2E_IMAGES, REPO, sleep, waitFor } from './e2e-compose.js';
import { E2eStack, type TargetStatus } from './e2e-stack.js';
import { runNetworkLoad, startHostTraffic, type HostTraffic } from './e2e-traffic.js';

const SERVICES = ['api', 'prometheus', 'alertmanager', 'controller', 'front-door'];

interface ShadowView {
  readonly state: string;
  readonly candidate: string | null;
  readonly candidateSpec: { readonly env: Record<string, string>; readonly promotedAt: string | null } | null;
  readonly verdict: string;
  readonly errorRatio: number | null;
  readonly agreement: number | null;
  readonly requests: number | null;
}

let stack: E2eStack | undefined;
let traffic: HostTraffic | undefined;
const modelDirs: string[] = [];

function theStack(): E2eStack {
  if (stack === undefined) throw new Error('the stack did not start');
  return stack;
}

/** A model directory the api's non-root user can read: the real card and baseline, and a real or corrupt model.onnx. */
function modelDir(corrupt: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), `guardrail-e2e-shadow-${corrupt ? 'corrupt' : 'good'}-`));
  modelDirs.push(dir);
  for (const file of ['model-card.json', 'baseline.json', 'model.onnx']) {
    const target = join(dir, file);
    if (corrupt && file === 'model.onnx') writeFileSync(target, 'this is not an ONNX protobuf\n'.repeat(64));
    else copyFileSync(join(REPO, 'models/artifacts', file), target);
    chmodSync(target, 0o644);
  }
  chmodSync(dir, 0o755);
  return dir;
}

async function status(): Promise<TargetStatus & { shadow: ShadowView | null }> {
  return (await theStack().targetStatus()) as TargetStatus & { shadow: ShadowView | null };
}

async function latestEntry(): Promise<{ action: string; reason: string; result: string; trigger: { kind: string }; evidence: { conditions: { conditionId: string; value: number }[] }; candidate?: unknown } | undefined> {
  return (await theStack().history())[0] as never;
}

beforeAll(async () => {
  await buildImagesOnce();
  stack = await E2eStack.create({
    name: 'shadow',
    services: SERVICES,
    policy: { services: ['api'], strategy: 'start-first', shadow: { for: '10s' } },
    overrides: ['compose.corrupt-model.yaml'],
    env: { E2E_MODEL_DIR: modelDir(false) },
  });
  await stack.waitReady();
  // ~20 rps through the front door all along: enough mirrored requests for the gate's 10 per 15 s.
  traffic = startHostTraffic(stack.url.api, 50);
}, 420_000);

afterAll(async () => {
  await traffic?.stop();
  await stack?.down();
  for (const dir of modelDirs) rmSync(dir, { recursive: true, force: true });
}, 150_000);

describe('shadow and gate on the compose stack', () => {
  it('a healthy candidate is promoted on its own, taken over under 100 rps through the alias without a failed request', async () => {
    const s = theStack();
    expect((await s.controllerPost('/api/v1/targets/prediction-service/rollback', { reason: 'e2e: shadow' })).status).toBe(202);
    await waitFor('rolled_back', 60_000, async () => ((await status()).phase === 'rolled_back' ? true : undefined));
    await waitFor('the candidate ready', 60_000, async () => ((await status()).shadow?.state === 'ready' ? true : undefined));
    const readyAt = Date.now();
    const load = runNetworkLoad(`${s.project.replaceAll(/[^-_a-z0-9]/g, '')}_default`, E2E_IMAGES.service, 100, 60);
    const forwardedAt = await waitFor('the automatic roll-forward', 60_000, async () => ((await status()).phase === 'watching' ? Date.now() : undefined));
    const result = await load;
    const total = Object.values(result.byStatus).reduce((a, b) => a + b, 0);
    process.stdout.write(`e2e shadow: promoted ${((forwardedAt - readyAt) / 1000).toFixed(1)} s after the candidate was ready; ${total} requests through the alias: ${JSON.stringify(result.byStatus)} errors ${JSON.stringify(result.errors)}\n`);
    const { ECONNRESET: resets = 0, ...otherErrors } = result.errors;
    expect(otherErrors).toEqual({});
    expect(resets).toBeLessThanOrEqual(1);
    expect(result.byStatus).toEqual(resets === 0 ? { '200': total } : { '200': total - resets, error: resets });
    const entry = await latestEntry();
    expect(entry).toMatchObject({ action: 'rollforward', reason: 'shadow-gate-passed', trigger: { kind: 'automatic' }, result: 'succeeded' });
    expect(entry?.evidence.conditions.find((c) => c.conditionId === 'rollforward.gate.errorRatio')?.value).toBeLessThanOrEqual(0.01);
    // The serving api (the warm baseline standby the stack policy keeps beside it carries compose's labels too).
    const api = s.containers('api').filter((c) => c.running && !c.name.endsWith('-guardrail-standby'));
    expect(api).toHaveLength(1);
    expect(api[0]?.env.filter((e) => e.startsWith('SHADOW_') || e.startsWith('MODEL_VARIANT='))).toEqual([]);
  }, 240_000);

  it('a faulty candidate is never promoted; a manual roll-forward gets 409 with the evidence', async () => {
    const s = theStack();
    s.setEnv({ FAULT_ML_ERROR_RATE: '0.5' });
    await s.compose(['up', '-d', 'api']);
    await waitFor('the automatic rollback', 90_000, async () => ((await status()).phase === 'rolled_back' ? true : undefined));
    const failing = await waitFor('the gate breaching', 60_000, async () => {
      const shadow = (await status()).shadow;
      return shadow?.state === 'ready' && shadow.verdict === 'breach' ? shadow : undefined;
    });
    expect(failing.errorRatio).toBeGreaterThan(0.2);
    await sleep(30_000);
    expect((await status()).phase).toBe('rolled_back');
    const refused = await s.controllerPost('/api/v1/targets/prediction-service/rollforward', { reason: 'e2e: not fixed' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'GR_ERR_CONFLICT', details: { shadow: { verdict: 'breach' } } });
  }, 240_000);

  it('an allowed candidate replaces the faulty shadow, is gated and promoted, and the api runs it; a disallowed one changes nothing', async () => {
    const s = theStack();
    const url = '/api/v1/targets/prediction-service/rollforward';
    const shadowBefore = s.containers('api').find((c) => c.name.endsWith('-guardrail-shadow'));
    expect(shadowBefore?.env).toContain('FAULT_ML_ERROR_RATE=0.5');
    const refused = await s.controllerPost(url, { reason: 'e2e: not allowed', candidate: { env: { FAULT_ML_ERROR_RATE: '0.01' } } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'GR_ERR_CANDIDATE_NOT_ALLOWED', details: { allowed: { env: { FAULT_ML_ERROR_RATE: ['0'] } } } });
    expect(String((refused.body as { detail?: string }).detail)).toContain('FAULT_ML_ERROR_RATE="0.01" is not allowed by rollforward.candidates.env.FAULT_ML_ERROR_RATE');
    expect(s.containers('api').find((c) => c.name.endsWith('-guardrail-shadow'))?.id).toBe(shadowBefore?.id);
    expect((await status()).shadow?.candidateSpec).toBeNull();

    const setAt = Date.now();
    const accepted = await s.controllerPost(url, { reason: 'e2e: fault cleared', candidate: { env: { FAULT_ML_ERROR_RATE: '0' } } });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ operation: { kind: 'candidate' }, candidate: { image: null, env: { FAULT_ML_ERROR_RATE: '0' }, promotedAt: null } });
    expect((await status()).phase).toBe('rolled_back'); // setting a candidate does not roll forward
    const promotedAt = await waitFor('the candidate promoted on the gate', 90_000, async () => ((await status()).phase === 'watching' ? Date.now() : undefined));
    const entries = (await s.history()) as { action: string; reason: string; trigger: { kind: string }; candidate?: unknown }[];
    const [rollforward] = entries.filter((e) => e.action === 'rollforward');
    expect(rollforward).toMatchObject({ reason: 'shadow-gate-passed', trigger: { kind: 'automatic' }, candidate: { image: null, env: { FAULT_ML_ERROR_RATE: '0' } } });
    expect(entries.find((e) => e.action === 'candidate')).toMatchObject({ reason: 'e2e: fault cleared', candidate: { env: { FAULT_ML_ERROR_RATE: '0' } } });
    const api = s.containers('api').filter((c) => c.running && !c.name.endsWith('-guardrail-standby'));
    process.stdout.write(`e2e shadow: candidate promoted ${((promotedAt - setAt) / 1000).toFixed(1)} s after it was set; api env ${JSON.stringify(api.map((c) => c.env.filter((e) => e.startsWith('FAULT_'))))}\n`);
    expect(api).toHaveLength(1);
    expect(api[0]?.env).toContain('FAULT_ML_ERROR_RATE=0');
    expect(api[0]?.env.filter((e) => e.startsWith('MODEL_VARIANT='))).toEqual([]);
    expect((await status()).shadow?.candidateSpec).toMatchObject({ env: { FAULT_ML_ERROR_RATE: '0' }, promotedAt: expect.any(String) });
  }, 150_000);

  it('a candidate that cannot load its model is reported and never promoted', async () => {
    const s = theStack();
    s.setEnv({ FAULT_ML_ERROR_RATE: undefined, E2E_MODEL_DIR: modelDir(true) });
    await s.compose(['up', '-d', 'api']); // compose recreates the api: ML with a corrupt model.onnx, rolled back again
    const failed = await waitFor('the candidate reported failed', 180_000, async () => {
      const now = await status();
      return now.phase === 'rolled_back' && now.shadow?.state === 'failed' ? now.shadow : undefined;
    });
    expect(failed.verdict).not.toBe('ok');
    await waitFor('GuardrailShadowCandidateFailed in Alertmanager', 60_000, async () => ((await s.alertmanagerAlerts('GuardrailShadowCandidateFailed')).length > 0 ? true : undefined));
    await sleep(20_000);
    expect((await status()).phase).toBe('rolled_back');
  }, 300_000);
});
