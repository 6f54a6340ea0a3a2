import type { FiringReason } from './assess-tick.js';
import type { Evidence } from './commands.js';
import type { EngineEvent } from './events.js';

/** What a transition row's effects know about the event that chose it. */
export interface EffectContext {
  readonly event: EngineEvent;
  /** Evidence for a command this event may cause (reason, trigger, numbers). */
  readonly evidence: Evidence;
  /** A tick's firing reasons, most severe first (absent for other events). */
  readonly firing?: readonly FiringReason[];
}
