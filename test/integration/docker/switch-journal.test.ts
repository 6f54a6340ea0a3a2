// The exact journal of a Docker switch for each shape the plan can take (docs/actuators/port-and-docker.md, "Step
// sequence"): which steps, in which order, with which detail fields — reconcile and the runtime's journal
// read them. Values that depend on timing (waitedMs, settledMs, elapsedMs, standbyStartedAt) are checked for
// presence and form only. Also: the step named by an ActuationError and its message when the journal hook
// fails at a given step.
import type { ServiceSpec, Strategy } from '../../../controller/core/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import { verifyContainer } from '../../../controller/adapters/docker/container-ops.js';
import { oldContainerName, standbyContainerName } from '../../../controller/adapters/docker/labels.js';
import { ActuationError } from '../../../controller/ports/actuator.js';
import type { ActuationStep, StepName } from '../../../controller/ports/actuator.js';
import { cleanup, docker, fixtureImage, runPrefix, verifySpec } from './docker-fixture.js';

const client = docker();
const prefix = runPrefix();
const netA = `${prefix}-net-a`;
const netB = `${prefix}-net-b`;
let image: string;

function spec(name: string, strategy: Strategy, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    selector: { containerName: name },
    variable: 'MODEL_VARIANT',
    strategy,
    settleMs: 100, // the settle's length is not what this file checks
    verify: verifySpec({ timeoutMs: 8000, via: 'container-ip' }),
    ...extra,
  };
}

/** A serving fixture on netA (and netB when `twoNetworks`), with no shutdown delay. */
async function startService(name: string, twoNetworks = false): Promise<string> {
  const created = await client.createContainer({
    name,
    Image: image,
    Env: ['SHUTDOWN_DELAY_MS=0'],
    HostConfig: { NetworkMode: netA },
    NetworkingConfig: { EndpointsConfig: { [netA]: { Aliases: ['svc'] } } },
  });
  if (twoNetworks) await client.getNetwork(netB).connect({ Container: created.id, EndpointConfig: { Aliases: ['svc-b'] } });
  await created.start();
  // Serving, so its signal handlers are in place: node as PID 1 ignores a signal it has no handler for.
  await verifyContainer(client, created.id, verifySpec({ via: 'container-ip' }), 'ml');
  return created.id;
}

async function switchTo(target: ServiceSpec, rollbackId: string, failAt?: StepName) {
  const steps: ActuationStep[] = [];
  const outcome = await new DockerActuator([target])
    .switchVariant({
      service: target,
      value: 'baseline',
      rollbackId,
      onStep: async (s) => {
        steps.push(s);
        if (s.name === failAt) throw new Error('journal disk full');
      },
    })
    .then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
  return { ...outcome, steps };
}

/** `name: field,field` per step, in order: the journal's shape. */
const shape = (steps: readonly ActuationStep[]) => steps.map((s) => `${s.name}: ${Object.keys(s.detail).join(',')}`);
const detailOf = (steps: readonly ActuationStep[], name: StepName, nth = 0) => steps.filter((s) => s.name === name)[nth]?.detail ?? {};

describe('the journal of a Docker switch, shape by shape', () => {
  beforeAll(async () => {
    image = await fixtureImage(client);
    await client.createNetwork({ Name: netA });
    await client.createNetwork({ Name: netB });
  });
  afterAll(async () => {
    await cleanup(client, prefix);
  });

  it('recreate, one network: stop before create, no connected-networks', async () => {
    const name = `${prefix}-rec`;
    const oldId = await startService(name);
    const { result, steps } = await switchTo(spec(name, 'recreate'), 'rb-rec');
    expect(shape(steps)).toEqual([
      'inspected: containers',
      'renamed-old: oldId,oldName,name',
      'stopped-old: oldId',
      'created-new: newId,name',
      'started-new: newId',
      'verified-new: newId,variant,elapsedMs,health',
      'removed-old: oldId',
    ]);
    const newId = result?.containers[0]?.id;
    expect(detailOf(steps, 'inspected')).toEqual({ containers: oldId.slice(0, 12) });
    expect(detailOf(steps, 'renamed-old')).toEqual({ oldId, oldName: oldContainerName(name, 'rb-rec'), name });
    expect(detailOf(steps, 'stopped-old')).toEqual({ oldId });
    expect(detailOf(steps, 'created-new')).toEqual({ newId, name });
    expect(detailOf(steps, 'verified-new')).toMatchObject({ newId, variant: 'baseline', elapsedMs: expect.stringMatching(/^\d+$/), health: 'ok' });
    expect(detailOf(steps, 'removed-old')).toEqual({ oldId });
    expect(steps.every((s) => s.target === name && s.rollbackId === 'rb-rec')).toBe(true);
  });

  it('recreate with stopSignal, two networks: the signal stop, then connected-networks', async () => {
    const name = `${prefix}-rec-sig`;
    const oldId = await startService(name, true);
    const { result, steps } = await switchTo(spec(name, 'recreate', { stopSignal: 'SIGINT' }), 'rb-rec-sig');
    expect(shape(steps)).toEqual([
      'inspected: containers',
      'renamed-old: oldId,oldName,name',
      'stopped-old: oldId,signal,exitedOnSignal,waitedMs',
      'created-new: newId,name',
      'connected-networks: newId,networks',
      'started-new: newId',
      'verified-new: newId,variant,elapsedMs,health',
      'removed-old: oldId',
    ]);
    expect(detailOf(steps, 'stopped-old')).toMatchObject({ oldId, signal: 'SIGINT', exitedOnSignal: 'true', waitedMs: expect.stringMatching(/^\d+$/) });
    expect(detailOf(steps, 'connected-networks')).toEqual({ newId: result?.containers[0]?.id, networks: netB });
  });

  it('start-first: created, started and verified beside the old one, which stops after the settle', async () => {
    const name = `${prefix}-sf`;
    await startService(name);
    const { steps } = await switchTo(spec(name, 'start-first'), 'rb-sf');
    expect(shape(steps)).toEqual([
      'inspected: containers',
      'renamed-old: oldId,oldName,name',
      'created-new: newId,name',
      'started-new: newId',
      'verified-new: newId,variant,elapsedMs,health',
      'stopped-old: oldId,settledMs',
      'removed-old: oldId',
    ]);
    expect(Number(detailOf(steps, 'stopped-old')['settledMs'])).toBeLessThanOrEqual(100);
  });

  it('start-first with stopSignal and a standby configured but missing: the skip is journaled', async () => {
    const name = `${prefix}-sf-sig`;
    await startService(name, true);
    const target = spec(name, 'start-first', { stopSignal: 'SIGINT', warmStandby: { value: 'baseline' } });
    const { steps } = await switchTo(target, 'rb-sf-sig');
    expect(shape(steps)).toEqual([
      'inspected: containers',
      'renamed-old: oldId,oldName,name',
      'created-new: newId,name,standbySkipped',
      'connected-networks: newId,networks',
      'started-new: newId',
      'verified-new: newId,variant,elapsedMs,health',
      'stopped-old: oldId,settledMs,signal,exitedOnSignal,waitedMs',
      'removed-old: oldId',
    ]);
    expect(detailOf(steps, 'created-new')['standbySkipped']).toBe('no standby for this container');
    expect(detailOf(steps, 'stopped-old')).toMatchObject({ signal: 'SIGINT', exitedOnSignal: 'true' });
  });

  it('start-first taking over a warm standby: renamed into place and re-attached, never started', async () => {
    const name = `${prefix}-sb`;
    await startService(name, true);
    const target = spec(name, 'start-first', { warmStandby: { value: 'baseline' } });
    const actuator = new DockerActuator([target]);
    for (let i = 0; (await actuator.maintainStandby(target)).state !== 'ready'; i++) {
      if (i > 40) throw new Error('standby never ready');
      await new Promise((r) => setTimeout(r, 250));
    }
    const standbyId = (await client.getContainer(standbyContainerName(name)).inspect()).Id;
    const { steps } = await switchTo(target, 'rb-sb');
    expect(shape(steps)).toEqual([
      'inspected: containers',
      'renamed-old: oldId,oldName,name',
      'created-new: newId,name,fromStandby,standbyStartedAt',
      'connected-networks: newId,networks',
      'verified-new: newId,variant,elapsedMs,health',
      'stopped-old: oldId,settledMs',
      'removed-old: oldId',
    ]);
    expect(detailOf(steps, 'created-new')).toMatchObject({ newId: standbyId, name, fromStandby: 'true' });
    // The standby sat on the first network without aliases: both networks change.
    expect(detailOf(steps, 'connected-networks')).toEqual({ newId: standbyId, networks: `${netA},${netB}` });
  });

  it('a second switch to the same value is a noop', async () => {
    const name = `${prefix}-rec`; // switched to baseline above
    const { result, steps } = await switchTo(spec(name, 'recreate'), 'rb-noop');
    expect(result?.noop).toBe(true);
    expect(shape(steps)).toEqual(['inspected: containers', 'noop: value']);
    expect(detailOf(steps, 'noop')).toEqual({ value: 'baseline' });
  });

  const failures: Array<{ strategy: Strategy; failAt: StepName; before: string[] }> = [
    { strategy: 'recreate', failAt: 'renamed-old', before: ['inspected', 'renamed-old'] },
    { strategy: 'recreate', failAt: 'stopped-old', before: ['inspected', 'renamed-old', 'stopped-old'] },
    { strategy: 'recreate', failAt: 'connected-networks', before: ['inspected', 'renamed-old', 'stopped-old', 'created-new', 'connected-networks'] },
    { strategy: 'start-first', failAt: 'started-new', before: ['inspected', 'renamed-old', 'created-new', 'connected-networks', 'started-new'] },
    { strategy: 'start-first', failAt: 'verified-new', before: ['inspected', 'renamed-old', 'created-new', 'connected-networks', 'started-new', 'verified-new'] },
  ];
  for (const { strategy, failAt, before } of failures) {
    it(`${strategy}: the hook failing at ${failAt} undoes the switch and names that step`, async () => {
      const name = `${prefix}-fail-${strategy}-${failAt}`;
      const oldId = await startService(name, true);
      const { error, steps } = await switchTo(spec(name, strategy), `rb-${failAt}`, failAt);
      expect(error).toBeInstanceOf(ActuationError);
      expect(error).toMatchObject({ step: failAt, restored: true, code: 'GR_ERR_ACTUATION' });
      expect((error as Error).message).toBe(
        `${name}: switch of ${name} to MODEL_VARIANT=baseline failed at ${failAt}: journal disk full; old container restored`,
      );
      const created = before.includes('created-new');
      expect(steps.map((s) => s.name)).toEqual([...before, ...(created ? ['removed-new'] : []), 'restored-old']);
      if (created) expect(shape(steps).at(-2)).toBe('removed-new: newId');
      expect(shape(steps).at(-1)).toBe('restored-old: oldId,name,state');
      expect(detailOf(steps, 'restored-old')).toEqual({ oldId, name, state: 'serving' });
    });
  }
});
