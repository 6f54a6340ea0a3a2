// The Docker actuator's waits on a real Engine but a manual clock (test/helpers/manual-clock.ts): the
// start-first settle, the wait for a container to exit on the stop signal, the standby retry delay. Each is
// checked to the millisecond in the journal and in the waits the actuator asked for, without spending them:
// the clock moves as the actuator sleeps (or as the test says), not with real time.
import type { ServiceSpec } from '../../../controller/core/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import type { SourceContainer } from '../../../controller/adapters/docker/clone-config.js';
import { verifyContainer } from '../../../controller/adapters/docker/container-ops.js';
import { standbyContainerName } from '../../../controller/adapters/docker/labels.js';
import { START_FIRST_SETTLE_MS } from '../../../controller/adapters/docker/settle.js';
import { STANDBY_RETRY_MS } from '../../../controller/adapters/docker/standby.js';
import type { ActuationStep } from '../../../controller/ports/actuator.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { cleanup, docker, fixtureImage, runPrefix, verifySpec } from './docker-fixture.js';

const client = docker();
const prefix = runPrefix();
const network = `${prefix}-net`;
let image: string;

function spec(name: string, extra: Partial<ServiceSpec>): ServiceSpec {
  return {
    name,
    selector: { containerName: name },
    variable: 'MODEL_VARIANT',
    strategy: 'start-first',
    verify: verifySpec({ timeoutMs: 10_000, via: 'container-ip' }),
    ...extra,
  };
}

async function startService(name: string, options: { env?: string[]; stopTimeoutS?: number } = {}): Promise<string> {
  const created = await client.createContainer({
    name,
    Image: image,
    Env: ['SHUTDOWN_DELAY_MS=0', ...(options.env ?? [])],
    ...(options.stopTimeoutS === undefined ? {} : { StopTimeout: options.stopTimeoutS }),
    HostConfig: { NetworkMode: network },
    NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: ['svc'] } } },
  });
  await created.start();
  await verifyContainer(client, created.id, verifySpec({ via: 'container-ip' }), 'ml');
  return created.id;
}

async function switchOn(clock: ManualClock, target: ServiceSpec, rollbackId: string) {
  const steps: ActuationStep[] = [];
  const result = await new DockerActuator([target], { clock }).switchVariant({
    service: target,
    value: 'baseline',
    rollbackId,
    onStep: async (s) => void steps.push(s),
  });
  const step = (name: string) => steps.find((s) => s.name === name);
  return { result, steps, step };
}

describe('the Docker actuator on a manual clock', () => {
  beforeAll(async () => {
    image = await fixtureImage(client);
    await client.createNetwork({ Name: network });
  });
  afterAll(async () => {
    await cleanup(client, prefix);
  });

  it('start-first keeps the old container START_FIRST_SETTLE_MS after verification, on the clock', async () => {
    const name = `${prefix}-settle`;
    await startService(name);
    const clock = new ManualClock();
    const startMs = clock.now();
    const { result, steps, step } = await switchOn(clock, spec(name, {}), 'rb-settle');
    const verified = step('verified-new');
    const stopped = step('stopped-old');
    expect(stopped?.detail['settledMs']).toBe(String(START_FIRST_SETTLE_MS));
    expect((stopped?.atMs ?? 0) - (verified?.atMs ?? 0)).toBe(START_FIRST_SETTLE_MS);
    expect(clock.sleeps.at(-1)).toBe(START_FIRST_SETTLE_MS);
    // Before the settle the clock only moved by the verification's polls: its elapsedMs is their sum.
    const polled = clock.sleeps.slice(0, -1).reduce((sum, ms) => sum + ms, 0);
    expect(Number(verified?.detail['elapsedMs'])).toBe(polled);
    // Every timestamp and the duration are the clock's.
    expect(steps[0]?.atMs).toBe(startMs);
    expect(result.durationMs).toBe(clock.now() - startMs);
  });

  it('a stop signal the old container ignores is waited for up to its stop timeout, polled every 20 ms of the clock', async () => {
    const name = `${prefix}-signal`;
    // SIGHUP: node runs as PID 1 with no handler for it, so the kernel drops it; docker stop (SIGTERM) ends it.
    const oldId = await startService(name, { stopTimeoutS: 2 });
    const clock = new ManualClock();
    const { step } = await switchOn(clock, spec(name, { strategy: 'recreate', stopSignal: 'SIGHUP' }), 'rb-signal');
    expect(step('stopped-old')?.detail).toEqual({ oldId, signal: 'SIGHUP', exitedOnSignal: 'false', waitedMs: '2000' });
    // The wait: 2000 ms in 100 polls of 20 ms, before any other wait (the new container's verification then
    // polls at 25 ms, and at 100 ms after 3 s of the clock: how many depends on how fast it boots).
    expect(clock.sleeps.slice(0, 100)).toEqual(Array.from({ length: 100 }, () => 20));
    expect(clock.sleeps.filter((ms) => ms === 20)).toHaveLength(100);
  });

  it('a dead standby is left stopped until STANDBY_RETRY_MS after it ended, then replaced', async () => {
    const name = `${prefix}-standby`;
    await startService(name, { env: ['EXIT_AT_START_FOR_VARIANT=baseline'] }); // its baseline clone exits 3
    const target = spec(name, { warmStandby: { value: 'baseline' } });
    const clock = new ManualClock({ startMs: Date.now() });
    const actuator = new DockerActuator([target], { clock });
    expect((await actuator.maintainStandby(target)).actions).toEqual([`created ${standbyContainerName(name)}`]);
    const dead = await exited(standbyContainerName(name));
    const endedMs = Date.parse(dead.State.FinishedAt);

    clock.advance(endedMs + STANDBY_RETRY_MS - 1 - clock.now());
    const waiting = await actuator.maintainStandby(target);
    expect(waiting).toMatchObject({ state: 'failed', actions: [], instance: { id: dead.Id } });
    expect(waiting.detail).toBe('exited with code 3 after 0 restarts; replaced 60 s after it ended');

    clock.advance(1);
    const replaced = await actuator.maintainStandby(target);
    expect(replaced.state).toBe('starting');
    expect(replaced.actions).toEqual([`removed-dead ${standbyContainerName(name)}`, `created ${standbyContainerName(name)}`]);
    expect(replaced.instance?.id).not.toBe(dead.Id);
  });
});

/** Waits (real time: the container's own exit) until it has stopped, for up to 10 s. */
async function exited(nameOrId: string): Promise<SourceContainer> {
  for (let i = 0; i < 100; i++) {
    const info: SourceContainer = await client.getContainer(nameOrId).inspect();
    if (!info.State.Running && !info.State.Restarting) return info;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${nameOrId} still running`);
}
