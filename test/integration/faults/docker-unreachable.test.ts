// Fault: the Docker socket is unreachable, at start and in the middle of an incident. The controller
// reaches Docker through a socket proxy the test opens and closes (DOCKER_SOCKET), the harness through
// the real socket.
// - At start: not ready (`cannot act on faults: ... the actuator did not answer`), guardrail_can_act 0 and
//   a WARNING GuardrailCannotAct, raised at startup; once Docker answers, ready, gauge 1, resolved.
// - Mid-incident: the rollback cannot run: CRITICAL GuardrailRollbackFailed naming Docker, phase failed,
//   the ML left as it was (nothing half-done), the next attempt scheduled with backoff; once Docker
//   answers, that attempt rolls back.
import net from 'node:net';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RETRY_BASE_MS } from '../../../controller/core/index.js';
import { HEALTHY, startFaultStack, waitUntil, type FaultStack } from './harness.js';

const proxyPath = join(tmpdir(), `htruth-docker-${process.pid}.sock`);
let proxy: net.Server | undefined;
const open = new Set<net.Socket>();

async function dockerUp(): Promise<void> {
  await rm(proxyPath, { force: true });
  proxy = net.createServer((client) => {
    const upstream = net.connect('/var/run/docker.sock');
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => (s === client ? upstream : client).destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => proxy?.listen(proxyPath, resolve));
}

async function dockerDown(): Promise<void> {
  const closing = new Promise<void>((resolve) => (proxy === undefined ? resolve() : proxy.close(() => resolve())));
  for (const s of open) s.destroy();
  await closing;
  proxy = undefined;
  await rm(proxyPath, { force: true });
}

let stack: FaultStack;
const gauge = async () => /^guardrail_can_act\{target="faults"\} (\d)$/m.exec(await stack.metricsText())?.[1];

beforeAll(async () => {
  // The harness's own client is made first (real socket); the controller's, at launch, reads this.
  stack = await startFaultStack({
    editConfig: (config) => {
      process.env['DOCKER_SOCKET'] = proxyPath;
      return config;
    },
  });
}, 120_000);
afterAll(async () => {
  await dockerDown();
  delete process.env['DOCKER_SOCKET'];
  await stack?.stop();
});

describe('fault: the Docker socket unreachable', () => {
  it('at start: not ready, guardrail_can_act 0, WARNING GuardrailCannotAct; ready and resolved once Docker answers', async () => {
    const status = await stack.status();
    expect(status.ready).toBe(false);
    expect(status.detail).toMatch(/^cannot act on faults: .*the actuator did not answer/);
    expect(await gauge()).toBe('0');
    await waitUntil('the WARNING in Alertmanager', 10_000, async () => ((await stack.activeAlerts()).includes('GuardrailCannotAct') ? true : undefined), 500);

    await dockerUp();
    await waitUntil('ready', 15_000, async () => ((await stack.status()).ready ? true : undefined), 500);
    expect(await gauge()).toBe('1');
    await waitUntil('the WARNING resolved', 10_000, async () => ((await stack.activeAlerts()).includes('GuardrailCannotAct') ? undefined : true), 500);
  });

  it('mid-incident: the rollback fails loudly and leaves the ML as it was; the next attempt rolls back once Docker answers', async () => {
    await waitUntil('a first healthy evaluation', 20_000, async () => ((await stack.target())?.lastEvaluation?.verdicts.every((v) => v.status === 'ok') === true ? true : undefined), 500);
    await dockerDown();
    stack.setMetrics({ ...HEALTHY, errorRatio: 0.4 });
    await waitUntil('the failed rollback', 30_000, async () => ((await stack.target())?.phase === 'failed' ? true : undefined), 500);
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'ml' });
    const failed = (await stack.status()).targets[0];
    expect(failed?.lastError).toMatch(/ENOENT|ECONNREFUSED|docker/i);
    const next = Date.parse(failed?.rollback?.nextAttemptAt ?? '');
    expect(next - Date.parse(failed?.phaseSince ?? '')).toBeGreaterThanOrEqual(RETRY_BASE_MS - 1_000);
    await waitUntil('the CRITICAL in Alertmanager', 10_000, async () => ((await stack.activeAlerts()).includes('GuardrailRollbackFailed') ? true : undefined), 500);

    await dockerUp();
    await waitUntil('the retried rollback', RETRY_BASE_MS + 30_000, async () => ((await stack.target())?.phase === 'rolled_back' ? true : undefined), 1_000);
    expect(await stack.variants()).toEqual({ [`${stack.prefix}-api`]: 'baseline' });
    expect((await stack.history()).map((e) => `${e.action}:${e.result}`)).toEqual(['rollback:succeeded', 'rollback:failed']);
    await waitUntil('the CRITICAL resolved', 10_000, async () => ((await stack.activeAlerts()).includes('GuardrailRollbackFailed') ? undefined : true), 500);
  }, 120_000);
});
