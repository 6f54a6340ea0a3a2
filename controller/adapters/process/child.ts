// Child process helpers the process actuator and its shadow candidates share.
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Clock } from '../../ports/clock.js';

export function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

/** SIGTERM, then SIGKILL after the grace period; resolves once the process is gone. */
export async function stopChild(child: ChildProcess, graceMs: number, clock: Clock): Promise<void> {
  if (!isAlive(child)) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  // The grace period, cancelled (its timer cleared) as soon as the process has exited.
  const exitedInTime = new AbortController();
  void clock.sleep(graceMs, exitedInTime.signal).then(
    () => child.kill('SIGKILL'),
    () => undefined,
  );
  await exited;
  exitedInTime.abort();
}
