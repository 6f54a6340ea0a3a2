import type { Logger } from 'pino';
import type { Alert } from '../core/index.js';
import type { HistoryLog } from '../ports/state-store.js';
import type { HistoryRecord } from './history.js';
import type { Notifier } from './notifier.js';

// A state directory that cannot be written (read-only, full, gone) must neither stop a rollback nor fail
// quietly. A failed save used to throw out of the decision: the state in memory said rolling_back with an
// intent, the switch never ran, and every later tick found the target "rolling back" forever. Now the
// controller keeps acting on what it decided, raises ONE CRITICAL per kind (state file, history), retries
// with the next save and resolves the alert once a save succeeds.

export type SavedKind = 'state' | 'history';

export interface SaveFailure {
  readonly error: string;
  readonly sinceMs: number;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function notSavedAlert(kind: SavedKind, failure: SaveFailure): Alert {
  return {
    dedupKey: `guardrail-not-saved:${kind}`,
    name: 'GuardrailStateNotSaved',
    severity: 'critical',
    target: 'guardrail',
    summary: `Guardrail cannot save its ${kind === 'state' ? 'state file' : 'history'}: ${failure.error}`,
    description:
      'It keeps acting (no rollback is held back), but a restart would forget what it did since. ' +
      'Make the state directory writable (stateDir / GUARDRAIL_STATE_DIR); every later save retries and resolves this.',
    labels: { component: 'guardrail', kind },
    startsAtMs: failure.sinceMs,
  };
}

export class SaveGuard {
  private readonly failures = new Map<SavedKind, SaveFailure>();
  private readonly notifier: Notifier;
  private readonly logger: Logger;
  private readonly now: () => number;

  constructor(notifier: Notifier, logger: Logger, now: () => number) {
    this.notifier = notifier;
    this.logger = logger;
    this.now = now;
  }

  failed(kind: SavedKind, error: unknown): void {
    const known = this.failures.get(kind);
    const failure = { error: messageOf(error), sinceMs: known?.sinceMs ?? this.now() };
    this.failures.set(kind, failure);
    this.logger.error({ kind, err: error }, 'could not save; acting anyway, retried with the next save');
    if (known === undefined || known.error !== failure.error) this.notifier.notify(notSavedAlert(kind, failure));
  }

  succeeded(kind: SavedKind): void {
    const known = this.failures.get(kind);
    if (known === undefined) return;
    this.failures.delete(kind);
    this.logger.info({ kind }, 'saving works again');
    this.notifier.notify({ ...notSavedAlert(kind, known), resolvedAtMs: this.now() });
  }

  /** `state: …; history: …`, or null when every save works. */
  describe(): string | null {
    if (this.failures.size === 0) return null;
    return [...this.failures].map(([kind, f]) => `${kind} not saved since ${new Date(f.sinceMs).toISOString()}: ${f.error}`).join('; ');
  }

  /** The history log, with a failed append recorded here instead of thrown. */
  guardHistory(history: HistoryLog<HistoryRecord>): HistoryLog<HistoryRecord> {
    return {
      append: async (entry) => {
        try {
          await history.append(entry);
          this.succeeded('history');
        } catch (error) {
          this.failed('history', error);
        }
      },
      list: (filter) => history.list(filter),
    };
  }
}
