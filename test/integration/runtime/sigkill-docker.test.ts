import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transpileControllerChild } from '../../helpers/transpile-for-child.js';
import { cleanup, containersNamed, docker, fixtureImage, runPrefix } from '../docker/docker-fixture.js';
import { REPO_ROOT } from './real-stack.js';

// Crash safety of the journal with the real Docker actuator: a controller child process starts a
// rollback and is SIGKILLed right after its n-th durable save (the intent, then each actuator step),
// for every n. A restarted controller must converge: exactly one target container, running the
// baseline, the state without an in-flight switch, the history with the rollback's start and end.

interface Run {
  readonly lines: string[];
  readonly killedAtSave: number | undefined;
  readonly code: number | null;
}

let client: Docker;
let prefix: string;
let image: string;
let childDir: string;
let workDir: string;


beforeAll(async () => {
  client = docker();
  prefix = runPrefix();
  image = await fixtureImage(client);
  childDir = await transpileControllerChild(['test/helpers/fixtures/crash-child.ts']);
  workDir = await mkdtemp(join(tmpdir(), 'guardrail-sigkill-'));
}, 180_000);

afterAll(async () => {
  await cleanup(client, prefix);
  await rm(childDir, { recursive: true, force: true });
  await rm(workDir, { recursive: true, force: true });
});

async function startTarget(name: string): Promise<void> {
  const container = await client.createContainer({
    name,
    Image: image,
    ExposedPorts: { '8000/tcp': {} },
    HostConfig: { PortBindings: { '8000/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
  });
  await container.start();
}

async function writePolicy(dir: string, container: string): Promise<void> {
  const demo = await readFile(join(REPO_ROOT, 'policies/examples/demo.yaml'), 'utf8');
  const policy = demo
    .replace(/^name: demo$/m, 'name: crash')
    .replace(/^ {2}name: demo$/m, '  name: crash')
    .replace(/ {2}compose:\n {4}project: guardrail-demo\n {4}services: \[api\]/, `  containers: [${container}]`)
    .replace(/timeout: 30s/, 'timeout: 20s');
  await writeFile(join(dir, 'crash.yaml'), policy);
}

function runChild(env: Record<string, string>, killAtSave?: number): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(childDir, 'test/helpers/fixtures/crash-child.js')], {
      env: { ...process.env, ...env, ...(killAtSave === undefined ? {} : { BLOCK_AT_SAVE: String(killAtSave) }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let killedAtSave: number | undefined;
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
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => lines.push(`stderr: ${chunk.toString('utf8').trim()}`));
    child.on('exit', (code) => resolve({ lines, killedAtSave, code }));
  });
}

async function variantOf(info: Docker.ContainerInfo): Promise<string> {
  const port = info.Ports.find((p) => p.PrivatePort === 8000 && p.PublicPort !== undefined)?.PublicPort;
  const res = await fetch(`http://127.0.0.1:${port}/version`, { signal: AbortSignal.timeout(2_000) });
  return ((await res.json()) as { model_variant: string }).model_variant;
}

describe('SIGKILL after each journal step, then restart', () => {
  it('always converges to exactly one container on baseline with a consistent journal', async () => {
    const outcomes: string[] = [];
    for (let n = 1; n <= 20; n++) {
      const name = `${prefix}-svc`;
      await cleanup(client, prefix);
      await startTarget(name);
      const dir = await mkdtemp(join(workDir, `n${n}-`));
      await writePolicy(dir, name);
      const env = { POLICIES_DIR: dir, STATE_DIR: join(dir, 'state') };

      const first = await runChild({ ...env, MODE: 'rollback' }, n);
      if (first.killedAtSave === undefined) {
        // n is past the last save: the rollback ran to completion without a kill; every step was covered.
        expect(first.lines.find((l) => l.startsWith('DONE '))).toContain('"phase":"rolled_back"');
        outcomes.push(`n=${n}: not killed (complete run)`);
        break;
      }
      const killedSteps = first.lines.find((l) => l.startsWith(`SAVED ${n} `))?.slice(`SAVED ${n} `.length) ?? '';
      const second = await runChild({ ...env, MODE: 'resume' });
      expect(second.code, second.lines.join('\n')).toBe(0);
      const done = JSON.parse(second.lines.find((l) => l.startsWith('DONE '))?.slice(5) ?? '{}') as { phase?: string; variant?: string | null };

      const containers = await containersNamed(client, prefix);
      expect(containers.map((c) => c.Names[0]), `after a kill at save ${n} (${killedSteps})`).toEqual([`/${name}`]);
      const [only] = containers;
      if (only === undefined) throw new Error('no container');
      expect(only.State).toBe('running');
      expect(await variantOf(only)).toBe('baseline');
      const inspect = await client.getContainer(only.Id).inspect();
      expect(inspect.Config.Env).toContain('MODEL_VARIANT=baseline');
      expect(done).toMatchObject({ phase: 'rolled_back', variant: 'baseline' });

      const state = JSON.parse(await readFile(join(dir, 'state/state.json'), 'utf8')) as { state: { inFlight: object; targets: Record<string, { phase: string; rollback: { rollbackId: string } }> } };
      expect(state.state.inFlight).toEqual({});
      expect(state.state.targets['crash']?.phase).toBe('rolled_back');
      const records = (await readFile(join(dir, 'state/history.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as { entry: { kind: string; id: string; result?: string } }).entry);
      const id = state.state.targets['crash']?.rollback.rollbackId;
      expect(records.filter((r) => r.kind === 'start').map((r) => r.id)).toEqual([id]);
      expect(records.filter((r) => r.kind === 'end').at(-1)).toMatchObject({ id, result: 'succeeded' });
      outcomes.push(`n=${n}: killed after ${killedSteps}; ${records.filter((r) => r.kind === 'end').length} end record(s)`);
    }
    process.stdout.write(`[sigkill] ${outcomes.join('\n[sigkill] ')}\n`);
    expect(outcomes.at(-1)).toMatch(/complete run/);
    expect(outcomes.length).toBeGreaterThanOrEqual(6);
  }, 240_000);
});
