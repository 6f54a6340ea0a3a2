// The stack's front door (docker/front-door/haproxy.cfg, docs/front-door.md) on a real Docker
// Engine with the stack's own HAProxy image (the offline stand-in haproxy:2.6-bookworm): a host port served
// by HAProxy, which sends to the network alias `api`. The shipped policy's switch — start-first, warm
// standby, stopSignal SIGINT — runs under load on that host port, a rollback (the standby takes over) and
// a roll-forward (a new container boots), and not ONE request fails: not even the one listener-close reset
// the plain start-first tests tolerate (strategies-under-load.test.ts), because HAProxy retries a refused,
// reset or unanswered request on another address. The service is the fixture with SHUTDOWN_DELAY_MS=0: on
// the stop signal it closes its listener at once, as the real service does on SIGINT.
import type { ServiceSpec } from '../../../controller/core/index.js';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import type { StandbyReport } from '../../../controller/ports/actuator.js';
import { freePort } from '../../helpers/free-port.js';
import { FIXTURE_DIR, cleanup, docker, fixtureImage, runPrefix, verifySpec } from './docker-fixture.js';

const run = promisify(execFile);
const REPO = join(FIXTURE_DIR, '../../..');
const FRONT_DOOR_IMAGE = 'haproxy:2.6-bookworm';
const LOAD_RPS = 150;
const client = docker();
const prefix = runPrefix();
const network = `${prefix}-net`;
const apiName = `${prefix}-api`;
let image: string;
let hostPort: number;

const target: ServiceSpec = {
  name: apiName,
  selector: { containerName: apiName },
  variable: 'MODEL_VARIANT',
  strategy: 'start-first',
  stopSignal: 'SIGINT',
  warmStandby: { value: 'baseline' },
  verify: verifySpec({ timeoutMs: 15_000, via: 'container-ip' }),
};

interface LoadCounts {
  sent: number;
  ok: number;
  failed: number;
  variants: Record<string, number>;
  errors: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fixture's load loop from the host, GET on the front door's published port, for `durationMs`. */
async function loadFor(durationMs: number): Promise<LoadCounts> {
  const { stdout } = await run(process.execPath, [join(FIXTURE_DIR, 'load-client.mjs'), `http://127.0.0.1:${hostPort}/predict`, String(LOAD_RPS), String(durationMs)], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as LoadCounts;
}

async function variantOnHostPort(): Promise<string | undefined> {
  const response = await fetch(`http://127.0.0.1:${hostPort}/version`, { signal: AbortSignal.timeout(1000) }).catch(() => undefined);
  return response?.ok === true ? ((await response.json()) as { model_variant: string }).model_variant : undefined;
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  throw new Error(`front door: no ${what} within ${timeoutMs} ms`);
}

async function standbyReady(actuator: DockerActuator): Promise<StandbyReport> {
  return waitFor('ready standby', 30_000, async () => {
    const report = await actuator.maintainStandby(target);
    return report.state === 'ready' ? report : undefined;
  });
}

/** The load for `durationMs` with the switch to `value` 1 s into it; resolves with the counts and the steps. */
async function switchUnderLoad(actuator: DockerActuator, value: string | null, durationMs: number) {
  const load = loadFor(durationMs);
  await sleep(1000);
  const result = await actuator.switchVariant({ service: target, value, rollbackId: `${prefix}-${value ?? 'forward'}` });
  return { counts: await load, steps: result.steps.map((s) => s.name) };
}

beforeAll(async () => {
  image = await fixtureImage(client);
  hostPort = await freePort();
  await run('docker', ['network', 'create', network]);
  await run('docker', ['run', '-d', '--name', apiName, '--network', network, '--network-alias', 'api', '-e', 'SHUTDOWN_DELAY_MS=0', '--restart', 'unless-stopped', image]);
  // As docker/compose.yaml runs it: the stack's config, read-only, no capabilities, the host port on 127.0.0.1.
  await run('docker', [
    'run', '-d', '--name', `${prefix}-front-door`, '--network', network, '--read-only', '--cap-drop', 'ALL',
    '--security-opt', 'no-new-privileges:true', '-p', `127.0.0.1:${hostPort}:8000`,
    '-v', `${join(REPO, 'docker/front-door/haproxy.cfg')}:/usr/local/etc/haproxy/haproxy.cfg:ro`,
    FRONT_DOOR_IMAGE, 'haproxy', '-f', '/usr/local/etc/haproxy/haproxy.cfg',
  ]);
  await waitFor('ml on the front door', 30_000, async () => ((await variantOnHostPort()) === 'ml' ? true : undefined));
}, 120_000);

afterAll(async () => {
  await cleanup(client, prefix);
}, 60_000);

describe('the front door (HAProxy) in front of a start-first switch with a warm standby', () => {
  it('fails zero requests on the host port across a rollback (standby takeover) and a roll-forward (new container)', async () => {
    const actuator = new DockerActuator([target]);
    await standbyReady(actuator);

    const back = await switchUnderLoad(actuator, 'baseline', 3_500);
    expect(back.steps).toContain('verified-new');
    expect(await variantOnHostPort()).toBe('baseline');

    const forward = await switchUnderLoad(actuator, null, 5_000);
    expect(forward.steps).toContain('verified-new');
    expect(await variantOnHostPort()).toBe('ml');

    process.stdout.write(`front door: rollback ${JSON.stringify(back.counts)}\nfront door: roll-forward ${JSON.stringify(forward.counts)}\n`);
    for (const { counts } of [back, forward]) {
      expect(counts.errors).toEqual({});
      expect(counts.failed).toBe(0);
      expect(counts.ok).toBe(counts.sent);
      expect(counts.sent).toBeGreaterThan(LOAD_RPS * 2);
    }
    // Each switch really happened under the load: both variants answered through the one host port.
    expect(back.counts.variants).toEqual({ ml: expect.any(Number), baseline: expect.any(Number) });
    expect(forward.counts.variants).toEqual({ ml: expect.any(Number), baseline: expect.any(Number) });
  }, 90_000);
});
