// Shared set-up for the Docker actuator integration tests: the fixture image (built once per content
// hash on the offline stand-in node base), a unique name prefix per run, and a cleanup that removes
// every container, network and volume carrying that prefix, even when a test failed half-way.
import type { ServiceSpec } from '../../../controller/core/index.js';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { createDockerClient } from '../../../controller/adapters/docker/client.js';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/docker');
const REPO_ROOT = join(FIXTURE_DIR, '../../..');
const FIXTURE_FILES = ['Dockerfile', 'variant-server.mjs', 'load-client.mjs'];
export const BASE_IMAGE = 'node:24-bookworm-slim';

export function docker(): Docker {
  return createDockerClient();
}

/** Builds (or reuses) the fixture image; its tag is the hash of its files, so edits rebuild it. */
export async function fixtureImage(client: Docker): Promise<string> {
  const hash = createHash('sha256');
  for (const file of FIXTURE_FILES) hash.update(readFileSync(join(FIXTURE_DIR, file)));
  const tag = `guardrail-variant-fixture:${hash.digest('hex').slice(0, 12)}`;
  if (
    await client
      .getImage(tag)
      .inspect()
      .then(
        () => true,
        () => false,
      )
  )
    return tag;
  execFileSync('bash', [join(REPO_ROOT, 'docker/offline/build-base-images.sh')], { stdio: 'inherit' });
  const stream = await client.buildImage(
    { context: FIXTURE_DIR, src: FIXTURE_FILES },
    { t: tag, buildargs: { BASE_IMAGE } },
  );
  const output = await new Promise<Array<{ error?: string }>>((resolve, reject) =>
    client.modem.followProgress(stream, (error: Error | null, result: Array<{ error?: string }>) =>
      error ? reject(error) : resolve(result),
    ),
  );
  const failed = output.find((line) => line.error);
  if (failed) throw new Error(`fixture image build failed: ${failed.error}`);
  return tag;
}

export function runPrefix(): string {
  return `grtest-${process.pid}-${Date.now().toString(36)}`;
}

/** Removes everything named with the prefix: containers (forced), then networks and volumes. */
export async function cleanup(client: Docker, prefix: string): Promise<void> {
  const containers = await client.listContainers({ all: true, filters: { name: [prefix] } });
  await Promise.all(
    containers.map((c) =>
      client
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
  const networks = await client.listNetworks({ filters: { name: [prefix] } });
  await Promise.all(
    networks.map((n) =>
      client
        .getNetwork(n.Id)
        .remove()
        .catch(() => undefined),
    ),
  );
  const volumes = await client.listVolumes({ filters: { name: [prefix] } });
  await Promise.all(
    (volumes.Volumes ?? []).map((v) =>
      client
        .getVolume(v.Name)
        .remove()
        .catch(() => undefined),
    ),
  );
}

/** Removes the anonymous volumes a test's containers used (they carry no prefix). */
export async function removeVolumes(client: Docker, names: readonly string[]): Promise<void> {
  await Promise.all(
    names.map((n) =>
      client
        .getVolume(n)
        .remove()
        .catch(() => undefined),
    ),
  );
}

export function verifySpec(overrides: Partial<ServiceSpec['verify']> = {}): ServiceSpec['verify'] {
  return {
    port: 8000,
    healthPath: '/health',
    versionPath: '/version',
    variantField: 'model_variant',
    absentVariant: 'ml',
    timeoutMs: 10_000,
    ...overrides,
  };
}

/** Containers matching a name prefix, running or not. */
export async function containersNamed(client: Docker, name: string): Promise<Docker.ContainerInfo[]> {
  return client.listContainers({ all: true, filters: { name: [name] } });
}
