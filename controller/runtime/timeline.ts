import { ALL_PHASES, type Comparison, type Phase, type Verdict } from '../core/index.js';
import type { TimelineView } from '../ports/controller.js';

// The last hour of tick results, per target and condition, for the dashboard's charts: what the
// controller itself saw and decided on (UNKNOWNs included), not a re-query of Prometheus.
//
// Memory is bounded: one fixed ring of TIMELINE_SLOTS buckets of TIMELINE_BUCKET_MS per target. The
// target's ring holds which bucket each slot is (4 bytes a slot) and the phase the last tick in it left
// (1 byte); each condition adds its worst value and verdict per slot (4 + 1 bytes: 1.8 KiB per condition),
// all in ONE ArrayBuffer per condition. 1000 targets with 7 conditions each: ~14 MiB, whatever the tick
// rate (with a bucket number and an ArrayBuffer per condition and a reference per phase, it was ~24 MiB:
// a fifth of bench:scale's heap at 1000 targets). A slot that passes to a new bucket is cleared for every
// condition of the target, so a condition that had no tick in a bucket shows a gap there, as before.
// Ticks that fall in the same bucket merge: the worst verdict (BREACH > UNKNOWN > OK) and the value
// furthest on the breaching side of the threshold, so a short spike is never averaged away.

export const TIMELINE_BUCKET_MS = 10_000;
export const TIMELINE_SLOTS = 360;

/** 0 = no tick in the bucket; higher is worse, so merging is `max`. */
const VERDICT_CODE = { ok: 1, unknown: 2, breach: 3 } as const;
const VERDICT_CHAR = ['.', 'o', 'u', 'b'] as const;
/** A slot's phase is stored as 1 + its index here; 0 = none. */
const PHASE_CODES: readonly Phase[] = ALL_PHASES;

class ConditionRing {
  readonly values: Float32Array;
  readonly verdicts: Uint8Array;
  comparison: Comparison;
  threshold: number;

  constructor(verdict: Verdict) {
    const buffer = new ArrayBuffer(TIMELINE_SLOTS * (Float32Array.BYTES_PER_ELEMENT + 1));
    this.values = new Float32Array(buffer, 0, TIMELINE_SLOTS).fill(Number.NaN);
    this.verdicts = new Uint8Array(buffer, TIMELINE_SLOTS * Float32Array.BYTES_PER_ELEMENT, TIMELINE_SLOTS);
    this.comparison = verdict.comparison;
    this.threshold = verdict.threshold;
  }

  clear(slot: number): void {
    this.values[slot] = Number.NaN;
    this.verdicts[slot] = 0;
  }

  add(slot: number, verdict: Verdict): void {
    this.comparison = verdict.comparison;
    this.threshold = verdict.threshold;
    this.verdicts[slot] = Math.max(this.verdicts[slot] ?? 0, VERDICT_CODE[verdict.status]);
    if (verdict.value === undefined || !Number.isFinite(verdict.value)) return;
    const held = this.values[slot] ?? Number.NaN;
    const worse = verdict.comparison === 'above' ? verdict.value > held : verdict.value < held;
    if (Number.isNaN(held) || worse) this.values[slot] = verdict.value;
  }
}

class TargetRing {
  readonly conditions = new Map<string, ConditionRing>();
  /** The bucket each slot holds (0: none yet), for the phase and every condition alike. */
  readonly buckets = new Uint32Array(TIMELINE_SLOTS);
  readonly phases = new Uint8Array(TIMELINE_SLOTS);
  firstBucket: number;
  lastBucket: number;

  constructor(bucket: number) {
    this.firstBucket = bucket;
    this.lastBucket = bucket;
  }

  /** The slot of `bucket`, cleared for every condition when it held another bucket. */
  slotFor(bucket: number): number {
    const slot = bucket % TIMELINE_SLOTS;
    if (this.buckets[slot] !== bucket) {
      this.buckets[slot] = bucket;
      this.phases[slot] = 0;
      for (const condition of this.conditions.values()) condition.clear(slot);
    }
    return slot;
  }
}

export class TimelineBook {
  private readonly targets = new Map<string, TargetRing>();

  /** One tick's verdicts and the phase the decision left the target in. */
  record(target: string, atMs: number, verdicts: readonly Verdict[], phase: Phase): void {
    const bucket = Math.floor(atMs / TIMELINE_BUCKET_MS);
    let ring = this.targets.get(target);
    if (ring === undefined) {
      ring = new TargetRing(bucket);
      this.targets.set(target, ring);
    }
    ring.lastBucket = Math.max(ring.lastBucket, bucket);
    const slot = ring.slotFor(bucket);
    ring.phases[slot] = PHASE_CODES.indexOf(phase) + 1;
    for (const verdict of verdicts) {
      let condition = ring.conditions.get(verdict.conditionId);
      if (condition === undefined) {
        condition = new ConditionRing(verdict);
        ring.conditions.set(verdict.conditionId, condition);
      }
      condition.add(slot, verdict);
    }
  }

  /** Drops the rings of targets no policy names any more (after a reload). */
  retain(targets: ReadonlySet<string>): void {
    for (const name of [...this.targets.keys()]) if (!targets.has(name)) this.targets.delete(name);
  }

  /** The last hour up to `nowMs` (or since the first tick, if later), one entry per bucket. */
  view(target: string, nowMs: number): TimelineView | null {
    const ring = this.targets.get(target);
    if (ring === undefined) return null;
    const last = Math.max(ring.lastBucket, Math.floor(nowMs / TIMELINE_BUCKET_MS));
    const first = Math.max(ring.firstBucket, last - TIMELINE_SLOTS + 1);
    const span = last - first + 1;
    const slotOf = (i: number): { bucket: number; slot: number } => ({
      bucket: first + i,
      slot: (first + i) % TIMELINE_SLOTS,
    });
    const phases = Array.from({ length: span }, (_, i) => {
      const { bucket, slot } = slotOf(i);
      return ring.buckets[slot] === bucket ? (PHASE_CODES[(ring.phases[slot] ?? 0) - 1] ?? null) : null;
    });
    const conditions = [...ring.conditions].map(([conditionId, c]) => {
      const values: (number | null)[] = [];
      let verdicts = '';
      for (let i = 0; i < span; i++) {
        const { bucket, slot } = slotOf(i);
        const here = ring.buckets[slot] === bucket;
        const value = here ? (c.values[slot] ?? Number.NaN) : Number.NaN;
        values.push(Number.isNaN(value) ? null : value);
        verdicts += VERDICT_CHAR[here ? (c.verdicts[slot] ?? 0) : 0];
      }
      return { conditionId, comparison: c.comparison, threshold: c.threshold, values, verdicts };
    });
    return {
      target,
      bucketSeconds: TIMELINE_BUCKET_MS / 1000,
      from: new Date(first * TIMELINE_BUCKET_MS).toISOString(),
      to: new Date((last + 1) * TIMELINE_BUCKET_MS).toISOString(),
      phases,
      conditions,
    };
  }
}
