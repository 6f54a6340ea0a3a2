// docs/runbook.md, "When Guardrail itself is down": the manual steps must work as written on a real
// Compose project after a Guardrail rollback. The rollback's clone keeps compose's labels on purpose
// (config-hash included, so a routine `up -d` does not undo it): a plain `up -d` to roll forward then
// answers "up-to-date" and the baseline keeps serving. The runbook says `up -d --force-recreate`.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DockerActuator } from '../../../controller/adapters/docker/actuator.js';
import type { ServiceSpec } from '../../../controller/core/index.js';
import { cleanup, docker, fixtureImage, verifySpec } from './docker-fixture.js';

const run = promisify(execFile);
const client = docker();
const project = `htruth-runbook-${process.pid}`;
let dir: string;
let composeFile: string;
let compose: string[];

/** `docker compose` (v2) if the CLI has it, else `docker-compose` (v1), as docker/compose.sh chooses. */
async function composeCommand(): Promise<string[]> {
  try {
    await run('docker', ['compose', 'version']);
    return ['docker', 'compose'];
  } catch {
    return ['docker-compose'];
  }
}

/** Runs compose on the test project; MODEL_VARIANT only when given (the stack passes it through). */
async function dc(args: string[], variant?: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  delete env['MODEL_VARIANT'];
  if (variant !== undefined) env['MODEL_VARIANT'] = variant;
  const [bin, ...pre] = compose as [string, ...string[]];
  const { stdout, stderr } = await run(bin, [...pre, '-p', project, '-f', composeFile, ...args], { env });
  return `${stdout}${stderr}`;
}

/** What the one api container serves now (polled while it starts). */
async function variantServed(): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      const [c] = await client.listContainers({ filters: { label: [`com.docker.compose.project=${project}`, 'com.docker.compose.service=api'] } });
      const info = await client.getContainer(c?.Id ?? 'none').inspect();
      const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress;
      const body = (await (await fetch(`http://${ip}:8000/version`, { signal: AbortSignal.timeout(1000) })).json()) as { model_variant?: unknown };
      return body.model_variant;
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const api: ServiceSpec = {
  name: 'api',
  selector: { composeService: 'api', composeProject: project },
  variable: 'MODEL_VARIANT',
  strategy: 'recreate',
  verify: verifySpec({ via: 'container-ip' }),
};

describe('the runbook manual steps on a real Compose project', () => {
  beforeAll(async () => {
    const image = await fixtureImage(client);
    compose = await composeCommand();
    dir = await mkdtemp(join(tmpdir(), 'htruth-runbook-'));
    composeFile = join(dir, 'compose.yaml');
    // As docker/compose.yaml: the variable passed through from the shell, absent = ML.
    await writeFile(composeFile, `version: "3.8"\nservices:\n  api:\n    image: ${image}\n    environment:\n      - MODEL_VARIANT\n`);
    await dc(['up', '-d']);
    expect(await variantServed()).toBe('ml');
  }, 120_000);

  afterAll(async () => {
    await dc(['down', '--remove-orphans']).catch(() => undefined);
    await cleanup(client, project);
    await rm(dir, { recursive: true, force: true });
  });

  it('after a Guardrail rollback, plain `up -d` keeps the baseline; `up -d --force-recreate` rolls forward; the manual rollback works too', async () => {
    await new DockerActuator([api]).switchVariant({ service: api, value: 'baseline', rollbackId: 'rb-api-1' });
    expect(await variantServed()).toBe('baseline');

    // The trap the runbook used to set: compose sees its own config-hash and does nothing.
    const plain = await dc(['up', '-d', 'api']);
    expect(plain).toMatch(/up-to-date|Running/);
    expect(await variantServed()).toBe('baseline');

    // docs/runbook.md's roll forward.
    await dc(['up', '-d', '--force-recreate', 'api']);
    expect(await variantServed()).toBe('ml');

    // docs/runbook.md's manual rollback, and its roll forward again.
    await dc(['up', '-d', 'api'], 'baseline');
    expect(await variantServed()).toBe('baseline');
    await dc(['up', '-d', '--force-recreate', 'api']);
    expect(await variantServed()).toBe('ml');
  }, 120_000);
});
