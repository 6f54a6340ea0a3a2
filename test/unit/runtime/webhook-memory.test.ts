// The webhook memory on its own (pure functions): bounded by time after the last re-send, capped only where
// losing an entry is harmless, never flushed of an alert that acted (issue #14, finding 12).
import { describe, expect, it } from 'vitest';
import type { SeenWebhook } from '../../../controller/runtime/runtime-state.js';
import { forgetHeld, heldFor, prune, recall, remember, touch, WEBHOOK_MEMORY_LIMITS, type Remembered } from '../../../controller/runtime/webhook-memory.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-27T10:00:00Z');
const limits = { windowMs: 8 * HOUR, maxRefused: 5, maxHeld: 3 };
const trigger = { reason: 'high-error-rate', alertname: 'HighErrors', labels: { alertname: 'HighErrors' }, fingerprint: 'fp' };
const fact = (key: string, fate: Remembered['fate'], target = 'api'): Remembered => ({ key, target, fate, note: fate, trigger });

function rememberAll(facts: readonly Remembered[], atMs = T0, seen: readonly SeenWebhook[] = []): readonly SeenWebhook[] {
  return facts.reduce((acc, f) => remember(acc, f, atMs, limits), seen);
}

describe('webhook memory', () => {
  it('1,000 refused or held alerts after one that acted do not evict it; the caps drop the oldest of their kind', () => {
    const flood = Array.from({ length: 1_000 }, (_, i) => fact(`k${i}@t`, i % 2 === 0 ? 'refused' : 'held'));
    const seen = rememberAll([fact('acted@t', 'acted'), ...flood]);
    expect(recall(seen, 'acted@t', 'api')?.fate).toBe('acted');
    expect(seen.filter((e) => e.fate === 'refused').map((e) => e.key)).toEqual(['k990@t', 'k992@t', 'k994@t', 'k996@t', 'k998@t']);
    expect(heldFor(seen, 'api').map((e) => e.key)).toEqual(['k995@t', 'k997@t', 'k999@t']);
    expect(heldFor(seen, 'api')[0]?.trigger).toEqual(trigger);
  });

  it('is bounded by time: an entry lives a window after its LAST re-send, so a still-firing alert is never forgotten', () => {
    let seen = rememberAll([fact('a@t', 'acted'), fact('b@t', 'acted')]);
    // a is re-sent every 4 h (Alertmanager's repeat_interval); b stopped (resolved) after the first send.
    for (let h = 4; h <= 24; h += 4) {
      const a = recall(seen, 'a@t', 'api');
      if (a === undefined) throw new Error(`a forgotten at ${h} h`);
      seen = prune(touch(seen, a, T0 + h * HOUR), T0 + h * HOUR, limits);
    }
    expect(seen.map((e) => e.key)).toEqual(['a@t']);
    expect(recall(seen, 'a@t', 'api')).toMatchObject({ firstSeenMs: T0, lastSeenMs: T0 + 24 * HOUR });
    expect(prune(seen, T0 + 32 * HOUR - 1, limits)).toHaveLength(1);
    expect(prune(seen, T0 + 32 * HOUR, limits)).toEqual([]);
  });

  it('a storm of re-sends rewrites nothing: lastSeen moves at most once a minute', () => {
    const seen = rememberAll([fact('a@t', 'acted')]);
    const entry = recall(seen, 'a@t', 'api');
    if (entry === undefined) throw new Error('not remembered');
    expect(touch(seen, entry, T0 + 59_999)).toBe(seen);
    expect(touch(seen, entry, T0 + 60_000)).not.toBe(seen);
    expect(prune(seen, T0 + 1_000, limits)).toBe(seen);
  });

  it('per target: the same alert can act on one target and be held on another; a resolve ends only held ones', () => {
    const seen = rememberAll([fact('a@t', 'acted', 'api'), fact('a@t', 'held', 'batch')]);
    expect(recall(seen, 'a@t', 'api')?.fate).toBe('acted');
    expect(recall(seen, 'a@t', 'batch')?.fate).toBe('held');
    expect(recall(seen, 'a@t', 'other')).toBeUndefined();
    const after = forgetHeld(seen, 'a@t');
    expect(after.map((e) => `${e.target} ${e.fate}`)).toEqual(['api acted']);
    expect(forgetHeld(after, 'a@t')).toBe(after);
  });

  it('a held alert decided later replaces its entry and keeps its first sighting', () => {
    const held = rememberAll([fact('a@t', 'held')]);
    const acted = remember(held, fact('a@t', 'acted'), T0 + HOUR, limits);
    expect(acted).toEqual([{ key: 'a@t', target: 'api', fate: 'acted', note: 'acted', firstSeenMs: T0, lastSeenMs: T0 + HOUR }]);
  });

  it('entries from an older state file match every target and start their window at the first prune', () => {
    const legacy: SeenWebhook[] = [{ key: 'old@t', target: '*', fate: 'acted', note: 'remembered by an earlier version', firstSeenMs: 0, lastSeenMs: 0 }];
    const adopted = prune(legacy, T0, WEBHOOK_MEMORY_LIMITS);
    expect(recall(adopted, 'old@t', 'anything')).toMatchObject({ lastSeenMs: T0 });
    expect(prune(adopted, T0 + WEBHOOK_MEMORY_LIMITS.windowMs, WEBHOOK_MEMORY_LIMITS)).toEqual([]);
  });
});
