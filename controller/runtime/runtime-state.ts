import type { Evidence, TargetState, Trigger, VariantValue } from '../core/index.js';
import type { StepName } from '../ports/actuator.js';

// What the runtime persists in ONE atomic state file, so the engine's state and the intent of a switch
// can never disagree after a crash: the intent is saved together with the decision that caused it,
// BEFORE the actuator is called, and every actuator step updates it.

export const RUNTIME_STATE_VERSION = 1;

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
  /** A roll-forward's: the operator's candidate the ML side runs (candidate-ops.ts), promoted by this switch. */
  readonly candidate?: { readonly image?: string; readonly env: Readonly<Record<string, string>> };
}

export interface RuntimeState {
  /** Engine state by target name. */
  readonly targets: Readonly<Record<string, TargetState>>;
  /** By target name. */
  readonly inFlight: Readonly<Record<string, InFlightSwitch>>;
  /** The variable's value each target runs as far as the controller switched it (absent = never switched). */
  readonly variants: Readonly<Record<string, VariantValue>>;
  /** Webhook alerts acted on, refused for a lasting reason, or held for now (webhook-memory.ts), oldest first. */
  readonly seenWebhooks: readonly SeenWebhook[];
  /** The operator's shadow candidate by target name (candidate-ops.ts); absent in files from before candidates. */
  readonly candidates?: Readonly<Record<string, CandidateRecord>>;
}

/**
 * The candidate an operator set for a target's shadow (`guardrail rollforward TARGET --candidate`): what the
 * target's ML side runs from then on — the shadow first, the serving containers once a roll-forward promotes
 * it (and again in the shadow of a later rollback, since that is what the ML side then runs).
 */
export interface CandidateRecord {
  readonly image?: string;
  readonly env: Readonly<Record<string, string>>;
  readonly setBy: string;
  readonly reason: string;
  readonly setAtMs: number;
  /** The history entry that recorded it. */
  readonly historyId: string;
  /** When a roll-forward promoted it (it serves since); absent while it is only shadowed. */
  readonly promotedAtMs?: number;
}

/**
 * acted: it started a rollback. refused: refused for a lasting reason (already rolled back, unknown
 * reason). held: refused for now (pause, cooldown, limit, veto, a switch in flight, safe mode): retried
 * after each tick of its target until it acts, is refused for good, resolves or expires.
 */
export type WebhookFate = 'acted' | 'refused' | 'held';

/** What a held alert needs to be decided again. */
export interface WebhookTrigger {
  readonly reason: string;
  readonly alertname: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly fingerprint: string;
}

export interface SeenWebhook {
  /** `fingerprint@startsAt`: Alertmanager re-sends the same pair every repeat_interval while it fires. */
  readonly key: string;
  /** The policy target it matched; `*` for entries from a state file written before targets were kept. */
  readonly target: string;
  readonly fate: WebhookFate;
  /** The engine's answer: the rollback id, the refusal, or why it is held. */
  readonly note: string;
  readonly firstSeenMs: number;
  /** Refreshed by every re-send; the entry is forgotten a dedup window after it (0: adopted at first use). */
  readonly lastSeenMs: number;
  /** Held entries only. */
  readonly trigger?: WebhookTrigger;
}

export function emptyRuntimeState(): RuntimeState {
  return { targets: {}, inFlight: {}, variants: {}, seenWebhooks: [], candidates: {} };
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
  if (!Array.isArray(value['seenWebhooks']) || !value['seenWebhooks'].every(isSeenWebhook)) {
    throw new Error('"seenWebhooks" is missing or not a list of webhook memories (or of `fingerprint@startsAt` strings)');
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
  const candidates = value['candidates'];
  if (candidates !== undefined) {
    if (!isRecord(candidates)) throw new Error('"candidates" is not an object');
    for (const [name, candidate] of Object.entries(candidates)) {
      const why = candidateShapeProblem(candidate);
      if (why !== null) throw new Error(`the candidate of "${name}" ${why}`);
    }
  }
  const seenWebhooks = (value['seenWebhooks'] as unknown[]).map(adoptLegacyWebhook);
  return { ...(value as unknown as RuntimeState), seenWebhooks };
}

const FATES: readonly string[] = ['acted', 'refused', 'held'];

function isSeenWebhook(entry: unknown): boolean {
  if (typeof entry === 'string') return true;
  if (!isRecord(entry)) return false;
  const textOk = ['key', 'target', 'note'].every((k) => typeof entry[k] === 'string');
  const timesOk = ['firstSeenMs', 'lastSeenMs'].every((k) => typeof entry[k] === 'number');
  const trigger = entry['trigger'];
  const triggerOk = trigger === undefined || (isRecord(trigger) && isRecord(trigger['labels']) && ['reason', 'alertname', 'fingerprint'].every((k) => typeof trigger[k] === 'string'));
  return textOk && timesOk && FATES.includes(String(entry['fate'])) && triggerOk && (entry['fate'] !== 'held' || trigger !== undefined);
}

/** A state file from before the time bound kept bare `fingerprint@startsAt` strings of every alert seen. */
function adoptLegacyWebhook(entry: unknown): SeenWebhook {
  if (typeof entry !== 'string') return entry as SeenWebhook;
  return { key: entry, target: '*', fate: 'acted', note: 'remembered by an earlier version', firstSeenMs: 0, lastSeenMs: 0 };
}

/** Null when `value` has a CandidateRecord's shape, else what is wrong with it. */
function candidateShapeProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'is not an object';
  if (value['image'] !== undefined && typeof value['image'] !== 'string') return 'has an image that is not a string';
  const env = value['env'];
  if (!isRecord(env) || !Object.values(env).every((v) => typeof v === 'string')) return 'has no env object of strings';
  if (value['image'] === undefined && Object.keys(env).length === 0) return 'sets neither an image nor any environment';
  if (!['setBy', 'reason', 'historyId'].every((k) => typeof value[k] === 'string')) return 'has no setBy/reason/historyId';
  if (typeof value['setAtMs'] !== 'number' || (value['promotedAtMs'] !== undefined && typeof value['promotedAtMs'] !== 'number')) return 'has no setAtMs (or a promotedAtMs that is not a number)';
  return null;
}
