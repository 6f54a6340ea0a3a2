// The Swarm service spec as the actuator reads and changes it: the variant variable in the task template's
// env, Guardrail's labels on the service, and the update/rollback config of a switch. Pure functions over
// the JSON the Engine returns; every field they do not name is passed back untouched (a service update
// replaces the whole spec, so a dropped field would be a change the user did not ask for).
import type { Strategy, VariantValue } from '../../core/index.js';
import { LABEL, originalValueFromLabels } from '../docker/labels.js';

/** The spec JSON of a service: the fields read here, and whatever else the Engine sent (kept as is). */
export interface SwarmServiceSpec {
  readonly Name?: string;
  readonly Labels?: Readonly<Record<string, string>>;
  readonly TaskTemplate?: {
    readonly ContainerSpec?: { readonly Env?: readonly string[]; readonly [key: string]: unknown };
    readonly [key: string]: unknown;
  };
  readonly Mode?: {
    readonly Replicated?: { readonly Replicas?: number };
    readonly Global?: object;
    readonly [key: string]: unknown;
  };
  readonly UpdateConfig?: Readonly<Record<string, unknown>>;
  readonly RollbackConfig?: Readonly<Record<string, unknown>>;
  readonly [key: string]: unknown;
}

export type UpdateState =
  'updating' | 'paused' | 'completed' | 'rollback_started' | 'rollback_paused' | 'rollback_completed';

export interface UpdateStatus {
  readonly State?: UpdateState;
  readonly StartedAt?: string;
  readonly CompletedAt?: string;
  readonly Message?: string;
}

/** A service as inspected: its spec, the one before the last update (what a rollback restores), its update. */
export interface SwarmService {
  readonly ID: string;
  readonly Version: { readonly Index: number };
  readonly Spec: SwarmServiceSpec;
  readonly PreviousSpec?: SwarmServiceSpec;
  readonly UpdateStatus?: UpdateStatus;
}

/** `docker stack deploy` labels every service of a stack with it. */
export const STACK_NAMESPACE_LABEL = 'com.docker.stack.namespace';

/**
 * The variable's value in a Docker env list. `NAME=value` is a value; a bare `NAME` is what `docker stack
 * deploy` writes for `environment: [NAME]` when the shell has no NAME: the process sees no such variable,
 * so it counts as absent (null).
 */
export function envValue(env: readonly string[], variable: string): VariantValue {
  const entry = env.find((e) => e.startsWith(`${variable}=`));
  return entry === undefined ? null : entry.slice(variable.length + 1);
}

/** Sets (or, for null, removes) the variable, bare entries included, keeping the other entries in order. */
export function withEnvValue(env: readonly string[], variable: string, value: VariantValue): string[] {
  const isVariable = (e: string): boolean => e === variable || e.startsWith(`${variable}=`);
  const at = env.findIndex(isVariable);
  const others = env.filter((e) => !isVariable(e));
  if (value === null) return others;
  const entry = `${variable}=${value}`;
  if (at < 0) return [...others, entry];
  const out = [...others];
  out.splice(at, 0, entry);
  return out;
}

export function specValue(spec: SwarmServiceSpec | undefined, variable: string): VariantValue {
  return envValue(spec?.TaskTemplate?.ContainerSpec?.Env ?? [], variable);
}

/** True when `spec` is the one the switch `rollbackId` submitted. */
export function isSwitchSpec(spec: SwarmServiceSpec | undefined, rollbackId: string): boolean {
  return spec?.Labels?.[LABEL.rollbackId] === rollbackId;
}

/** Replicas a replicated service runs; undefined for a global service (one task per eligible node). */
export function replicasOf(spec: SwarmServiceSpec): number | undefined {
  if (spec.Mode?.Global !== undefined) return undefined;
  return spec.Mode?.Replicated?.Replicas ?? 1;
}

export function updateOrder(strategy: Strategy): 'start-first' | 'stop-first' {
  return strategy === 'start-first' ? 'start-first' : 'stop-first';
}

export interface SwitchPlanInput {
  readonly variable: string;
  readonly value: VariantValue;
  readonly rollbackId: string;
  readonly targetName: string;
  readonly expectedVariant: string;
  readonly strategy: Strategy;
  readonly parallelism: number;
}

export interface SwitchPlan {
  readonly spec: SwarmServiceSpec;
  readonly fromValue: VariantValue;
  /** The value before Guardrail first switched the service (carried in its labels): what a roll-forward restores. */
  readonly originalValue: VariantValue;
}

/**
 * The spec that switches the service: the variable set in the task template, Guardrail's labels on the
 * service, and an update that replaces `parallelism` tasks at a time in the strategy's order and, should a
 * new task fail, has Swarm roll back by itself (failure_action rollback) in the same order, all the way
 * (a rollback's failure_action continue).
 */
export function planSwitch(current: SwarmServiceSpec, input: SwitchPlanInput): SwitchPlan {
  const template = current.TaskTemplate ?? {};
  const container = template.ContainerSpec ?? {};
  const fromValue = envValue(container.Env ?? [], input.variable);
  const labels = current.Labels ?? {};
  const originalValue = originalValueFromLabels(labels, fromValue);
  const { [LABEL.originalValue]: _value, [LABEL.originalAbsent]: _absent, ...userLabels } = labels;
  const order = updateOrder(input.strategy);
  const spec: SwarmServiceSpec = {
    ...current,
    Labels: {
      ...userLabels,
      [LABEL.managed]: 'true',
      [LABEL.rollbackId]: input.rollbackId,
      [LABEL.target]: input.targetName,
      [LABEL.variant]: input.expectedVariant,
      ...(originalValue === null
        ? { [LABEL.originalAbsent]: 'true' }
        : { [LABEL.originalValue]: originalValue }),
    },
    TaskTemplate: {
      ...template,
      ContainerSpec: { ...container, Env: withEnvValue(container.Env ?? [], input.variable, input.value) },
    },
    UpdateConfig: {
      ...current.UpdateConfig,
      Parallelism: input.parallelism,
      Order: order,
      FailureAction: 'rollback',
    },
    // A rollback that stopped at its first failed task would leave the service on two specs.
    RollbackConfig: {
      ...current.RollbackConfig,
      Parallelism: input.parallelism,
      Order: order,
      FailureAction: 'continue',
    },
  };
  return { spec, fromValue, originalValue };
}
