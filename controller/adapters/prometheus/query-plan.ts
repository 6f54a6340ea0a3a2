import { analyzeForLabel, candidateLabels, groupedQueryText, type GroupableQuery } from './grouping.js';

// Plans one tick's queries: which are sent as they are, and which are asked together as one grouped
// query (grouping.ts). The analysis of a query text is cached: a controller asks the same
// queries every tick, and parsing hundreds of them each time would eat most of what grouping saves.

export interface SingleUnit {
  readonly kind: 'single';
  readonly promql: string;
}

export interface GroupMember {
  readonly promql: string;
  readonly value: string;
}

export interface GroupUnit {
  readonly kind: 'group';
  /** The grouped query sent to Prometheus. */
  readonly promql: string;
  readonly label: string;
  readonly members: readonly GroupMember[];
  /** A member absent from the result reads this (top-level `X or on() vector(c)`); else it is no_data. */
  readonly absentValue?: number;
}

export type QueryUnit = SingleUnit | GroupUnit;

/** Grouped queries ask for at most this many label values (keeps the regex and the URL reasonable). */
export const DEFAULT_MAX_GROUP_SIZE = 500;
const MAX_CACHED_ANALYSES = 20_000;
/** Plans kept for reuse: one per batch of policies (one per evaluation interval), asked every tick. */
const MAX_CACHED_PLANS = 8;

export class QueryPlanner {
  private readonly cache = new Map<string, readonly GroupableQuery[]>();
  /** Recent plans with the exact query lists they answered, newest last. */
  private readonly plans: { readonly promqls: readonly string[]; readonly units: readonly QueryUnit[] }[] = [];
  private readonly maxGroupSize: number;

  constructor(maxGroupSize = DEFAULT_MAX_GROUP_SIZE) {
    this.maxGroupSize = Math.max(2, maxGroupSize);
  }

  /**
   * Every distinct text of `promqls` appears in exactly one unit. A list asked before (the same queries
   * in the same order: the next tick of the same policies) gets the same plan without redoing it.
   */
  plan(promqls: readonly string[]): readonly QueryUnit[] {
    const known = this.plans.find((p) => sameList(p.promqls, promqls));
    if (known !== undefined) return known.units;
    const units = this.planAfresh(promqls);
    if (this.plans.length >= MAX_CACHED_PLANS) this.plans.shift();
    this.plans.push({ promqls: [...promqls], units });
    return units;
  }

  private planAfresh(promqls: readonly string[]): QueryUnit[] {
    const unique = [...new Set(promqls)];
    const buckets = new Map<string, GroupableQuery[]>();
    for (const promql of unique) {
      for (const candidate of this.analyze(promql)) {
        const bucket = buckets.get(candidate.key);
        if (bucket === undefined) buckets.set(candidate.key, [candidate]);
        else bucket.push(candidate);
      }
    }
    // Largest groups first: a query that could group on two labels joins the one that saves more.
    const ordered = [...buckets.entries()].sort(([ka, a], [kb, b]) => b.length - a.length || (ka < kb ? -1 : ka > kb ? 1 : 0));
    const assigned = new Set<string>();
    const units: QueryUnit[] = [];
    for (const [, bucket] of ordered) {
      const free = bucket.filter((c) => !assigned.has(c.promql));
      if (free.length < 2) continue;
      for (let i = 0; i < free.length; i += this.maxGroupSize) {
        const chunk = free.slice(i, i + this.maxGroupSize);
        if (chunk.length < 2) break; // a last member alone is sent as it is, below
        for (const c of chunk) assigned.add(c.promql);
        units.push(groupUnit(chunk));
      }
    }
    for (const promql of unique) if (!assigned.has(promql)) units.push({ kind: 'single', promql });
    return units;
  }

  private analyze(promql: string): readonly GroupableQuery[] {
    const cached = this.cache.get(promql);
    if (cached !== undefined) return cached;
    const found: GroupableQuery[] = [];
    for (const label of candidateLabels(promql)) {
      const analysis = analyzeForLabel(promql, label);
      if (analysis.ok) found.push(analysis.query);
    }
    if (this.cache.size >= MAX_CACHED_ANALYSES) this.cache.clear();
    this.cache.set(promql, found);
    return found;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function groupUnit(chunk: readonly GroupableQuery[]): GroupUnit {
  const first = chunk[0];
  if (first === undefined) throw new Error('empty group');
  const unit: GroupUnit = {
    kind: 'group',
    promql: groupedQueryText(first, chunk.map((c) => c.value)),
    label: first.label,
    members: chunk.map((c) => ({ promql: c.promql, value: c.value })),
  };
  return first.absentValue === undefined ? unit : { ...unit, absentValue: first.absentValue };
}
