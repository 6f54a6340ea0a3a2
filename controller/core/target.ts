// What Guardrail switches, in one vocabulary from the policy to the container: a policy's target names
// the services that roll back together; each service is switched on its own by the actuator port, by
// setting its variant variable to a value. The loader builds TargetSpec; servicesOf derives the per-service
// specs the actuator and the runtime use. Pure data and pure functions.

/** A value of the variant variable, or `null` for "the variable is absent" (the service's default). */
export type VariantValue = string | null;

export type Strategy =
  | 'recreate' // stop the old instance first, keep published host ports; a short failure window
  | 'start-first'; // start and verify the new one beside the old one; zero failures through a network alias

/** How the actuator proves a switch worked: health 2xx and the expected variant in the version document. */
export interface VerifySpec {
  /** Port the service listens on inside its container (or on loopback for a process). */
  readonly port: number;
  /** GET this path until it answers 2xx. */
  readonly healthPath: string;
  /** GET this path and read `variantField` from its JSON body. */
  readonly versionPath: string;
  /** JSON field whose value must equal the variant just set. */
  readonly variantField: string;
  /** Variant the service runs when the variable is absent (e.g. `ml`). */
  readonly absentVariant: string;
  /** Total time the new instance has to answer health 2xx and the expected variant. */
  readonly timeoutMs: number;
  /**
   * How the Docker actuator reaches a container: its published host port, its IP on its first network,
   * or `auto` (the published port, then the IP, on every poll). Default `auto`.
   */
  readonly via?: 'auto' | 'published-port' | 'container-ip';
}

/** How the actuation settings of a target apply to each of its services. */
interface SwitchSettings {
  /** Environment variable that selects the model, e.g. `MODEL_VARIANT`. */
  readonly variable: string;
  readonly strategy: Strategy;
  /**
   * The signal that stops the old container instead of `docker stop` (e.g. `SIGINT`, on which the
   * prediction service closes at once rather than draining); `docker stop` after the container's stop
   * timeout if it has not exited. recreate: before the new one starts; start-first: after the settle.
   * Absent: `docker stop`.
   */
  readonly stopSignal?: string;
  /**
   * `start-first` only: how long the old container keeps serving after the new one is verified (clients'
   * ARP for the new address, docs/actuators.md). Absent: the actuator's default, 1.5 s.
   */
  readonly settleMs?: number;
  readonly verify: VerifySpec;
}

/** Which containers roll back together, and how the actuator proves the swap worked. */
export interface TargetSpec extends SwitchSettings {
  /** Stable name used in alerts, state keys and rollback ids, e.g. `prediction-service`. */
  readonly name: string;
  /** Compose project and the services that must all switch together. */
  readonly compose?: { readonly project: string; readonly services: readonly string[] };
  /** Or plain container names, when the stack is not run by compose. */
  readonly containers?: readonly string[];
  /** Value while healthy (what a roll-forward restores), e.g. `ml`; `null` = the variable is absent. */
  readonly normalValue: VariantValue;
  /** Value a rollback sets, e.g. `baseline`. */
  readonly rollbackValue: string;
  /**
   * `start-first` only: keep one container of `rollbackValue` running beside the current one, off the
   * network alias, so a rollback only renames, connects and verifies it (docs/actuators.md, "Warm standby").
   */
  readonly warmStandby?: true;
}

export type ServiceSelector =
  { readonly composeService: string; readonly composeProject?: string } | { readonly containerName: string };

/** One service of a target, as the actuator switches it. */
export interface ServiceSpec extends SwitchSettings {
  /** The target's name for a single service; `<target>/<service>` when a target has several. */
  readonly name: string;
  readonly selector: ServiceSelector;
  /**
   * Keep one instance of this value (the rollback value) running beside the current one, outside the
   * traffic path, so a switch to it takes that instance over (Actuator.maintainStandby). Absent: no standby.
   */
  readonly warmStandby?: { readonly value: VariantValue };
}

/** The variant a service reports for a variable value. */
export function expectedVariant(value: VariantValue, verify: VerifySpec): string {
  return value ?? verify.absentVariant;
}

/** The target's services in policy order (compose services, then containers), each with the target's settings. */
export function servicesOf(target: TargetSpec): ServiceSpec[] {
  const settings: SwitchSettings = {
    variable: target.variable,
    strategy: target.strategy,
    verify: target.verify,
    ...(target.stopSignal === undefined ? {} : { stopSignal: target.stopSignal }),
    ...(target.settleMs === undefined ? {} : { settleMs: target.settleMs }),
  };
  const standby = target.warmStandby === true ? { warmStandby: { value: target.rollbackValue } } : {};
  const composeServices = target.compose?.services ?? [];
  const containers = target.containers ?? [];
  const many = composeServices.length + containers.length > 1;
  const nameOf = (part: string): string => (many ? `${target.name}/${part}` : target.name);
  const project = target.compose?.project;
  return [
    ...composeServices.map((service) => ({
      ...settings,
      ...standby,
      name: nameOf(service),
      selector: project === undefined ? { composeService: service } : { composeService: service, composeProject: project },
    })),
    ...containers.map((containerName) => ({ ...settings, ...standby, name: nameOf(containerName), selector: { containerName } })),
  ];
}
