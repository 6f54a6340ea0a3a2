import type { RuntimeState } from './runtime-state.js';

// Tells whether the runtime state differs from the one last saved, without serialising the whole state
// on every call. Most events change one target, and a tick usually changes nothing (watching, all OK);
// comparing JSON.stringify of the WHOLE state per target per tick was O(N²) per tick (bench:scale: most of
// a 500-target tick's CPU once queries were grouped). Parts are compared by reference first (updates
// replace the objects they change), then by their JSON text.

/** targets, inFlight, variants, seenWebhooks. */
const KNOWN_FIELDS = 4;

interface Part {
  readonly ref: unknown;
  readonly text: string;
}

export class SaveTracker {
  private targets = new Map<string, Part>();
  private rest: { inFlight: Part; variants: Part; seenWebhooks: Part } | undefined;

  /** True when `state` would write something other than the last remembered save. */
  changed(state: RuntimeState): boolean {
    const rest = this.rest;
    // A field this tracker does not know about (RuntimeState grew) is never skipped: always save.
    if (rest === undefined || Object.keys(state).length !== KNOWN_FIELDS) return true;
    if (differs(rest.inFlight, state.inFlight) || differs(rest.variants, state.variants) || differs(rest.seenWebhooks, state.seenWebhooks)) return true;
    const names = Object.keys(state.targets);
    if (names.length !== this.targets.size) return true;
    for (const name of names) {
      const saved = this.targets.get(name);
      const current = state.targets[name];
      if (saved === undefined || differs(saved, current)) return true;
      // Same content in a new object (a tick that changed nothing): remember the new object, so the next
      // call compares it by reference instead of serialising it again.
      if (saved.ref !== current) this.targets.set(name, { ref: current, text: saved.text });
    }
    return false;
  }

  /** Call after `state` was saved successfully (a failed save must leave the old snapshot). */
  remember(state: RuntimeState): void {
    const targets = new Map<string, Part>();
    for (const [name, target] of Object.entries(state.targets)) {
      const previous = this.targets.get(name);
      targets.set(name, previous !== undefined && previous.ref === target ? previous : part(target));
    }
    this.targets = targets;
    this.rest = { inFlight: part(state.inFlight), variants: part(state.variants), seenWebhooks: part(state.seenWebhooks) };
  }
}

function part(value: unknown): Part {
  return { ref: value, text: JSON.stringify(value) };
}

function differs(saved: Part, value: unknown): boolean {
  return saved.ref !== value && saved.text !== JSON.stringify(value);
}
