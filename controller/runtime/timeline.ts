import type { Comparison, Phase, Verdict } from '../core/index.js';
import type { TimelineView } from '../ports/controller.js';

// The last hour of tick results, per target and condition, for the dashboard's charts: what the
// controller itself saw and decided on (UNKNOWNs included), not a re-query of Prometheus.
//
// Memory is bounded: one fixed ring of TIMELINE_SLOTS buckets of TIMELINE_BUCKET_MS per condition, in
// typed arrays (4 + 4 + 1 bytes a bucket: 3.2 KiB per condition), plus one phase per bucket per target
// (360 references, ~2.9 KiB). 1000 targets with 3 conditions each: ~12 MiB, whatever the tick rate.
// Ticks that fall in the same bucket merge: the worst verdict (BREACH > UNKNOWN > OK) and the value
// furthest on the breaching side of the threshold, so a short spike is never averaged away.

export const TIMELINE_BUCKET_MS = 10_000;
export const TIMELINE_SLOTS = 360;

/** 0 = no tick in the bucket; higher is worse, so merging is `max`. */
const VERDICT_CODE = { ok: 1, unknown: 2, breach: 3 } as const;
const VERDICT_CHAR = ['.', 'o', 'u', 'b'] as const;

class ConditionRing {
  readonly buckets = new Uint32Array(TIMELINE_SLOTS);
  readonly values = new Float32Array(TIMELINE_SLOTS);
  readonly verdicts = new Uint8Array(TIMELINE_SLOTS);
  comparison: Comparison;
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

class TargetRing {
  readonly conditions = new Map<string, ConditionRing>();
  readonly phaseBuckets = new Uint32Array(TIMELINE_SLOTS);
  readonly phases: (Phase | undefined)[] = new Array<Phase | undefined>(TIMELINE_SLOTS);
  firstBucket: number;
  lastBucket: number;

  constructor(bucket: number) {
    this.firstBucket = bucket;
    this.lastBucket = bucket;
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
    const slot = bucket % TIMELINE_SLOTS;
    ring.phaseBuckets[slot] = bucket;
    ring.phases[slot] = phase;
    for (const verdict of verdicts) {
      let condition = ring.conditions.get(verdict.conditionId);
      if (condition === undefined) {
        condition = new ConditionRing(verdict);
        ring.conditions.set(verdict.conditionId, condition);
      }
      condition.add(bucket, verdict);
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
      return ring.phaseBuckets[slot] === bucket ? (ring.phases[slot] ?? null) : null;
    });
    const conditions = [...ring.conditions].map(([conditionId, c]) => {
      const values: (number | null)[] = [];
      let verdicts = '';
      for (let i = 0; i < span; i++) {
        const { bucket, slot } = slotOf(i);
        const here = c.buckets[slot] === bucket;
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
