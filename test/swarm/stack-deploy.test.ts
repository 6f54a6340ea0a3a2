// docker/compose.yaml deployed as a Swarm stack by docker/stack.sh (what `npm run stack:deploy` runs), under
// a stack name of its own, its own image tags and free host ports, with the swarm policy copy
// (docker/controller/swarm-policies) pointed at that stack. Then issue 18's drill, through the CLI as an
// operator types it: `guardrail rollback prediction-service --reason drill --token-file …` ends with every
// api task (3) and the consumer serving baseline-…, and `guardrail rollforward` brings the ML model back on
// every task. The controller runs in the stack, on a manager node, and verifies each task on the overlay.
// Clients come in through the stack's front door (HAProxy, host-mode port API_PORT): a load of POST /predict
// runs through it across both switches, and /version through it names what serves.
import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../helpers/free-port.js';
import { docker, REPO_ROOT, servedVariants, sleep } from './swarm-fixture.js';

const client = docker();
const stack = `gr-swarm-stack-${process.pid.toString(36)}`;
const REPLICAS = 3;
let policyDir: string;
let env: Record<string, string>;
let controllerUrl: string;
let frontDoorUrl: string;
let deployed = false;

interface FrontDoorLoad {
  readonly sent: number;
  readonly ok: number;
  readonly failed: number;
  readonly errors: Record<string, number>;
  readonly variants: Record<string, number>;
}

/** ~50 rps of POST /predict through the front door until stopped (test/bench/lib/load-client.mjs, one new connection each). */
function frontDoorLoad(): { stop: () => Promise<FrontDoorLoad> } {
  const body = JSON.stringify({ price: 50000, midprice: 50001.5, return_1s: 0.0004, return_5s: -0.0011, volatility: 0.00031 });
  const child = spawn(process.execPath, ['test/bench/lib/load-client.mjs', `${frontDoorUrl}/predict`, '50', '300000', body], { cwd: REPO_ROOT });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const ended = new Promise<FrontDoorLoad>((resolve, reject) => {
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as FrontDoorLoad);
      } catch {
        reject(new Error(`load-client printed no result: ${out}`));
      }
    });
  });
  return {
    stop: () => {
      child.kill('SIGTERM');
      return ended;
    },
  };
}

/** Stops the load 2 s after the switch: it crossed it (both models answered through the front door) and nothing failed. */
async function expectCleanCrossing(load: { stop: () => Promise<FrontDoorLoad> }, what: string): Promise<void> {
  await sleep(2_000);
  const seen = await load.stop();
  console.log(`stack ${what} through the front door: ${JSON.stringify({ sent: seen.sent, failed: seen.failed, errors: seen.errors, variants: seen.variants })}`);
  expect(seen.failed, JSON.stringify(seen.errors)).toBe(0);
  expect(seen.variants['ml'] ?? 0).toBeGreaterThan(0);
  expect(seen.variants['baseline'] ?? 0).toBeGreaterThan(0);
}

async function versionThroughFrontDoor(): Promise<string> {
  const response = await fetch(`${frontDoorUrl}/version`, { signal: AbortSignal.timeout(2_000) });
  return ((await response.json()) as { model_version: string }).model_version;
}

function run(
  command: string,
  args: readonly string[],
  timeoutMs: number,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: REPO_ROOT, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          output: `${stdout}${stderr}`,
        }),
    );
  });
}

function cli(...args: string[]): Promise<{ code: number; output: string }> {
  return run(
    process.execPath,
    ['bin/guardrail.js', ...args, '--token-file', 'docker/secrets/guardrail-token'],
    30_000,
  );
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline)
      throw new Error(`${what}: not within ${timeoutMs} ms${last === undefined ? '' : ` (${String(last)})`}`);
    await sleep(1_000);
  }
}

interface StatusJson {
  targets?: {
    phase: string;
    variant: string | null;
    operation?: { status: string; message?: string } | null;
  }[];
}

async function phase(): Promise<{ phase: string; variant: string | null } | undefined> {
  const { code, output } = await cli('status', '--json');
  if (code !== 0) return undefined;
  const target = (JSON.parse(output) as StatusJson).targets?.[0];
  return target === undefined ? undefined : { phase: target.phase, variant: target.variant };
}

beforeAll(async () => {
  policyDir = await mkdtemp(join(tmpdir(), 'guardrail-swarm-stack-'));
  const policy = await readFile(
    join(REPO_ROOT, 'docker/controller/swarm-policies/prediction-service.yaml'),
    'utf8',
  );
  await writeFile(
    join(policyDir, 'prediction-service.yaml'),
    policy.replace(/^ {4}stack: guardrail$/m, `    stack: ${stack}`),
  );
  // Mounted into the controller, which runs as the unprivileged node user: mkdtemp makes it 0700.
  await chmod(policyDir, 0o755);
  const ports = {
    controller: await freePort(),
    prometheus: await freePort(),
    alertmanager: await freePort(),
    inbox: await freePort(),
    // The front door's host-mode ports (docs/front-door.md): never the default 8000/8001 on a shared host.
    api: await freePort(),
    consumer: await freePort(),
  };
  controllerUrl = `http://127.0.0.1:${ports.controller}`;
  frontDoorUrl = `http://127.0.0.1:${ports.api}`;
  env = {
    SERVICE_IMAGE: 'guardrail/service:swarm-test',
    CONTROLLER_IMAGE: 'guardrail/controller:swarm-test',
    CONTROLLER_PORT: String(ports.controller),
    PROMETHEUS_PORT: String(ports.prometheus),
    ALERTMANAGER_PORT: String(ports.alertmanager),
    INBOX_PORT: String(ports.inbox),
    API_PORT: String(ports.api),
    CONSUMER_PORT: String(ports.consumer),
    GUARDRAIL_POLICIES_PATH: policyDir,
    API_REPLICAS: String(REPLICAS),
    GUARDRAIL_URL: controllerUrl,
  };
  deployed = true;
  const deploy = await run('bash', ['docker/stack.sh', 'deploy', stack], 600_000);
  expect(deploy.code, deploy.output).toBe(0);
  await until('the controller ready', 180_000, async () => {
    const response = await fetch(`${controllerUrl}/readyz`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) throw new Error(`/readyz ${response.status}: ${await response.text()}`);
    return true;
  });
  await until(`${REPLICAS} api tasks serving ml`, 180_000, async () => {
    const variants = await servedVariants(client, `${stack}_api`);
    return variants.length === REPLICAS && variants.every((v) => v === 'ml') ? variants : undefined;
  });
}, 900_000);

afterAll(async () => {
  if (!deployed) return;
  if (process.env['SWARM_KEEP'] === '1') {
    console.log(`SWARM_KEEP=1: stack ${stack} left running`);
    return;
  }
  const removed = await run('bash', ['docker/stack.sh', 'rm', stack], 120_000);
  if (removed.code !== 0) console.log(removed.output);
  const volumes = await client.listVolumes({ filters: { label: [`com.docker.stack.namespace=${stack}`] } });
  await Promise.all(
    (volumes.Volumes ?? []).map((v) =>
      client
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined),
    ),
  );
  await rm(policyDir, { recursive: true, force: true });
}, 180_000);

describe('npm run stack:deploy, then the CLI drill', () => {
  it('guardrail rollback ends with every api task and the consumer serving baseline-…', async () => {
    expect(await versionThroughFrontDoor()).toMatch(/^xgb-/);
    const load = frontDoorLoad();
    const started = Date.now();
    const rollback = await cli('rollback', 'prediction-service', '--reason', 'drill');
    expect(rollback.code, rollback.output).toBe(0);
    const done = await until('rolled_back', 240_000, async () => {
      const p = await phase();
      if (p?.phase === 'failed') throw new Error(`rollback failed: ${(await cli('status')).output}`);
      return p?.phase === 'rolled_back' ? p : undefined;
    });
    console.log(
      `stack rollback: rolled_back ${((Date.now() - started) / 1000).toFixed(1)} s after the CLI call`,
    );
    expect(done.variant).toBe('baseline');
    const versions = await servedVariants(client, `${stack}_api`, 'model_version');
    expect(versions).toHaveLength(REPLICAS);
    for (const version of versions) expect(version).toMatch(/^baseline-\d+$/);
    expect(await servedVariants(client, `${stack}_prediction-consumer`)).toEqual(['baseline']);
    await expectCleanCrossing(load, 'rollback');
    expect(await versionThroughFrontDoor()).toMatch(/^baseline-\d+$/);
  });

  it('guardrail rollforward brings the ML model back on every task', async () => {
    const load = frontDoorLoad();
    const started = Date.now();
    const forward = await cli('rollforward', 'prediction-service', '--reason', 'drill over');
    expect(forward.code, forward.output).toBe(0);
    // A failed roll-forward goes back to rolled_back: the wait then times out with the status in its message.
    const done = await until('watching', 240_000, async () => {
      const p = await phase();
      return p?.phase === 'watching' || p?.phase === 'pending' ? p : undefined;
    }).catch(async (error: unknown) => {
      throw new Error(`${String(error)}\n${(await cli('status')).output}`);
    });
    expect(done.variant).toBeNull();
    console.log(`stack rollforward: done ${((Date.now() - started) / 1000).toFixed(1)} s after the CLI call`);
    const versions = await servedVariants(client, `${stack}_api`, 'model_version');
    expect(versions).toHaveLength(REPLICAS);
    for (const version of versions) expect(version).toMatch(/^xgb-/);
    expect(await servedVariants(client, `${stack}_prediction-consumer`)).toEqual(['ml']);
    await expectCleanCrossing(load, 'rollforward');
    expect(await versionThroughFrontDoor()).toMatch(/^xgb-/);
  });
});
