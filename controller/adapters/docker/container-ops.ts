// The Docker operations the actuator and reconcile share: find a target's containers (only through its
// configured selector), the image to clone, reach and verify a container, restore an old container, retire it.
import { expectedVariant, type ServiceSpec, type VerifySpec } from '../../core/index.js';
import type Docker from 'dockerode';
import { ActuationError, restoreVerifySpec } from '../../ports/actuator.js';
import type { ServingResult } from '../verify/index.js';
import { systemClock, type Clock } from '../../ports/clock.js';
import { dockerStatus } from './client.js';
import { renameContainer } from './crash-loop.js';
import type { SourceContainer } from './clone-config.js';
import { COMPOSE_LABEL, LABEL, parseOldContainerName, parseShadowContainerName, parseStandbyContainerName, plainName, readEnvVariable } from './labels.js';
import { waitUntilServing } from '../verify/index.js';

export interface TargetContainers {
  /** Containers serving the target (by selector), renamed old ones excluded. */
  readonly current: readonly SourceContainer[];
  /** Old containers renamed by an unfinished switch: `<name>-guardrail-old-<rollbackId>`. */
  readonly old: ReadonlyArray<{ info: SourceContainer; originalName: string; rollbackId: string }>;
  /** Warm standbys (`<name>-guardrail-standby`, docker-standby.ts): never serving, never switched. */
  readonly standby: readonly SourceContainer[];
  /** Shadow candidates (`<name>-guardrail-shadow`, shadow.ts): answer mirrored requests only, never switched. */
  readonly shadow: readonly SourceContainer[];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Lists (stopped ones too) and inspects exactly what the target's selector matches. */
export async function findTargetContainers(docker: Docker, target: ServiceSpec): Promise<TargetContainers> {
  const selector = target.selector;
  if ('swarmService' in selector) {
    throw new ActuationError({
      code: 'GR_ERR_TARGET_UNSUPPORTED',
      target: target.name,
      step: 'precondition',
      restored: true,
      message: 'a Swarm service is switched by a service update (adapters/swarm), not by recreating its containers',
    });
  }
  const filters: Record<string, string[]> =
    'containerName' in selector
      ? { name: [`^/${escapeRegExp(selector.containerName)}(-guardrail-old-.+|-guardrail-standby|-guardrail-shadow)?$`] }
      : {
          label: [
            `${COMPOSE_LABEL.service}=${selector.composeService}`,
            ...(selector.composeProject !== undefined
              ? [`${COMPOSE_LABEL.project}=${selector.composeProject}`]
              : []),
          ],
        };
  const listed = await docker.listContainers({ all: true, filters });
  const current: SourceContainer[] = [];
  const old: Array<{ info: SourceContainer; originalName: string; rollbackId: string }> = [];
  const standby: SourceContainer[] = [];
  const shadow: SourceContainer[] = [];
  for (const entry of listed) {
    let info: SourceContainer;
    try {
      info = await docker.getContainer(entry.Id).inspect();
    } catch (error) {
      if (dockerStatus(error) === 404) continue; // removed between list and inspect
      throw error;
    }
    const name = plainName(info.Name);
    const standbyOf = parseStandbyContainerName(name) ?? parseShadowContainerName(name);
    if (standbyOf !== undefined) {
      const mine = 'containerName' in selector ? standbyOf.currentName === selector.containerName : true;
      if (mine) (parseShadowContainerName(name) === undefined ? standby : shadow).push(info);
      continue;
    }
    const parsed = parseOldContainerName(name);
    const isOld =
      parsed !== undefined &&
      ('containerName' in selector ? parsed.originalName === selector.containerName : true);
    if (isOld && parsed) old.push({ info, ...parsed });
    else if ('containerName' in selector ? name === selector.containerName : true) current.push(info);
  }
  return { current, old, standby, shadow };
}

/**
 * Where the controller may reach a container's service port, best first, per VerifySpec.via. `auto` lists
 * the published port (the way in from the host) and then the container's IP (the way in from a container
 * on the same network, where 127.0.0.1 is the controller itself).
 */
export function containerBaseUrls(info: SourceContainer, verify: VerifySpec): string[] {
  const via = verify.via ?? 'auto';
  const urls: string[] = [];
  if (via !== 'container-ip') {
    const bindings = info.NetworkSettings.Ports?.[`${verify.port}/tcp`] ?? [];
    const binding = bindings.find((b) => b.HostPort !== '');
    if (binding) {
      const wildcard = ['', '0.0.0.0', '::', '127.0.0.1'].includes(binding.HostIp);
      const host = wildcard
        ? '127.0.0.1'
        : binding.HostIp.includes(':')
          ? `[${binding.HostIp}]`
          : binding.HostIp;
      urls.push(`http://${host}:${binding.HostPort}`);
    }
  }
  if (via !== 'published-port') {
    const network = Object.values(info.NetworkSettings.Networks ?? {}).find((n) => n.IPAddress);
    if (network) urls.push(`http://${network.IPAddress}:${verify.port}`);
  }
  return urls;
}

/**
 * Waits until the container serves `expected` (version field, and health 200 unless `accept` is `serving`),
 * failing fast if it exits.
 */
export async function verifyContainer(
  docker: Docker,
  id: string,
  verify: VerifySpec,
  expected: string,
  clock: Clock = systemClock,
  accept: 'healthy' | 'serving' = 'healthy',
): Promise<ServingResult> {
  let latest: SourceContainer | undefined;
  const refresh = async (): Promise<SourceContainer> => (latest = await docker.getContainer(id).inspect());
  return waitUntilServing({
    verify,
    expectedVariant: expected,
    problem: async () => {
      const info = await refresh();
      // A fresh container that already restarted has crashed: with restart policy `always` it would
      // otherwise look "running" between crashes until the timeout.
      if (info.State.Running && !info.State.Restarting && info.RestartCount === 0) return undefined;
      return `container ${plainName(info.Name)} is ${info.State.Status} (exit code ${info.State.ExitCode}, restarts ${info.RestartCount})`;
    },
    baseUrls: async () => containerBaseUrls(latest ?? (await refresh()), verify),
    clock,
    accept,
  });
}

/** The old container's image by name when the name still points at it, else by id (the tag moved). */
export async function imageToClone(docker: Docker, info: SourceContainer): Promise<string> {
  const byName = await docker
    .getImage(info.Config.Image)
    .inspect()
    .catch(() => undefined);
  return byName?.Id === info.Image ? info.Config.Image : info.Image;
}

/** The variant a container should serve, from its own env. */
export function containerExpectedVariant(info: SourceContainer, target: ServiceSpec): string {
  return expectedVariant(readEnvVariable(info.Config.Env ?? [], target.variable), target.verify);
}

/** Docker's default when a container sets no StopTimeout. */
const DEFAULT_STOP_TIMEOUT_S = 10;

/**
 * Stops a container with `signal` instead of its own stop signal: sends it (`docker kill -s`), waits up to
 * the container's stop timeout for the process to exit, then `docker stop` in every case — a no-op when it
 * has exited, the usual stop (its own signal, timeout, SIGKILL) when it ignored the signal, and it also
 * cancels a restart: a kill with another signal than the container's own STOPSIGNAL does not end a
 * `restart: always` policy the way `docker stop` does. Returns how the container ended.
 */
export async function stopContainerWithSignal(
  docker: Docker,
  id: string,
  signal: string,
  clock: Clock,
): Promise<{ exitedOnSignal: boolean; waitedMs: number }> {
  const container = docker.getContainer(id);
  const started = clock.now();
  const info: SourceContainer = await container.inspect();
  const timeoutMs = (info.Config.StopTimeout ?? DEFAULT_STOP_TIMEOUT_S) * 1000;
  let exitedOnSignal = false;
  if (info.State.Running) {
    try {
      await container.kill({ signal });
      exitedOnSignal = await waitUntilExited(docker, id, started + timeoutMs, clock);
    } catch (error) {
      if (dockerStatus(error) !== 409) throw error; // 409: it is not running (any more)
    }
  }
  await stopContainer(docker, id);
  return { exitedOnSignal, waitedMs: clock.now() - started };
}

/** Polls (20 ms: an exit is what the recreate switch waits for) until it is neither running nor restarting. */
async function waitUntilExited(docker: Docker, id: string, deadlineMs: number, clock: Clock): Promise<boolean> {
  for (;;) {
    const state = (await docker.getContainer(id).inspect()).State;
    if (!state.Running && !state.Restarting) return true;
    if (clock.now() >= deadlineMs) return false;
    await clock.sleep(20);
  }
}

export async function stopContainer(docker: Docker, id: string): Promise<void> {
  try {
    // No `t`: Docker uses the container's own StopTimeout (default 10 s), so graceful shutdown is kept.
    await docker.getContainer(id).stop();
  } catch (error) {
    if (dockerStatus(error) !== 304) throw error; // 304: already stopped
  }
}

/** Removes a container we created; never its volumes (anonymous ones are shared with the old one). */
export async function removeContainer(docker: Docker, id: string): Promise<void> {
  try {
    await docker.getContainer(id).remove({ force: true, v: false });
  } catch (error) {
    if (dockerStatus(error) !== 404) throw error;
  }
}

/** How a restored old container was left: serving, or back in the crash loop it was in before. */
export type RestoredState = 'serving' | 'crash-looping';

/** The old container of a switch, to restore: held by id, under its temporary name until it is back. */
export interface OldContainer {
  readonly id: string;
  readonly originalName: string;
  readonly rollbackId: string;
  /** It was crash-looping before the switch. */
  readonly wasCrashLooping: boolean;
}

/**
 * Puts the old container back: removes whatever of this rollback holds its name, renames it back,
 * starts it if needed and verifies it serves its own variant; throws if any of that fails. An old
 * container that was crash-looping before the switch (`wasCrashLooping`) cannot serve: it counts as
 * restored when it is back in its loop under its own restart policy, as it was.
 */
export async function restoreOldContainer(
  docker: Docker,
  target: ServiceSpec,
  { id: oldId, originalName, rollbackId, wasCrashLooping }: OldContainer,
  clock: Clock,
): Promise<RestoredState> {
  const holder = await docker
    .getContainer(originalName)
    .inspect()
    .catch((error: unknown) => {
      if (dockerStatus(error) === 404) return undefined;
      throw error;
    });
  if (holder && holder.Id !== oldId) {
    if (holder.Config.Labels?.[LABEL.rollbackId] !== rollbackId) {
      throw new Error(
        `${originalName} is held by ${holder.Id.slice(0, 12)}, which this rollback did not create`,
      );
    }
    await removeContainer(docker, holder.Id);
  }
  const old = docker.getContainer(oldId);
  let info: SourceContainer = await old.inspect();
  if (plainName(info.Name) !== originalName) {
    // The rename may have had to stop a crash-looping container: look again before deciding to start.
    await renameContainer(docker, oldId, originalName, clock);
    info = await old.inspect();
  }
  if (!info.State.Running) {
    await old.start().catch((error: unknown) => {
      if (dockerStatus(error) !== 304) throw error;
    });
  }
  info = await old.inspect();
  try {
    await verifyContainer(
      docker,
      oldId,
      restoreVerifySpec(target.verify),
      containerExpectedVariant(info, target),
      clock,
      'serving',
    );
    return 'serving';
  } catch (error) {
    if (!wasCrashLooping) throw error;
    // `docker start` reset its restart count: a restart since then means its policy cycles it again.
    const now: SourceContainer = await old.inspect();
    if (now.State.Restarting || now.RestartCount > 0) return 'crash-looping';
    throw error;
  }
}

/** After a failed restore: the old container's state in words (it may run again even if it did not verify). */
export async function whatRunsInstead(docker: Docker, oldId: string, name: string): Promise<string> {
  const info: SourceContainer | undefined = await docker
    .getContainer(oldId)
    .inspect()
    .catch(() => undefined);
  if (info === undefined) return 'old container NOT restored (it is gone)';
  const where = plainName(info.Name) === name ? name : `renamed ${plainName(info.Name)}`;
  return info.State.Running
    ? `old container runs again as ${where} but did not verify (see the log)`
    : `old container NOT restored: ${where} is ${info.State.Status}`;
}
