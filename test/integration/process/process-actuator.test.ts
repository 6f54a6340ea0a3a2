// The process actuator against the fixture variant server run as a real child process on a free
// loopback port: switches, no-ops, a failing start restored, SIGKILL after the grace period, reconcile,
// and no orphan left when the controller process exits.
import type { ServiceSpec } from '../../../controller/core/index.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ProcessActuator } from '../../../controller/adapters/process/actuator.js';
import type { ProcessTarget } from '../../../controller/adapters/process/actuator.js';
import { ActuationError } from '../../../controller/ports/actuator.js';

const REPO = join(import.meta.dirname, '../../..');
const SERVER = join(REPO, 'test/fixtures/docker/variant-server.mjs');
const actuators: ProcessActuator[] = [];
const tempDirs: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function makeTarget(
  env: Record<string, string> = {},
  timeoutMs = 5000,
  stopTimeoutMs = 3000,
): Promise<ProcessTarget> {
  const port = await freePort();
  const spec: ServiceSpec = {
    name: 'svc',
    selector: { containerName: 'svc' },
    variable: 'MODEL_VARIANT',
    strategy: 'recreate',
    verify: {
      port,
      healthPath: '/health',
      versionPath: '/version',
      variantField: 'model_variant',
      absentVariant: 'ml',
      timeoutMs,
    },
  };
  return {
    spec,
    process: {
      command: process.execPath,
      args: [SERVER],
      env: { PORT: String(port), SHUTDOWN_DELAY_MS: '0', ...env },
      stdio: 'ignore',
      stopTimeoutMs,
    },
  };
}

function actuatorFor(target: ProcessTarget): ProcessActuator {
  const actuator = new ProcessActuator([target]);
  actuators.push(actuator);
  return actuator;
}

async function servedVariant(target: ProcessTarget): Promise<unknown> {
  const r = await fetch(`http://127.0.0.1:${target.spec.verify.port}/version`, {
    signal: AbortSignal.timeout(2000),
  });
  return ((await r.json()) as { model_variant: unknown }).model_variant;
}

/** Running, not a zombie: an orphan's zombie waits for whatever reaps it here, but it serves nothing. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

afterEach(async () => {
  await Promise.all(actuators.splice(0).map((a) => a.close()));
});
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('process actuator', () => {
  it('switches between variants, with a no-op for the current value', async () => {
    const target = await makeTarget();
    const actuator = actuatorFor(target);
    const first = await actuator.start('svc');
    expect(first.value).toBeNull();
    expect(await servedVariant(target)).toBe('ml');

    const back = await actuator.switchVariant({ service: target.spec, value: 'baseline', rollbackId: 'rb-1' });
    expect(back).toMatchObject({ noop: false, fromValue: null, toValue: 'baseline', originalValue: null });
    expect(back.steps.map((s) => s.name)).toEqual([
      'inspected',
      'stopped-old',
      'started-new',
      'verified-new',
    ]);
    expect(await servedVariant(target)).toBe('baseline');
    expect(alive(Number(first.id))).toBe(false);
    console.log(`process switch: ${back.durationMs} ms`);

    const same = await actuator.switchVariant({ service: target.spec, value: 'baseline', rollbackId: 'rb-2' });
    expect(same.noop).toBe(true);
    expect(same.containers[0]?.id).toBe(back.containers[0]?.id);

    const forward = await actuator.switchVariant({
      service: target.spec,
      value: back.originalValue,
      rollbackId: 'rb-3',
    });
    expect(forward.toValue).toBeNull();
    expect(await servedVariant(target)).toBe('ml');
    const state = await actuator.inspect(target.spec);
    expect(state.instances).toEqual([
      expect.objectContaining({ running: true, value: null, role: 'current' }),
    ]);
  });

  it('restores the old process when the new one exits at start', async () => {
    const target = await makeTarget({ EXIT_AT_START_FOR_VARIANT: 'baseline' });
    const actuator = actuatorFor(target);
    await actuator.start('svc');
    const error = await actuator
      .switchVariant({ service: target.spec, value: 'baseline', rollbackId: 'rb-x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActuationError);
    expect(error).toMatchObject({ restored: true, step: 'verified-new' });
    expect((error as Error).message).toMatch(/process exited \(code 3/);
    expect(await servedVariant(target)).toBe('ml');
    expect((await actuator.inspect(target.spec)).instances).toHaveLength(1);
  });

  it('restores the old process when the new one never turns healthy', async () => {
    const target = await makeTarget({ FAIL_HEALTH_FOR_VARIANT: 'baseline' }, 2000);
    const actuator = actuatorFor(target);
    await actuator.start('svc');
    await expect(
      actuator.switchVariant({ service: target.spec, value: 'baseline', rollbackId: 'rb-y' }),
    ).rejects.toMatchObject({
      restored: true,
      step: 'verified-new',
    });
    expect(await servedVariant(target)).toBe('ml');
  });

  it('kills a process that ignores SIGTERM after the grace period', async () => {
    // The fixture keeps serving 10 s after SIGTERM; the grace period is 300 ms.
    const target = await makeTarget({ SHUTDOWN_DELAY_MS: '10000' }, 5000, 300);
    const actuator = actuatorFor(target);
    await actuator.start('svc');
    const result = await actuator.switchVariant({
      service: target.spec,
      value: 'baseline',
      rollbackId: 'rb-k',
    });
    const stopped = result.steps.find((s) => s.name === 'stopped-old');
    expect((stopped?.atMs ?? 0) - (result.steps[0]?.atMs ?? 0)).toBeLessThan(2000);
    expect(await servedVariant(target)).toBe('baseline');
  });

  it('reconcile starts the value an interrupted switch was setting', async () => {
    const target = await makeTarget();
    const actuator = actuatorFor(target);
    const result = await actuator.reconcile(target.spec, { rollbackId: 'rb-r', value: 'baseline' });
    expect(result.outcome).toBe('finished');
    expect(await servedVariant(target)).toBe('baseline');
    expect((await actuator.reconcile(target.spec, { rollbackId: 'rb-r', value: 'baseline' })).outcome).toBe(
      'nothing-to-do',
    );
  });

  it('refuses a target it was not given', async () => {
    const actuator = actuatorFor(await makeTarget());
    const other = await makeTarget();
    await expect(
      actuator.switchVariant({
        service: { ...other.spec, name: 'other' },
        value: 'baseline',
        rollbackId: 'rb-z',
      }),
    ).rejects.toMatchObject({ code: 'GR_ERR_TARGET_NOT_FOUND' });
  });

  it('leaves no orphan when the controller process exits', async () => {
    // Compile the actuator to plain JS so a separate node process can play the controller.
    const out = mkdtempSync(join(tmpdir(), 'guardrail-process-actuator-'));
    tempDirs.push(out);
    execFileSync(
      process.execPath,
      [
        join(REPO, 'node_modules/typescript/bin/tsc'),
        '--outDir',
        out,
        '--rootDir',
        REPO,
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        '--types',
        'node',
        join(REPO, 'controller/adapters/process/actuator.ts'),
      ],
      { cwd: REPO },
    );
    writeFileSync(join(out, 'package.json'), '{"type":"module"}');
    const target = await makeTarget();
    const script = join(out, 'controller.mjs');
    writeFileSync(
      script,
      `import { ProcessActuator } from './controller/adapters/process/actuator.js';
const a = new ProcessActuator([${JSON.stringify(target)}]);
const s = await a.start('svc');
console.log(s.id);
process.exit(0);
`,
    );
    const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(run.status).toBe(0);
    const childPid = Number(run.stdout.trim());
    expect(childPid).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 200));
    expect(alive(childPid)).toBe(false);
    await expect(servedVariant(target)).rejects.toThrow();
  });
});
