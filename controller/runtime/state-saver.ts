import type { StateStore } from '../ports/state-store.js';
import type { RuntimeState } from './runtime-state.js';
import { SaveTracker } from './save-tracker.js';

// Group commit of the runtime state. Every decision must be on disk before what it asked for happens (a
// switch's intent before the actuator runs), but one tick decides for every target: a write per target
// would write the whole N-target file N times per tick whenever they all change (Prometheus unreachable:
// every target's UNKNOWN streak grows). Instead a save() joins the next write that has not taken its
// snapshot yet; that write waits for the one in progress and for the end of the current event-loop turn
// (so the decisions of one tick, all made in one turn, share it), then writes the state as it is then.
// Each caller resolves only when a write holding its change is on disk, and sees that write's error.

export class StateSaver {
  private readonly store: StateStore<RuntimeState>;
  private readonly tracker = new SaveTracker();
  /** The write that has not taken its snapshot yet: a change made now will be in it. */
  private next: Promise<void> | undefined;
  /** The write in progress, settled (never rejects): the next one starts after it. */
  private writing: Promise<unknown> = Promise.resolve();

  constructor(store: StateStore<RuntimeState>) {
    this.store = store;
  }

  /** `target`'s state was set in place (see SaveTracker). */
  touch(target: string): void {
    this.tracker.touch(target);
  }

  /** `target`'s stored state, and everything else, is what the last write wrote (see SaveTracker.written). */
  written(target: string, state: RuntimeState): boolean {
    return this.tracker.written(target, state);
  }

  /** Resolves once the state as it is now (read through `current` later) is on disk, or was already. */
  save(current: () => RuntimeState): Promise<void> {
    this.next ??= this.writeNext(current);
    return this.next;
  }

  private async writeNext(current: () => RuntimeState): Promise<void> {
    await this.writing;
    await new Promise<void>((resolve) => setImmediate(resolve));
    // From here on a change needs the following write: this one takes its snapshot now.
    this.next = undefined;
    const state = current();
    const pending = this.tracker.pending(state);
    if (pending === undefined) return;
    // A copy of the targets record: the context sets targets in place, the store may serialise later.
    const write = this.store.save({ ...state, targets: { ...state.targets } });
    this.writing = write.catch(() => undefined);
    try {
      await write;
    } catch (error) {
      this.tracker.retry(pending);
      throw error;
    }
    this.tracker.remember(pending);
  }
}
