import { describe, expect, it } from 'vitest';
import { initialState, type Policy, type TargetState } from '../../../controller/core/index.js';
import { emptyRuntimeState, type RuntimeState } from '../../../controller/runtime/runtime-state.js';
import { SaveTracker } from '../../../controller/runtime/save-tracker.js';

// persist() skips a save only when nothing would change on disk; the tracker must never miss a change.

const policy = (name: string): Policy => ({ name, target: { name } }) as Policy;
const fresh = (): RuntimeState => ({ ...emptyRuntimeState(), targets: { a: initialState(policy('a'), 1), b: initialState(policy('b'), 1) } });

function saved(state: RuntimeState): SaveTracker {
  const tracker = new SaveTracker();
  const pending = tracker.pending(state);
  if (pending === undefined) throw new Error('a first save must never be skipped');
  tracker.remember(pending);
  return tracker;
}

const streak = (state: TargetState | undefined, unknownStreak: number): TargetState => {
  if (state === undefined) throw new Error('no such target');
  return { ...state, unknownStreak };
};

describe('SaveTracker', () => {
  it('nothing saved yet → a save; after it, an equal state (new objects, same content) needs none', () => {
    const base = fresh();
    const tracker = saved(base);
    expect(tracker.pending(JSON.parse(JSON.stringify(base)) as RuntimeState)).toBeUndefined();
  });

  it('a replaced state: sees a change in one target, a new or removed target, an intent, a variant, a webhook, a candidate, an unknown field', () => {
    const base = fresh();
    const tracker = saved(base);
    expect(tracker.pending({ ...base, targets: { ...base.targets, a: streak(base.targets['a'], 1) } })).toBeDefined();
    expect(tracker.pending({ ...base, targets: { ...base.targets, c: initialState(policy('c'), 1) } })).toBeDefined();
    expect(tracker.pending({ ...base, targets: { a: streak(base.targets['a'], 0) } })).toBeDefined();
    expect(tracker.pending({ ...base, variants: { a: 'baseline' } })).toBeDefined();
    expect(tracker.pending({ ...base, seenWebhooks: [{ key: 'f@t', target: 'a', fate: 'acted', note: '', firstSeenMs: 1, lastSeenMs: 1 }] })).toBeDefined();
    expect(tracker.pending({ ...base, inFlight: { a: {} as never } })).toBeDefined();
    expect(tracker.pending({ ...base, candidates: { a: { env: { A: '0' }, setBy: 'x', reason: 'r', setAtMs: 1, historyId: 'h' } } })).toBeDefined();
    expect(tracker.pending({ ...base, extra: 1 } as RuntimeState)).toBeDefined();
    expect(tracker.pending({ ...base })).toBeUndefined();
  });

  it('targets set in place: only touched ones are compared, a change or a new target is seen, an equal one is not', () => {
    const base = fresh();
    const tracker = saved(base);
    const targets = base.targets as Record<string, TargetState>;
    targets['a'] = streak(targets['a'], 0); // new object, same content
    tracker.touch('a');
    expect(tracker.pending(base)).toBeUndefined();
    targets['b'] = streak(targets['b'], 3);
    tracker.touch('b');
    const change = tracker.pending(base);
    expect([...(change?.targets.keys() ?? [])]).toEqual(['b']);
    if (change !== undefined) tracker.remember(change);
    expect(tracker.pending(base)).toBeUndefined();
    targets['c'] = initialState(policy('c'), 1);
    tracker.touch('c');
    expect(tracker.pending(base)).toBeDefined();
  });

  it('written: only a target whose stored object was written, untouched since, with nothing else changed', () => {
    const base = fresh();
    expect(new SaveTracker().written('a', base)).toBe(false); // nothing written yet
    const tracker = saved(base);
    expect(tracker.written('a', base)).toBe(true);
    const targets = base.targets as Record<string, TargetState>;
    targets['a'] = streak(targets['a'], 1);
    expect(tracker.written('a', base)).toBe(false); // another object than the one written
    tracker.touch('b');
    expect(tracker.written('b', base)).toBe(false); // set since the write
    expect(tracker.written('b', { ...base, targets: { ...base.targets } })).toBe(false); // the record was replaced
    const other = saved(base);
    expect(other.written('a', { ...base, variants: { a: 'baseline' } })).toBe(false); // another part changed
    expect(other.written('a', base)).toBe(true);
  });

  it('a failed write gives its targets back: the next save compares them again', () => {
    const base = fresh();
    const tracker = saved(base);
    (base.targets as Record<string, TargetState>)['a'] = streak(base.targets['a'], 2);
    tracker.touch('a');
    const failed = tracker.pending(base);
    expect(failed).toBeDefined();
    if (failed !== undefined) tracker.retry(failed);
    expect(tracker.pending(base)?.targets.has('a')).toBe(true);
  });

  it('a write that succeeded is remembered even if its targets changed again meanwhile (they were touched again)', () => {
    const base = fresh();
    const tracker = saved(base);
    const targets = base.targets as Record<string, TargetState>;
    targets['a'] = streak(targets['a'], 1);
    tracker.touch('a');
    const first = tracker.pending(base);
    targets['a'] = streak(targets['a'], 2); // set while the first write runs
    tracker.touch('a');
    if (first !== undefined) tracker.remember(first);
    expect(tracker.pending(base)?.targets.get('a')?.text).toContain('"unknownStreak":2');
  });
});
