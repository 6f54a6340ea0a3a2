import type { Evidence, TargetState, Trigger, VariantValue } from '../core/index.js';
import type { StepName } from '../ports/actuator.js';

// What the runtime persists in ONE atomic state file, so the engine's state and the intent of a switch
// can never disagree after a crash: the intent is saved together with the decision that caused it,
// BEFORE the actuator is called, and every actuator step updates it.

export const RUNTIME_STATE_VERSION = 1;
/** How many webhook alerts (fingerprint + startsAt) are remembered, so a replay after restart is a no-op. */
export const SEEN_WEBHOOKS_MAX = 1_000;

export type SwitchAction = 'rollback' | 'rollforward';

/** A switch that was decided and may not have finished: reconciled on restart. */
export interface InFlightSwitch {
  readonly historyId: string;
  readonly rollbackId: string;
  readonly action: SwitchAction;
  readonly policy: string;
  readonly target: string;
  readonly value: VariantValue;
  readonly startedAtMs: number;
  readonly trigger: Trigger;
  readonly reason: string;
  readonly evidence: Evidence;
  /** Last step each service's actuator reported, by actuator target name. */
  readonly steps: Readonly<Record<string, StepName>>;
}

export interface RuntimeState {
  /** Engine state by target name. */
  readonly targets: Readonly<Record<string, TargetState>>;
  /** By target name. */
  readonly inFlight: Readonly<Record<string, InFlightSwitch>>;
  /** The variable's value each target runs as far as the controller switched it (absent = never switched). */
  readonly variants: Readonly<Record<string, VariantValue>>;
  /** `fingerprint@startsAt` of webhook alerts already handled, oldest first, bounded. */
  readonly seenWebhooks: readonly string[];
}

export function emptyRuntimeState(): RuntimeState {
  return { targets: {}, inFlight: {}, variants: {}, seenWebhooks: [] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Shape check for a loaded state file (the FileStateStore turns a throw into StateCorruptError). Deep
 * checks stay light: the file is only ever written by this code, so this catches truncation and edits.
 */
export function validateRuntimeState(value: unknown): RuntimeState {
  if (!isRecord(value)) throw new Error('not an object');
  for (const key of ['targets', 'inFlight', 'variants'] as const) {
    if (!isRecord(value[key])) throw new Error(`"${key}" is missing or not an object`);
  }
  if (!Array.isArray(value['seenWebhooks']) || !value['seenWebhooks'].every((s) => typeof s === 'string')) {
    throw new Error('"seenWebhooks" is missing or not a list of strings');
  }
  for (const [name, target] of Object.entries(value['targets'] as Record<string, unknown>)) {
    if (!isRecord(target) || typeof target['phase'] !== 'string' || typeof target['phaseSinceMs'] !== 'number') {
      throw new Error(`target "${name}" has no phase/phaseSinceMs`);
    }
  }
  for (const [name, flight] of Object.entries(value['inFlight'] as Record<string, unknown>)) {
    if (!isRecord(flight) || typeof flight['rollbackId'] !== 'string' || typeof flight['action'] !== 'string') {
      throw new Error(`in-flight switch of "${name}" has no rollbackId/action`);
    }
  }
  return value as unknown as RuntimeState;
}

/** Adds a key to the bounded seen list (dropping the oldest). */
export function rememberWebhook(seen: readonly string[], key: string): string[] {
  const next = [...seen.filter((k) => k !== key), key];
  return next.length > SEEN_WEBHOOKS_MAX ? next.slice(next.length - SEEN_WEBHOOKS_MAX) : next;
}
