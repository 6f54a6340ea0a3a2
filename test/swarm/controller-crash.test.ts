// Crash safety of a Swarm switch (issue 18): a controller child process starts a rollback of a 2-replica
// Swarm service and is SIGKILLed right after its n-th durable save (the intent, then each actuator step),
// for every n. Swarm goes on with the update while no controller runs. A restarted controller reconciles
// from the journal and the service's own state (its spec's rollback-id label, PreviousSpec, UpdateStatus)
// and must converge to ONE spec: every task Swarm wants running on baseline and serving it, no update in
// progress, the state without an in-flight switch, the history with the rollback's start and one outcome.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transpileControllerChild } from '../helpers/transpile-for-child.js';
import {
  cleanupStack,
  createFixtureService,
  createOverlay,
  docker,
  fixtureImage,
  servedVariants,
  sleep,
  stackPrefix,
  taskValues,
  updateStatus,
  waitForRunning,
  writeSwarmPolicy,
} from './swarm-fixture.js';

const REPLICAS = 2;
const client = docker();
const stack = stackPrefix('crash');
const serviceName = `${stack}_api`;
let image: string;
let network: string;
let childDir: string;
let workDir: string;

interface Run {
  readonly lines: string[];
  readonly killedAtSave: number | undefined;
  /** Swarm's UpdateStatus.State the moment the child was killed. */
  readonly swarmStateAtKill: string | undefined;
  readonly code: number | null;
}


beforeAll(async () => {
  image = await fixtureImage(client);
  network = await createOverlay(client, stack);
  childDir = await transpileControllerChild(['test/helpers/fixtures/crash-child.ts']);
  workDir = await mkdtemp(join(tmpdir(), 'guardrail-swarm-crash-'));
}, 180_000);

afterAll(async () => {
  await cleanupStack(client, stack);
  if (childDir !== undefined) await rm(childDir, { recursive: true, force: true });
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

/** A fresh service on ML for each kill point: no PreviousSpec, no Guardrail labels. */
async function freshService(): Promise<void> {
  await client
    .getService(serviceName)
    .remove()
    .catch(() => undefined);
  await createFixtureService(client, { stack, name: 'api', network, image, replicas: REPLICAS });
  await waitForRunning(client, serviceName, REPLICAS);
}

function runChild(env: Record<string, string>, killAtSave?: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(childDir, 'test/helpers/fixtures/crash-child.js')], {
      env: {
        ...process.env,
        ...env,
        ...(killAtSave === undefined ? {} : { BLOCK_AT_SAVE: String(killAtSave) }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let killedAtSave: number | undefined;
    let swarmStateAtKill: Promise<string | undefined> = Promise.resolve(undefined);
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (killAtSave !== undefined && line.startsWith(`SAVED ${killAtSave} `)) {
          killedAtSave = killAtSave;
          child.kill('SIGKILL');
          swarmStateAtKill = updateStatus(client, serviceName).then((s) => s?.State ?? 'none');
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk.toString('utf8').trim()}`));
    child.on(
      'exit',
      (code) =>
        void swarmStateAtKill.then((state) =>
          resolve({ lines, killedAtSave, swarmStateAtKill: state, code }),
        ),
    );
  });
}

async function expectOneBaselineSpec(context: string): Promise<void> {
  expect((await updateStatus(client, serviceName))?.State, context).toBe('completed');
  expect(await taskValues(client, serviceName), context).toEqual(Array(REPLICAS).fill('baseline'));
  expect(await servedVariants(client, serviceName), context).toEqual(Array(REPLICAS).fill('baseline'));
  // No task of the previous spec is left running beside them (a start-first update stops it once done).
  const deadline = Date.now() + 15_000;
  for (;;) {
    const old = (await client.listTasks({
      filters: { service: [serviceName], 'desired-state': ['shutdown'] },
    })) as { Status?: { State?: string } }[];
    if (!old.some((t) => t.Status?.State === 'running')) break;
    expect(Date.now(), `${context}: an old task still running`).toBeLessThan(deadline);
    await sleep(250);
  }
}

/** No switch in flight, the rollback's start recorded once and its last end `succeeded`. */
async function expectConsistentJournal(stateDir: string): Promise<void> {
  const state = JSON.parse(await readFile(join(stateDir, 'state.json'), 'utf8')) as {
    state: { inFlight: object; targets: Record<string, { phase: string; rollback: { rollbackId: string } }> };
  };
  expect(state.state.inFlight).toEqual({});
  const records = (await readFile(join(stateDir, 'history.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { entry: { kind: string; id: string; result?: string } }).entry);
  const id = state.state.targets['crash']?.rollback.rollbackId;
  expect(records.filter((r) => r.kind === 'start').map((r) => r.id)).toEqual([id]);
  expect(records.filter((r) => r.kind === 'end').at(-1)).toMatchObject({ id, result: 'succeeded' });
}

describe('the controller SIGKILLed after each journal step of a Swarm switch, then restarted', () => {
  it('always converges to one spec: every task on baseline, a consistent journal', async () => {
    const outcomes: string[] = [];
    for (let n = 1; n <= 12; n++) {
      await freshService();
      const dir = await mkdtemp(join(workDir, `n${n}-`));
      await writeSwarmPolicy(dir, {
        name: 'crash',
        stack,
        services: ['api'],
        parallelism: 1,
        timeout: '40s',
      });
      const env = { POLICIES_DIR: dir, STATE_DIR: join(dir, 'state') };

      const first = await runChild({ ...env, MODE: 'rollback' }, n);
      if (first.killedAtSave === undefined) {
        // n is past the last save: the rollback ran to completion without a kill; every step was covered.
        expect(
          first.lines.find((l) => l.startsWith('DONE ')),
          first.lines.join('\n'),
        ).toContain('"phase":"rolled_back"');
        outcomes.push(`n=${n}: not killed (complete run)`);
        break;
      }
      const killedSteps =
        first.lines.find((l) => l.startsWith(`SAVED ${n} `))?.slice(`SAVED ${n} `.length) ?? '';
      const second = await runChild({ ...env, MODE: 'resume' });
      expect(second.code, second.lines.join('\n')).toBe(0);
      const done = JSON.parse(second.lines.find((l) => l.startsWith('DONE '))?.slice(5) ?? '{}') as {
        phase?: string;
        variant?: string | null;
      };
      expect(done, second.lines.join('\n')).toMatchObject({ phase: 'rolled_back', variant: 'baseline' });
      await expectOneBaselineSpec(`after a kill at save ${n} (${killedSteps})`);

      await expectConsistentJournal(join(dir, 'state'));
      outcomes.push(
        `n=${n}: killed after ${killedSteps} with Swarm ${first.swarmStateAtKill ?? '?'}; converged`,
      );
    }
    process.stdout.write(`[swarm-crash] ${outcomes.join('\n[swarm-crash] ')}\n`);
    expect(outcomes.at(-1)).toMatch(/complete run/);
    // At least one kill came while Swarm was still rolling the update out: the case this test is for.
    expect(outcomes.some((o) => /"updated-service".*with Swarm updating/.test(o))).toBe(true);
  }, 600_000);
});
