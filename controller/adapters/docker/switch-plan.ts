// Which steps a switch of one container runs, in order — derived once, like a row of the lifecycle table,
// and then walked by the actuator (switch-steps.ts has one function per step). The rename of the old
// container always comes first and is not part of the plan: it can find the old container crash-looping
// after all (and halt its loop), and the plan is derived from what it found.
//
//                      recreate / crash-looping        start-first                  start-first + standby
//   until verified     stop-old, create-new,           create-new,                  take-over-standby,
//                      [connect-networks], start-new,  [connect-networks],          attach-standby,
//                      verify-new                      start-new, verify-new        verify-new
//   cleanup            remove-old                      settle-then-stop-old,        settle-then-stop-old,
//                                                      remove-old                   remove-old
import type { Strategy } from '../../core/index.js';
import type { StepName } from '../../ports/actuator.js';

export type SwitchStep =
  | 'rename-old' // old → <name>-guardrail-old-<rollbackId>, halting a restart loop first
  | 'stop-old' // before the new one exists: its host ports are kept and the port is not shared
  | 'take-over-standby' // the running warm standby gets the service's name
  | 'attach-standby' // ...and the service's networks with their aliases
  | 'create-new'
  | 'connect-networks' // the networks API 1.41 cannot attach at create
  | 'start-new'
  | 'verify-new'
  | 'settle-then-stop-old' // start-first: once every client can reach the new one (settle.ts)
  | 'remove-old';

/** The journal step each records (reconcile and the runtime's journal read these names). */
export const JOURNAL_STEP: Readonly<Record<SwitchStep, StepName>> = {
  'rename-old': 'renamed-old',
  'stop-old': 'stopped-old',
  'take-over-standby': 'created-new',
  'attach-standby': 'connected-networks',
  'create-new': 'created-new',
  'connect-networks': 'connected-networks',
  'start-new': 'started-new',
  'verify-new': 'verified-new',
  'settle-then-stop-old': 'stopped-old',
  'remove-old': 'removed-old',
};

export interface SwitchShape {
  readonly strategy: Strategy;
  /** The old container crash-loops (seen at inspection or by the rename): it is stopped, and never settles. */
  readonly crashLooping: boolean;
  /** A warm standby of the requested value takes over instead of a new container. */
  readonly fromStandby: boolean;
  /** The clone has networks beyond the one it attaches at create. */
  readonly extraNetworks: boolean;
}

export interface SwitchPlan {
  /** Until the new container is verified: a failure in any of these undoes the switch. */
  readonly untilVerified: readonly SwitchStep[];
  /** Once it serves: a failure here leaves the old container for reconcile; the switch succeeded. */
  readonly cleanup: readonly SwitchStep[];
}

export function planSwitch(shape: SwitchShape): SwitchPlan {
  const stopFirst = shape.strategy === 'recreate' || shape.crashLooping;
  const bringUp: SwitchStep[] = shape.fromStandby
    ? ['take-over-standby', 'attach-standby']
    : ['create-new', ...(shape.extraNetworks ? (['connect-networks'] as const) : []), 'start-new'];
  return {
    untilVerified: [...(stopFirst ? (['stop-old'] as const) : []), ...bringUp, 'verify-new'],
    cleanup: [...(stopFirst ? [] : (['settle-then-stop-old'] as const)), 'remove-old'],
  };
}
