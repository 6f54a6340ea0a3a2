// What Guardrail switches, in one vocabulary from the policy to the container: a policy's target names
// the services that roll back together (compose services, plain containers or Docker Swarm services);
// each service is switched on its own by the actuator port, by setting its variant variable to a value.
// The loader builds TargetSpec; servicesOf derives the per-service specs the actuator and the runtime use.
// Pure data and pure functions.

/** A value of the variant variable, or `null` for "the variable is absent" (the service's default). */
export type VariantValue = string | null;

export type Strategy =
  | 'recreate' // stop the old instance first, keep published host ports; a short failure window
  | 'start-first'; // start and verify the new one beside the old one; zero failures through a network alias
// A Swarm service is updated with `order: stop-first` for recreate and `order: start-first` for start-first.

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
   * or `auto` (the published port, then the IP, on every poll). Default `auto`. For a Swarm service:
   * `container-ip` is each task's address on the service's networks (a controller on the stack's overlay
   * network), `auto` also tries a task on this node through its docker_gwbridge address (a controller on
   * the host); `published-port` is refused (start-first tasks publish no fixed port).
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
  /** Swarm services only: how many tasks Swarm replaces at once (update_config.parallelism). Absent: 1. */
  readonly parallelism?: number;
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
  /**
   * Or Docker Swarm services: the services of stack `stack` (Swarm names them `<stack>_<service>`), or,
   * without a stack, services by their full Swarm name.
   */
  readonly swarm?: { readonly stack?: string; readonly services: readonly string[] };
  /** Value while healthy (what a roll-forward restores), e.g. `ml`; `null` = the variable is absent. */
  readonly normalValue: VariantValue;
  /** Value a rollback sets, e.g. `baseline`. */
  readonly rollbackValue: string;
  /**
   * `start-first` only: keep one container of `rollbackValue` running beside the current one, off the
   * network alias, so a rollback only renames, connects and verifies it (docs/actuators/docker-strategies.md, "Warm standby").
   * `true`: for every service of the target; a list: for the named services only (compose services or
   * container names), e.g. not for a stream consumer, whose standby would read the stream beside the one serving.
   */
  readonly warmStandby?: true | readonly string[];
  /**
   * While rolled back, an ML candidate (the normal value) runs beside each named service (all when `services`
   * is absent), off the alias and without host ports, and the baseline containers mirror live prediction
   * requests to it (policy rollforward.shadow; the gate that judges it is Policy.rollforward.gate).
   */
  readonly shadow?: ShadowSpec;
}

/** How the serving baseline mirrors to the candidate (its SHADOW_SHARE and SHADOW_TIMEOUT_MS), and for which services. */
export interface ShadowSpec {
  /** Share of live prediction requests mirrored, 0 < share <= 1. */
  readonly share: number;
  readonly timeoutMs: number;
  /** The services (compose services or containers) that get a candidate; absent = every service of the target. */
  readonly services?: readonly string[];
}

/** A Swarm service: `<swarmStack>_<swarmService>` labelled with the stack's namespace, or by its full name. */
export interface SwarmSelector {
  readonly swarmService: string;
  readonly swarmStack?: string;
}

export type ServiceSelector =
  | { readonly composeService: string; readonly composeProject?: string }
  | { readonly containerName: string }
  | SwarmSelector;

/** Which actuator adapter switches a service: containers through the Docker API, or a Swarm service update. */
export function selectorKind(selector: ServiceSelector): 'containers' | 'swarm' {
  return 'swarmService' in selector ? 'swarm' : 'containers';
}

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
  /**
   * While the service runs the rollback value, keep a candidate of `value` (the normal value) beside it, mirrored
   * to by the serving containers (Actuator.maintainShadow); a switch to `value` takes the candidate over.
   */
  readonly shadow?: { readonly value: VariantValue; readonly share: number; readonly timeoutMs: number };
}

/** The variant a service reports for a variable value. */
export function expectedVariant(value: VariantValue, verify: VerifySpec): string {
  return value ?? verify.absentVariant;
}

/**
 * The target's services in policy order (compose services, then containers, then Swarm services), each
 * with the target's settings.
 */
export function servicesOf(target: TargetSpec): ServiceSpec[] {
  const settings: SwitchSettings = {
    variable: target.variable,
    strategy: target.strategy,
    verify: target.verify,
    ...(target.stopSignal === undefined ? {} : { stopSignal: target.stopSignal }),
    ...(target.settleMs === undefined ? {} : { settleMs: target.settleMs }),
    ...(target.parallelism === undefined ? {} : { parallelism: target.parallelism }),
  };
  const standbyOf = (part: string) => ({
    ...(target.warmStandby === true || target.warmStandby?.includes(part) === true ? { warmStandby: { value: target.rollbackValue } } : {}),
    ...shadowOf(target, part),
  });
  const composeServices = target.compose?.services ?? [];
  const containers = target.containers ?? [];
  const swarmServices = target.swarm?.services ?? [];
  const many = composeServices.length + containers.length + swarmServices.length > 1;
  const nameOf = (part: string): string => (many ? `${target.name}/${part}` : target.name);
  const project = target.compose?.project;
  const stack = target.swarm?.stack;
  return [
    ...composeServices.map((service) => ({
      ...settings,
      ...standbyOf(service),
      name: nameOf(service),
      selector: project === undefined ? { composeService: service } : { composeService: service, composeProject: project },
    })),
    ...containers.map((containerName) => ({ ...settings, ...standbyOf(containerName), name: nameOf(containerName), selector: { containerName } })),
    ...swarmServices.map((swarmService) => ({ ...settings, ...standbyOf(swarmService), name: nameOf(swarmService), selector: swarmSelector(swarmService, stack) })),
  ];
}

function shadowOf(target: TargetSpec, part: string): Pick<ServiceSpec, 'shadow'> {
  const shadow = target.shadow;
  if (shadow === undefined || (shadow.services !== undefined && !shadow.services.includes(part))) return {};
  return { shadow: { value: target.normalValue, share: shadow.share, timeoutMs: shadow.timeoutMs } };
}

function swarmSelector(swarmService: string, swarmStack: string | undefined): SwarmSelector {
  return swarmStack === undefined ? { swarmService } : { swarmService, swarmStack };
}
