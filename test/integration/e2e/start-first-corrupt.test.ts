// End to end on real Docker, one compose stack (api + Prometheus + Alertmanager + the controller
// container) with the policy's `start-first` strategy and the api's artifacts mounted from a host
// directory (test/e2e-fixtures/compose.corrupt-model.yaml):
//   - a rollback under load from a container on the compose network, through the alias
//     `http://api:8000/predict`, fails zero requests;
//   - an ML container whose model.onnx is corrupt cannot start and Docker keeps restarting it; Guardrail
//     rolls it back to the baseline (target down / model not loaded), which reads baseline.json only.
// start-first drops the host port of the container it creates (docs/actuators.md), so the api is reached
// on its container IP, as the compose network's clients do.
import { copyFileSync, chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImagesOnce, E2E_IMAGES, REPO, sleep, waitFor } from './e2e-compose.js';
import { E2eStack, versionAt, type ContainerInfo } from './e2e-stack.js';
import { runNetworkLoad } from './e2e-traffic.js';

const SERVICES = ['api', 'prometheus', 'alertmanager', 'controller', 'front-door'];
const LOAD_RPS = 50;
const LOAD_SECONDS = 20;

let stack: E2eStack | undefined;
const modelDirs: string[] = [];

function theStack(): E2eStack {
  if (stack === undefined) throw new Error('the stack did not start');
  return stack;
}

/** A model directory the api's non-root user can read: the real card and baseline, and a real or corrupt model.onnx. */
function modelDir(corrupt: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), `guardrail-e2e-model-${corrupt ? 'corrupt' : 'good'}-`));
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

function variantOf(container: ContainerInfo): string | undefined {
  return container.env.find((entry) => entry.startsWith('MODEL_VARIANT='))?.slice('MODEL_VARIANT='.length);
}

/** The api as clients on the compose network reach it: the running container's IP, port 8000. */
function apiOnNetwork(s: E2eStack): string {
  const api = s.onlyRunning('api');
  if (api.ip === undefined) throw new Error(`${api.name} has no IP`);
  return `http://${api.ip}:8000`;
}

async function waitVariant(s: E2eStack, variant: string, timeoutMs: number): Promise<void> {
  await waitFor(`api serving ${variant} on the network`, timeoutMs, async () => ((await versionAt(apiOnNetwork(s))).model_variant === variant ? true : undefined));
}

beforeAll(async () => {
  await buildImagesOnce();
  stack = await E2eStack.create({
    name: 'startfirst',
    services: SERVICES,
    // Plain start-first without the shipped policy's warm standby: what a switch does when it must boot the
    // baseline, and a corrupt model's crash loop; clients reach the api through the alias, not the front door.
    policy: { services: ['api'], strategy: 'start-first', warmStandby: false },
    overrides: ['compose.corrupt-model.yaml'],
    env: { E2E_MODEL_DIR: modelDir(false) },
  });
  await stack.waitReady();
}, 420_000);

afterAll(async () => {
  await stack?.down();
  for (const dir of modelDirs) rmSync(dir, { recursive: true, force: true });
}, 150_000);

describe('start-first and a corrupt model on the compose stack', () => {
  it('rolls back under load through the network alias with zero failed requests (at most the one known reset race)', async () => {
    const s = theStack();
    const mlContainer = s.onlyRunning('api');
    const load = runNetworkLoad(`${s.project.replaceAll(/[^-_a-z0-9]/g, '')}_default`, E2E_IMAGES.service, LOAD_RPS, LOAD_SECONDS);
    // Let the load run against the ML model first, then switch in the middle of it.
    await sleep(5_000);
    const accepted = await s.controllerPost('/api/v1/targets/prediction-service/rollback', { reason: 'e2e: start-first under load' });
    expect(accepted.status).toBe(202);
    await waitFor('rolled_back', 60_000, async () => ((await s.targetStatus()).phase === 'rolled_back' ? true : undefined));
    const result = await load;
    const total = Object.values(result.byStatus).reduce((a, b) => a + b, 0);
    process.stdout.write(`e2e start-first: ${total} requests during the rollback: ${JSON.stringify(result.byStatus)} errors ${JSON.stringify(result.errors)}\n`);
    expect(total).toBeGreaterThan(LOAD_RPS * LOAD_SECONDS * 0.5);
    // The new container is verified, every client can reach it (the actuator waits out the clients' ARP
    // re-probe, docs/actuators.md), then the old one stops and serves 500 ms more after SIGTERM for clients
    // that resolved the alias just before. Zero failures is the usual result. One race is known and left:
    // a connection the kernel accepts for the old container in the instant its listener closes is reset
    // (Docker 20.10 keeps the old address in the alias's DNS until the container exits); seen once in ~12
    // switches of the real service. A second reset, any other error or any non-200 answer fails the test.
    const { ECONNRESET: resets = 0, ...otherErrors } = result.errors;
    expect(otherErrors).toEqual({});
    expect(resets).toBeLessThanOrEqual(1);
    expect(result.byStatus).toEqual(resets === 0 ? { '200': total } : { '200': total - resets, error: resets });

    const [entry] = await s.history();
    expect(entry).toMatchObject({ action: 'rollback', trigger: { kind: 'manual' }, result: 'succeeded' });
    const all = s.containers('api');
    expect(all).toHaveLength(1);
    expect(all[0]?.id).not.toBe(mlContainer.id);
    expect(variantOf(all[0] as ContainerInfo)).toBe('baseline');
    expect((await versionAt(apiOnNetwork(s))).model_variant).toBe('baseline');
  });

  it('rolls a crash-looping ML container with a corrupt model.onnx back to the baseline', async () => {
    const s = theStack();
    const forward = await s.controllerPost('/api/v1/targets/prediction-service/rollforward', { reason: 'e2e: before the corrupt model' });
    expect(forward.status).toBe(202);
    await waitFor('watching', 60_000, async () => ((await s.targetStatus()).phase === 'watching' ? true : undefined));
    await waitVariant(s, 'ml', 60_000);

    // A new model directory means a new compose config: `up -d` recreates the api with the corrupt model.
    s.setEnv({ E2E_MODEL_DIR: modelDir(true) });
    const deployedAtMs = Date.now();
    await s.compose(['up', '-d', 'api']);
    const entry = await waitFor('an automatic rollback of the corrupt model, finished', 90_000, async () => {
      const [latest] = await s.history();
      return latest?.action === 'rollback' && latest.trigger.kind !== 'manual' && latest.result !== 'in_progress' ? latest : undefined;
    });
    process.stdout.write(`e2e corrupt-model: rollback (${entry.reason}, ${entry.trigger.kind}) decided ${((Date.parse(entry.startedAt) - deployedAtMs) / 1000).toFixed(1)} s after the corrupt deploy: ${entry.result}\n`);
    expect(['target-down', 'model-not-loaded']).toContain(entry.reason);
    const status = await s.targetStatus();
    expect(entry.result, `the switch ${entry.result}: ${status.lastError ?? ''}`).toBe('succeeded');
    await waitVariant(s, 'baseline', 30_000);
    const all = s.containers('api');
    expect(all).toHaveLength(1);
    expect(all[0]?.running).toBe(true);
    expect(variantOf(all[0] as ContainerInfo)).toBe('baseline');
    expect(all[0]?.env).toContain('MODEL_DIR=/models');
    expect((await s.targetStatus()).phase).toBe('rolled_back');
  });
});
