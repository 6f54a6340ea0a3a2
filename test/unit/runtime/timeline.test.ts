// The dashboard's ring buffer of tick results: bounded to an hour of 10 s buckets whatever the tick rate,
// worst verdict and worst value per bucket, gaps kept as gaps, targets dropped when no policy names them.
import { describe, expect, it } from 'vitest';
import type { Verdict } from '../../../controller/core/index.js';
import { TIMELINE_BUCKET_MS, TIMELINE_SLOTS, TimelineBook } from '../../../controller/runtime/timeline.js';

const T0 = Date.parse('2026-11-27T09:00:00.000Z');

function verdict(
  status: Verdict['status'],
  value?: number,
  comparison: Verdict['comparison'] = 'above',
): Verdict {
  return {
    conditionId: 'reasons.errors',
    status,
    comparison,
    threshold: 0.05,
    forMs: 60_000,
    sustainedMs: 0,
    sustained: false,
    ...(value === undefined ? {} : { value }),
  };
}

describe('TimelineBook', () => {
  it('merges ticks of one bucket: the worst verdict and the value furthest on the breaching side', () => {
    const book = new TimelineBook();
    book.record('svc', T0, [verdict('ok', 0.01)], 'watching');
    book.record('svc', T0 + 2_000, [verdict('breach', 0.2)], 'pending');
    book.record('svc', T0 + 4_000, [verdict('unknown')], 'pending');
    book.record('svc', T0 + 6_000, [verdict('ok', 0.03)], 'watching');
    book.record('svc', T0 + TIMELINE_BUCKET_MS, [verdict('ok', 0.02)], 'watching');
    const view = book.view('svc', T0 + TIMELINE_BUCKET_MS + 1);
    expect(view).toMatchObject({
      target: 'svc',
      bucketSeconds: 10,
      from: '2026-11-27T09:00:00.000Z',
      to: '2026-11-27T09:00:20.000Z',
      phases: ['watching', 'watching'],
    });
    expect(view?.conditions).toHaveLength(1);
    expect(view?.conditions[0]).toMatchObject({
      conditionId: 'reasons.errors',
      comparison: 'above',
      threshold: 0.05,
      verdicts: 'bo',
    });
    expect(view?.conditions[0]?.values[0]).toBeCloseTo(0.2, 6);
    expect(view?.conditions[0]?.values[1]).toBeCloseTo(0.02, 6);
  });

  it('for a `below` condition the lower value is the worse one; buckets without ticks stay gaps up to now', () => {
    const book = new TimelineBook();
    book.record('svc', T0, [verdict('ok', 0.9, 'below')], 'watching');
    book.record('svc', T0 + 1_000, [verdict('breach', 0.5, 'below')], 'watching');
    const view = book.view('svc', T0 + 3 * TIMELINE_BUCKET_MS);
    expect(view?.conditions[0]?.values).toEqual([0.5, null, null, null]);
    expect(view?.conditions[0]?.verdicts).toBe('b...');
    expect(view?.phases).toEqual(['watching', null, null, null]);
  });

  it('keeps at most an hour: after more than TIMELINE_SLOTS buckets the oldest are overwritten, not added', () => {
    const book = new TimelineBook();
    const ticks = TIMELINE_SLOTS * 3;
    for (let i = 0; i < ticks; i++)
      book.record(
        'svc',
        T0 + i * TIMELINE_BUCKET_MS,
        [verdict(i % 2 === 0 ? 'ok' : 'breach', i)],
        'watching',
      );
    const now = T0 + (ticks - 1) * TIMELINE_BUCKET_MS;
    const view = book.view('svc', now);
    expect(view?.conditions[0]?.values).toHaveLength(TIMELINE_SLOTS);
    expect(view?.conditions[0]?.values[0]).toBe(ticks - TIMELINE_SLOTS);
    expect(view?.conditions[0]?.values.at(-1)).toBe(ticks - 1);
    expect(Date.parse(view?.to ?? '') - Date.parse(view?.from ?? '')).toBe(
      TIMELINE_SLOTS * TIMELINE_BUCKET_MS,
    );
    // An hour later with no tick: everything has aged out; nothing stale is shown as recent.
    const later = book.view('svc', now + TIMELINE_SLOTS * TIMELINE_BUCKET_MS);
    expect(later?.conditions[0]?.verdicts).toBe('.'.repeat(TIMELINE_SLOTS));
  });

  it('retain() drops the targets no policy names any more; an unknown target has no timeline', () => {
    const book = new TimelineBook();
    book.record('a', T0, [verdict('ok', 0.01)], 'watching');
    book.record('b', T0, [verdict('ok', 0.01)], 'watching');
    book.retain(new Set(['b']));
    expect(book.view('a', T0)).toBeNull();
    expect(book.view('b', T0)).not.toBeNull();
  });
});
