// An operator's IMAGE candidate on a real Docker Engine, through the real daemon (startDaemon: runtime,
// Docker actuator, HTTP API; no cron, ticks driven by the test) and a policy whose
// rollforward.candidates.images allows `<fixture repo>:cand-*` (issue #19: "a fixed image tag"). The fixture
// image is tagged a second time for the run; after a manual rollback:
//   - an image the policy does not allow (the fixture's own tag, present on the host) is refused with 403
//     and nothing changes: the shadow container, the state file and targets[].shadow.candidateSpec;
//   - the allowed tag replaces the shadow: the new shadow container runs that image (Config.Image and the
//     image id) as ML (no MODEL_VARIANT), is verified serving ml, and is labelled with the candidate;
//   - a roll-forward promotes it: every serving container of the target runs that image, as ML, and the
//     history's roll-forward names the image;
//   - a later rollback's baseline runs the promoted image; an allowed tag missing on the host (never pulled)
//     fails its operation ("set, but its shadow does not run"), the shadow `failed`, the baseline untouched;
//   - clearing that candidate (`"candidate": null`) gives the shadow the serving image as ML again, and a
//     second clear is a 409 (nothing to clear).
// Prometheus is deliberately unreachable: the gate is UNKNOWN, so nothing automatic happens and the manual
// roll-forward goes ahead with a warning (docs/cli.md): the test is about what runs, not the gate.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LABEL, shadowContainerName } from '../../../controller/adapters/docker/labels.js';
import type { ControllerConfig } from '../../../controller/config-schema.js';
import { startDaemon, type RunningDaemon } from '../../../controller/main.js';
import { freePort } from '../../helpers/free-port.js';
import { waitUntil } from '../runtime/real-stack.js';
import { cleanup, docker, fixtureImage, runPrefix } from './docker-fixture.js';

const TOKEN = 'it-operator-token-0123456789';
const client = docker();
const prefix = runPrefix();
const network = `${prefix}-net`;
const name = `${prefix}-svc`;
const shadowName = shadowContainerName(name);
const TARGET = `${prefix}-target`;
let fixture = '';
let fixtureId = '';
let candidateTag = '';
let dir = '';
let daemon: RunningDaemon | undefined;

function policy(repository: string): Record<string, unknown> {
  return {
    name: TARGET,
    target: {
      name: TARGET,
      containers: [name],
      variable: 'MODEL_VARIANT',
      normalValue: null,
      rollbackValue: 'baseline',
      strategy: 'start-first',
      stopSignal: 'SIGINT',
      verify: { port: 8000, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeout: '15s' },
    },
    evaluation: { interval: '2s', blindAfter: 5, minRequests: { query: 'sum(increase(http_requests_total[15s]))', min: 10, window: '15s' } },
    slo: { p95LatencySeconds: 0.8, errorRatio: 0.05 },
    reasons: [{ name: 'high-error-rate', severity: 'critical', query: 'sum(rate(http_requests_total{status_code=~"5.."}[15s]))', above: 'slo.errorRatio', for: '6s' }],
    limits: { cooldown: '1m', maxRollbacksPerHour: 3 },
    rollforward: {
      mode: 'automatic',
      shadow: { share: 1, timeout: '1s' },
      gate: { for: '20s', window: '15s', minRequests: 10, maxErrorRatio: 0.01, maxP95Seconds: 'slo.p95LatencySeconds', minAgreement: 0.9 },
      candidates: { images: [`${repository}:cand-*`] },
    },
  };
}

async function post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${daemon?.url ?? ''}${path}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const status = () => daemon?.runtime.status()[0];
const url = `/api/v1/targets/${TARGET}/rollforward`;

/** Ticks (each keeps the shadow) until the shadow is verified serving ML; returns its container. */
async function shadowReady(): Promise<{ id: string; image: string; imageId: string; env: string[]; labels: Record<string, string> }> {
  await waitUntil('the shadow ready', 60_000, async () => {
    await daemon?.runtime.tickAll();
    await daemon?.runtime.idle();
    return status()?.shadow?.state === 'ready' ? true : undefined;
  }, 250);
  const info = await client.getContainer(shadowName).inspect();
  return { id: info.Id, image: info.Config.Image, imageId: info.Image, env: info.Config.Env, labels: info.Config.Labels };
}

beforeAll(async () => {
  fixture = await fixtureImage(client);
  fixtureId = (await client.getImage(fixture).inspect()).Id;
  const repository = fixture.slice(0, fixture.lastIndexOf(':'));
  candidateTag = `${repository}:cand-${prefix}`;
  await client.getImage(fixture).tag({ repo: repository, tag: `cand-${prefix}` });
  await client.createNetwork({ Name: network });
  const serving = await client.createContainer({ name, Image: fixture, HostConfig: { NetworkMode: network } });
  await serving.start();
  dir = await mkdtemp(join(tmpdir(), 'guardrail-image-candidate-'));
  await mkdir(join(dir, 'policies'));
  await writeFile(join(dir, 'policies', 'target.yaml'), stringify(policy(repository)));
  const config: ControllerConfig = {
    prometheus: { url: `http://127.0.0.1:${await freePort()}`, timeoutMs: 500 },
    policies: [join(dir, 'policies')],
    stateDir: join(dir, 'state'),
    listen: { host: '127.0.0.1', port: 0 },
    auth: { token: TOKEN, protectReads: true, dashboardPublic: false },
    alerts: { resendIntervalMs: 60_000 },
    actuator: { kind: 'docker' },
    logLevel: 'warn',
    tickTimeoutMs: 1_000,
  };
  daemon = await startDaemon(config, { schedule: false, logger: pino({ level: 'silent' }) });
}, 120_000);

afterAll(async () => {
  await daemon?.stop().catch(() => undefined);
  await cleanup(client, prefix);
  // Only the run's own tag: the fixture's tag keeps the image.
  if (candidateTag !== '') await client.getImage(candidateTag).remove().catch(() => undefined);
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('an image candidate (rollforward --candidate IMAGE) on real Docker', () => {
  it('after a rollback, an image the policy does not allow is refused with 403 and changes nothing', async () => {
    expect((await post(`/api/v1/targets/${TARGET}/rollback`, { reason: 'it: bad model' })).status).toBe(202);
    await daemon?.runtime.idle();
    expect(status()?.phase).toBe('rolled_back');
    const before = await shadowReady();
    expect(before).toMatchObject({ image: fixture, imageId: fixtureId, labels: { [LABEL.candidate]: '' } });

    const refused = await post(url, { reason: 'it: not allowed', candidate: { image: fixture } });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'GR_ERR_CANDIDATE_NOT_ALLOWED' });
    expect(String(refused.body['detail'])).toContain(`${fixture}`);
    await daemon?.runtime.idle();
    expect((await client.getContainer(shadowName).inspect()).Id).toBe(before.id);
    expect(status()?.shadow?.candidateSpec).toBeNull();
    const saved = JSON.parse(await readFile(join(dir, 'state', 'state.json'), 'utf8')) as { state: { candidates?: Record<string, unknown> } };
    expect(saved.state.candidates?.[TARGET]).toBeUndefined();
  }, 120_000);

  it('the allowed tag replaces the shadow: it runs that image as ML, verified', async () => {
    const accepted = await post(url, { reason: 'it: fixed tag', candidate: { image: candidateTag } });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ operation: { kind: 'candidate' }, candidate: { image: candidateTag, env: {}, promotedAt: null } });
    await daemon?.runtime.idle();
    expect(status()?.phase).toBe('rolled_back'); // setting a candidate does not roll forward
    const shadow = await shadowReady();
    expect(shadow.image).toBe(candidateTag);
    expect(shadow.imageId).toBe(fixtureId);
    expect(shadow.env.filter((e) => e.startsWith('MODEL_VARIANT='))).toEqual([]); // ML: the variable absent
    expect(JSON.parse(shadow.labels[LABEL.candidate] ?? '')).toEqual({ image: candidateTag, env: {} });
    expect(status()?.shadow).toMatchObject({ state: 'ready', detail: 'serves ml', candidateSpec: { image: candidateTag, promotedAt: null } });
  }, 120_000);

  it('a roll-forward promotes it: every serving container runs that image as ML; the history names it', async () => {
    const shadow = await client.getContainer(shadowName).inspect();
    const accepted = await post(url, { reason: 'it: promote' });
    expect(accepted.status).toBe(202);
    await waitUntil('the roll-forward', 60_000, () => (status()?.phase !== 'rolling_forward' && status()?.phase !== 'rolled_back' ? true : undefined), 200);
    await daemon?.runtime.idle();
    const serving = await client.listContainers({ filters: { name: [prefix] } });
    const servingNames = serving.map((c) => c.Names[0]?.slice(1));
    expect(servingNames).toEqual([name]); // the shadow took the name over; no shadow is left while ML serves
    const now = await client.getContainer(name).inspect();
    expect(now.Id).toBe(shadow.Id);
    expect(now.Config.Image).toBe(candidateTag);
    expect(now.Image).toBe(fixtureId);
    expect(now.Config.Env.filter((e) => /^(MODEL_VARIANT|SHADOW_)/.test(e))).toEqual([]);
    expect(status()?.shadow?.candidateSpec).toMatchObject({ image: candidateTag, promotedAt: expect.any(String) });
    const { entries } = (await daemon?.runtime.history({ limit: 5, offset: 0 })) ?? { entries: [] };
    expect(entries.find((e) => e.action === 'rollforward')).toMatchObject({ result: 'succeeded', candidate: { image: candidateTag, env: {} } });
  }, 120_000);

  it('a later rollback runs the baseline from the promoted image; a candidate tag missing on the host fails its operation, the shadow failed', async () => {
    expect((await post(`/api/v1/targets/${TARGET}/rollback`, { reason: 'it: again' })).status).toBe(202);
    await daemon?.runtime.idle();
    const baseline = await client.getContainer(name).inspect();
    expect(baseline.Config.Image).toBe(candidateTag);
    expect(baseline.Config.Env).toContain('MODEL_VARIANT=baseline');
    const missing = `${candidateTag}-missing`; // allowed by the glob, never built: Guardrail never pulls
    const accepted = await post(url, { reason: 'it: missing', candidate: { image: missing } });
    expect(accepted.status).toBe(202);
    await daemon?.runtime.idle();
    const operation = daemon?.runtime.operation(String((accepted.body['operation'] as { id: string }).id));
    expect(operation).toMatchObject({ status: 'failed', message: expect.stringMatching(/^set, but its shadow does not run: .*maintenance failed: .*no such image/i) });
    expect(status()?.shadow).toMatchObject({ state: 'failed', candidateSpec: { image: missing } });
    expect((await client.getContainer(name).inspect()).Id).toBe(baseline.Id); // the serving baseline untouched
  }, 120_000);

  it('clearing the failed candidate ("candidate": null): the shadow runs the serving image as ML again, verified; a second clear is 409', async () => {
    const cleared = await post(url, { reason: 'it: wrong tag', candidate: null });
    expect(cleared.status).toBe(202);
    await daemon?.runtime.idle();
    const operation = daemon?.runtime.operation(String((cleared.body['operation'] as { id: string }).id));
    expect(operation).toMatchObject({ status: 'done', message: expect.stringMatching(/^cleared the candidate image \S+-missing \(set by .+\); the shadow runs the image's own ML: /) });
    expect(status()?.phase).toBe('rolled_back'); // clearing does not roll forward
    const shadow = await shadowReady();
    expect(shadow).toMatchObject({ image: candidateTag, imageId: fixtureId, labels: { [LABEL.candidate]: '' } });
    expect(shadow.env.filter((e) => e.startsWith('MODEL_VARIANT='))).toEqual([]);
    expect(status()?.shadow).toMatchObject({ state: 'ready', detail: 'serves ml', candidateSpec: null });
    const again = await post(url, { candidate: null });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'GR_ERR_CONFLICT', detail: `target ${TARGET} has no candidate to clear` });
  }, 120_000);
});
