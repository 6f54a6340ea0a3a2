import type { RuntimeState } from './runtime-state.js';

// Tells what the runtime state would write that differs from the last save, at a cost that follows what
// changed, not how many targets there are. A tick usually changes nothing on disk (watching, all OK), but
// every target's decision sets its state, so a per-target full comparison would be O(N) per target and
// O(N²) per tick (bench:scale: most of a 1000-target tick's CPU). The context tells the tracker which
// targets it set in place (`touch`); only those are compared, by their JSON text. When the `targets`
// object itself was replaced (a restore, a test), every target is compared. The other parts are compared
// by reference first (updates replace the objects they change), then by their JSON text.

/** targets, inFlight, variants, seenWebhooks, candidates (absent in a state restored from before candidates). */
const KNOWN_FIELDS = ['targets', 'inFlight', 'variants', 'seenWebhooks', 'candidates'];
const REST = ['inFlight', 'variants', 'seenWebhooks', 'candidates'] as const;

interface Part {
  readonly ref: unknown;
  readonly text: string;
}

type Rest = Readonly<Record<(typeof REST)[number], Part>>;

/** What one save will write, as the tracker will remember it once the write succeeded. */
export interface PendingSave {
  readonly targetsRef: object;
  /** Targets compared for this save (changed or not): remembered after the write. */
  readonly targets: ReadonlyMap<string, Part>;
  /** Every target was compared: the remembered set is replaced, not merged. */
  readonly full: boolean;
  readonly rest: Rest;
  /** Names touched since the previous save; given back when the write fails, so the next save rechecks them. */
  readonly touched: ReadonlySet<string>;
}

export class SaveTracker {
  private saved: { targetsRef: object; targets: Map<string, Part>; rest: Rest } | undefined;
  private touched = new Set<string>();

  /** `name`'s state was set in place in the current `targets` object. */
  touch(name: string): void {
    this.touched.add(name);
  }

  /**
   * The save `state` needs, or undefined when it would write what was last saved. Takes the touched names:
   * call `remember` after the write succeeded, `retry` when it failed.
   */
  pending(state: RuntimeState): PendingSave | undefined {
    const touched = this.touched;
    this.touched = new Set();
    const saved = this.saved;
    const rest = Object.fromEntries(REST.map((key) => [key, part(state[key], saved?.rest[key])])) as unknown as Rest;
    const full = saved === undefined || state.targets !== saved.targetsRef;
    const names = full ? Object.keys(state.targets) : touched;
    const targets = new Map<string, Part>();
    for (const name of names) {
      const current = state.targets[name];
      if (current !== undefined) targets.set(name, part(current, saved?.targets.get(name)));
    }
    const save: PendingSave = { targetsRef: state.targets, targets, full, rest, touched };
    // A field this tracker does not know about (RuntimeState grew) is never skipped: always save.
    if (saved === undefined || Object.keys(state).some((key) => !KNOWN_FIELDS.includes(key))) return save;
    if (full && targets.size !== saved.targets.size) return save;
    for (const key of REST) if (rest[key].text !== saved.rest[key].text) return save;
    for (const [name, current] of targets) if (current.text !== saved.targets.get(name)?.text) return save;
    // Nothing differs; newer objects with the same content are remembered, so the next call compares by reference.
    this.remember(save);
    return undefined;
  }

  /**
   * True when `name`'s stored state is the very object last written (or found equal to it), it was not set
   * since, and no other part changed since that write: a save now would write nothing new for it.
   */
  written(name: string, state: RuntimeState): boolean {
    const saved = this.saved;
    if (saved === undefined || this.touched.has(name) || state.targets !== saved.targetsRef) return false;
    const current = state.targets[name];
    return current !== undefined && saved.targets.get(name)?.ref === current && REST.every((key) => saved.rest[key].ref === state[key]);
  }

  /** Call after the pending save was written. */
  remember(save: PendingSave): void {
    const targets = save.full ? new Map<string, Part>() : (this.saved?.targets ?? new Map<string, Part>());
    for (const [name, value] of save.targets) targets.set(name, value);
    this.saved = { targetsRef: save.targetsRef, targets, rest: save.rest };
  }

  /** Call when the pending save failed: its targets are compared again at the next save. */
  retry(save: PendingSave): void {
    for (const name of save.touched) this.touched.add(name);
  }
}

/** The JSON text of `value`, reused from `previous` when it is the very same object. */
function part(value: unknown, previous: Part | undefined): Part {
  return previous !== undefined && previous.ref === value ? previous : { ref: value, text: JSON.stringify(value) };
}
