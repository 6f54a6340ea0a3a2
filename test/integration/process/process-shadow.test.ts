// The process actuator's shadow candidate (adapters/process/shadow.ts) against the fixture variant server as
// real child processes on free loopback ports: started beside the serving baseline on the shadow port while
// wanted, replaced when its environment changed (the demo's --clear), reported failed when it exits at
// start, stopped when not wanted or once the service runs the candidate's value.
import type { CandidateSpec, ServiceSpec } from '../../../controller/core/index.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ProcessActuator, type ProcessTarget } from '../../../controller/adapters/process/actuator.js';
import { isActuationError, type StandbyReport } from '../../../controller/ports/actuator.js';
import { freePort } from '../../helpers/free-port.js';

const SERVER = join(import.meta.dirname, '../../fixtures/docker/variant-server.mjs');
const actuators: ProcessActuator[] = [];
afterAll(async () => {
  for (const a of actuators) await a.close();
});

async function setUp(env: Record<string, string> = {}): Promise<{ actuator: ProcessActuator; target: ProcessTarget; shadowPort: number }> {
  const [port, shadowPort] = [await freePort(), await freePort()];
  const spec: ServiceSpec = {
    name: 'svc',
    selector: { containerName: 'svc' },
    variable: 'MODEL_VARIANT',
    strategy: 'recreate',
    shadow: { value: null, share: 1, timeoutMs: 1000 },
    verify: { port, healthPath: '/health', versionPath: '/version', variantField: 'model_variant', absentVariant: 'ml', timeoutMs: 5000 },
  };
  const target: ProcessTarget = {
    spec,
    process: { command: process.execPath, args: [SERVER], env: { PORT: String(port), SHUTDOWN_DELAY_MS: '0', MODEL_VARIANT: 'baseline', ...env }, stdio: 'ignore', shadowPort },
  };
  const actuator = new ProcessActuator([target]);
  actuators.push(actuator);
  await actuator.start('svc');
  return { actuator, target, shadowPort };
}

async function maintainUntil(actuator: ProcessActuator, spec: ServiceSpec, state: StandbyReport['state'], candidate?: CandidateSpec): Promise<StandbyReport[]> {
  const reports: StandbyReport[] = [];
  for (let i = 0; i < 40; i++) {
    const report = await actuator.maintainShadow(spec, true, candidate);
    reports.push(report);
    if (report.state === state) return reports;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`candidate never ${state}: ${JSON.stringify(reports.at(-1))}`);
}

const versionOn = (port: number): Promise<string | null> =>
  fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(1_000) }).then(
    async (r) => ((await r.json()) as { model_variant: string }).model_variant,
    () => null,
  );

describe('process actuator: shadow candidate', () => {
  it('runs the ML candidate on the shadow port while wanted; a changed environment replaces it; unwanted stops it', async () => {
    const { actuator, target, shadowPort } = await setUp();
    const reports = await maintainUntil(actuator, target.spec, 'ready');
    expect(reports[0]).toMatchObject({ state: 'starting', actions: ['created svc candidate'] });
    expect(reports.at(-1)?.detail).toBe(`serves ml on 127.0.0.1:${shadowPort}`);
    expect(await versionOn(shadowPort)).toBe('ml');
    expect(await versionOn(target.spec.verify.port)).toBe('baseline');

    (target.process.env as Record<string, string>)['SOME_FIX'] = '1';
    const replaced = await maintainUntil(actuator, target.spec, 'ready');
    expect(replaced[0]?.actions).toEqual(['removed-stale svc candidate', 'created svc candidate']);

    expect(await actuator.maintainShadow(target.spec, false)).toMatchObject({ state: 'not-needed', actions: ['removed svc candidate'] });
    expect(await versionOn(shadowPort)).toBeNull();
    expect(await versionOn(target.spec.verify.port)).toBe('baseline'); // the serving child is never touched
  });

  it('once the service runs the candidate\'s value (rolled forward), the candidate is stopped', async () => {
    const { actuator, target, shadowPort } = await setUp();
    await maintainUntil(actuator, target.spec, 'ready');
    await actuator.switchVariant({ service: target.spec, value: null, rollbackId: 'rb-forward' });
    expect(await actuator.maintainShadow(target.spec, true)).toMatchObject({ state: 'not-needed', actions: ['removed svc candidate'] });
    expect(await versionOn(shadowPort)).toBeNull();
  });

  it('a candidate that exits at start is reported failed, and left alone until the retry delay', async () => {
    const { actuator, target } = await setUp({ EXIT_AT_START_FOR_VARIANT: 'ml' });
    const reports = await maintainUntil(actuator, target.spec, 'failed');
    expect(reports[0]?.actions).toEqual(['created svc candidate']);
    expect(reports.at(-1)?.detail).toMatch(/^exited \(code 3, signal null\); started again 60 s after it ended$/);
    expect((await actuator.maintainShadow(target.spec, true)).actions).toEqual([]);
  });

  it('an operator candidate\'s environment (issue #19 --candidate) reaches the candidate child, and once promoted the serving child', async () => {
    const { actuator, target } = await setUp();
    await maintainUntil(actuator, target.spec, 'ready');
    // The fixture exits at start with this knob: the replaced candidate failing proves it got the variable.
    const failing = await maintainUntil(actuator, target.spec, 'failed', { env: { EXIT_AT_START_FOR_VARIANT: 'ml' } });
    expect(failing[0]?.actions).toEqual(['removed-stale svc candidate', 'created svc candidate']);
    // Promoted: the serving ML child runs the candidate's environment (here one whose health fails, so the
    // switch is restored: the baseline, started without it, serves again).
    const promoting = actuator.switchVariant({ service: target.spec, value: null, rollbackId: 'rb-candidate', candidate: { env: { FAIL_HEALTH_FOR_VARIANT: 'ml' } } });
    const error = await promoting.then(() => undefined, (e: unknown) => e);
    expect(isActuationError(error) && error.restored).toBe(true);
    expect(await versionOn(target.spec.verify.port)).toBe('baseline');
  });

  it('after a controller restart the serving ML child runs the candidate the state records (adoptCandidate, what prepare does), and an interrupted roll-forward\'s (its journal entry)', async () => {
    const { target } = await setUp();
    /** The serving child's environment, read from /proc (its pid is the instance id). */
    const servingEnvOf = async (actuator: ProcessActuator): Promise<string[]> => {
      const pid = (await actuator.inspect(target.spec)).instances[0]?.id ?? '';
      return (await readFile(`/proc/${pid}/environ`, 'utf8')).split('\0');
    };
    const restarted = (): ProcessActuator => {
      const actuator = new ProcessActuator([target]);
      actuators.push(actuator);
      return actuator;
    };
    const candidate = { env: { CANDIDATE_FIX: '1' } };
    for (const startWith of [
      async (a: ProcessActuator) => {
        a.adoptCandidate(target.spec, candidate); // the runtime's prepare: the state's candidate, then start ML
        return a.reconcile(target.spec, { rollbackId: 'startup', value: null });
      },
      (a: ProcessActuator) => a.reconcile(target.spec, { rollbackId: 'rb-interrupted', value: null, candidate }),
    ]) {
      await actuators.at(-1)?.close(); // the previous controller's children die with it
      const actuator = restarted();
      expect(await startWith(actuator)).toMatchObject({ outcome: 'finished' });
      expect(await versionOn(target.spec.verify.port)).toBe('ml');
      expect(await servingEnvOf(actuator)).toContain('CANDIDATE_FIX=1');
    }
    // Without it (the code before): the ML child starts without the candidate's environment.
    await actuators.at(-1)?.close();
    const plain = restarted();
    await plain.reconcile(target.spec, { rollbackId: 'startup', value: null });
    expect(await servingEnvOf(plain)).not.toContain('CANDIDATE_FIX=1');
    // The baseline never runs it: a candidate is the ML side's.
    await plain.close();
    const rolledBack = restarted();
    rolledBack.adoptCandidate(target.spec, candidate);
    await rolledBack.reconcile(target.spec, { rollbackId: 'startup', value: 'baseline' });
    expect(await versionOn(target.spec.verify.port)).toBe('baseline');
    expect(await servingEnvOf(rolledBack)).not.toContain('CANDIDATE_FIX=1');
  });
});
