// Labels and names Guardrail puts on what it creates, so a restarted controller can recognise its own
// work (reconcile) and a roll-forward knows what to restore. Docker labels are immutable after create,
// so the renamed old container is recognised by its name suffix instead.
import type { CandidateSpec, VariantValue } from '../../core/index.js';

export const LABEL = {
  managed: 'guardrail.managed',
  rollbackId: 'guardrail.rollback-id',
  variant: 'guardrail.variant',
  target: 'guardrail.target',
  originalValue: 'guardrail.original-value',
  originalAbsent: 'guardrail.original-absent',
  /** JSON of the host port bindings a start-first switch had to drop, restored by a later recreate. */
  droppedPortBindings: 'guardrail.dropped-port-bindings',
  /** On a warm standby: the id of the current container it stands by for (it is stale once that one goes). */
  standbyFor: 'guardrail.standby-for',
  /** On a shadow candidate: the id of the serving (baseline) container that mirrors to it (shadow.ts). */
  shadowFor: 'guardrail.shadow-for',
  /** On a shadow candidate: the operator's candidate it runs (candidateKey; '' = the service's own image and env). */
  candidate: 'guardrail.candidate',
} as const;

/** A stable text of an operator's candidate, to tell whether a shadow container runs the wanted one ('' = none). */
export function candidateKey(candidate: CandidateSpec | undefined): string {
  if (candidate === undefined) return '';
  const env = Object.fromEntries(Object.entries(candidate.env).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ image: candidate.image ?? null, env });
}

export const COMPOSE_LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  containerNumber: 'com.docker.compose.container-number',
} as const;

const OLD_INFIX = '-guardrail-old-';
const STANDBY_SUFFIX = '-guardrail-standby';
const SHADOW_SUFFIX = '-guardrail-shadow';

/** The name of the shadow candidate beside the container named `currentName` (its name when it takes over). */
export function shadowContainerName(currentName: string): string {
  return `${currentName}${SHADOW_SUFFIX}`;
}

/** For a shadow candidate's name, the name of the container it runs beside. */
export function parseShadowContainerName(name: string): { currentName: string } | undefined {
  return name.endsWith(SHADOW_SUFFIX) && name.length > SHADOW_SUFFIX.length ? { currentName: name.slice(0, -SHADOW_SUFFIX.length) } : undefined;
}

/**
 * The variables that tell a serving container where to mirror (the prediction service's contract): set on
 * the containers of any other value than the candidate's, removed from the candidate's own value.
 */
export const SHADOW_ENV = ['SHADOW_URL', 'SHADOW_SHARE', 'SHADOW_TIMEOUT_MS'] as const;

/**
 * The shadow variables of a container named `name` switched to `value`: pointing at its candidate
 * (`http://<name>-guardrail-shadow:<port>`, Docker's DNS resolves container names on user networks) unless
 * it runs the candidate's value, then removed (null). Empty without a shadow: the variables are left alone.
 */
export function shadowEnv(
  shadow: { readonly value: VariantValue; readonly share: number; readonly timeoutMs: number } | undefined,
  value: VariantValue,
  name: string,
  port: number,
): Readonly<Record<string, string | null>> {
  if (shadow === undefined) return {};
  if (value === shadow.value) return { SHADOW_URL: null, SHADOW_SHARE: null, SHADOW_TIMEOUT_MS: null };
  return { SHADOW_URL: `http://${shadowContainerName(name)}:${port}`, SHADOW_SHARE: String(shadow.share), SHADOW_TIMEOUT_MS: String(shadow.timeoutMs) };
}

/** The name of the warm standby of the container named `currentName` (renamed to that name when it takes over). */
export function standbyContainerName(currentName: string): string {
  return `${currentName}${STANDBY_SUFFIX}`;
}

/** For a warm standby's name, the name of the container it stands by for. */
export function parseStandbyContainerName(name: string): { currentName: string } | undefined {
  return name.endsWith(STANDBY_SUFFIX) && name.length > STANDBY_SUFFIX.length
    ? { currentName: name.slice(0, -STANDBY_SUFFIX.length) }
    : undefined;
}

/** The name the old container carries while its successor is created and verified. */
export function oldContainerName(originalName: string, rollbackId: string): string {
  return `${originalName}${OLD_INFIX}${rollbackId}`;
}

/** For a renamed old container, its original name and the rollback that renamed it. */
export function parseOldContainerName(
  name: string,
): { originalName: string; rollbackId: string } | undefined {
  const at = name.lastIndexOf(OLD_INFIX);
  if (at <= 0) return undefined;
  return { originalName: name.slice(0, at), rollbackId: name.slice(at + OLD_INFIX.length) };
}

/** Docker reports names with a leading slash. */
export function plainName(name: string): string {
  return name.startsWith('/') ? name.slice(1) : name;
}

/**
 * The value before Guardrail's first switch, carried from container to container in labels; `current`
 * when no label says otherwise (Guardrail never touched it). A function rather than `?? current`,
 * because `null` (absent) is a real answer.
 */
export function originalValueFromLabels(
  labels: Readonly<Record<string, string>>,
  current: VariantValue,
): VariantValue {
  if (labels[LABEL.originalAbsent] === 'true') return null;
  return labels[LABEL.originalValue] ?? current;
}

const ACTUATOR_LABELS: ReadonlySet<string> = new Set(Object.values(LABEL));

/** True for the labels the actuator writes (others, e.g. an image's own `guardrail.*`, are the user's). */
export function isActuatorLabel(key: string): boolean {
  return ACTUATOR_LABELS.has(key);
}

export function guardrailLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).filter(([key]) => isActuatorLabel(key)));
}

/** Env helpers: Docker keeps env as `NAME=value` strings, in order. */
export function readEnvVariable(env: readonly string[], variable: string): VariantValue {
  const prefix = `${variable}=`;
  const entry = env.find((e) => e.startsWith(prefix));
  return entry === undefined ? null : entry.slice(prefix.length);
}

/** Sets (or removes, for null) one variable, leaving every other entry and their order unchanged. */
export function withEnvVariable(env: readonly string[], variable: string, value: VariantValue): string[] {
  const prefix = `${variable}=`;
  const at = env.findIndex((e) => e.startsWith(prefix));
  const others = env.filter((e) => !e.startsWith(prefix));
  if (value === null) return others;
  const entry = `${prefix}${value}`;
  if (at === -1) return [...others, entry];
  const copy = [...env];
  copy[at] = entry;
  return copy.filter((e, i) => i === at || !e.startsWith(prefix));
}
