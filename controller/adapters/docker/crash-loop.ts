// A target container that crash-loops under its restart policy (e.g. the model won't load and compose's
// `restart: unless-stopped` keeps restarting it) cannot be renamed: while Docker restarts it the Engine
// answers "no such container - sandbox … not found". Such a container serves nothing, so the actuator
// stops it before renaming. `docker stop` ends the loop for every policy (measured on Engine 20.10:
// no, always, unless-stopped, on-failure) without changing the restart policy, so a controller crash in
// the middle loses nothing: undoing is a `docker start`, which resumes the loop exactly as it was, and the
// successor's clone carries the unchanged policy.
import type Docker from 'dockerode';
import type { Clock } from '../../ports/clock.js';
import { dockerStatus } from './client.js';
import type { SourceContainer } from './clone-config.js';

/** Docker resets its restart backoff once a container has run this long: a shorter run is a failed start. */
export const STEADY_RUN_MS = 10_000;
const HALT_TIMEOUT_MS = 15_000;
const RENAME_ATTEMPTS = 6; // 100 + 200 + 400 + 800 + 1600 ms of backoff at most

export function restartPolicyName(info: SourceContainer): string {
  const name = info.HostConfig.RestartPolicy?.Name ?? '';
  return name === '' ? 'no' : name;
}

/** Restarting now, or restarted by its policy and not yet up for a steady run. */
export function isCrashLooping(info: SourceContainer, nowMs: number): boolean {
  if (info.State.Restarting) return true;
  if (info.RestartCount === 0 || restartPolicyName(info) === 'no') return false;
  const startedMs = Date.parse(info.State.StartedAt);
  return !Number.isFinite(startedMs) || nowMs - startedMs < STEADY_RUN_MS;
}

/** Stops a crash-looping container and waits until Docker no longer restarts it. */
export async function haltRestartLoop(docker: Docker, id: string, clock: Clock): Promise<void> {
  const deadline = clock.now() + HALT_TIMEOUT_MS;
  for (;;) {
    // No `t`: the container's own stop timeout, as for any other stop (a restarting one stops at once).
    await docker
      .getContainer(id)
      .stop()
      .catch((error: unknown) => {
        if (dockerStatus(error) !== 304) throw error; // 304: already stopped
      });
    const info: SourceContainer = await docker.getContainer(id).inspect();
    if (!info.State.Running && !info.State.Restarting) return;
    if (clock.now() > deadline) {
      throw new Error(`container ${id.slice(0, 12)} is still ${info.State.Status} after docker stop`);
    }
    await clock.sleep(100);
  }
}

/** The Engine's answer to renaming a container it is restarting (its network sandbox is gone). */
export function isSandboxRace(error: unknown): boolean {
  return dockerStatus(error) === 404 && /sandbox/i.test(error instanceof Error ? error.message : '');
}

/**
 * Renames, retrying with a short backoff while the Engine reports the restart race; before each retry
 * the container is stopped if it turned out to be crash-looping after all (inspected between two
 * restarts). Returns how many attempts it took and whether it had to halt a restart loop.
 */
export async function renameContainer(
  docker: Docker,
  id: string,
  name: string,
  clock: Clock,
): Promise<{ attempts: number; halted: boolean }> {
  let halted = false;
  for (let attempt = 1; ; attempt++) {
    try {
      await docker.getContainer(id).rename({ name });
      return { attempts: attempt, halted };
    } catch (error) {
      if (!isSandboxRace(error) || attempt >= RENAME_ATTEMPTS) throw error;
      const info: SourceContainer = await docker.getContainer(id).inspect();
      if (isCrashLooping(info, clock.now())) {
        await haltRestartLoop(docker, id, clock);
        halted = true;
      }
      await clock.sleep(100 * 2 ** (attempt - 1));
    }
  }
}
