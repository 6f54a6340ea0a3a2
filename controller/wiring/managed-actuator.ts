import type { CandidateSpec, Policy, ServiceSpec, VariantValue } from '../core/index.js';
import type { Actuator } from '../ports/actuator.js';

/** An actuator with what its owner must do around it: follow policy reloads, start children, close. */
export interface ManagedActuator {
  readonly actuator: Actuator;
  readonly onPolicies?: (policies: readonly Policy[]) => void;
  /**
   * At startup, for each service not in flight: make it run `value` (the process actuator starts its
   * children), its ML side with the operator's `candidate` the state records (undefined: none).
   */
  readonly prepare?: (service: ServiceSpec, value: VariantValue, candidate: CandidateSpec | undefined) => Promise<void>;
  /** Stops what the actuator owns (child processes of the process actuator). */
  close(): Promise<void>;
}
