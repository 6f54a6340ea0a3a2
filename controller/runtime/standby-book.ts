import type { StandbyReport } from '../ports/actuator.js';

// What standby maintenance (standby-keeper.ts) last found per service, kept in the runtime context for
// the status view.

/** The last maintenance result of one actuator service, for the status view. */
export interface StandbyRecord extends StandbyReport {
  readonly checkedAtMs: number;
  /** A shadow candidate's: since when this instance has been found `ready` without a break. */
  readonly readySinceMs?: number;
}

export class StandbyBook {
  readonly latest = new Map<string, StandbyRecord>();
  /** Services without warmStandby that were checked for a leftover standby already. */
  readonly checkedUnwanted = new Set<string>();
  /** What shadow maintenance last found of each service's ML candidate (policy rollforward.shadow), by service. */
  readonly shadows = new Map<string, StandbyRecord>();
  /** Services without a shadow that were checked for a leftover candidate already. */
  readonly shadowCheckedUnwanted = new Set<string>();
  /** Services whose candidate failed, and since when (its WARNING is open). */
  readonly shadowFailedSinceMs = new Map<string, number>();
}
