// The clock port: where the actuators read the time and how they wait. Their timing logic — verification
// deadlines and polling, the start-first settle, the wait for a signalled container, the standby retry, a
// child process's grace period — then runs on a clock a test moves by hand (test/helpers/manual-clock.ts)
// instead of on real sleeps. systemClock is the real one and the default everywhere.
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** ms since the epoch. */
  now(): number;
  /**
   * Resolves after `ms`. If `signal` aborts first the wait ends at once and rejects with an AbortError
   * (its timer is cleared, so a cancelled wait holds nothing open).
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** A signal that aborts with a TimeoutError after `ms`: the limit of one I/O call (a probe's fetch). */
  timeoutSignal(ms: number): AbortSignal;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(ms, undefined, signal === undefined ? undefined : { signal }),
  timeoutSignal: (ms) => AbortSignal.timeout(ms),
};
