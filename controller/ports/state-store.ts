// Durable memory of the controller: the current state of each target (so a restart resumes a rollback
// instead of forgetting it) and an append-only history of decisions (the audit trail).

export interface StateStore<T> {
  /**
   * The last saved state; undefined when nothing was ever saved (a fresh start). A file that exists but
   * cannot be trusted throws StateCorruptError: the caller must NOT treat that as a fresh start.
   */
  load(): Promise<T | undefined>;
  /** Atomic and durable: after it resolves, a crash or power cut leaves either this state or a later one. */
  save(state: T): Promise<void>;
  /**
   * The loaded state cannot be trusted for a reason the caller found (it names a phase or value the
   * policies do not know): keep a copy of the file as evidence, and return the error to report.
   */
  distrust(problem: string): Promise<StateCorruptError>;
}

export interface HistoryFilter {
  /** Only entries of this target. */
  readonly target?: string;
  /** Only entries at or after this time, ms since epoch. */
  readonly since?: number;
  /** Page size; all when absent. */
  readonly limit?: number;
  /** Entries to skip before the page starts (after filtering and ordering). */
  readonly offset?: number;
  /** 'newest_first' (default: what "show the last N decisions" wants) or 'oldest_first'. */
  readonly order?: 'newest_first' | 'oldest_first';
}

export interface HistoryLog<E> {
  /** Durable when it resolves. Entries are never rewritten or removed. */
  append(entry: E): Promise<void>;
  list(filter?: HistoryFilter): Promise<E[]>;
}

/**
 * The state file exists but is torn, not JSON, of an unknown schema version, or fails validation. The
 * runtime should enter safe mode (no automatic action, alert a human) rather than start fresh, because a
 * fresh start would forget an active rollback.
 */
export class StateCorruptError extends Error {
  override readonly name = 'StateCorruptError';
  readonly path: string;
  /** What is wrong, for the alert and the log. */
  readonly problem: string;
  /** Where a copy of the bad file was kept for investigation (never deleted). */
  readonly keptAt: string | undefined;

  constructor(path: string, problem: string, keptAt: string | undefined, cause?: unknown) {
    super(`state file ${path} cannot be trusted: ${problem}${keptAt === undefined ? '' : ` (a copy is kept at ${keptAt})`}`, cause === undefined ? undefined : { cause });
    this.path = path;
    this.problem = problem;
    this.keptAt = keptAt;
  }
}
