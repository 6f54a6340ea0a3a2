import { describe, expect, it } from 'vitest';
import { initialState, type Policy } from '../../../controller/core/index.js';
import { emptyRuntimeState, type RuntimeState } from '../../../controller/runtime/runtime-state.js';
import { SaveTracker } from '../../../controller/runtime/save-tracker.js';

// persist() skips a save only when nothing would change on disk; the tracker must never miss a change.

const policy = (name: string): Policy => ({ name, target: { name } }) as Policy;

describe('SaveTracker', () => {
  const base: RuntimeState = { ...emptyRuntimeState(), targets: { a: initialState(policy('a'), 1), b: initialState(policy('b'), 1) } };

  it('nothing saved yet → changed; after remember, an equal state (new objects, same content) is unchanged', () => {
    const tracker = new SaveTracker();
    expect(tracker.changed(base)).toBe(true);
    tracker.remember(base);
    const copy: RuntimeState = JSON.parse(JSON.stringify(base)) as RuntimeState;
    expect(tracker.changed(copy)).toBe(false);
  });

  it('sees a change in one target, a new or removed target, an intent, a variant, a webhook, an unknown field', () => {
    const tracker = new SaveTracker();
    tracker.remember(base);
    const a = base.targets['a'];
    if (a === undefined) throw new Error('no a');
    expect(tracker.changed({ ...base, targets: { ...base.targets, a: { ...a, unknownStreak: 1 } } })).toBe(true);
    expect(tracker.changed({ ...base, targets: { ...base.targets, c: initialState(policy('c'), 1) } })).toBe(true);
    expect(tracker.changed({ ...base, targets: { a } })).toBe(true);
    expect(tracker.changed({ ...base, variants: { a: 'baseline' } })).toBe(true);
    expect(tracker.changed({ ...base, seenWebhooks: [{ key: 'f@t', target: 'a', fate: 'acted', note: '', firstSeenMs: 1, lastSeenMs: 1 }] })).toBe(true);
    expect(tracker.changed({ ...base, inFlight: { a: {} as never } })).toBe(true);
    expect(tracker.changed({ ...base, extra: 1 } as RuntimeState)).toBe(true);
    expect(tracker.changed({ ...base })).toBe(false);
  });
});
