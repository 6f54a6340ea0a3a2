// The seed's rollback history as Guardrail records it: one row per rollback, paired with the roll-forward
// that ended it. History entries are switches (a rollback, a roll-forward, each decided then verified or
// failed); the seed's table is about episodes on the baseline: when it started, how long the service ran
// the baseline, why, and whether it was rolled forward. Pure: entries and `now` in, rows out.
import type { HistoryEntryView } from '../ports/controller.js';

export type RollbackStatus = 'rolled_forward' | 'ongoing' | 'not_rolled_forward' | 'never_on_baseline';

export interface RollbackRow {
  readonly rollback: HistoryEntryView;
  /** The successful roll-forward that ended this rollback, if any. */
  readonly rollforward: HistoryEntryView | null;
  /** Roll-forwards of this episode that failed (the service stayed on, or went back to, the baseline). */
  readonly failedRollforwards: readonly HistoryEntryView[];
  readonly status: RollbackStatus;
  /** Seconds on the baseline: from the verified rollback to the verified roll-forward, or to now while ongoing. */
  readonly baselineSeconds: number | null;
}

export interface RollbackRowsOptions {
  readonly nowMs: number;
  /**
   * Rollback ids the controller holds active right now (status). A rollback with no roll-forward that is
   * not among them ended some other way (a later rollback, a state reset): not ongoing. Undefined: the
   * latest unpaired rollback of each target is taken as ongoing.
   */
  readonly activeRollbackIds?: ReadonlySet<string>;
}

const ms = (iso: string): number => Date.parse(iso);

/** Oldest first: one row per rollback in `entries` (any order); roll-forwards pair with the rollback before them. */
export function rollbackRows(entries: readonly HistoryEntryView[], options: RollbackRowsOptions): RollbackRow[] {
  const chronological = [...entries].sort((a, b) => ms(a.startedAt) - ms(b.startedAt) || a.id.localeCompare(b.id));
  const rows: RollbackRow[] = [];
  const open = new Map<string, { rollback: HistoryEntryView; failed: HistoryEntryView[] }>();
  const close = (target: string, rollforward: HistoryEntryView | null, superseded = false): void => {
    const episode = open.get(target);
    if (episode === undefined) return;
    open.delete(target);
    rows.push(finish(episode.rollback, rollforward, episode.failed, superseded, options));
  };
  for (const entry of chronological) {
    // Setting a shadow candidate switches nothing: it neither opens nor ends a rollback.
    if (entry.action === 'candidate') continue;
    if (entry.action === 'rollback') {
      close(entry.target, null, true);
      open.set(entry.target, { rollback: entry, failed: [] });
    } else if (entry.result === 'succeeded') {
      close(entry.target, entry);
    } else {
      open.get(entry.target)?.failed.push(entry);
    }
  }
  for (const target of [...open.keys()]) close(target, null);
  return rows.sort((a, b) => ms(a.rollback.startedAt) - ms(b.rollback.startedAt) || a.rollback.id.localeCompare(b.rollback.id));
}

function finish(
  rollback: HistoryEntryView,
  rollforward: HistoryEntryView | null,
  failed: readonly HistoryEntryView[],
  superseded: boolean,
  options: RollbackRowsOptions,
): RollbackRow {
  const base = { rollback, rollforward, failedRollforwards: failed };
  const onBaselineSince = rollback.endedAt ?? rollback.startedAt;
  if (rollback.result === 'failed' || rollback.result === 'restored') return { ...base, status: 'never_on_baseline', baselineSeconds: null };
  if (rollforward !== null) {
    const until = rollforward.endedAt ?? rollforward.startedAt;
    return { ...base, status: 'rolled_forward', baselineSeconds: Math.max(0, (ms(until) - ms(onBaselineSince)) / 1000) };
  }
  const active = !superseded && (options.activeRollbackIds === undefined || options.activeRollbackIds.has(rollback.id) || rollback.result === 'in_progress');
  if (!active) return { ...base, status: 'not_rolled_forward', baselineSeconds: null };
  return { ...base, status: 'ongoing', baselineSeconds: Math.max(0, (options.nowMs - ms(onBaselineSince)) / 1000) };
}
