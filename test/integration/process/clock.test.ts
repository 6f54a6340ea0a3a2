// The process actuator's grace period (SIGTERM, then SIGKILL after stopTimeoutMs) on a manual clock
// (test/helpers/manual-clock.ts), with the fixture variant server as a real child process: the SIGKILL comes
// exactly when the clock passes the grace period, never before, and a process that exits in time leaves no
// timer behind.
import type { ServiceSpec } from '../../../controller/core/index.js';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProcessActuator } from '../../../controller/adapters/process/actuator.js';
import type { ProcessTarget } from '../../../controller/adapters/process/actuator.js';
import { freePort } from '../../helpers/free-port.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const SERVER = join(import.meta.dirname, '../../fixtures/docker/variant-server.mjs');
const actuators: ProcessActuator[] = [];

afterEach(async () => {
  await Promise.all(actuators.splice(0).map((a) => a.close()));
});

async function makeTarget(env: Record<string, string>): Promise<ProcessTarget> {
  const port = await freePort();
  const spec: ServiceSpec = {
    name: 'svc',
    selector: { containerName: 'svc' },
    variable: 'MODEL_VARIANT',
    strategy: 'recreate',
    verify: { port, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs: 10_000 },
  };
  return { spec, process: { command: process.execPath, args: [SERVER], env: { PORT: String(port), ...env }, stdio: 'ignore' } };
}

function actuatorFor(target: ProcessTarget, clock: ManualClock): ProcessActuator {
  const actuator = new ProcessActuator([target], { clock });
  actuators.push(actuator);
  return actuator;
}

async function serves(target: ProcessTarget): Promise<boolean> {
  return fetch(`http://127.0.0.1:${target.spec.verify.port}/health`, { signal: AbortSignal.timeout(2_000) }).then(
    (r) => r.ok,
    () => false,
  );
}

describe('process actuator on a manual clock', () => {
  it('SIGKILLs a process that outlasts SIGTERM exactly when the clock passes the grace period (default 5 s)', async () => {
    // After SIGTERM the fixture keeps serving SHUTDOWN_DELAY_MS (10 min): only the SIGKILL can end it here.
    const target = await makeTarget({ SHUTDOWN_DELAY_MS: '600000' });
    const clock = new ManualClock(); // autoAdvance: start()'s verification polls move it
    const actuator = actuatorFor(target, clock);
    await actuator.start('svc');
    clock.autoAdvance = false;
    const asked = clock.sleeps.length;
    let closed = false;
    const closing = actuator.close().then(() => (closed = true));
    await clock.waitForSleeps(asked + 1);
    expect(clock.sleeps.at(-1)).toBe(5_000);

    clock.advance(4_999);
    expect(await serves(target)).toBe(true); // SIGTERM sent, still up: no SIGKILL yet
    expect(closed).toBe(false);
    clock.advance(1);
    await closing;
    expect(await serves(target)).toBe(false);
  });

  it('a process that exits on SIGTERM in time is not killed, and its grace timer is cleared', async () => {
    const target = await makeTarget({ SHUTDOWN_DELAY_MS: '0' });
    const clock = new ManualClock();
    const actuator = actuatorFor(target, clock);
    await actuator.start('svc');
    clock.autoAdvance = false;
    const before = clock.now();
    await actuator.close(); // resolves on the process's own exit: the clock never moved
    expect(clock.now()).toBe(before);
    expect(clock.sleeps.at(-1)).toBe(5_000);
    expect(clock.pendingSleeps).toBe(0);
    expect(await serves(target)).toBe(false);
  });

  it('a switch is timed on the clock: step timestamps, durationMs, the cancelled grace period', async () => {
    const target = await makeTarget({ SHUTDOWN_DELAY_MS: '0' });
    const clock = new ManualClock();
    const actuator = actuatorFor(target, clock);
    await actuator.start('svc');
    const startMs = clock.now();
    const asked = clock.sleeps.length;
    const result = await actuator.switchVariant({ service: target.spec, value: 'baseline', rollbackId: 'rb-clock' });
    expect(result.steps.map((s) => s.name)).toEqual(['inspected', 'stopped-old', 'started-new', 'verified-new']);
    expect(result.steps[0]?.atMs).toBe(startMs);
    // The old process exited on SIGTERM: its 5 s grace period was cancelled, never spent; what the clock moved
    // by is the new process's verification polls.
    const [grace, ...polls] = clock.sleeps.slice(asked);
    expect(grace).toBe(5_000);
    expect(clock.pendingSleeps).toBe(0);
    expect(result.steps[1]?.atMs).toBe(startMs);
    const polled = polls.reduce((sum, ms) => sum + ms, 0);
    expect(result.steps.at(-1)?.atMs).toBe(startMs + polled);
    expect(result.durationMs).toBe(polled);
  });
});
