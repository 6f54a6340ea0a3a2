import type { Evidence, Trigger } from '../core/index.js';
import type { HistoryEntryView, HistoryQuery, HistoryResult } from '../ports/controller.js';
import type { HistoryLog } from '../ports/state-store.js';
import type { SwitchAction } from './runtime-state.js';

// History is an append-only JSONL log, so a rollback is two records: `start` when it is decided (before
// the actuator runs) and `end` when it is verified or failed. Reading folds them by id; a start without
// an end is `in_progress` (or was interrupted: the restart reconciles it and writes the end).

export interface HistoryStartRecord {
  readonly kind: 'start';
  readonly id: string;
  readonly target: string;
  readonly policy: string;
  /** `candidate`: an operator set the shadow's candidate (candidate-ops.ts), no switch. */
  readonly action: SwitchAction | 'candidate';
  readonly trigger: Trigger;
  readonly reason: string;
  readonly evidence: Evidence;
  readonly atMs: number;
  /** The candidate set (action `candidate`) or promoted (a roll-forward that runs one). */
  readonly candidate?: { readonly image: string | null; readonly env: Readonly<Record<string, string>> };
}

export interface HistoryEndRecord {
  readonly kind: 'end';
  readonly id: string;
  readonly target: string;
  readonly result: Exclude<HistoryResult, 'in_progress'>;
  readonly notes: string;
  readonly atMs: number;
}

export type HistoryRecord = HistoryStartRecord | HistoryEndRecord;

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function foldHistory(records: readonly HistoryRecord[]): HistoryEntryView[] {
  const ends = new Map<string, HistoryEndRecord>();
  for (const r of records) if (r.kind === 'end') ends.set(r.id, r);
  const entries: HistoryEntryView[] = [];
  const started = new Set<string>();
  for (const r of records) {
    if (r.kind !== 'start' || started.has(r.id)) continue;
    started.add(r.id);
    const end = ends.get(r.id);
    entries.push({
      id: r.id,
      target: r.target,
      policy: r.policy,
      action: r.action,
      trigger: r.trigger,
      reason: r.reason,
      evidence: r.evidence,
      startedAt: iso(r.atMs),
      endedAt: end === undefined ? null : iso(end.atMs),
      durationSeconds: end === undefined ? null : Math.max(0, (end.atMs - r.atMs) / 1000),
      result: end?.result ?? 'in_progress',
      notes: end?.notes ?? '',
      ...(r.candidate === undefined ? {} : { candidate: r.candidate }),
    });
  }
  return entries;
}

/** Newest first, filtered and paged as the API asks. */
export async function queryHistory(
  log: HistoryLog<HistoryRecord>,
  query: HistoryQuery,
): Promise<{ entries: HistoryEntryView[]; total: number }> {
  const all = foldHistory(await log.list({ order: 'oldest_first' }))
    .filter((e) => query.target === undefined || e.target === query.target)
    .filter((e) => query.sinceMs === undefined || Date.parse(e.startedAt) >= query.sinceMs)
    .reverse();
  return { entries: all.slice(query.offset, query.offset + query.limit), total: all.length };
}
