// Fault: Redis stops before, and during, a rollback of a target whose services switch together (api +
// consumer). The consumer's /health depends on Redis (503 while it cannot PING it, as the prediction
// consumer does); the api's does not. Guardrail's rollback asks "does it serve the baseline", apart from
// "are its dependencies up": both services end on the baseline, the phase is rolled_back, the history
// row says the consumer serves while its health fails — a side fault never undoes the rollback (it used
// to switch the verified api back to the faulty ML and end `failed`).
// Real parts: a real redis-server on the Docker bridge's gateway address, fixture containers asking it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBinary, spawnDaemon, type Daemon } from '../../helpers/daemon.js';
import { freePort } from '../../helpers/free-port.js';
import { HEALTHY, startFaultStack, TOKEN, waitUntil, type FaultStack } from './harness.js';

let stack: FaultStack;
let redis: Daemon | undefined;
let redisAddress = '';
let redisArgs: string[] = [];
let api = '';
let consumer = '';

async function startRedisDaemon(): Promise<void> {
  redis = spawnDaemon(findBinary(['redis-server', '/usr/bin/redis-server']), redisArgs);
  await waitUntil('redis to answer', 10_000, async () => (redis?.output().includes('Ready to accept connections') === true ? true : undefined), 100);
}

beforeAll(async () => {
  stack = await startFaultStack({ services: ['api', 'consumer'] });
  api = `${stack.prefix}-api`;
  consumer = `${stack.prefix}-consumer`;
  const bridge = await stack.client.getNetwork('bridge').inspect();
  const gateway = (bridge as { IPAM?: { Config?: { Gateway?: string }[] } }).IPAM?.Config?.[0]?.Gateway ?? '172.17.0.1';
  const port = await freePort();
  redisAddress = `${gateway}:${port}`;
  redisArgs = ['--port', String(port), '--bind', gateway, '--protected-mode', 'no', '--save', '', '--appendonly', 'no'];
  await startRedisDaemon();
  // The consumer asks Redis on /health (the clone a rollback makes keeps this setting).
  await stack.client.getContainer(consumer).remove({ force: true });
  await stack.startContainer(consumer, { HEALTH_REDIS: redisAddress });
  await waitUntil('the consumer healthy', 20_000, async () => ((await consumerHealth().catch(() => 0)) === 200 ? true : undefined), 200);
}, 120_000);
afterAll(async () => {
  await redis?.terminate(2_000);
  await stack?.stop();
});

const phase = async () => (await stack.target())?.phase;
const consumerHealth = async (): Promise<number> => {
  const [info] = await stack.client.listContainers({ filters: { name: [consumer] } });
  const port = info?.Ports.find((p) => p.PrivatePort === 8000)?.PublicPort;
  return (await fetch(`http://127.0.0.1:${port}/health`)).status;
};

async function expectBaselineEverywhere(): Promise<void> {
  expect(await stack.variants()).toEqual({ [api]: 'baseline', [consumer]: 'baseline' });
  expect(await consumerHealth()).toBe(503); // it runs the baseline; its Redis is down
  const status = (await stack.status()).targets[0];
  expect(status).toMatchObject({ phase: 'rolled_back', variant: 'baseline', lastError: null, rollback: { services: [] } });
  expect(status?.services.map((s) => `${s.service}=${String(s.value)}`)).toEqual([`faults/${api}=baseline`, `faults/${consumer}=baseline`]);
  const [latest] = await stack.history();
  expect(latest).toMatchObject({ action: 'rollback', result: 'succeeded' });
  expect(latest?.notes).toMatch(new RegExp(`^verified baseline in [\\d.]+ s; ${consumer}: serves baseline, but /health answered 503$`));
  const alerts = await stack.activeAlerts();
  expect(alerts).not.toContain('GuardrailRollbackPartial');
  expect(alerts).not.toContain('GuardrailRollbackFailed');
}

describe('fault: Redis stopped before and during a rollback', () => {
  it('before: both services roll back and stay there; the consumer serves the baseline with its health failing', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    expect(await consumerHealth()).toBe(200);
    await redis?.kill();
    await waitUntil('the consumer to notice', 5_000, async () => ((await consumerHealth().catch(() => 0)) === 503 ? true : undefined), 200);
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the rollback to end', 40_000, async () => (['rolled_back', 'partially_rolled_back', 'failed'].includes((await phase()) ?? '') ? true : undefined), 300);
    await expectBaselineEverywhere();
  });

  it('during: Redis stops while the rollback runs; the same end state', async () => {
    await startRedisDaemon();
    await waitUntil('the consumer healthy again', 5_000, async () => ((await consumerHealth().catch(() => 0)) === 200 ? true : undefined), 200);
    stack.setMetrics(HEALTHY);
    const forward = await fetch(`${stack.controller.url}/api/v1/targets/faults/rollforward`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(forward.status).toBeLessThan(300);
    await waitUntil('the roll-forward', 40_000, async () => ((await phase()) === 'watching' ? true : undefined), 300);
    expect(await stack.variants()).toEqual({ [api]: 'ml', [consumer]: 'ml' });

    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the rollback to begin', 30_000, async () => ((await phase()) === 'rolling_back' ? true : undefined), 100);
    await redis?.kill();
    await waitUntil('the rollback to end', 40_000, async () => (['rolled_back', 'partially_rolled_back', 'failed'].includes((await phase()) ?? '') ? true : undefined), 300);
    await expectBaselineEverywhere();
    expect((await stack.history()).map((e) => `${e.action}:${e.result}`)).toEqual(['rollback:succeeded', 'rollforward:succeeded', 'rollback:succeeded']);
  });
});
