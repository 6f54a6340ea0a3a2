// The timeline's compact layout (one bucket number per target slot, a phase code, one ArrayBuffer per
// condition) must show exactly what the earlier layout showed (a bucket number per condition slot, a phase
// reference per slot). The earlier one is kept here as the reference, and random tick sequences (conditions
// that skip buckets, gaps, jumps over the hour, phases changing) are compared view by view.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Phase, Verdict } from '../../../controller/core/index.js';
import { TIMELINE_BUCKET_MS, TIMELINE_SLOTS, TimelineBook } from '../../../controller/runtime/timeline.js';

const VERDICT_CODE = { ok: 1, unknown: 2, breach: 3 } as const;
const VERDICT_CHAR = ['.', 'o', 'u', 'b'] as const;

class ReferenceCondition {
  readonly buckets = new Uint32Array(TIMELINE_SLOTS);
  readonly values = new Float32Array(TIMELINE_SLOTS);
  readonly verdicts = new Uint8Array(TIMELINE_SLOTS);
  comparison: Verdict['comparison'];
  threshold: number;
  constructor(verdict: Verdict) {
    this.comparison = verdict.comparison;
    this.threshold = verdict.threshold;
  }
  add(bucket: number, verdict: Verdict): void {
    const slot = bucket % TIMELINE_SLOTS;
    if (this.buckets[slot] !== bucket) {
      this.buckets[slot] = bucket;
      this.values[slot] = Number.NaN;
      this.verdicts[slot] = 0;
    }
    this.comparison = verdict.comparison;
    this.threshold = verdict.threshold;
    this.verdicts[slot] = Math.max(this.verdicts[slot] ?? 0, VERDICT_CODE[verdict.status]);
    if (verdict.value === undefined || !Number.isFinite(verdict.value)) return;
    const held = this.values[slot] ?? Number.NaN;
    const worse = verdict.comparison === 'above' ? verdict.value > held : verdict.value < held;
    if (Number.isNaN(held) || worse) this.values[slot] = verdict.value;
  }
}

/** The earlier TimelineBook, one target. */
class ReferenceRing {
  readonly conditions = new Map<string, ReferenceCondition>();
  readonly phaseBuckets = new Uint32Array(TIMELINE_SLOTS);
  readonly phases: (Phase | undefined)[] = new Array<Phase | undefined>(TIMELINE_SLOTS);
  firstBucket = -1;
  lastBucket = -1;
  record(atMs: number, verdicts: readonly Verdict[], phase: Phase): void {
    const bucket = Math.floor(atMs / TIMELINE_BUCKET_MS);
    if (this.firstBucket < 0) this.firstBucket = this.lastBucket = bucket;
    this.lastBucket = Math.max(this.lastBucket, bucket);
    const slot = bucket % TIMELINE_SLOTS;
    this.phaseBuckets[slot] = bucket;
    this.phases[slot] = phase;
    for (const verdict of verdicts) {
      let condition = this.conditions.get(verdict.conditionId);
      if (condition === undefined) this.conditions.set(verdict.conditionId, (condition = new ReferenceCondition(verdict)));
      condition.add(bucket, verdict);
    }
  }
  view(nowMs: number): unknown {
    const last = Math.max(this.lastBucket, Math.floor(nowMs / TIMELINE_BUCKET_MS));
    const first = Math.max(this.firstBucket, last - TIMELINE_SLOTS + 1);
    const span = last - first + 1;
    const phases = Array.from({ length: span }, (_, i) => (this.phaseBuckets[(first + i) % TIMELINE_SLOTS] === first + i ? (this.phases[(first + i) % TIMELINE_SLOTS] ?? null) : null));
    const conditions = [...this.conditions].map(([conditionId, c]) => {
      const values: (number | null)[] = [];
      let verdicts = '';
      for (let i = 0; i < span; i++) {
        const slot = (first + i) % TIMELINE_SLOTS;
        const here = c.buckets[slot] === first + i;
        const value = here ? (c.values[slot] ?? Number.NaN) : Number.NaN;
        values.push(Number.isNaN(value) ? null : value);
        verdicts += VERDICT_CHAR[here ? (c.verdicts[slot] ?? 0) : 0];
      }
      return { conditionId, comparison: c.comparison, threshold: c.threshold, values, verdicts };
    });
    return { target: 't', bucketSeconds: TIMELINE_BUCKET_MS / 1000, from: new Date(first * TIMELINE_BUCKET_MS).toISOString(), to: new Date((last + 1) * TIMELINE_BUCKET_MS).toISOString(), phases, conditions };
  }
}

const T0 = Date.parse('2026-11-27T09:00:00.000Z');
const PHASES: readonly Phase[] = ['watching', 'pending', 'rolled_back', 'paused'];

const tick = fc.record({
  stepMs: fc.oneof(fc.integer({ min: 0, max: 15_000 }), fc.integer({ min: 0, max: 2 * 3_600_000 })),
  phase: fc.constantFrom(...PHASES),
  verdicts: fc.uniqueArray(
    fc.record({
      conditionId: fc.constantFrom('a', 'b', 'c'),
      status: fc.constantFrom('ok', 'breach', 'unknown') as fc.Arbitrary<Verdict['status']>,
      value: fc.option(fc.oneof(fc.double({ min: -10, max: 10, noNaN: true }), fc.constant(Number.NaN), fc.constant(Number.POSITIVE_INFINITY)), { nil: undefined }),
      comparison: fc.constantFrom('above', 'below') as fc.Arbitrary<Verdict['comparison']>,
    }),
    { selector: (v) => v.conditionId, maxLength: 3 },
  ),
});

describe('TimelineBook against the earlier layout', () => {
  it('shows the same views after random tick sequences', () => {
    fc.assert(
      fc.property(fc.array(tick, { minLength: 1, maxLength: 80 }), fc.integer({ min: 0, max: 200_000 }), (ticks, laterMs) => {
        const book = new TimelineBook();
        const reference = new ReferenceRing();
        let atMs = T0;
        for (const t of ticks) {
          atMs += t.stepMs;
          const verdicts: Verdict[] = t.verdicts.map((v) => ({ conditionId: v.conditionId, status: v.status, comparison: v.comparison, threshold: 1, forMs: 0, sustainedMs: 0, sustained: false, ...(v.value === undefined ? {} : { value: v.value }) }));
          book.record('t', atMs, verdicts, t.phase);
          reference.record(atMs, verdicts, t.phase);
          expect(book.view('t', atMs)).toEqual(reference.view(atMs));
        }
        expect(book.view('t', atMs + laterMs)).toEqual(reference.view(atMs + laterMs));
      }),
      { numRuns: 400 },
    );
  });
});
