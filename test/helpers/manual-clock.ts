// A Clock (controller/ports/clock.ts) that moves only when told: tests of timing logic (deadlines, polling
// intervals, settles, grace periods) run on it without sleeping, and see every wait the code asked for.
//   autoAdvance (default): a sleep moves the clock to its end at once — for code that waits in a loop
//     (polling until a deadline), so a 10 s deadline costs as many polls as it has, not 10 s. A sleep given
//     an AbortSignal is a timer beside other work that the code may cancel (a grace period before SIGKILL):
//     it is never advanced to on its own, only passed when the clock moves for another reason.
//   autoAdvance = false: every sleep waits until the test calls advance(), so the test decides when the time
//     is up.
// Timeout signals (a probe's fetch limit) fire when the clock passes them, in either mode.
import type { Clock } from '../../controller/ports/clock.js';

interface Timer {
  readonly kind: 'sleep' | 'timeout';
  readonly dueMs: number;
  readonly seq: number;
  readonly fire: () => void;
}

export class ManualClock implements Clock {
  autoAdvance: boolean;
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: number[] = [];
  /** Every timeoutSignal asked for, in ms, in order. */
  readonly timeouts: number[] = [];
  private nowMs: number;
  private seq = 0;
  private readonly timers = new Set<Timer>();
  private readonly timeoutTimers: Timer[] = [];
  private sleepWaiters: Array<{ count: number; wake: () => void }> = [];

  constructor(options: { startMs?: number; autoAdvance?: boolean } = {}) {
    this.nowMs = options.startMs ?? Date.UTC(2026, 0, 1);
    this.autoAdvance = options.autoAdvance ?? true;
  }

  now(): number {
    return this.nowMs;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    const ready = this.sleepWaiters.filter((w) => w.count <= this.sleeps.length);
    this.sleepWaiters = this.sleepWaiters.filter((w) => !ready.includes(w));
    for (const { wake } of ready) wake();
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise<void>((resolve, reject) => {
      const timer = this.schedule('sleep', ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      const onAbort = () => {
        this.timers.delete(timer);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (this.autoAdvance && signal === undefined) this.advance(ms);
    });
  }

  timeoutSignal(ms: number): AbortSignal {
    this.timeouts.push(ms);
    const controller = new AbortController();
    const timer = this.schedule('timeout', ms, () =>
      controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    );
    this.timeoutTimers.push(timer);
    return controller.signal;
  }

  /** Moves the clock by `ms`, firing every sleep and timeout that falls due on the way, in order. */
  advance(ms: number): void {
    const targetMs = this.nowMs + ms;
    for (;;) {
      const next = [...this.timers]
        .filter((t) => t.dueMs <= targetMs)
        .sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq)[0];
      if (next === undefined) break;
      this.timers.delete(next);
      this.nowMs = Math.max(this.nowMs, next.dueMs);
      next.fire();
    }
    this.nowMs = targetMs;
  }

  /** Moves the clock to the end of the latest timeoutSignal: the I/O call in flight now times out. */
  expireLatestTimeout(): void {
    const latest = this.timeoutTimers.at(-1);
    if (latest !== undefined && this.timers.has(latest)) this.advance(Math.max(0, latest.dueMs - this.nowMs));
  }

  /** Resolves once the code has asked for `count` sleeps in all (autoAdvance = false: then advance()). */
  waitForSleeps(count: number): Promise<void> {
    if (this.sleeps.length >= count) return Promise.resolve();
    return new Promise((wake) => this.sleepWaiters.push({ count, wake }));
  }

  /** Sleeps not yet over (a cancelled one is not pending). */
  get pendingSleeps(): number {
    return [...this.timers].filter((t) => t.kind === 'sleep').length;
  }

  private schedule(kind: Timer['kind'], ms: number, fire: () => void): Timer {
    const timer = { kind, dueMs: this.nowMs + Math.max(0, ms), seq: this.seq++, fire };
    this.timers.add(timer);
    return timer;
  }
}

function abortError(): Error {
  return new DOMException('The operation was aborted', 'AbortError');
}
